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
    /// operations, the same outputs up to rounding. Cannot be undone.
    void fuseBatchNorm();
    bool fused() const { return m_fused; }

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
};
TORCH_MODULE(StaticEenn);

} // namespace edanas::supernet
