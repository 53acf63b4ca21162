#include "batchloader.h"

#include "split.h"

#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace edanas::data {

std::string interpolationName(Interpolation interpolation)
{
    switch (interpolation) {
    case Interpolation::Nearest: return "nearest";
    case Interpolation::Linear: return "linear";
    case Interpolation::Area: return "area";
    case Interpolation::Cubic: return "cubic";
    case Interpolation::Lanczos: return "lanczos";
    }
    return "linear";
}

Interpolation parseInterpolation(const std::string &name)
{
    for (auto i : {Interpolation::Nearest, Interpolation::Linear, Interpolation::Area,
                   Interpolation::Cubic, Interpolation::Lanczos}) {
        if (interpolationName(i) == name)
            return i;
    }
    throw std::invalid_argument("unknown interpolation '" + name
                                + "' (expected nearest, linear, area, cubic or lanczos)");
}

namespace {

int cvInterpolation(Interpolation i)
{
    switch (i) {
    case Interpolation::Nearest: return cv::INTER_NEAREST;
    case Interpolation::Linear: return cv::INTER_LINEAR;
    case Interpolation::Area: return cv::INTER_AREA;
    case Interpolation::Cubic: return cv::INTER_CUBIC;
    case Interpolation::Lanczos: return cv::INTER_LANCZOS4;
    }
    return cv::INTER_LINEAR;
}

} // namespace

torch::Tensor makeImages(const ImageSet &set, const std::int64_t *indices, std::size_t count,
                         const Preprocess &pp, std::mt19937_64 *rng)
{
    const int c = set.channels;
    const int outH = pp.resolution > 0 ? pp.resolution : set.height;
    const int outW = pp.resolution > 0 ? pp.resolution : set.width;
    if (pp.augment && !rng)
        throw std::invalid_argument("makeImages: augmentation needs a random generator");
    if (!pp.mean.empty() && (int(pp.mean.size()) != c || int(pp.std.size()) != c))
        throw std::invalid_argument("makeImages: normalisation has " + std::to_string(pp.mean.size())
                                    + " channels, the images " + std::to_string(c));

    std::vector<float> scale(std::size_t(c), 1.0f / 255.0f);
    std::vector<float> shift(std::size_t(c), 0.0f);
    for (int ch = 0; ch < c && !pp.mean.empty(); ++ch) {
        const float s = pp.std[std::size_t(ch)] > 1e-8f ? pp.std[std::size_t(ch)] : 1.0f;
        scale[std::size_t(ch)] = 1.0f / (255.0f * s);
        shift[std::size_t(ch)] = -pp.mean[std::size_t(ch)] / s;
    }

    auto out = torch::empty({std::int64_t(count), c, outH, outW}, torch::kFloat32);
    float *dst = out.data_ptr<float>();
    const std::size_t plane = std::size_t(outH) * std::size_t(outW);
    cv::Mat resized;
    for (std::size_t n = 0; n < count; ++n) {
        const std::int64_t idx = indices[n];
        if (idx < 0 || idx >= set.size())
            throw std::out_of_range("makeImages: image index " + std::to_string(idx) + " outside 0.."
                                    + std::to_string(set.size() - 1));
        const std::uint8_t *src = set.image(idx);
        int srcStride = set.width * c;
        if (outH != set.height || outW != set.width) {
            const cv::Mat in(set.height, set.width, CV_8UC(c), const_cast<std::uint8_t *>(src));
            cv::resize(in, resized, cv::Size(outW, outH), 0, 0, cvInterpolation(pp.interpolation));
            src = resized.data;
            srcStride = int(resized.step[0]);
        }
        // Augmentation as an offset into the zero-padded image and a mirror flag.
        int dy = 0, dx = 0;
        bool flip = false;
        if (pp.augment) {
            const int p = std::max(0, pp.cropPadding);
            dy = int(uniformIndex(*rng, std::uint64_t(2 * p + 1))) - p;
            dx = int(uniformIndex(*rng, std::uint64_t(2 * p + 1))) - p;
            flip = pp.horizontalFlip && uniformIndex(*rng, 2) == 1;
        }
        float *img = dst + n * std::size_t(c) * plane;
        for (int y = 0; y < outH; ++y) {
            const int sy = y + dy;
            for (int x = 0; x < outW; ++x) {
                const int sxRaw = x + dx;
                const int sx = flip ? outW - 1 - sxRaw : sxRaw;
                const bool inside = sy >= 0 && sy < outH && sx >= 0 && sx < outW;
                for (int ch = 0; ch < c; ++ch) {
                    const float v = inside ? float(src[sy * srcStride + sx * c + ch]) : 0.0f;
                    img[std::size_t(ch) * plane + std::size_t(y) * std::size_t(outW) + std::size_t(x)]
                        = v * scale[std::size_t(ch)] + shift[std::size_t(ch)];
                }
            }
        }
    }
    return out;
}

BatchLoader::BatchLoader(const ImageSet &set, std::vector<std::int64_t> indices, int batchSize,
                         Preprocess preprocess, bool shuffle, std::uint64_t seed, bool dropLast)
    : m_set(set)
    , m_indices(std::move(indices))
    , m_batchSize(batchSize)
    , m_preprocess(std::move(preprocess))
    , m_shuffle(shuffle)
    , m_dropLast(dropLast)
    , m_rng(seed)
{
    if (batchSize <= 0)
        throw std::invalid_argument("batch size must be positive, got " + std::to_string(batchSize));
    reset();
}

std::int64_t BatchLoader::batchesPerEpoch() const
{
    const auto n = std::int64_t(m_indices.size());
    return m_dropLast ? n / m_batchSize : (n + m_batchSize - 1) / m_batchSize;
}

void BatchLoader::reset()
{
    m_order = m_indices;
    if (m_shuffle) {
        for (std::size_t i = m_order.size(); i > 1; --i)
            std::swap(m_order[i - 1], m_order[uniformIndex(m_rng, i)]);
    }
    m_position = 0;
}

bool BatchLoader::next(Batch &batch)
{
    const std::size_t left = m_order.size() - m_position;
    if (left == 0 || (m_dropLast && left < std::size_t(m_batchSize)))
        return false;
    const std::size_t n = std::min(left, std::size_t(m_batchSize));
    const std::int64_t *idx = m_order.data() + m_position;
    batch.indices.assign(idx, idx + n);
    batch.images = makeImages(m_set, idx, n, m_preprocess, &m_rng);
    batch.labels = torch::empty({std::int64_t(n)}, torch::kInt64);
    auto *labels = batch.labels.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < n; ++i)
        labels[i] = m_set.labels[std::size_t(idx[i])];
    m_position += n;
    return true;
}

} // namespace edanas::data
