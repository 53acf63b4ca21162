#pragma once

#include "profile.h"

#include "data/imageset.h"
#include "data/preprocess.h"
#include "supernet/extract.h"
#include "supernet/supernet.h"

namespace edanas::eenn {

/// Records the exit profile of a backbone (its exits are ignored): one pass over the
/// images at `indices` through every exit position the space allows for that backbone,
/// then the final head. The supernet's batch-norm statistics must already be
/// recalibrated for this backbone at all those positions, with NACHOS exits' max-pools
/// (recalibrateBatchNorm with space::positionMaxPools).
ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess,
                         int batchSize = 500);

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
