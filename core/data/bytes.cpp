#include "bytes.h"

#include "dataerror.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace fs = std::filesystem;

namespace edanas::data {

std::vector<std::uint8_t> readFile(const std::string &path)
{
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw DataError(path, "does not exist");
    if (fs::is_directory(status))
        throw DataError(path, "is a directory, but a file was expected");
    if (!fs::is_regular_file(status))
        throw DataError(path, "is not a regular file");

    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DataError(path, std::string("cannot be opened: ") + std::strerror(errno));
    const auto size = fs::file_size(path, ec);
    if (ec)
        throw DataError(path, "cannot read its size: " + ec.message());
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    if (size > 0 && !in.read(reinterpret_cast<char *>(bytes.data()), static_cast<std::streamsize>(size)))
        throw DataError(path, "could not be read completely");
    return bytes;
}

bool isGzip(const std::uint8_t *data, std::size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

namespace {

// Ends a zlib stream however the function is left.
struct InflateGuard
{
    z_stream *zs;
    ~InflateGuard() { inflateEnd(zs); }
};

std::vector<std::uint8_t> inflateGzip(const std::uint8_t *data, std::size_t size,
                                      const std::string &name, std::size_t maxOutput,
                                      bool stopAtLimit)
{
    z_stream zs{};
    // 16 + MAX_WBITS: expect a gzip header and trailer.
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        throw DataError(name, "cannot start gzip decompression");
    InflateGuard guard{&zs};

    // Room for one byte past the limit, to tell "exactly the limit" from "more".
    const std::size_t cap = stopAtLimit ? maxOutput : maxOutput + 1;
    std::vector<std::uint8_t> out;
    std::size_t produced = 0;
    std::size_t consumed = 0;
    constexpr std::size_t kChunkIn = std::size_t(1) << 30; // zlib counts in uInt
    // The buffer starts at 64 KiB and grows by half as data arrive. (It started at 1 MiB
    // once: a fresh 1 MiB buffer for every small stream cost more in page faults than
    // inflating it, and held fuzz_idx_gzip to a few inputs per second.)
    constexpr std::size_t kGrow = std::size_t(64) << 10;
    for (;;) {
        if (zs.avail_in == 0 && consumed < size) {
            const std::size_t n = std::min(kChunkIn, size - consumed);
            zs.next_in = const_cast<Bytef *>(data + consumed);
            zs.avail_in = static_cast<uInt>(n);
            consumed += n;
        }
        if (produced == out.size()) {
            if (out.size() >= cap) {
                if (stopAtLimit)
                    return out;
                throw DataError(name, "decompresses to more than the " + std::to_string(maxOutput)
                                          + " bytes its contents can need");
            }
            // Grow geometrically, but only as data really arrives.
            const std::size_t grow = std::max(kGrow, out.size() / 2);
            out.resize(std::min(cap, out.size() + grow));
        }
        zs.next_out = out.data() + produced;
        const std::size_t room = std::min<std::size_t>(out.size() - produced,
                                                       std::numeric_limits<uInt>::max());
        zs.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members form one stream: go on with the next member.
            if (zs.avail_in == 0 && consumed >= size)
                break;
            if (inflateReset(&zs) != Z_OK)
                throw DataError(name, "cannot continue with the next gzip member");
            continue;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed >= size)
            throw DataError(name, "gzip stream is truncated (ends after " + std::to_string(size)
                                      + " compressed bytes)");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            throw DataError(name, std::string("gzip data is corrupt (") + (zs.msg ? zs.msg : "unknown error") + ")");
    }
    if (produced > maxOutput)
        throw DataError(name, "decompresses to more than the " + std::to_string(maxOutput)
                                  + " bytes its contents can need");
    out.resize(produced);
    out.shrink_to_fit();
    return out;
}

} // namespace

std::vector<std::uint8_t> gunzip(const std::uint8_t *data, std::size_t size,
                                 const std::string &name, std::size_t maxOutput)
{
    return inflateGzip(data, size, name, maxOutput, false);
}

std::vector<std::uint8_t> gunzipPrefix(const std::uint8_t *data, std::size_t size,
                                       const std::string &name, std::size_t count)
{
    return inflateGzip(data, size, name, count, true);
}

} // namespace edanas::data
