// Fuzz target: the zip archive check (core/zipcheck.cpp) that every supernet checkpoint
// and exported model.pt passes before LibTorch reads it, and the pickle and TorchScript
// checks that follow it (core/torcharchive.cpp).
//
// Properties: an accepted archive's records all lie inside the input, each record's
// stored bytes match its CRC-32 when recomputed here, and a copy of the input with one
// byte of a non-empty stored record inverted is refused.
#include "fuzz_common.h"
#include "torcharchive.h"
#include "zipcheck.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // The checks of torcharchive.h on the input as it is: as a pickle (an accepted one
    // ends with STOP), as TorchScript (an accepted one is one module class), as an
    // archive (refused for whatever the zip check refuses, with its message).
    if (edanas::checkPickle(data, size).empty())
        FUZZ_CHECK(size > 0 && data[size - 1] == '.');
    constexpr char head[] = "class Module(Module):";
    if (edanas::checkModuleCode(reinterpret_cast<const char *>(data), size).empty())
        FUZZ_CHECK(size == 0 || (size >= sizeof head - 1 && std::memcmp(data, head, sizeof head - 1) == 0));
    const std::string torchProblem = edanas::checkTorchArchive(data, size);

    std::vector<edanas::ZipRecord> records;
    const std::string problem = edanas::checkZipArchive(data, size, &records);
    if (!problem.empty()) {
        FUZZ_CHECK(records.empty());
        FUZZ_CHECK(torchProblem == problem);
        return 0;
    }
    for (const auto &r : records) {
        FUZZ_CHECK(r.dataOffset <= size && r.packedSize <= size - r.dataOffset);
        FUZZ_CHECK(r.method == 0 || r.method == 8);
        if (r.method != 0)
            continue;
        FUZZ_CHECK(r.packedSize == r.size);
        const auto crc = std::uint32_t(crc32_z(0, data + r.dataOffset, z_size_t(r.size)));
        FUZZ_CHECK(crc == r.crc32);
    }
    // the first non-empty stored record, one byte inverted: refused
    for (const auto &r : records) {
        if (r.method != 0 || r.size == 0)
            continue;
        std::vector<std::uint8_t> copy(data, data + size);
        copy[std::size_t(r.dataOffset + r.size / 2)] ^= 0xff;
        const std::string damaged = edanas::checkZipArchive(copy.data(), copy.size());
        // a byte of a record can also belong to another record's header when records
        // overlap; it must be refused either way
        FUZZ_CHECK(!damaged.empty());
        break;
    }
    return 0;
}
