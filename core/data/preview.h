#pragma once

#include "dataset.h"

#include <string>

namespace edanas::data {

struct PreviewOptions
{
    int columns = 10;
    int rows = 8;
    int cellSize = 96;   ///< pixels per sample image, upscaled with nearest neighbour
    bool fromTest = false;
    std::uint64_t seed = 0; ///< which samples: a seeded choice, stratified by class
};

/// Writes a PNG grid of samples, each captioned with its class name, to `outPath`.
/// Throws DataError naming `outPath` when it cannot be written.
void writePreview(const Dataset &dataset, const std::string &outPath, const PreviewOptions &options);

} // namespace edanas::data
