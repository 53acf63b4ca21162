#pragma once

#include "imageset.h"

#include <cstdint>
#include <string>

namespace edanas::data {

enum class CifarKind { Cifar10, Cifar100 };

/// Bytes per record of a CIFAR binary batch: one label byte (CIFAR-10) or a coarse and
/// a fine label byte (CIFAR-100), then 3 x 32 x 32 pixels stored plane by plane.
std::size_t cifarRecordBytes(CifarKind kind);

/// Parses one binary batch held in memory and appends its images (converted to
/// 32 x 32 x 3, channels last) to `set`. CIFAR-100 uses the fine labels (100 classes).
/// Throws DataError naming `name` when the size is not a whole number of records or a
/// label is out of range.
void appendCifarBatch(const std::uint8_t *bytes, std::size_t size, CifarKind kind,
                      const std::string &name, ImageSet &set);

/// Reads a batch file and appends it to `set`.
void readCifarBatch(const std::string &path, CifarKind kind, ImageSet &set);

} // namespace edanas::data
