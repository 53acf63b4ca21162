// libFuzzer target: CIFAR-10 and CIFAR-100 binary batches (appendCifarBatch).
//
// For each kind the input is parsed as it is, and cut down to a whole number of
// records (so that the label checks and the plane-to-pixel conversion run on any
// input, not only on inputs of an exact length). An accepted batch is appended a
// second time to the same set, and a refused one must leave the set as it was.
// DataError is the parser's documented way to refuse input; any other exception, a
// sanitizer report or a failed FUZZ_CHECK is a finding.

#include "data/cifar.h"
#include "data/dataerror.h"
#include "fuzz_common.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

using edanas::data::CifarKind;
using edanas::data::DataError;
using edanas::data::ImageSet;

namespace {

constexpr std::size_t kPlane = 32 * 32;

// Checks that records [first, first + n) of `set` are the `n` records in `bytes`.
void checkRecords(const ImageSet &set, std::size_t first, const std::uint8_t *bytes, std::size_t n,
                  CifarKind kind)
{
    const std::size_t record = edanas::data::cifarRecordBytes(kind);
    const std::size_t labelOffset = kind == CifarKind::Cifar10 ? 0 : 1;
    const int classes = kind == CifarKind::Cifar10 ? 10 : 100;
    FUZZ_CHECK(record == labelOffset + 1 + 3 * kPlane);
    FUZZ_CHECK(set.height == 32 && set.width == 32 && set.channels == 3);
    FUZZ_CHECK(set.imageBytes() == 3 * kPlane);
    FUZZ_CHECK(set.labels.size() >= first + n);
    FUZZ_CHECK(set.pixels.size() == set.labels.size() * set.imageBytes());
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t *r = bytes + i * record;
        if (kind == CifarKind::Cifar100)
            FUZZ_CHECK(r[0] < 20); // coarse label
        FUZZ_CHECK(set.labels[first + i] == r[labelOffset]);
        FUZZ_CHECK(set.labels[first + i] >= 0 && set.labels[first + i] < classes);
        const std::uint8_t *planes = r + labelOffset + 1;
        const std::uint8_t *px = set.image(std::int64_t(first + i));
        for (std::size_t p = 0; p < kPlane; ++p)
            for (std::size_t c = 0; c < 3; ++c)
                FUZZ_CHECK(px[3 * p + c] == planes[c * kPlane + p]);
    }
}

// Appends the batch to `set`; returns whether it was accepted. A refused batch must
// leave `set` unchanged.
bool append(const std::uint8_t *bytes, std::size_t size, CifarKind kind, ImageSet &set)
{
    const ImageSet before = set;
    try {
        edanas::data::appendCifarBatch(bytes, size, kind, "batch.bin", set);
    } catch (const DataError &) {
        FUZZ_CHECK(set.labels == before.labels && set.pixels == before.pixels);
        FUZZ_CHECK(set.height == before.height && set.width == before.width
                   && set.channels == before.channels);
        return false;
    } catch (const std::invalid_argument &) {
        return false;
    }
    const std::size_t record = edanas::data::cifarRecordBytes(kind);
    FUZZ_CHECK(size > 0 && size % record == 0);
    FUZZ_CHECK(set.labels.size() == before.labels.size() + size / record);
    FUZZ_CHECK(std::equal(before.pixels.begin(), before.pixels.end(), set.pixels.begin()));
    checkRecords(set, before.labels.size(), bytes, size / record, kind);
    return true;
}

void exercise(const std::uint8_t *data, std::size_t size, CifarKind kind)
{
    const std::size_t record = edanas::data::cifarRecordBytes(kind);

    ImageSet set;
    if (append(data, size, kind, set))
        append(data, size, kind, set); // appending to a set that holds images

    const std::size_t whole = size - size % record;
    if (whole != size && whole > 0) {
        ImageSet cut;
        if (append(data, whole, kind, cut))
            append(data, whole, kind, cut);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    exercise(data, size, CifarKind::Cifar10);
    exercise(data, size, CifarKind::Cifar100);
    return 0;
}
