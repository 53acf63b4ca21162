// Batches of network input: shapes, normalisation, resizing, augmentation, epochs.
#include "data/batchloader.h"
#include "data/split.h"

#include <QTest>

#include <set>

using namespace edanas;

namespace {

// n images of h x w x c where pixel value = (i + y + x + ch) % 256.
data::ImageSet makeSet(int n, int h, int w, int c)
{
    data::ImageSet s;
    s.height = h;
    s.width = w;
    s.channels = c;
    s.pixels.resize(std::size_t(n * h * w * c));
    for (int i = 0; i < n; ++i) {
        s.labels.push_back(i % 3);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                for (int ch = 0; ch < c; ++ch)
                    s.image(i)[(y * w + x) * c + ch] = std::uint8_t((i + y + x + ch) % 256);
    }
    return s;
}

std::vector<std::int64_t> iota(int n)
{
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
        v[std::size_t(i)] = i;
    return v;
}

} // namespace

class TestBatchLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalisesChannelsFirst()
    {
        const auto set = makeSet(4, 5, 6, 3);
        data::Preprocess pp;
        pp.mean = {0.5f, 0.25f, 0.0f};
        pp.std = {0.5f, 0.25f, 1.0f};
        const std::int64_t idx[] = {2, 0};
        const auto t = data::makeImages(set, idx, 2, pp);
        QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{2, 3, 5, 6}));
        QCOMPARE(t.scalar_type(), torch::kFloat32);
        // image 2, channel 1, y 3, x 4: value (2+3+4+1) = 10
        const float expected = (10.0f / 255.0f - 0.25f) / 0.25f;
        QVERIFY(std::abs(t[0][1][3][4].item<float>() - expected) < 1e-5f);
        QVERIFY(std::abs(t[1][2][0][0].item<float>() - 2.0f / 255.0f) < 1e-6f);
    }

    void resizesWithNamedInterpolation()
    {
        data::ImageSet set;
        set.height = set.width = 2;
        set.channels = 1;
        set.pixels = {0, 100, 200, 40};
        set.labels = {0};
        data::Preprocess pp;
        pp.resolution = 4;
        pp.interpolation = data::Interpolation::Nearest;
        const std::int64_t idx[] = {0};
        const auto t = data::makeImages(set, idx, 1, pp);
        QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{1, 1, 4, 4}));
        // nearest: each source pixel becomes a 2 x 2 block
        QVERIFY(std::abs(t[0][0][0][1].item<float>() - 0.0f) < 1e-6f);
        QVERIFY(std::abs(t[0][0][3][2].item<float>() - 40.0f / 255.0f) < 1e-6f);
        pp.interpolation = data::Interpolation::Linear;
        const auto l = data::makeImages(set, idx, 1, pp);
        // linear blends neighbours: an inner pixel lies strictly between its sources
        const float v = l[0][0][1][1].item<float>() * 255.0f;
        QVERIFY(v > 0.0f && v < 200.0f && std::abs(v - 0.0f) > 1.0f);
        QCOMPARE(data::parseInterpolation("area"), data::Interpolation::Area);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::parseInterpolation("bilinearish"));
    }

    void augmentationCropsAndFlips()
    {
        const auto set = makeSet(1, 8, 8, 1);
        data::Preprocess pp;
        pp.augment = true;
        pp.cropPadding = 2;
        std::mt19937_64 rng(7);
        const std::int64_t idx[] = {0};
        const auto plain = data::makeImages(set, idx, 1, data::Preprocess{});
        bool sawShift = false, sawZeroBorder = false, sawFlip = false;
        for (int k = 0; k < 200; ++k) {
            const auto a = data::makeImages(set, idx, 1, pp, &rng);
            QCOMPARE(a.sizes().vec(), plain.sizes().vec());
            if (!torch::equal(a, plain))
                sawShift = true;
            if (a[0][0][0].eq(0).all().item<bool>() || a[0][0].select(1, 0).eq(0).all().item<bool>())
                sawZeroBorder = true;
            if (torch::equal(a, plain.flip({3})))
                sawFlip = true;
            // every value is either padding or a pixel of the image
            QVERIFY(a.max().item<float>() <= plain.max().item<float>() + 1e-6f);
        }
        QVERIFY(sawShift);
        QVERIFY(sawZeroBorder);
        QVERIFY(sawFlip);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::makeImages(set, idx, 1, pp, nullptr));
    }

    void epochsVisitEachImageOnce()
    {
        const auto set = makeSet(103, 4, 4, 1);
        auto indices = iota(103);
        indices.erase(indices.begin() + 50); // a subset
        data::BatchLoader loader(set, indices, 10, {}, true, 5);
        QCOMPARE(loader.batchesPerEpoch(), std::int64_t(11));
        std::vector<std::int64_t> first;
        data::Batch b;
        int batches = 0;
        while (loader.next(b)) {
            ++batches;
            QCOMPARE(b.images.size(0), b.labels.size(0));
            for (std::size_t i = 0; i < b.indices.size(); ++i)
                QCOMPARE(b.labels[std::int64_t(i)].item<std::int64_t>(), std::int64_t(set.labels[std::size_t(b.indices[i])]));
            first.insert(first.end(), b.indices.begin(), b.indices.end());
        }
        QCOMPARE(batches, 11);
        std::set<std::int64_t> seen(first.begin(), first.end());
        QCOMPARE(seen.size(), indices.size());
        QVERIFY(!seen.count(50));
        loader.reset();
        std::vector<std::int64_t> second;
        while (loader.next(b))
            second.insert(second.end(), b.indices.begin(), b.indices.end());
        QVERIFY(first != second); // reshuffled
        // the same seed gives the same order
        data::BatchLoader again(set, indices, 10, {}, true, 5);
        std::vector<std::int64_t> replay;
        while (again.next(b))
            replay.insert(replay.end(), b.indices.begin(), b.indices.end());
        QCOMPARE(replay, first);
        // drop-last and in-order iteration
        data::BatchLoader ordered(set, iota(25), 10, {}, false, 0, true);
        QCOMPARE(ordered.batchesPerEpoch(), std::int64_t(2));
        QVERIFY(ordered.next(b));
        QCOMPARE(b.indices.front(), std::int64_t(0));
        QVERIFY(ordered.next(b));
        QVERIFY(!ordered.next(b));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::BatchLoader(set, iota(3), 0, {}, false, 0));
    }
};

QTEST_GUILESS_MAIN(TestBatchLoader)
#include "tst_batchloader.moc"
