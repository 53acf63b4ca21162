#pragma once

// The functional building blocks shared by the elastic supernet and the static
// networks extracted from it: the same code computes both, so a subnet and its
// extraction agree to rounding.

#include "space/searchspace.h"

#include <torch/torch.h>

#include <cstdint>

namespace edanas::supernet {

torch::Tensor hswish(const torch::Tensor &x);
torch::Tensor hsigmoid(const torch::Tensor &x);
torch::Tensor activate(const torch::Tensor &x, space::Activation a);
/// In place, on a tensor nothing else needs (the fresh output of a convolution or batch
/// norm: neither keeps its output for the gradient). Returns x.
torch::Tensor activate_(torch::Tensor x, space::Activation a);

/// Every network here computes in channels-last (NHWC) memory format: oneDNN's fast
/// path on the CPU for convolutions, batch norm, pooling and the element-wise kernels
/// alike. 4-d tensors come back channels-last, others contiguous.
torch::Tensor toChannelsLast(const torch::Tensor &x);

/// Counts the multiply-accumulates of every convolution and linear layer run through
/// conv2d() / linear() below on this thread, from the real tensor shapes, while alive.
class MacCounter
{
public:
    MacCounter();
    ~MacCounter();
    MacCounter(const MacCounter &) = delete;
    MacCounter &operator=(const MacCounter &) = delete;

    /// MACs per input sample (the batch size divided out).
    std::int64_t macs() const { return m_macs; }
    std::int64_t layers() const { return m_layers; }

    static void record(std::int64_t macsPerSample);

private:
    std::int64_t m_macs = 0;
    std::int64_t m_layers = 0;
    MacCounter *m_previous = nullptr;
};

torch::Tensor conv2d(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias, int stride,
                     int groups);
torch::Tensor linear(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias);

/// Batch-norm parameters as tensors (views into a larger module's, or owned).
struct BnTensors
{
    torch::Tensor weight, bias, mean, var;
};

/// Batch norm; the identity when `bn` is empty (folded into the convolution before it).
torch::Tensor batchNorm(const torch::Tensor &x, const BnTensors &bn, bool training, double momentum);

/// Folds a batch norm into the convolution weights before it: returns the new weight
/// and bias such that conv(x, w', b') == bn(conv(x, w)) in evaluation mode.
std::pair<torch::Tensor, torch::Tensor> foldBatchNorm(const torch::Tensor &weight, const BnTensors &bn);

/// The tensors of one MBConv block at its active size. `expand` undefined when the
/// block has no expansion layer; `seReduce` undefined without squeeze-excite.
struct MBConvTensors
{
    torch::Tensor expandBias, depthwiseBias, projectBias; ///< set when batch norm is folded in
    torch::Tensor expand;
    BnTensors expandBn;
    torch::Tensor depthwise;
    BnTensors depthwiseBn;
    torch::Tensor seReduce, seReduceBias, seExpand, seExpandBias;
    torch::Tensor project;
    BnTensors projectBn;
};

torch::Tensor mbconv(const torch::Tensor &x, const MBConvTensors &t, int stride, space::Activation act, bool residual,
                     bool training, double momentum);

} // namespace edanas::supernet
