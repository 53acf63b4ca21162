#include "fixtures.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace edanas::test {

std::vector<std::uint8_t> idxBytes(const std::vector<std::uint32_t> &dims, const std::vector<std::uint8_t> &data)
{
    std::vector<std::uint8_t> b = {0, 0, 0x08, std::uint8_t(dims.size())};
    for (auto d : dims) {
        b.push_back(std::uint8_t(d >> 24));
        b.push_back(std::uint8_t(d >> 16));
        b.push_back(std::uint8_t(d >> 8));
        b.push_back(std::uint8_t(d));
    }
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

std::vector<std::uint8_t> gzipBytes(const std::vector<std::uint8_t> &bytes)
{
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    std::vector<std::uint8_t> out(deflateBound(&zs, uLong(bytes.size())) + 64);
    zs.next_in = const_cast<Bytef *>(bytes.data());
    zs.avail_in = uInt(bytes.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        throw std::runtime_error("deflate failed");
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

void writeBytes(const std::string &path, const std::vector<std::uint8_t> &bytes)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

void writeIdxDataset(const std::string &dir, int classes, int perClass, int testPerClass, int h, int w, bool gzip)
{
    auto part = [&](const std::string &prefix, int per) {
        const int n = classes * per;
        std::vector<std::uint8_t> pixels(std::size_t(n) * std::size_t(h * w));
        std::vector<std::uint8_t> labels(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            labels[std::size_t(i)] = std::uint8_t(i % classes);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x)
                    pixels[std::size_t(i) * std::size_t(h * w) + std::size_t(y * w + x)]
                        = std::uint8_t((i * 7 + y * 3 + x) % 256);
        }
        auto img = idxBytes({std::uint32_t(n), std::uint32_t(h), std::uint32_t(w)}, pixels);
        auto lab = idxBytes({std::uint32_t(n)}, labels);
        const std::string ext = gzip ? ".gz" : "";
        writeBytes(dir + "/" + prefix + "-images-idx3-ubyte" + ext, gzip ? gzipBytes(img) : img);
        writeBytes(dir + "/" + prefix + "-labels-idx1-ubyte" + ext, gzip ? gzipBytes(lab) : lab);
    };
    part("train", perClass);
    if (testPerClass > 0)
        part("t10k", testPerClass);
}

std::vector<std::uint8_t> cifarRecord(bool cifar100, int coarse, int label, std::uint8_t r, std::uint8_t g,
                                      std::uint8_t b)
{
    std::vector<std::uint8_t> rec;
    if (cifar100)
        rec.push_back(std::uint8_t(coarse));
    rec.push_back(std::uint8_t(label));
    for (std::uint8_t v : {r, g, b})
        rec.insert(rec.end(), 1024, v);
    return rec;
}

void writeImage(const std::string &path, int h, int w, int channels, std::uint8_t r, std::uint8_t g,
                std::uint8_t b)
{
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    cv::Mat img = channels == 1 ? cv::Mat(h, w, CV_8UC1, cv::Scalar(r))
                                : cv::Mat(h, w, CV_8UC3, cv::Scalar(b, g, r)); // OpenCV stores BGR
    if (!cv::imwrite(path, img))
        throw std::runtime_error("cannot write image " + path);
}

namespace {

std::string readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeAll(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

std::uint32_t le32(const std::string &b, std::size_t at)
{
    return std::uint32_t(std::uint8_t(b[at])) | std::uint32_t(std::uint8_t(b[at + 1])) << 8
        | std::uint32_t(std::uint8_t(b[at + 2])) << 16 | std::uint32_t(std::uint8_t(b[at + 3])) << 24;
}

std::uint16_t le16(const std::string &b, std::size_t at)
{
    return std::uint16_t(std::uint8_t(b[at]) | std::uint8_t(b[at + 1]) << 8);
}

void putLe32(std::string &b, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + std::size_t(i)] = char(v >> (8 * i) & 0xff);
}

} // namespace

std::int64_t invertBytesAfter(const std::string &path, const std::string &needle, std::size_t skip, std::size_t count)
{
    std::string bytes = readAll(path);
    const auto at = bytes.find(needle);
    if (needle.empty() || at == std::string::npos)
        throw std::runtime_error(path + ": the bytes to damage are not in it");
    if (at + skip + count > bytes.size())
        throw std::runtime_error(path + ": too short to damage " + std::to_string(count) + " bytes there");
    for (std::size_t i = at + skip; i < at + skip + count; ++i)
        bytes[i] = char(~bytes[i]);
    writeAll(path, bytes);
    return std::int64_t(at + skip);
}

void rewriteZipCrc(const std::string &path, std::int64_t offset)
{
    std::string b = readAll(path);
    const std::string central("PK\x01\x02", 4), local("PK\x03\x04", 4), descriptor("PK\x07\x08", 4);
    for (auto c = b.find(central); c != std::string::npos && c + 46 <= b.size(); c = b.find(central, c + 4)) {
        const std::size_t localAt = le32(b, c + 42), size = le32(b, c + 20);
        if (localAt + 30 > b.size() || b.compare(localAt, 4, local) != 0)
            continue;
        const std::size_t data = localAt + 30 + le16(b, localAt + 26) + le16(b, localAt + 28);
        if (std::size_t(offset) < data || std::size_t(offset) >= data + size || le16(b, c + 10) != 0)
            continue;
        const auto crc = std::uint32_t(crc32(0L, reinterpret_cast<const Bytef *>(b.data() + data), uInt(size)));
        putLe32(b, c + 16, crc);
        if (le16(b, localAt + 6) & 8) // a data descriptor follows the data
            putLe32(b, data + size + (b.compare(data + size, 4, descriptor) == 0 ? 4 : 0), crc);
        else
            putLe32(b, localAt + 14, crc);
        writeAll(path, b);
        return;
    }
    throw std::runtime_error(path + ": no stored zip record holds byte " + std::to_string(offset));
}

} // namespace edanas::test
