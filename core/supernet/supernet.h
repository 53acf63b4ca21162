#pragma once

#include "ops.h"
#include "space/genome.h"
#include "space/searchspace.h"

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace edanas::supernet {

using Position = std::pair<int, int>; ///< (stage, block), 0-based

/// Batch norm whose first c channels serve a narrower layer; running statistics kept
/// per position when one layer serves several places (exit classifiers).
struct ElasticBatchNormImpl : torch::nn::Module
{
    ElasticBatchNormImpl(int channels, int positions = 1);
    BnTensors slice(int channels, int position = 0) const;
    void reset(int channels, int position);

    torch::Tensor weight, bias, runningMean, runningVar; ///< mean/var: positions x channels
};
TORCH_MODULE(ElasticBatchNorm);

/// An MBConv block with elastic kernel (centre crop of the largest kernel through
/// learned transformation matrices, as Once-for-All) and elastic expansion (the first
/// channels, kept sorted by importance).
struct ElasticBlockImpl : torch::nn::Module
{
    ElasticBlockImpl(int in, int out, int stride, space::Activation activation, bool squeezeExcite,
                     std::vector<int> kernels, std::vector<int> expansions);

    /// The block's tensors at kernel k and expansion e (views and transformed kernels).
    MBConvTensors tensors(int k, int e) const;
    torch::Tensor kernelWeights(int k) const;
    /// Without autograd in evaluation mode it runs from tensors made once per (kernel,
    /// expansion) and kept: the transformed kernel and the narrowed weights, contiguous.
    torch::Tensor forward(const torch::Tensor &x, int k, int e, bool training, double momentum) const;
    /// Re-sorts the expanded channels by importance (L1 norm of the projection weights)
    /// so that a smaller expansion keeps the most important ones.
    void sortChannels();
    int midChannels(int e) const;

    /// Switching mode drops the kept evaluation tensors; so must anything that changes
    /// the weights in evaluation mode (clearEvalCache()).
    void train(bool on = true) override;
    void clearEvalCache() const;

    int in, out, stride;
    space::Activation activation;
    bool squeezeExcite, residual;
    std::vector<int> kernels, expansions;
    int maxMid, maxSqueeze;
    torch::Tensor expand, depthwise, seReduce, seReduceBias, seExpand, seExpandBias, project;
    std::vector<torch::Tensor> transforms; ///< transforms[i]: kernels[i+1] -> kernels[i]
    ElasticBatchNorm expandBn{nullptr}, depthwiseBn{nullptr}, projectBn{nullptr};

private:
    // One thread per supernet (see SupernetImpl), so no lock.
    mutable MBConvTensors m_evalTensors;
    mutable int m_evalKernel = 0, m_evalExpansion = 0;
};
TORCH_MODULE(ElasticBlock);

/// Tensors of an exit classifier (see space::exitLayers for its layers).
struct ExitTensors
{
    std::vector<torch::Tensor> convBiases; ///< set when batch norm is folded in
    std::vector<torch::Tensor> convs;
    std::vector<BnTensors> bns; ///< EDANAS: one (after the first conv); NACHOS: one per conv
    torch::Tensor classifier, classifierBias;
};

torch::Tensor exitForward(const torch::Tensor &x, const ExitTensors &t, space::EecType type, int maxPools,
                          bool training, double momentum);

/// One exit classifier per stage; it serves every block position of its stage, with
/// batch-norm statistics kept per position.
struct ExitClassifierImpl : torch::nn::Module
{
    ExitClassifierImpl(space::EecType type, int width, int classes, int positions);
    ExitTensors tensors(int position) const;

    space::EecType type;
    int width;
    std::vector<torch::Tensor> convs;
    std::vector<ElasticBatchNorm> bns;
    torch::Tensor classifier, classifierBias;
};
TORCH_MODULE(ExitClassifier);

struct HeadTensors
{
    torch::Tensor expandBias; ///< set when batch norm is folded in
    torch::Tensor expand;
    BnTensors expandBn;
    torch::Tensor feature, classifier, classifierBias;
};

torch::Tensor headForward(const torch::Tensor &x, const HeadTensors &t, bool training, double momentum,
                          double dropout);

struct SubnetOutput
{
    std::vector<torch::Tensor> exits; ///< logits at the requested positions, in order
    torch::Tensor final;              ///< logits of the final head (undefined if not asked)
};

/// The weight-sharing multi-exit supernet over a search space. Setting the active
/// subnet only records the genome; a forward pass runs the active subnet and returns
/// the logits of every asked exit position and of the final head.
class SupernetImpl : public torch::nn::Module
{
public:
    explicit SupernetImpl(const space::SearchSpace &space);

    const space::SearchSpace &space() const { return m_space; }
    void setActive(const space::Genome &genome);
    const space::Genome &active() const { return m_active; }

    /// Runs the active subnet on x (N x C x R x R). `positions` sorted; with `withFinal`
    /// false the pass stops after the deepest asked position.
    /// `maxPools` (NACHOS) gives each asked exit's prepended max-pools (none when empty).
    SubnetOutput forward(const torch::Tensor &x, const std::vector<Position> &positions, bool withFinal = true,
                         const std::vector<int> &maxPools = {});
    /// Forward through the active genome's own exits (with their max-pools) and the final head.
    SubnetOutput forwardGenome(const torch::Tensor &x);

    /// Re-sorts the expanded channels of every elastic block by importance.
    void sortChannels();
    /// Drops the tensors the blocks keep for evaluation (see ElasticBlockImpl::forward):
    /// call after changing weights in evaluation mode; train()/eval() do it themselves.
    void clearEvalCache();

    /// Momentum of the batch-norm running statistics (recalibration sets 1/k).
    void setBatchNormMomentum(double m) { m_momentum = m; }
    void setDropout(double p) { m_dropout = p; }

    // Access for extraction and recalibration.
    torch::Tensor stemConv;
    ElasticBatchNorm stemBn{nullptr};
    ElasticBlock first{nullptr};
    std::vector<std::vector<ElasticBlock>> blocks; ///< [stage][block]
    std::vector<ExitClassifier> exitClassifiers;   ///< [stage]; null where no exit may sit
    torch::Tensor headExpand, headFeature, classifier, classifierBias;
    ElasticBatchNorm headBn{nullptr};

    HeadTensors headTensors() const;
    BnTensors stemBnTensors() const { return stemBn->slice(m_space.stemWidth); }

private:
    space::SearchSpace m_space;
    space::Genome m_active;
    double m_momentum = 0.1;
    double m_dropout = 0.0;
};
TORCH_MODULE(Supernet);

} // namespace edanas::supernet
