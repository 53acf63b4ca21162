#include "cifar.h"

#include "bytes.h"
#include "dataerror.h"

namespace edanas::data {

namespace {
constexpr int kSide = 32;
constexpr std::size_t kPlane = kSide * kSide;
} // namespace

std::size_t cifarRecordBytes(CifarKind kind)
{
    return (kind == CifarKind::Cifar10 ? 1 : 2) + 3 * kPlane;
}

void appendCifarBatch(const std::uint8_t *bytes, std::size_t size, CifarKind kind,
                      const std::string &name, ImageSet &set)
{
    const std::size_t record = cifarRecordBytes(kind);
    const char *what = kind == CifarKind::Cifar10 ? "CIFAR-10" : "CIFAR-100";
    if (size == 0)
        throw DataError(name, std::string("is empty; a ") + what + " batch holds records of "
                                  + std::to_string(record) + " bytes");
    if (size % record != 0)
        throw DataError(name, "is " + std::to_string(size) + " bytes, not a whole number of "
                                  + what + " records of " + std::to_string(record)
                                  + " bytes (truncated, or not a " + what + " batch)");
    if (!set.labels.empty() && (set.height != kSide || set.width != kSide || set.channels != 3))
        throw DataError(name, "cannot be added to images of another shape ("
                                  + std::to_string(set.height) + " x " + std::to_string(set.width) + " x "
                                  + std::to_string(set.channels) + ")");
    const std::size_t n = size / record;
    const int classes = kind == CifarKind::Cifar10 ? 10 : 100;
    const int labelOffset = kind == CifarKind::Cifar10 ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t *r = bytes + i * record;
        if (kind == CifarKind::Cifar100 && r[0] >= 20)
            throw DataError(name, "coarse label " + std::to_string(int(r[0])) + " of record "
                                      + std::to_string(i) + " is out of range (0..19)");
        if (int(r[labelOffset]) >= classes)
            throw DataError(name, "label " + std::to_string(int(r[labelOffset])) + " of record "
                                      + std::to_string(i) + " is out of range (0.."
                                      + std::to_string(classes - 1) + ")");
    }
    if (set.labels.empty()) {
        set.height = kSide;
        set.width = kSide;
        set.channels = 3;
    }
    const std::size_t first = set.labels.size();
    set.labels.resize(first + n);
    set.pixels.resize((first + n) * 3 * kPlane);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t *r = bytes + i * record;
        set.labels[first + i] = r[labelOffset];
        const std::uint8_t *planes = r + labelOffset + 1;
        std::uint8_t *dst = set.pixels.data() + (first + i) * 3 * kPlane;
        for (std::size_t p = 0; p < kPlane; ++p) {
            dst[3 * p + 0] = planes[p];
            dst[3 * p + 1] = planes[kPlane + p];
            dst[3 * p + 2] = planes[2 * kPlane + p];
        }
    }
}

void readCifarBatch(const std::string &path, CifarKind kind, ImageSet &set)
{
    const auto bytes = readFile(path);
    appendCifarBatch(bytes.data(), bytes.size(), kind, path, set);
}

} // namespace edanas::data
