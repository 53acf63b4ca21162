#pragma once

#include "imageset.h"
#include "preprocess.h"

#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

namespace edanas::data {

/// A batch of network input: float images N x C x R x R (normalised), int64 labels N,
/// and which images of the set they are.
struct Batch
{
    torch::Tensor images;
    torch::Tensor labels;
    std::vector<std::int64_t> indices;
};

/// Converts the images at `indices` to one input tensor: resize (OpenCV, the named
/// interpolation), optional augmentation (random crop with padding, horizontal flip;
/// `rng` required then), per-channel normalisation. Runs on the calling thread.
torch::Tensor makeImages(const ImageSet &set, const std::int64_t *indices, std::size_t count,
                         const Preprocess &preprocess, std::mt19937_64 *rng = nullptr);

/// Iterates over a subset of an image set in batches, epoch after epoch, reshuffling
/// (seeded) at each epoch when asked. The image set must outlive the loader.
class BatchLoader
{
public:
    BatchLoader(const ImageSet &set, std::vector<std::int64_t> indices, int batchSize,
                Preprocess preprocess, bool shuffle, std::uint64_t seed, bool dropLast = false);

    /// The next batch of this epoch; false at the end of the epoch (call reset()).
    bool next(Batch &batch);
    /// Starts a new epoch (reshuffled when shuffling).
    void reset();

    std::int64_t size() const { return std::int64_t(m_indices.size()); }
    std::int64_t batchesPerEpoch() const;
    const Preprocess &preprocess() const { return m_preprocess; }

private:
    const ImageSet &m_set;
    std::vector<std::int64_t> m_indices;
    std::vector<std::int64_t> m_order;
    int m_batchSize;
    Preprocess m_preprocess;
    bool m_shuffle;
    bool m_dropLast;
    std::mt19937_64 m_rng;
    std::size_t m_position = 0;
};

} // namespace edanas::data
