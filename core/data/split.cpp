#include "split.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace edanas::data {

std::uint64_t uniformIndex(std::mt19937_64 &rng, std::uint64_t n)
{
    if (n <= 1)
        return 0;
    // Rejection sampling: drop the top values that would bias the modulo.
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()
                                - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t v;
    do {
        v = rng();
    } while (v >= limit);
    return v % n;
}

Split stratifiedSplit(const std::vector<std::int32_t> &labels, int classCount,
                      double validationShare, std::uint64_t seed)
{
    if (!(validationShare >= 0.0 && validationShare < 1.0))
        throw std::invalid_argument("validation share must be in [0, 1), got "
                                    + std::to_string(validationShare));
    std::vector<std::vector<std::int64_t>> byClass(std::size_t(std::max(classCount, 0)));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] < 0 || labels[i] >= classCount)
            throw std::invalid_argument("label " + std::to_string(labels[i]) + " outside 0.."
                                        + std::to_string(classCount - 1));
        byClass[std::size_t(labels[i])].push_back(std::int64_t(i));
    }
    Split split;
    for (std::size_t c = 0; c < byClass.size(); ++c) {
        auto &idx = byClass[c];
        // One stream per class, so a class's split does not depend on the others.
        std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + c);
        for (std::size_t i = idx.size(); i > 1; --i)
            std::swap(idx[i - 1], idx[uniformIndex(rng, i)]);
        const auto nVal = std::size_t(std::llround(validationShare * double(idx.size())));
        split.validation.insert(split.validation.end(), idx.begin(), idx.begin() + std::ptrdiff_t(nVal));
        split.train.insert(split.train.end(), idx.begin() + std::ptrdiff_t(nVal), idx.end());
    }
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.validation.begin(), split.validation.end());
    return split;
}

ChannelStats channelStats(const ImageSet &set, const std::vector<std::int64_t> &indices)
{
    const int c = set.channels;
    std::vector<std::vector<std::uint64_t>> hist(std::size_t(c), std::vector<std::uint64_t>(256, 0));
    const std::size_t pixelsPerImage = std::size_t(set.height) * std::size_t(set.width);
    auto addImage = [&](std::int64_t i) {
        const std::uint8_t *p = set.image(i);
        for (std::size_t k = 0; k < pixelsPerImage; ++k)
            for (int ch = 0; ch < c; ++ch)
                ++hist[std::size_t(ch)][p[k * std::size_t(c) + std::size_t(ch)]];
    };
    if (indices.empty()) {
        for (std::int64_t i = 0; i < set.size(); ++i)
            addImage(i);
    } else {
        for (std::int64_t i : indices)
            addImage(i);
    }
    ChannelStats stats;
    for (int ch = 0; ch < c; ++ch) {
        double n = 0, sum = 0, sumSq = 0;
        for (int v = 0; v < 256; ++v) {
            const double cnt = double(hist[std::size_t(ch)][std::size_t(v)]);
            const double x = v / 255.0;
            n += cnt;
            sum += cnt * x;
            sumSq += cnt * x * x;
        }
        const double mean = n > 0 ? sum / n : 0.0;
        const double var = n > 0 ? std::max(0.0, sumSq / n - mean * mean) : 0.0;
        stats.mean.push_back(mean);
        stats.std.push_back(std::sqrt(var));
    }
    return stats;
}

std::vector<std::int64_t> classCounts(const std::vector<std::int32_t> &labels, int classCount,
                                      const std::vector<std::int64_t> &indices)
{
    std::vector<std::int64_t> counts(std::size_t(std::max(classCount, 0)), 0);
    auto add = [&](std::int32_t l) {
        if (l >= 0 && l < classCount)
            ++counts[std::size_t(l)];
    };
    if (indices.empty()) {
        for (auto l : labels)
            add(l);
    } else {
        for (auto i : indices)
            add(labels[std::size_t(i)]);
    }
    return counts;
}

std::vector<std::int64_t> evenSubset(const std::vector<std::int64_t> &indices, std::int64_t count)
{
    if (count <= 0 || count >= std::int64_t(indices.size()))
        return indices;
    std::vector<std::int64_t> sub;
    const double step = double(indices.size()) / double(count);
    for (std::int64_t i = 0; i < count; ++i)
        sub.push_back(indices[std::size_t(double(i) * step)]);
    return sub;
}

} // namespace edanas::data
