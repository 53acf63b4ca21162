#include "zipcheck.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace edanas {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50,
                        kEnd64Sig = 0x06064b50, kEnd64LocatorSig = 0x07064b50;
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kEnd64Size = 56, kLocatorSize = 20;

// Little-endian reads; callers check bounds first.
std::uint16_t u16(const std::uint8_t *p)
{
    return std::uint16_t(p[0] | p[1] << 8);
}
std::uint32_t u32(const std::uint8_t *p)
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint64_t u64(const std::uint8_t *p)
{
    return std::uint64_t(u32(p)) | std::uint64_t(u32(p + 4)) << 32;
}

// [offset, offset + length) inside [0, size), without overflow.
bool inside(std::uint64_t offset, std::uint64_t length, std::size_t size)
{
    return offset <= size && length <= size - offset;
}

std::string quoted(const std::string &name)
{
    std::string s = "\"";
    for (const char c : name.substr(0, 200))
        s += (c >= 0x20 && c < 0x7f) ? c : '?';
    return s + "\"";
}

std::uint32_t crcOf(const std::uint8_t *data, std::uint64_t size)
{
    return std::uint32_t(crc32_z(crc32_z(0, nullptr, 0), data, z_size_t(size)));
}

// Inflates a raw deflate stream of `packed` bytes that must yield exactly `expected`
// bytes; returns their CRC-32 through `crc`, or a problem.
std::string inflateCrc(const std::uint8_t *data, std::uint64_t packed, std::uint64_t expected, std::uint32_t &crc)
{
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return "cannot be inflated (zlib could not start)";
    struct End
    {
        z_stream &z;
        ~End() { inflateEnd(&z); }
    } end{z};
    std::vector<std::uint8_t> out(std::size_t(1) << 16);
    crc = std::uint32_t(crc32_z(0, nullptr, 0));
    std::uint64_t produced = 0, consumed = 0;
    for (;;) {
        if (z.avail_in == 0 && consumed < packed) {
            const std::uint64_t chunk = std::min<std::uint64_t>(packed - consumed, 1u << 30);
            z.next_in = const_cast<Bytef *>(data + consumed);
            z.avail_in = uInt(chunk);
            consumed += chunk;
        }
        z.next_out = out.data();
        z.avail_out = uInt(out.size());
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t got = out.size() - z.avail_out;
        produced += got;
        if (produced > expected)
            return "inflates to more than the " + std::to_string(expected) + " bytes its header says";
        crc = std::uint32_t(crc32_z(crc, out.data(), got));
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && got > 0))
            return std::string("cannot be inflated (zlib: ") + (z.msg ? z.msg : zError(rc)) + ")";
        if (got == 0 && z.avail_in == 0 && consumed >= packed)
            return "is cut short (its deflated data end early)";
    }
    if (produced != expected)
        return "inflates to " + std::to_string(produced) + " bytes, not the " + std::to_string(expected)
            + " its header says";
    return {};
}

} // namespace

std::string crc32Hex(const void *data, std::size_t size)
{
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", unsigned(crcOf(static_cast<const std::uint8_t *>(data), size)));
    return hex;
}

std::string checkZipArchive(const std::uint8_t *data, std::size_t size, std::vector<ZipRecord> *recordsOut)
{
    if (size < kEndSize)
        return "is not a zip archive (" + std::to_string(size) + " bytes, too short)";
    // The end record: the last one in the final 64 KiB + 22 bytes (its comment follows
    // it; like other readers, bytes after the comment are tolerated).
    std::size_t end = size - kEndSize;
    const std::size_t lowest = size > kEndSize + 0xffff ? size - kEndSize - 0xffff : 0;
    for (;;) {
        if (u32(data + end) == kEndSig && end + kEndSize + u16(data + end + 20) <= size)
            break;
        if (end == lowest)
            return "is not a zip archive (no end of central directory record): truncated or not an archive";
        --end;
    }
    const std::uint8_t *e = data + end;
    if (u16(e + 4) != 0 || u16(e + 6) != 0)
        return "is a multi-part zip archive, which is not supported";
    std::uint64_t count = u16(e + 10), directorySize = u32(e + 12), directoryOffset = u32(e + 16);
    if (count == 0xffff || directorySize == 0xffffffffu || directoryOffset == 0xffffffffu) {
        // zip64: a locator just before the end record points to the zip64 end record
        if (end < kLocatorSize || u32(data + end - kLocatorSize) != kEnd64LocatorSig)
            return "is a damaged zip archive (zip64 end record locator missing)";
        const std::uint64_t at = u64(data + end - kLocatorSize + 8);
        if (!inside(at, kEnd64Size, size) || u32(data + at) != kEnd64Sig)
            return "is a damaged zip archive (zip64 end record missing or out of place)";
        count = u64(data + at + 32);
        directorySize = u64(data + at + 40);
        directoryOffset = u64(data + at + 48);
    }
    if (!inside(directoryOffset, directorySize, size))
        return "is a damaged or truncated zip archive (its central directory, " + std::to_string(directorySize)
            + " bytes at " + std::to_string(directoryOffset) + ", lies outside the file of "
            + std::to_string(size) + " bytes)";
    if (count > directorySize / kCentralSize)
        return "is a damaged zip archive (its end record claims " + std::to_string(count)
            + " records, more than its central directory can hold)";

    std::vector<ZipRecord> records;
    records.reserve(std::size_t(count));
    std::uint64_t pos = directoryOffset;
    const std::uint64_t directoryEnd = directoryOffset + directorySize;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::string place = "central directory entry " + std::to_string(i + 1);
        if (!inside(pos, kCentralSize, size) || pos + kCentralSize > directoryEnd || u32(data + pos) != kCentralSig)
            return "is a damaged zip archive (" + place + " is missing or garbled)";
        const std::uint8_t *c = data + pos;
        ZipRecord r;
        const std::uint16_t flags = u16(c + 8);
        r.method = u16(c + 10);
        r.crc32 = u32(c + 16);
        r.packedSize = u32(c + 20);
        r.size = u32(c + 24);
        const std::uint64_t nameLength = u16(c + 28), extraLength = u16(c + 30), commentLength = u16(c + 32);
        std::uint64_t localOffset = u32(c + 42);
        if (pos + kCentralSize + nameLength + extraLength + commentLength > directoryEnd)
            return "is a damaged zip archive (" + place + " runs past the central directory)";
        r.name.assign(reinterpret_cast<const char *>(c + kCentralSize), std::size_t(nameLength));
        // zip64 sizes and offset, in this order, for the fields that say 0xffffffff
        const std::uint8_t *x = c + kCentralSize + nameLength;
        const std::uint8_t *xEnd = x + extraLength;
        while (xEnd - x >= 4) {
            const std::uint16_t id = u16(x), length = u16(x + 2);
            if (std::uint64_t(xEnd - x - 4) < length)
                return "is a damaged zip archive (the extra field of record " + quoted(r.name) + " is garbled)";
            if (id == 0x0001) {
                const std::uint8_t *f = x + 4, *fEnd = x + 4 + length;
                for (std::uint64_t *field : {&r.size, &r.packedSize, &localOffset}) {
                    if (*field != 0xffffffffu)
                        continue;
                    if (fEnd - f < 8)
                        return "is a damaged zip archive (the zip64 field of record " + quoted(r.name)
                            + " is too short)";
                    *field = u64(f);
                    f += 8;
                }
            }
            x += 4 + length;
        }
        if (flags & 1)
            return "record " + quoted(r.name) + " is encrypted, which is not supported";
        if (r.method != 0 && r.method != 8)
            return "record " + quoted(r.name) + " uses compression method " + std::to_string(r.method)
                + ", which is not supported";
        if (r.method == 0 && r.packedSize != r.size)
            return "is a damaged zip archive (stored record " + quoted(r.name) + " has two different sizes)";
        // its local header: same name; the data follow it (and its own extra field)
        if (!inside(localOffset, kLocalSize, size) || u32(data + localOffset) != kLocalSig)
            return "is a damaged zip archive (the local header of record " + quoted(r.name)
                + " is missing or garbled)";
        const std::uint8_t *l = data + localOffset;
        const std::uint64_t localName = u16(l + 26), localExtra = u16(l + 28);
        if (localName != nameLength || !inside(localOffset + kLocalSize, localName, size)
            || std::memcmp(l + kLocalSize, r.name.data(), r.name.size()) != 0)
            return "is a damaged zip archive (the local header of record " + quoted(r.name)
                + " names another record)";
        r.dataOffset = localOffset + kLocalSize + localName + localExtra;
        if (!inside(r.dataOffset, r.packedSize, size))
            return "record " + quoted(r.name) + " (" + std::to_string(r.packedSize) + " bytes at "
                + std::to_string(r.dataOffset) + ") runs past the end of the file: it is truncated";
        std::uint32_t crc = 0;
        if (r.method == 0) {
            crc = crcOf(data + r.dataOffset, r.packedSize);
        } else if (const auto problem = inflateCrc(data + r.dataOffset, r.packedSize, r.size, crc); !problem.empty()) {
            return "record " + quoted(r.name) + " " + problem + ": the file is damaged";
        }
        if (crc != r.crc32)
            return "record " + quoted(r.name) + " (bytes " + std::to_string(r.dataOffset) + " to "
                + std::to_string(r.dataOffset + r.packedSize) + ") does not match its CRC-32: the file is damaged";
        pos += kCentralSize + nameLength + extraLength + commentLength;
        records.push_back(std::move(r));
    }
    if (recordsOut)
        *recordsOut = std::move(records);
    return {};
}

} // namespace edanas
