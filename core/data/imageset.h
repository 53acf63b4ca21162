#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edanas::data {

/// Decoded images held once in memory as 8-bit pixels, N x H x W x C (channels last,
/// RGB order for colour), with one class label per image.
struct ImageSet
{
    int height = 0;
    int width = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels;
    std::vector<std::int32_t> labels;

    std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
    std::size_t imageBytes() const
    {
        return static_cast<std::size_t>(height) * static_cast<std::size_t>(width)
               * static_cast<std::size_t>(channels);
    }
    const std::uint8_t *image(std::int64_t i) const
    {
        return pixels.data() + static_cast<std::size_t>(i) * imageBytes();
    }
    std::uint8_t *image(std::int64_t i)
    {
        return pixels.data() + static_cast<std::size_t>(i) * imageBytes();
    }
};

} // namespace edanas::data
