#pragma once

#include "imageset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edanas::data {

/// An IDX array of unsigned bytes (the MNIST file format): its dimensions and data.
struct IdxArray
{
    std::vector<std::uint32_t> dims;
    std::vector<std::uint8_t> data;
};

/// Parses an IDX file's bytes (already decompressed). Checks the magic number, the
/// element type (unsigned byte) and that the dimensions, checked for overflow, match
/// the data exactly. `name` is the file named in errors.
IdxArray parseIdx(const std::uint8_t *bytes, std::size_t size, const std::string &name);

/// Reads an IDX file, raw or gzip-compressed. The header is read and checked before
/// anything the size of the data is allocated.
IdxArray readIdxFile(const std::string &path);

/// Combines an image file (N x H x W or N x H x W x C) and a label file (N) into an
/// image set; labels must lie in [0, classCount).
ImageSet idxToImageSet(IdxArray images, const IdxArray &labels, int classCount,
                       const std::string &imagesName, const std::string &labelsName);

} // namespace edanas::data
