#include "quantize.h"

#include "onnxexport.h"

#include "edanas/version.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace edanas::deploy {

namespace {

constexpr float kHardAlpha = 1.0f / 6.0f; // HardSwish / HardSigmoid: clamp(x / 6 + 1/2, 0, 1)
constexpr float kHardBeta = 0.5f;

torch::Tensor hardSigmoid(const torch::Tensor &x)
{
    // ONNX's definition, operation for operation: max(0, min(1, alpha x + beta))
    return torch::clamp(x * kHardAlpha + kHardBeta, 0.0, 1.0);
}

FloatTensor plainTensor(const torch::Tensor &t)
{
    FloatTensor f;
    const auto c = t.detach().to(torch::kFloat32).contiguous();
    f.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    f.shape.assign(c.sizes().begin(), c.sizes().end());
    return f;
}

QuantizedTensor quantizedTensor(const torch::Tensor &q, const torch::Tensor &scales, bool int32)
{
    QuantizedTensor t;
    const auto v = q.to(torch::kInt32).contiguous();
    t.values.assign(v.data_ptr<std::int32_t>(), v.data_ptr<std::int32_t>() + v.numel());
    t.shape.assign(v.sizes().begin(), v.sizes().end());
    const auto s = scales.to(torch::kFloat32).contiguous();
    t.scales.assign(s.data_ptr<float>(), s.data_ptr<float>() + s.numel());
    t.int32 = int32;
    return t;
}

/// The weights and bias of one operator of the graph in the extracted network.
std::pair<torch::Tensor, torch::Tensor> tensorsOf(const supernet::StaticEennImpl &net, const WeightRef &r)
{
    using P = WeightRef::Part;
    const auto blocks = [&]() -> const supernet::MBConvTensors & {
        return net.blockTensors().at(std::size_t(r.index));
    };
    switch (r.part) {
    case P::Stem:
        return {net.stemWeight(), net.stemBias()};
    case P::Expand:
        return {blocks().expand, blocks().expandBias};
    case P::Depthwise:
        return {blocks().depthwise, blocks().depthwiseBias};
    case P::SeReduce:
        return {blocks().seReduce, blocks().seReduceBias};
    case P::SeExpand:
        return {blocks().seExpand, blocks().seExpandBias};
    case P::Project:
        return {blocks().project, blocks().projectBias};
    case P::HeadExpand:
        return {net.headTensors().expand, net.headTensors().expandBias};
    case P::HeadFeature:
        return {net.headTensors().feature, {}};
    case P::HeadClassifier:
        return {net.headTensors().classifier, net.headTensors().classifierBias};
    case P::ExitConv: {
        const auto &e = net.exitTensors().at(std::size_t(r.index));
        return {e.convs.at(std::size_t(r.sub)),
                std::size_t(r.sub) < e.convBiases.size() ? e.convBiases[std::size_t(r.sub)] : torch::Tensor()};
    }
    case P::ExitClassifier: {
        const auto &e = net.exitTensors().at(std::size_t(r.index));
        return {e.classifier, e.classifierBias};
    }
    case P::None:
        break;
    }
    throw std::logic_error("an operator without weights");
}

/// Every piece in execution order: backbone 0, exit 0, backbone 1, ..., the head.
std::vector<const DeployPiece *> executionOrder(const DeployGraph &g)
{
    std::vector<const DeployPiece *> order;
    for (std::size_t i = 0; i < g.segments(); ++i) {
        order.push_back(&g.backbone[i]);
        order.push_back(&g.exits[i]);
    }
    return order;
}

} // namespace

ActivationQuant activationQuant(float min, float max)
{
    min = std::min(min, 0.0f);
    max = std::max(max, 0.0f);
    ActivationQuant q;
    if (!(max > min) || !std::isfinite(min) || !std::isfinite(max))
        return q; // nothing seen but zeros: any scale represents them
    q.scale = (max - min) / 255.0f;
    q.zeroPoint = int(std::clamp(std::nearbyint(-128.0f - min / q.scale), -128.0f, 127.0f));
    return q;
}

torch::Tensor fakeQuantize(const torch::Tensor &x, const ActivationQuant &q)
{
    // float32 throughout, as QuantizeLinear/DequantizeLinear compute; torch::round
    // rounds half to even
    const auto s = torch::full({}, q.scale, torch::kFloat32);
    const auto z = float(q.zeroPoint);
    const auto v = torch::clamp(torch::round(x / s) + z, -128.0, 127.0);
    return (v - z) * s;
}

DeployNetwork::DeployNetwork(const supernet::StaticEennImpl &net)
    : m_graph(deployGraph(net.architecture()))
{
    if (!net.fused())
        throw std::logic_error("DeployNetwork: fold batch norm into the network first");
    torch::NoGradGuard noGrad;
    for (const auto *piece : executionOrder(m_graph))
        for (const auto &op : piece->ops) {
            if (op.kind != DeployOpKind::Conv && op.kind != DeployOpKind::Linear)
                continue;
            auto [w, b] = tensorsOf(net, op.weights);
            Layer l;
            l.weight = w.detach().to(torch::kFloat32).contiguous().clone();
            if (op.bias && b.defined())
                l.bias = b.detach().to(torch::kFloat32).contiguous().clone();
            if (l.weight.size(0) != op.outChannels || l.weight.numel() != op.weightCount())
                throw std::logic_error("DeployNetwork: " + op.name + " has weights of another shape than its layer");
            m_layers.emplace(op.name, std::move(l));
        }
    m_act.resize(m_graph.values.size());
    m_min.assign(m_graph.values.size(), std::numeric_limits<float>::infinity());
    m_max.assign(m_graph.values.size(), -std::numeric_limits<float>::infinity());
}

void DeployNetwork::observe(int value, const torch::Tensor &t) const
{
    const auto [lo, hi] = torch::aminmax(t);
    m_min[std::size_t(value)] = std::min(m_min[std::size_t(value)], lo.item<float>());
    m_max[std::size_t(value)] = std::max(m_max[std::size_t(value)], hi.item<float>());
}

void DeployNetwork::run(const DeployPiece &piece, std::vector<torch::Tensor> &env, bool int8, bool observing) const
{
    for (const auto &op : piece.ops) {
        const auto &x = env[std::size_t(op.inputs.front())];
        torch::Tensor y;
        switch (op.kind) {
        case DeployOpKind::Conv:
        case DeployOpKind::Linear: {
            const auto &l = m_layers.at(op.name);
            const auto &w = int8 ? l.weightDq : l.weight;
            const auto &b = int8 ? l.biasDq : l.bias;
            if (op.kind == DeployOpKind::Conv)
                y = torch::conv2d(x, w, b, {op.stride, op.stride}, {op.kernel / 2, op.kernel / 2}, {1, 1}, op.groups);
            else
                y = torch::linear(x.flatten(1), w, b);
            if (op.relu)
                y = torch::relu(y);
            break;
        }
        case DeployOpKind::HardSwish:
            y = x * hardSigmoid(x);
            break;
        case DeployOpKind::HardSigmoid:
            y = hardSigmoid(x);
            break;
        case DeployOpKind::GlobalAveragePool:
            y = x.mean({2, 3}, true);
            break;
        case DeployOpKind::MaxPool:
            y = torch::max_pool2d(x, {2, 2}, {2, 2});
            break;
        case DeployOpKind::Mul:
            y = x * env[std::size_t(op.inputs[1])];
            break;
        case DeployOpKind::Add:
            y = x + env[std::size_t(op.inputs[1])];
            break;
        }
        const auto &v = m_graph.values[std::size_t(op.output)];
        if (observing && v.quantized)
            observe(op.output, y);
        if (int8 && v.quantized)
            y = fakeQuantize(y, m_act[std::size_t(op.output)]);
        env[std::size_t(op.output)] = std::move(y);
    }
}

void DeployNetwork::calibrate(const torch::Tensor &x)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> env(m_graph.values.size());
    const auto in = x.to(torch::kFloat32).contiguous();
    observe(0, in);
    env[0] = in;
    for (const auto *piece : executionOrder(m_graph))
        run(*piece, env, false, true);
    m_calibrationImages += x.size(0);
    m_quantized = false;
}

void DeployNetwork::quantize()
{
    if (m_calibrationImages == 0)
        throw std::logic_error("DeployNetwork: quantize() before any calibration");
    torch::NoGradGuard noGrad;
    for (std::size_t v = 0; v < m_graph.values.size(); ++v)
        if (m_graph.values[v].quantized)
            m_act[v] = activationQuant(m_min[v], m_max[v]);
    for (const auto *piece : executionOrder(m_graph))
        for (const auto &op : piece->ops) {
            // a max-pool picks values of its input: the input's grid keeps them exact
            if (op.kind == DeployOpKind::MaxPool)
                m_act[std::size_t(op.output)] = m_act[std::size_t(op.inputs.front())];
            if (op.kind != DeployOpKind::Conv && op.kind != DeployOpKind::Linear)
                continue;
            auto &l = m_layers.at(op.name);
            const auto flat = l.weight.reshape({l.weight.size(0), -1});
            auto scale = flat.abs().amax(1) / 127.0f;
            scale = torch::where(scale > 0, scale, torch::ones_like(scale)); // an all-zero channel
            const auto shape = std::vector<std::int64_t>(l.weight.dim(), 1);
            auto bshape = shape;
            bshape[0] = -1;
            const auto s = scale.reshape(bshape);
            l.weightQ = torch::clamp(torch::round(l.weight / s), -127.0, 127.0).to(torch::kInt32);
            l.weightScale = scale.contiguous();
            l.weightDq = (l.weightQ.to(torch::kFloat32) * s).contiguous();
            if (l.bias.defined()) {
                const float inScale = m_act[std::size_t(op.inputs.front())].scale;
                l.biasScale = (scale * inScale).contiguous();
                const double limit = 2147483520.0; // the largest float below 2^31
                l.biasQ = torch::clamp(torch::round(l.bias / l.biasScale), -limit, limit).to(torch::kInt32);
                l.biasDq = (l.biasQ.to(torch::kFloat32) * l.biasScale).contiguous();
            }
        }
    m_quantized = true;
}

torch::Tensor DeployNetwork::runPiece(const DeployPiece &piece, const torch::Tensor &x, bool int8) const
{
    if (int8 && !m_quantized)
        throw std::logic_error("DeployNetwork: an int8 run before quantize()");
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> env(m_graph.values.size());
    auto in = x.to(torch::kFloat32).contiguous();
    if (int8 && m_graph.values[std::size_t(piece.input)].quantized)
        in = fakeQuantize(in, m_act[std::size_t(piece.input)]);
    env[std::size_t(piece.input)] = in;
    run(piece, env, int8, false);
    return env[std::size_t(piece.output)];
}

supernet::SubnetOutput DeployNetwork::forward(const torch::Tensor &x, bool int8) const
{
    if (int8 && !m_quantized)
        throw std::logic_error("DeployNetwork: an int8 run before quantize()");
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> env(m_graph.values.size());
    auto in = x.to(torch::kFloat32).contiguous();
    env[0] = int8 ? fakeQuantize(in, m_act[0]) : in;
    supernet::SubnetOutput out;
    for (std::size_t i = 0; i < m_graph.segments(); ++i) {
        run(m_graph.backbone[i], env, int8, false);
        run(m_graph.exits[i], env, int8, false);
        auto &logits = env[std::size_t(m_graph.exits[i].output)];
        if (i + 1 < m_graph.segments())
            out.exits.push_back(logits);
        else
            out.final = logits;
    }
    return out;
}

void DeployNetwork::emit(OnnxGraphWriter &w, const DeployPiece &piece, bool int8,
                         std::map<int, std::string> &names) const
{
    auto nameOf = [&](int v) -> std::string {
        auto it = names.find(v);
        if (it == names.end())
            it = names.emplace(v, m_graph.values[std::size_t(v)].name).first;
        return it->second;
    };
    for (const auto &op : piece.ops) {
        const auto &v = m_graph.values[std::size_t(op.output)];
        const bool q = int8 && v.quantized;
        const std::string target = nameOf(op.output);
        // the last node's output is `target`; the ones before get suffixes
        const std::string pre = q ? target + "/f" : target;
        const auto x = nameOf(op.inputs.front());
        switch (op.kind) {
        case DeployOpKind::Conv:
        case DeployOpKind::Linear: {
            const auto &l = m_layers.at(op.name);
            const std::string node = op.relu ? target + "/linear" : pre;
            std::string weight, bias;
            if (int8) {
                weight = w.dequantized(target + ".weight", quantizedTensor(l.weightQ, l.weightScale, false));
                if (l.bias.defined())
                    bias = w.dequantized(target + ".bias", quantizedTensor(l.biasQ, l.biasScale, true));
            }
            if (op.kind == DeployOpKind::Conv) {
                if (int8)
                    w.convWith(node, x, weight, bias, op.kernel, op.stride, op.groups);
                else
                    w.conv(node, x, plainTensor(l.weight), l.bias.defined() ? plainTensor(l.bias) : FloatTensor{},
                           op.stride, op.groups);
            } else {
                const auto flat = w.flatten(target + "/flatten", x);
                if (int8)
                    w.gemmWith(node, flat, weight, bias);
                else
                    w.gemm(node, flat, plainTensor(l.weight), l.bias.defined() ? plainTensor(l.bias) : FloatTensor{});
            }
            if (op.relu)
                w.relu(pre, node);
            break;
        }
        case DeployOpKind::HardSwish:
            w.hardSwish(pre, x);
            break;
        case DeployOpKind::HardSigmoid:
            w.hardSigmoid(pre, x, kHardAlpha, kHardBeta);
            break;
        case DeployOpKind::GlobalAveragePool:
            w.globalAveragePool(pre, x);
            break;
        case DeployOpKind::MaxPool:
            w.maxPool(pre, x, 2, 2);
            break;
        case DeployOpKind::Mul: {
            // the gate copied to every position first: OpenCV 4.6 broadcasts Mul wrongly
            const auto spread = w.resizeNearest(target + "/spread", nameOf(op.inputs[1]), v.h, v.w);
            w.mul(pre, x, spread);
            break;
        }
        case DeployOpKind::Add:
            w.add(pre, x, nameOf(op.inputs[1]));
            break;
        }
        if (q) {
            const auto &a = m_act[std::size_t(op.output)];
            w.quantizeDequantize(target, pre, a.scale, a.zeroPoint);
        }
    }
}

void DeployNetwork::writeOnnx(const std::string &path, bool int8,
                              const std::vector<std::pair<std::string, std::string>> &metadata,
                              const std::string &docString) const
{
    if (int8 && !m_quantized)
        throw std::logic_error("DeployNetwork: an int8 export before quantize()");
    const auto &in = m_graph.values.front();
    const auto outputs = onnxOutputNames(int(m_graph.segments()) - 1);
    OnnxGraphWriter w(int8 ? "edanas_eenn_int8" : "edanas_eenn");
    w.setProducer("edanas", kVersion);
    w.setDocString(docString);
    for (const auto &[k, v] : metadata)
        w.setMetadata(k, v);
    std::map<int, std::string> names;
    const auto x = w.input("input", {in.c, in.h, in.w});
    names[0] = int8 ? w.quantizeDequantize("input/q8", x, m_act[0].scale, m_act[0].zeroPoint) : x;
    for (std::size_t i = 0; i < m_graph.segments(); ++i)
        names[m_graph.exits[i].output] = outputs[i];
    for (const auto *piece : executionOrder(m_graph))
        emit(w, *piece, int8, names);
    for (std::size_t i = 0; i < m_graph.segments(); ++i)
        w.output(outputs[i], {m_graph.values[std::size_t(m_graph.exits[i].output)].c});
    w.write(path);
}

void DeployNetwork::writePieceOnnx(const std::string &path, const DeployPiece &piece, bool int8,
                                   const std::vector<std::pair<std::string, std::string>> &metadata) const
{
    if (int8 && !m_quantized)
        throw std::logic_error("DeployNetwork: an int8 export before quantize()");
    if (piece.ops.empty())
        throw std::logic_error("DeployNetwork: " + piece.name + " has no operator to write");
    const auto &in = m_graph.values[std::size_t(piece.input)];
    const auto &out = m_graph.values[std::size_t(piece.output)];
    OnnxGraphWriter w(piece.name + (int8 ? "_int8" : ""));
    w.setProducer("edanas", kVersion);
    for (const auto &[k, v] : metadata)
        w.setMetadata(k, v);
    std::map<int, std::string> names;
    const auto x = w.input("input", {in.c, in.h, in.w});
    const auto &a = m_act[std::size_t(piece.input)];
    names[piece.input] = int8 && in.quantized ? w.quantizeDequantize("input/q8", x, a.scale, a.zeroPoint) : x;
    names[piece.output] = "output";
    emit(w, piece, int8, names);
    if (out.h == 1 && out.w == 1 && !out.quantized)
        w.output("output", {out.c});
    else
        w.output("output", {out.c, out.h, out.w});
    w.write(path);
}

} // namespace edanas::deploy
