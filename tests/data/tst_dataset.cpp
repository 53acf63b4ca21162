// Format detection, splits, statistics, content hash, preview.
#include "fixtures.h"
#include "testutil.h"

#include "data/dataset.h"
#include "data/preview.h"
#include "data/split.h"

#include <QDir>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <set>

using namespace edanas;

class TestDataset : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const std::string &name) const { return m_dir.path().toStdString() + "/" + name; }

private Q_SLOTS:
    void detectsFormats()
    {
        test::writeIdxDataset(path("idx"), 2, 2, 0, 3, 3, true);
        QCOMPARE(data::detectFormat(path("idx")), data::Format::Idx);
        // a file inside the folder names the folder
        QCOMPARE(data::detectFormat(path("idx/train-images-idx3-ubyte.gz")), data::Format::Idx);
        test::writeBytes(path("c10/data_batch_1.bin"), test::cifarRecord(false, 0, 1, 1, 1, 1));
        QCOMPARE(data::detectFormat(path("c10")), data::Format::Cifar10);
        test::writeBytes(path("c100/train.bin"), test::cifarRecord(true, 0, 1, 1, 1, 1));
        QCOMPARE(data::detectFormat(path("c100")), data::Format::Cifar100);
        test::writeImage(path("img/a/1.png"), 4, 4, 1, 0, 0, 0);
        QCOMPARE(data::detectFormat(path("img")), data::Format::ImageFolder);
    }

    void ambiguousOrUnknown()
    {
        test::writeIdxDataset(path("both"), 2, 2, 0, 3, 3, false);
        test::writeBytes(path("both/data_batch_1.bin"), test::cifarRecord(false, 0, 1, 1, 1, 1));
        EXPECT_DATA_ERROR(data::detectFormat(path("both")), path("both"), "--format");
        QVERIFY(QDir().mkpath(QString::fromStdString(path("nothing"))));
        EXPECT_DATA_ERROR(data::detectFormat(path("nothing")), path("nothing"), "not a data set");
        // an explicit format settles the ambiguity
        data::DatasetRef ref;
        ref.path = path("both");
        ref.format = data::Format::Idx;
        QCOMPARE(data::loadDataset(ref).train.size(), std::int64_t(4));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::parseFormat("tiff"));
    }

    void splitIsStratifiedAndDeterministic()
    {
        std::vector<std::int32_t> labels;
        for (int i = 0; i < 1000; ++i)
            labels.push_back(i % 7 == 0 ? 3 : i % 3); // uneven classes
        const auto a = data::stratifiedSplit(labels, 4, 0.1, 42);
        const auto b = data::stratifiedSplit(labels, 4, 0.1, 42);
        const auto c = data::stratifiedSplit(labels, 4, 0.1, 43);
        QCOMPARE(a.validation, b.validation);
        QVERIFY(a.validation != c.validation);
        QCOMPARE(a.train.size() + a.validation.size(), labels.size());
        std::set<std::int64_t> all(a.train.begin(), a.train.end());
        all.insert(a.validation.begin(), a.validation.end());
        QCOMPARE(all.size(), labels.size()); // disjoint and complete
        const auto total = data::classCounts(labels, 4);
        const auto val = data::classCounts(labels, 4, a.validation);
        for (int k = 0; k < 4; ++k)
            QCOMPARE(val[std::size_t(k)], std::llround(0.1 * double(total[std::size_t(k)])));
        QVERIFY(std::is_sorted(a.train.begin(), a.train.end()));
        const auto none = data::stratifiedSplit(labels, 4, 0.0, 1);
        QVERIFY(none.validation.empty());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::stratifiedSplit(labels, 4, 1.0, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, data::stratifiedSplit(labels, 4, -0.1, 1));
    }

    void channelStatistics()
    {
        data::ImageSet set;
        set.height = 1;
        set.width = 2;
        set.channels = 3;
        // two images: pixels (R,G,B) = (0,255,51),(255,255,51) and (0,0,51),(255,0,51)
        set.pixels = {0, 255, 51, 255, 255, 51, 0, 0, 51, 255, 0, 51};
        set.labels = {0, 1};
        const auto s = data::channelStats(set);
        QCOMPARE(s.mean.size(), std::size_t(3));
        QVERIFY(qFuzzyCompare(s.mean[0], 0.5));
        QVERIFY(qFuzzyCompare(s.std[0], 0.5));
        QVERIFY(qFuzzyCompare(s.mean[1], 0.5));
        QVERIFY(qFuzzyCompare(s.mean[2], 0.2));
        QVERIFY(s.std[2] < 1e-9);
        const auto first = data::channelStats(set, {0});
        QVERIFY(qFuzzyCompare(first.mean[1], 1.0));
    }

    void contentHashFollowsContentNotCompression()
    {
        test::writeIdxDataset(path("h1"), 3, 3, 1, 4, 4, false);
        test::writeIdxDataset(path("h2"), 3, 3, 1, 4, 4, true);
        data::DatasetRef r1, r2;
        r1.path = path("h1");
        r2.path = path("h2");
        auto d1 = data::loadDataset(r1);
        const auto d2 = data::loadDataset(r2);
        QCOMPARE(data::contentHash(d1), data::contentHash(d2));
        QCOMPARE(data::contentHash(d1).size(), std::size_t(64));
        d1.train.pixels[5] ^= 1;
        QVERIFY(data::contentHash(d1) != data::contentHash(d2));
    }

    void previewWritesGrid()
    {
        test::writeIdxDataset(path("pv"), 3, 4, 0, 6, 6, false);
        data::DatasetRef ref;
        ref.path = path("pv");
        const auto ds = data::loadDataset(ref);
        data::PreviewOptions o;
        o.rows = 5; // only 3 classes exist
        o.columns = 4;
        o.cellSize = 40;
        const std::string out = path("preview.png");
        data::writePreview(ds, out, o);
        const QImage img(QString::fromStdString(out));
        QVERIFY(!img.isNull());
        QCOMPARE(img.width(), 4 * 40);
        QVERIFY(img.height() > 3 * 40 && img.height() < 4 * 40 + 3 * 20);
        EXPECT_DATA_ERROR(data::writePreview(ds, path("no/such/folder/p.png"), o), path("no/such/folder/p.png"),
                          "cannot be written");
        o.fromTest = true;
        EXPECT_DATA_ERROR(data::writePreview(ds, out, o), ref.path, "no test images");
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
