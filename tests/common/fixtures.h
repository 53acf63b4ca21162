#pragma once

// Small data sets written by the tests themselves: IDX (raw or gzip), CIFAR binary
// batches and image folders.

#include <cstdint>
#include <string>
#include <vector>

namespace edanas::test {

/// Bytes of an unsigned-byte IDX file with the given dimensions and data.
std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t> &dims, const std::vector<std::uint8_t> &data);
/// gzip-compressed copy of `bytes`.
std::vector<std::uint8_t> gzipBytes(const std::vector<std::uint8_t> &bytes);
void writeBytes(const std::string &path, const std::vector<std::uint8_t> &bytes);

/// A synthetic IDX data set in `dir`: `perClass` training and `testPerClass` test
/// images per class, h x w, with labels 0..classes-1; pixel (i, y, x) = (i*7 + y*3 + x) % 256.
void writeIdxDataset(const std::string &dir, int classes, int perClass, int testPerClass, int h, int w,
                     bool gzip);

/// A CIFAR record: label byte(s) then R, G and B planes of constant value r, g, b.
std::vector<std::uint8_t> cifarRecord(bool cifar100, int coarse, int label, std::uint8_t r, std::uint8_t g,
                                      std::uint8_t b);

/// Writes an image with OpenCV (BGR or gray Mat made from an RGB / gray fill).
void writeImage(const std::string &path, int h, int w, int channels, std::uint8_t r, std::uint8_t g,
                std::uint8_t b);

/// Damages a file in place: finds `needle` in it and inverts `count` bytes starting
/// `skip` bytes into the match. Returns the offset of the first inverted byte. Throws
/// when the file cannot be read or written, or holds no (or a too short) match.
std::int64_t invertBytesAfter(const std::string &path, const std::string &needle, std::size_t skip, std::size_t count);

/// Makes a damaged zip archive consistent again: for the stored record whose data hold
/// byte `offset`, recomputes the CRC-32 and writes it into the central directory and
/// the record's data descriptor (as a tool that re-packs the archive would). Found by
/// scanning for the zip signatures, independently of the code under test. Throws when
/// no record holds `offset`.
void rewriteZipCrc(const std::string &path, std::int64_t offset);

} // namespace edanas::test
