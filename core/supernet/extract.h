#pragma once

#include "supernet.h"

#include "space/architecture.h"

#include <torch/torch.h>

namespace edanas::supernet {

/// A standalone early-exit network cut out of the supernet: plain tensors at the
/// subnet's sizes (kernels already transformed), its exits and head. Computes exactly
/// what the supernet computes with that subnet active.
class StaticEennImpl : public torch::nn::Module
{
public:
    StaticEennImpl(const SupernetImpl &supernet, const space::Genome &genome);

    /// Logits of every exit (in order) and of the final head, for the whole batch.
    SubnetOutput forward(const torch::Tensor &x);

    /// Real early-exit inference: at each exit the inputs its rule accepts (the
    /// genome's rule and thresholds) leave and are removed from the batch before the
    /// next block; the rest go on, and the final head takes what is left.
    struct EarlyExitResult
    {
        torch::Tensor predictions; ///< int64, one per input, in input order
        torch::Tensor exitIndex;   ///< int64: 0.. for the exits, exits().size() for the head
    };
    EarlyExitResult infer(const torch::Tensor &x);

    const space::Architecture &architecture() const { return m_arch; }
    const space::Genome &genome() const { return m_genome; }
    std::int64_t parameterCount() const;

    /// Folds every batch norm into the convolution before it (inference only): fewer
    /// operations, the same outputs up to rounding. Cannot be undone. The folded biases
    /// become parameters of their own (stem_bias, block<i>_expand_bias, ..., head_expand_bias,
    /// exit<e>_conv<c>_bias); the batch-norm tensors stay registered under their names
    /// but empty, so that torch::load into another fused network of the same genome
    /// reads back exactly this one.
    void fuseBatchNorm();
    bool fused() const { return m_fused; }

    /// Dropout before the final classifier in training mode (as the supernet's training
    /// uses); none in evaluation mode. Default 0.
    void setDropout(double p) { m_dropout = p; }

    // The tensors, for exporters; batch norm is folded in when fused().
    const torch::Tensor &stemWeight() const { return m_stem; }
    const torch::Tensor &stemBias() const { return m_stemBias; }
    /// Of architecture().blocks[1 .. n-2], in order.
    const std::vector<MBConvTensors> &blockTensors() const { return m_blocks; }
    const HeadTensors &headTensors() const { return m_head; }
    /// Of architecture().exits, in order.
    const std::vector<ExitTensors> &exitTensors() const { return m_exits; }

private:
    torch::Tensor keep(const std::string &name, const torch::Tensor &t, bool buffer = false);
    BnTensors keep(const std::string &name, const BnTensors &bn);

    space::Architecture m_arch;
    space::Genome m_genome;
    torch::Tensor m_stem;
    BnTensors m_stemBn;
    torch::Tensor m_stemBias;
    std::vector<MBConvTensors> m_blocks; ///< architecture blocks 1 .. n-2
    HeadTensors m_head;
    std::vector<ExitTensors> m_exits;
    bool m_fused = false;
    double m_dropout = 0.0;
};
TORCH_MODULE(StaticEenn);

/// Which inputs an exit lets leave, as StaticEennImpl::infer decides: `logits` are the
/// exit's for those inputs (N x classes, or classes + 1 with NACHOS's confidence logit
/// last), `stay` (float, N) each one's probability of not having left before, which the
/// confidence rule updates and the others ignore. Bool, N.
torch::Tensor exitAccepts(const torch::Tensor &logits, int classes, space::ExitRule rule, double threshold,
                          torch::Tensor &stay);

/// The decisions infer() makes, from every exit's and the head's logits computed for
/// all inputs (by forward(), or by another runtime running an exported copy): the same
/// predictions and exits, input by input.
StaticEennImpl::EarlyExitResult decideEarlyExit(const SubnetOutput &logits, int classes, space::ExitRule rule,
                                                const std::vector<double> &thresholds);

} // namespace edanas::supernet
