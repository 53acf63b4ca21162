// libFuzzer target: IDX parsing (parseIdx) and the pairing of image and label arrays
// into an image set (idxToImageSet).
//
// The input is used twice:
//  1. as one IDX file. When it parses, an array of 3 or 4 dimensions is paired with
//     labels made up for it, and a 1-dimensional one with blank images made up for it;
//  2. as an image file followed by a label file, split where the first header says
//     the image file ends (the seeds are such pairs).
// DataError is the parsers' documented way to refuse input; any other exception, a
// sanitizer report or a failed FUZZ_CHECK is a finding.

#include "data/dataerror.h"
#include "data/idx.h"
#include "fuzz_common.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

using edanas::data::DataError;
using edanas::data::IdxArray;
using edanas::data::ImageSet;

namespace {

std::uint32_t bigEndian32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
           | std::uint32_t(p[3]);
}

// Size of the unsigned-byte IDX file whose header starts the buffer, or 0 when the
// buffer does not start with such a header or is shorter than the file it declares.
std::size_t declaredFileSize(const std::uint8_t *p, std::size_t size)
{
    if (size < 4 || p[0] != 0 || p[1] != 0 || p[2] != 0x08 || p[3] == 0)
        return 0;
    const std::size_t header = 4 + 4 * std::size_t(p[3]);
    if (size < header)
        return 0;
    std::size_t total = 1;
    for (std::size_t i = 0; i < p[3]; ++i) {
        const std::uint32_t d = bigEndian32(p + 4 + 4 * i);
        if (d != 0 && total > size / d)
            return 0;
        total *= d;
    }
    return total <= size - header ? header + total : 0;
}

// What parseIdx promises of an array it returns from `size` bytes.
void checkArray(const IdxArray &a, const std::uint8_t *bytes, std::size_t size)
{
    FUZZ_CHECK(!a.dims.empty() && a.dims.size() <= 255);
    const std::size_t header = 4 + 4 * a.dims.size();
    FUZZ_CHECK(header <= size);
    std::size_t total = 1;
    for (std::uint32_t d : a.dims)
        total *= d;
    FUZZ_CHECK(total == a.data.size());
    FUZZ_CHECK(header + a.data.size() == size);
    FUZZ_CHECK(a.data.empty() || std::memcmp(a.data.data(), bytes + header, a.data.size()) == 0);
}

void toImageSet(const IdxArray &images, const IdxArray &labels, int classCount)
{
    try {
        const ImageSet set = edanas::data::idxToImageSet(images, labels, classCount, "images.idx",
                                                         "labels.idx");
        // Reaching here, both arrays were accepted: check what the set promises.
        FUZZ_CHECK(images.dims.size() == 3 || images.dims.size() == 4);
        FUZZ_CHECK(labels.dims.size() == 1 && labels.dims[0] == images.dims[0]);
        FUZZ_CHECK(set.height > 0 && set.width > 0);
        FUZZ_CHECK(set.channels == 1 || set.channels == 3);
        FUZZ_CHECK(std::uint32_t(set.height) == images.dims[1]);
        FUZZ_CHECK(std::uint32_t(set.width) == images.dims[2]);
        FUZZ_CHECK(set.labels.size() == labels.data.size());
        FUZZ_CHECK(set.pixels.size() == set.labels.size() * set.imageBytes());
        FUZZ_CHECK(set.pixels == images.data);
        for (std::size_t i = 0; i < set.labels.size(); ++i) {
            FUZZ_CHECK(set.labels[i] >= 0 && set.labels[i] < classCount);
            FUZZ_CHECK(set.labels[i] == labels.data[i]);
        }
        if (set.size() > 0) {
            // Touch the first and last image through the accessors.
            volatile std::uint8_t sink = set.image(0)[0];
            sink = set.image(set.size() - 1)[set.imageBytes() - 1];
            (void)sink;
        }
    } catch (const DataError &) {
    } catch (const std::invalid_argument &) {
    }
}

// Largest made-up companion array (labels or images), so that a header declaring many
// empty images cannot make the harness itself run out of memory.
constexpr std::uint32_t kMaxMadeUp = 1u << 16;

void exerciseWhole(const std::uint8_t *data, std::size_t size)
{
    IdxArray a;
    try {
        a = edanas::data::parseIdx(data, size, "input.idx");
    } catch (const DataError &) {
        return;
    } catch (const std::invalid_argument &) {
        return;
    }
    checkArray(a, data, size);

    if ((a.dims.size() == 3 || a.dims.size() == 4) && a.dims[0] <= kMaxMadeUp) {
        IdxArray labels;
        labels.dims = {a.dims[0]};
        labels.data.resize(a.dims[0]);
        for (std::size_t i = 0; i < labels.data.size(); ++i)
            labels.data[i] = a.data.empty() ? 0 : std::uint8_t(a.data[i % a.data.size()] % 10);
        toImageSet(a, labels, 10);
        toImageSet(a, labels, 5); // some labels out of range
    } else if (a.dims.size() == 1 && a.dims[0] <= kMaxMadeUp) {
        IdxArray images;
        images.dims = {a.dims[0], 2, 2};
        images.data.assign(std::size_t(a.dims[0]) * 4, 0);
        toImageSet(images, a, 10);
        toImageSet(images, a, 256);
    }
}

void exercisePair(const std::uint8_t *data, std::size_t size)
{
    const std::size_t split = declaredFileSize(data, size);
    if (split == 0)
        return;
    IdxArray images;
    IdxArray labels;
    try {
        images = edanas::data::parseIdx(data, split, "images.idx");
        checkArray(images, data, split);
        labels = edanas::data::parseIdx(data + split, size - split, "labels.idx");
        checkArray(labels, data + split, size - split);
    } catch (const DataError &) {
        return;
    } catch (const std::invalid_argument &) {
        return;
    }
    toImageSet(images, labels, 10);
    toImageSet(images, labels, 256);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    exerciseWhole(data, size);
    exercisePair(data, size);
    return 0;
}
