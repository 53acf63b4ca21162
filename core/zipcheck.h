#pragma once

// The integrity of zip archives, which is what LibTorch's archives (supernet
// checkpoints, exported model.pt files) are. LibTorch 1.13 reads a record's bytes without
// checking them against the CRC-32 the archive stores for it, so a file damaged inside
// a tensor loads without a word; this checks every record first. Plain C++ and zlib.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edanas {

/// One record of a zip archive, from its central directory.
struct ZipRecord
{
    std::string name;
    std::uint64_t dataOffset = 0; ///< where its (stored or deflated) bytes start
    std::uint64_t packedSize = 0, size = 0;
    std::uint32_t crc32 = 0;
    int method = 0; ///< 0 stored, 8 deflated
};

/// Parses the archive's central directory (zip64 included) and checks that every
/// record's local header agrees with it, that its bytes lie inside the archive, and that
/// they match the record's CRC-32 (deflated records are inflated to check). Returns ""
/// when all is well, else what is wrong, naming the record, e.g.
/// `record "model/data/3" (bytes 688 to 307887) does not match its CRC-32: the file is damaged`.
/// Never reads outside [data, data + size). Fills `records` when given.
std::string checkZipArchive(const std::uint8_t *data, std::size_t size, std::vector<ZipRecord> *records = nullptr);

/// A CRC-32 (zlib's) of the bytes, as 8 lower-case hex digits.
std::string crc32Hex(const void *data, std::size_t size);

} // namespace edanas
