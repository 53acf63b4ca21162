#include "ops.h"

namespace edanas::supernet {

namespace {
thread_local MacCounter *t_counter = nullptr;
}

MacCounter::MacCounter()
    : m_previous(t_counter)
{
    t_counter = this;
}

MacCounter::~MacCounter()
{
    t_counter = m_previous;
}

void MacCounter::record(std::int64_t macsPerSample)
{
    if (t_counter) {
        t_counter->m_macs += macsPerSample;
        ++t_counter->m_layers;
    }
}

// ATen's own kernels: one vectorised pass (and one for the gradient) instead of the
// four temporaries of x * relu6(x + 3) / 6, the same formula in the same order.
torch::Tensor hswish(const torch::Tensor &x)
{
    return torch::hardswish(x);
}

torch::Tensor hsigmoid(const torch::Tensor &x)
{
    return torch::hardsigmoid(x);
}

torch::Tensor activate(const torch::Tensor &x, space::Activation a)
{
    return a == space::Activation::Relu ? torch::relu(x) : hswish(x);
}

torch::Tensor activate_(torch::Tensor x, space::Activation a)
{
    return a == space::Activation::Relu ? x.relu_() : torch::hardswish_(x);
}

torch::Tensor toChannelsLast(const torch::Tensor &x)
{
    if (x.dim() != 4)
        return x.contiguous();
    if (x.size(1) > 1)
        return x.contiguous(torch::MemoryFormat::ChannelsLast);
    // One channel: NCHW and NHWC hold the same bytes, so contiguous() keeps the NCHW
    // strides and oneDNN would pick its NCHW path; give it NHWC strides explicitly.
    if (x.stride(1) == 1)
        return x;
    auto y = torch::empty(x.sizes(), x.options().memory_format(torch::MemoryFormat::ChannelsLast));
    return y.copy_(x);
}

torch::Tensor conv2d(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias, int stride,
                     int groups)
{
    const auto k = weight.size(2);
    // Inputs with a spatial extent go channels-last (a no-op after the first layer: the
    // outputs of a channels-last convolution are channels-last).
    const bool spatial = x.size(2) * x.size(3) > 1;
    auto y = torch::conv2d(spatial ? toChannelsLast(x) : x, weight, bias, {stride, stride}, {k / 2, k / 2}, {1, 1},
                           groups);
    // per sample: output positions x output channels x (input channels per group x k x k)
    MacCounter::record(y.size(1) * y.size(2) * y.size(3) * weight.size(1) * weight.size(2) * weight.size(3));
    return y;
}

torch::Tensor linear(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias)
{
    MacCounter::record(weight.size(0) * weight.size(1));
    return torch::linear(x, weight, bias);
}

std::pair<torch::Tensor, torch::Tensor> foldBatchNorm(const torch::Tensor &weight, const BnTensors &bn)
{
    const auto scale = bn.weight / torch::sqrt(bn.var + 1e-5);
    const auto w = weight * scale.reshape({-1, 1, 1, 1});
    const auto b = bn.bias - bn.mean * scale;
    return {w.contiguous(), b.contiguous()};
}

torch::Tensor batchNorm(const torch::Tensor &x, const BnTensors &bn, bool training, double momentum)
{
    if (!bn.weight.defined())
        return x;
    return torch::batch_norm(x, bn.weight, bn.bias, bn.mean, bn.var, training, momentum, 1e-5, false);
}

torch::Tensor mbconv(const torch::Tensor &x, const MBConvTensors &t, int stride, space::Activation act, bool residual,
                     bool training, double momentum)
{
    // The activations work in place on the fresh output of a convolution or batch norm,
    // which neither needs for its gradient; so does the residual sum. The squeeze-excite
    // product does only without autograd: its gradient needs both factors.
    torch::Tensor h = x;
    if (t.expand.defined())
        h = activate_(batchNorm(conv2d(h, t.expand, t.expandBias, 1, 1), t.expandBn, training, momentum), act);
    h = conv2d(h, t.depthwise, t.depthwiseBias, stride, int(t.depthwise.size(0)));
    h = activate_(batchNorm(h, t.depthwiseBn, training, momentum), act);
    if (t.seReduce.defined()) {
        auto s = h.mean({2, 3}, true);
        s = conv2d(s, t.seReduce, t.seReduceBias, 1, 1).relu_();
        s = conv2d(s, t.seExpand, t.seExpandBias, 1, 1);
        torch::hardsigmoid_(s);
        h = torch::GradMode::is_enabled() ? h * s : h.mul_(s);
    }
    h = batchNorm(conv2d(h, t.project, t.projectBias, 1, 1), t.projectBn, training, momentum);
    return residual ? h.add_(x) : h;
}

} // namespace edanas::supernet
