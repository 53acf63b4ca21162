#pragma once

#include "imageset.h"

#include <cstdint>
#include <random>
#include <vector>

namespace edanas::data {

/// Indices into a training part: the images to train on and those held out for
/// validation (the official test part is never split).
struct Split
{
    std::vector<std::int64_t> train;
    std::vector<std::int64_t> validation;
};

/// Deterministic, stratified split: within each class, a seeded shuffle puts
/// round(share x class size) images into validation. Same labels, share and seed give
/// the same split on every machine. Both lists are sorted.
Split stratifiedSplit(const std::vector<std::int32_t> &labels, int classCount,
                      double validationShare, std::uint64_t seed);

/// Uniform integer in [0, n) from a 64-bit Mersenne Twister, without the
/// implementation-defined behaviour of std::uniform_int_distribution.
std::uint64_t uniformIndex(std::mt19937_64 &rng, std::uint64_t n);

/// Per-channel mean and standard deviation of pixel values scaled to [0, 1].
struct ChannelStats
{
    std::vector<double> mean;
    std::vector<double> std;
};

/// Statistics over the images at `indices` (all images when empty).
ChannelStats channelStats(const ImageSet &set, const std::vector<std::int64_t> &indices = {});

/// Images per class (index = label).
std::vector<std::int64_t> classCounts(const std::vector<std::int32_t> &labels, int classCount,
                                      const std::vector<std::int64_t> &indices = {});

/// `count` indices spread evenly over `indices` (all of them when count is 0 or at
/// least their number), so that every class of a stratified split stays represented.
std::vector<std::int64_t> evenSubset(const std::vector<std::int64_t> &indices, std::int64_t count);

} // namespace edanas::data
