#pragma once

#include "supernet.h"

#include "data/batchloader.h"

namespace edanas::supernet {

/// Recomputes the batch-norm statistics of the active subnet (and of the exit
/// classifiers at `positions`) from up to `images` training images, as Once-for-All
/// does: every statistic becomes the average over the batches, computed in training
/// mode without gradients. Every statistic of the supernet is reset first (those of
/// other subnets are meaningless for this one anyway). Leaves the network in
/// evaluation mode. Returns the number
/// of images used.
std::int64_t recalibrateBatchNorm(SupernetImpl &net, const std::vector<Position> &positions,
                                  data::BatchLoader &loader, std::int64_t images = 2000,
                                  const std::vector<int> &maxPools = {});

/// The same on batches already made (N x C x R x R each, at the active subnet's
/// resolution or resized to it): all of them are used. Returns the number of images.
std::int64_t recalibrateBatchNorm(SupernetImpl &net, const std::vector<Position> &positions,
                                  const std::vector<torch::Tensor> &batches, const std::vector<int> &maxPools = {});

} // namespace edanas::supernet
