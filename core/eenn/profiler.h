#pragma once

#include "profile.h"

#include "data/batchloader.h"
#include "data/imageset.h"
#include "data/preprocess.h"
#include "supernet/extract.h"
#include "supernet/supernet.h"

namespace edanas::eenn {

/// The network the profiling pass runs for one backbone: the outputs at every exit
/// position the space allows for it (with NACHOS exits' max-pools), then the final head.
/// By default (Network::Folded) a copy cut out of the supernet with an exit at every
/// position and batch norm folded into the convolutions: the network an export deploys
/// (model.pt, model.onnx), so the profile's decisions are exactly what real early-exit
/// inference of the exported network makes (tst_earlyexit, tst_profiler, the export's
/// own check), and 2-4x faster than the supernet. Its outputs equal the supernet's up to
/// rounding (the folded weights are products); Network::Supernet runs the supernet
/// itself and gives them exactly.
/// Made after batch-norm recalibration for the backbone; the supernet's active subnet
/// is set to it.
class ProfilePass
{
public:
    enum class Network { Supernet, Extracted, Folded };
    struct Options
    {
        Network network = Network::Folded;
        int chunk = 0; ///< images per forward call at most (0: the whole batch)
    };

    ProfilePass(supernet::SupernetImpl &net, const space::Genome &backbone);
    ProfilePass(supernet::SupernetImpl &net, const space::Genome &backbone, Options options);

    const std::vector<supernet::Position> &positions() const { return m_positions; }
    const std::vector<int> &maxPools() const { return m_pools; }

    /// Logits at every position, then the final head's (N x classes, or classes + 1
    /// with NACHOS's confidence logit last). Call under c10::InferenceMode.
    std::vector<torch::Tensor> run(const torch::Tensor &images);

private:
    std::vector<torch::Tensor> runOnce(const torch::Tensor &images);

    supernet::SupernetImpl &m_net;
    Options m_options;
    std::vector<supernet::Position> m_positions;
    std::vector<int> m_pools;
    supernet::StaticEenn m_static{nullptr};
};

/// Records the exit profile of a backbone (its exits are ignored): one pass over the
/// images at `indices` through every exit position the space allows for that backbone,
/// then the final head. The supernet's batch-norm statistics must already be
/// recalibrated for this backbone at all those positions, with NACHOS exits' max-pools
/// (recalibrateBatchNorm with space::positionMaxPools).
ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess,
                         int batchSize = 500);

/// The same on batches already made (images at the backbone's resolution, normalised;
/// labels), in order.
ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone,
                         const std::vector<data::Batch> &batches);

/// Records the exit profile of a standalone early-exit network (trained further, say):
/// one pass over the images at `indices` (in evaluation mode, batch norm folded or not)
/// through its own exits, then its final head; `space` is the one it was cut out of.
/// The profile's positions are the network's exits in order, then the head, with the
/// MACs the cost model gives them, so configFromGenome(profile, net.genome()) and
/// evaluate() give its figures; they equal StaticEennImpl::infer's on those images.
ExitProfile buildProfile(supernet::StaticEennImpl &net, const space::SearchSpace &space, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess,
                         int batchSize = 500);

/// The step both builders share: stores what the outputs of `labels.size(0)` samples,
/// from `offset` on, say at every profile position (`logits[q]` for position q, the
/// final head last; N x classes, or classes + 1 with NACHOS's confidence logit last):
/// prediction, whether it is right, and the score of every exit rule.
void recordOutputs(ExitProfile &profile, int offset, const std::vector<torch::Tensor> &logits,
                   const torch::Tensor &labels);

} // namespace edanas::eenn
