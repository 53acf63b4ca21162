#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edanas::data {

/// Reads a whole regular file. Throws DataError when the path does not exist, is a
/// directory, or cannot be read.
std::vector<std::uint8_t> readFile(const std::string &path);

/// True when the buffer starts with the gzip magic bytes.
bool isGzip(const std::uint8_t *data, std::size_t size);

/// Inflates a gzip stream held in memory. The output grows only as real data
/// arrives, and never past maxOutput bytes (a guard against decompression bombs):
/// exceeding it, a truncated stream or corrupt data throw DataError naming `name`.
std::vector<std::uint8_t> gunzip(const std::uint8_t *data, std::size_t size,
                                 const std::string &name, std::size_t maxOutput);

/// The first `count` bytes of a gzip stream (fewer when the stream is shorter),
/// without inflating the rest: enough to read a header before trusting it.
std::vector<std::uint8_t> gunzipPrefix(const std::uint8_t *data, std::size_t size,
                                       const std::string &name, std::size_t count);


} // namespace edanas::data
