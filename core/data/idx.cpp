#include "idx.h"

#include "bytes.h"
#include "dataerror.h"

#include <limits>

namespace edanas::data {

namespace {

// 8 GiB: far above any real IDX file (EMNIST's largest is under 1 GiB), and a bound on
// what a decompression bomb can make this program allocate.
constexpr std::size_t kMaxIdxBytes = std::size_t(1) << 33;

std::uint32_t bigEndian32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
           | std::uint32_t(p[3]);
}

const char *typeName(std::uint8_t type)
{
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return nullptr;
    }
}

struct IdxHeader
{
    std::vector<std::uint32_t> dims;
    std::size_t headerBytes = 0;
    std::size_t dataBytes = 0;
};

// Checks the header held in the first `size` bytes; `size` may be a prefix.
IdxHeader parseHeader(const std::uint8_t *bytes, std::size_t size, const std::string &name)
{
    if (size < 4)
        throw DataError(name, "is too short to be an IDX file (" + std::to_string(size)
                                  + " bytes, the header alone needs at least 4)");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw DataError(name, "wrong magic number: an IDX file starts with two zero bytes");
    const std::uint8_t type = bytes[2];
    const char *tn = typeName(type);
    if (!tn)
        throw DataError(name, "wrong magic number: unknown IDX element type "
                                  + std::to_string(int(type)));
    if (type != 0x08)
        throw DataError(name, std::string("holds elements of type ") + tn
                                  + "; image and label files must hold unsigned bytes");
    const int ndims = bytes[3];
    if (ndims < 1)
        throw DataError(name, "IDX header declares zero dimensions");
    IdxHeader h;
    h.headerBytes = 4 + 4 * std::size_t(ndims);
    if (size < h.headerBytes)
        throw DataError(name, "is truncated inside its header (" + std::to_string(size)
                                  + " bytes, the header declares "
                                  + std::to_string(h.headerBytes) + ")");
    std::size_t total = 1;
    for (int i = 0; i < ndims; ++i) {
        const std::uint32_t d = bigEndian32(bytes + 4 + 4 * i);
        h.dims.push_back(d);
        if (d != 0 && total > kMaxIdxBytes / d)
            throw DataError(name, "header dimensions are impossibly large (their product overflows the 8 GiB "
                                  "an IDX file may hold)");
        total *= d;
    }
    h.dataBytes = total;
    return h;
}

std::string dimsText(const std::vector<std::uint32_t> &dims)
{
    std::string s;
    for (std::size_t i = 0; i < dims.size(); ++i)
        s += (i ? " x " : "") + std::to_string(dims[i]);
    return s;
}

} // namespace

IdxArray parseIdx(const std::uint8_t *bytes, std::size_t size, const std::string &name)
{
    const IdxHeader h = parseHeader(bytes, size, name);
    const std::size_t have = size - h.headerBytes;
    if (h.dataBytes > have)
        throw DataError(name, "is truncated: the header declares " + dimsText(h.dims) + " = "
                                  + std::to_string(h.dataBytes) + " bytes of data, the file holds "
                                  + std::to_string(have));
    if (h.dataBytes < have)
        throw DataError(name, "has " + std::to_string(have - h.dataBytes)
                                  + " bytes after the data its header declares ("
                                  + dimsText(h.dims) + ")");
    IdxArray a;
    a.dims = h.dims;
    a.data.assign(bytes + h.headerBytes, bytes + size);
    return a;
}

IdxArray readIdxFile(const std::string &path)
{
    std::vector<std::uint8_t> raw = readFile(path);
    if (!isGzip(raw.data(), raw.size()))
        return parseIdx(raw.data(), raw.size(), path);
    // Read and check the header first, then inflate no more than it promises (+1 byte
    // to notice trailing data).
    const auto prefix = gunzipPrefix(raw.data(), raw.size(), path, 4 + 4 * 255);
    const IdxHeader h = parseHeader(prefix.data(), prefix.size(), path);
    const auto bytes = gunzip(raw.data(), raw.size(), path, h.headerBytes + h.dataBytes + 1);
    return parseIdx(bytes.data(), bytes.size(), path);
}

ImageSet idxToImageSet(IdxArray images, const IdxArray &labels, int classCount,
                       const std::string &imagesName, const std::string &labelsName)
{
    if (images.dims.size() != 3 && images.dims.size() != 4)
        throw DataError(imagesName, "is not an image file: it has " + std::to_string(images.dims.size())
                                        + " dimensions (" + dimsText(images.dims)
                                        + "), images need 3 (count x height x width) or 4");
    if (labels.dims.size() != 1)
        throw DataError(labelsName, "is not a label file: it has " + std::to_string(labels.dims.size())
                                        + " dimensions (" + dimsText(labels.dims) + "), labels need 1");
    if (classCount < 1)
        throw DataError(labelsName, "needs at least one class");
    auto product = [](const IdxArray &a) {
        std::size_t n = 1;
        for (auto d : a.dims)
            n *= d;
        return n;
    };
    if (product(images) != images.data.size())
        throw DataError(imagesName, "holds " + std::to_string(images.data.size()) + " bytes, its dimensions say "
                                        + std::to_string(product(images)));
    if (product(labels) != labels.data.size())
        throw DataError(labelsName, "holds " + std::to_string(labels.data.size()) + " bytes, its dimensions say "
                                        + std::to_string(product(labels)));
    if (images.dims[0] != labels.dims[0])
        throw DataError(labelsName, "holds " + std::to_string(labels.dims[0]) + " labels but "
                                        + imagesName + " holds " + std::to_string(images.dims[0])
                                        + " images");
    const int channels = images.dims.size() == 4 ? int(images.dims[3]) : 1;
    if (images.dims[1] == 0 || images.dims[2] == 0 || channels == 0)
        throw DataError(imagesName, "declares empty images (" + dimsText(images.dims) + ")");
    if (channels != 1 && channels != 3)
        throw DataError(imagesName, "images have " + std::to_string(channels)
                                        + " channels; 1 (grayscale) or 3 (RGB) are supported");
    if (images.dims[1] > 65535 || images.dims[2] > 65535)
        throw DataError(imagesName, "declares images of " + dimsText(images.dims)
                                        + ", larger than 65535 pixels on a side");
    for (std::size_t i = 0; i < labels.data.size(); ++i) {
        if (int(labels.data[i]) >= classCount)
            throw DataError(labelsName, "label " + std::to_string(int(labels.data[i])) + " of image "
                                            + std::to_string(i) + " is out of range (the data set has "
                                            + std::to_string(classCount) + " classes, 0.."
                                            + std::to_string(classCount - 1) + ")");
    }
    ImageSet set;
    set.height = int(images.dims[1]);
    set.width = int(images.dims[2]);
    set.channels = channels;
    set.pixels = std::move(images.data);
    set.labels.assign(labels.data.begin(), labels.data.end());
    return set;
}

} // namespace edanas::data
