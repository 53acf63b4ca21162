// IDX reader: valid files raw and gzip, and every kind of bad file.
#include "fixtures.h"

#include "data/bytes.h"
#include "data/dataerror.h"
#include "data/dataset.h"
#include "data/idx.h"

#include <QTemporaryDir>
#include <QDir>
#include <QTest>

using namespace edanas;
using edanas::data::DataError;

class TestIdx : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const char *name) const { return (m_dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }

    // Expects `fn` to throw a DataError whose message names `file` and contains `phrase`.
    template<typename Fn>
    void expectError(Fn fn, const std::string &file, const char *phrase)
    {
        try {
            fn();
        } catch (const DataError &e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(file) != std::string::npos, ("message does not name the file: " + msg).c_str());
            QVERIFY2(msg.find(phrase) != std::string::npos, ("message lacks '" + std::string(phrase) + "': " + msg).c_str());
            QCOMPARE(e.file(), file);
            return;
        }
        QFAIL(("no error for " + file).c_str());
    }

private Q_SLOTS:
    void parsesImagesAndLabels_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("raw") << false;
        QTest::newRow("gzip") << true;
    }

    void parsesImagesAndLabels()
    {
        QFETCH(bool, gzip);
        const QString sub = m_dir.path() + (gzip ? "/gz" : "/raw");
        test::writeIdxDataset(sub.toStdString(), 3, 4, 2, 5, 6, gzip);
        data::DatasetRef ref;
        ref.path = sub.toStdString();
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.ref.format, data::Format::Idx);
        QCOMPARE(ds.train.size(), 12);
        QCOMPARE(ds.test.size(), 6);
        QCOMPARE(ds.train.height, 5);
        QCOMPARE(ds.train.width, 6);
        QCOMPARE(ds.train.channels, 1);
        QCOMPARE(ds.classCount(), 10); // no classes.txt: the MNIST family's 10
        // pixel (i, y, x) = (i*7 + y*3 + x) % 256, label i % 3
        QCOMPARE(int(ds.train.image(5)[2 * 6 + 4]), (5 * 7 + 2 * 3 + 4) % 256);
        QCOMPARE(ds.train.labels[7], 1);
        QCOMPARE(ds.test.labels[5], 2);
    }

    void classesFileSetsNamesAndRange()
    {
        const std::string dir = path("named");
        test::writeIdxDataset(dir, 3, 2, 0, 4, 4, false);
        test::writeBytes(dir + "/classes.txt", {'a', '\n', 'b', '\n', 'c', '\n'});
        data::DatasetRef ref;
        ref.path = dir;
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.classCount(), 3);
        QCOMPARE(ds.classNames[1], std::string("b"));
        QCOMPARE(ds.test.size(), 0);
    }

    void wrongMagic()
    {
        auto b = test::idxBytes({2}, {0, 1});
        b[0] = 0x1f; // not zero
        expectError([&] { data::parseIdx(b.data(), b.size(), "m.idx"); }, "m.idx", "magic");
        b = test::idxBytes({2}, {0, 1});
        b[2] = 0x42; // unknown element type
        expectError([&] { data::parseIdx(b.data(), b.size(), "t.idx"); }, "t.idx", "magic");
        b[2] = 0x0D; // float: valid IDX, not for images
        expectError([&] { data::parseIdx(b.data(), b.size(), "f.idx"); }, "f.idx", "float");
    }

    void truncated()
    {
        auto b = test::idxBytes({10, 4, 4}, std::vector<std::uint8_t>(160, 7));
        b.resize(b.size() - 1);
        expectError([&] { data::parseIdx(b.data(), b.size(), "tr.idx"); }, "tr.idx", "truncated");
        // inside the header
        expectError([&] { data::parseIdx(b.data(), 9, "h.idx"); }, "h.idx", "header");
        expectError([&] { data::parseIdx(b.data(), 2, "s.idx"); }, "s.idx", "too short");
        // a truncated gzip stream
        const auto gz = test::gzipBytes(test::idxBytes({10, 4, 4}, std::vector<std::uint8_t>(160, 7)));
        const std::string f = path("cut.gz");
        test::writeBytes(f, std::vector<std::uint8_t>(gz.begin(), gz.begin() + std::ptrdiff_t(gz.size() / 2)));
        expectError([&] { data::readIdxFile(f); }, f, "truncated");
    }

    void corruptGzip()
    {
        auto gz = test::gzipBytes(test::idxBytes({64}, std::vector<std::uint8_t>(64, 1)));
        for (std::size_t i = 12; i < gz.size() - 8; ++i)
            gz[i] ^= 0x5a;
        const std::string f = path("corrupt.gz");
        test::writeBytes(f, gz);
        expectError([&] { data::readIdxFile(f); }, f, "corrupt");
    }

    void gzipEdgeCases()
    {
        // an empty stream, a cap equal to the size, and a cap one byte short
        const auto empty = test::gzipBytes({});
        QVERIFY(data::gunzip(empty.data(), empty.size(), "e.gz", 0).empty());
        const std::vector<std::uint8_t> five{1, 2, 3, 4, 5};
        const auto gz = test::gzipBytes(five);
        QCOMPARE(data::gunzip(gz.data(), gz.size(), "f.gz", 5), five);
        expectError([&] { data::gunzip(gz.data(), gz.size(), "f.gz", 4); }, "f.gz", "more than the 4 bytes");
        // concatenated members (what `cat a.gz b.gz` makes) are one stream
        auto two = test::gzipBytes({1, 2});
        const auto more = test::gzipBytes({3, 4, 5});
        two.insert(two.end(), more.begin(), more.end());
        QCOMPARE(data::gunzip(two.data(), two.size(), "two.gz", 100), five);
        // an IDX file written in two gzip members reads as one
        const auto idx = test::idxBytes({5}, five);
        auto split = test::gzipBytes(std::vector<std::uint8_t>(idx.begin(), idx.begin() + 7));
        const auto rest = test::gzipBytes(std::vector<std::uint8_t>(idx.begin() + 7, idx.end()));
        split.insert(split.end(), rest.begin(), rest.end());
        const std::string f = path("members.gz");
        test::writeBytes(f, split);
        QCOMPARE(data::readIdxFile(f).data, five);
    }

    void dimensionsExceedFile()
    {
        // 1000 x 1000 x 1000 bytes claimed, 16 present: refused before any allocation.
        auto b = test::idxBytes({1000, 1000, 1000}, std::vector<std::uint8_t>(16, 0));
        expectError([&] { data::parseIdx(b.data(), b.size(), "big.idx"); }, "big.idx", "truncated");
        // a product that overflows 64 bits
        b = test::idxBytes({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, {});
        expectError([&] { data::parseIdx(b.data(), b.size(), "ovf.idx"); }, "ovf.idx", "overflow");
        // the same header gzip-compressed: the header is checked before inflating
        const std::string f = path("big.gz");
        test::writeBytes(f, test::gzipBytes(test::idxBytes({1000, 1000, 1000}, {})));
        expectError([&] { data::readIdxFile(f); }, f, "truncated");
    }

    void trailingData()
    {
        auto b = test::idxBytes({4}, {1, 2, 3, 4});
        b.push_back(9);
        expectError([&] { data::parseIdx(b.data(), b.size(), "tail.idx"); }, "tail.idx", "after the data");
    }

    void labelsOutOfRange()
    {
        const auto images = data::parseIdx(test::idxBytes({3, 2, 2}, std::vector<std::uint8_t>(12, 0)).data(), 28, "i");
        const auto lb = test::idxBytes({3}, {0, 10, 1});
        const auto labels = data::parseIdx(lb.data(), lb.size(), "l");
        expectError([&] { data::idxToImageSet(images, labels, 10, "img.idx", "lab.idx"); }, "lab.idx",
                    "out of range");
    }

    void countsDisagree()
    {
        const auto ib = test::idxBytes({3, 2, 2}, std::vector<std::uint8_t>(12, 0));
        const auto lb = test::idxBytes({4}, {0, 1, 2, 3});
        const auto images = data::parseIdx(ib.data(), ib.size(), "i");
        const auto labels = data::parseIdx(lb.data(), lb.size(), "l");
        expectError([&] { data::idxToImageSet(images, labels, 10, "img.idx", "lab.idx"); }, "lab.idx",
                    "4 labels but img.idx holds 3 images");
        // and through the loader, with real files
        const std::string dir = path("mismatch");
        test::writeBytes(dir + "/train-images-idx3-ubyte", ib);
        test::writeBytes(dir + "/train-labels-idx1-ubyte", lb);
        data::DatasetRef ref;
        ref.path = dir;
        expectError([&] { data::loadDataset(ref); }, dir + "/train-labels-idx1-ubyte", "3 images");
    }

    void wrongRank()
    {
        const auto ib = test::idxBytes({3}, {0, 1, 2});
        const auto images = data::parseIdx(ib.data(), ib.size(), "i");
        expectError([&] { data::idxToImageSet(images, images, 10, "img.idx", "lab.idx"); }, "img.idx",
                    "not an image file");
    }

    void missingPathAndDirectory()
    {
        const std::string missing = path("nope/train-images-idx3-ubyte");
        expectError([&] { data::readIdxFile(missing); }, missing, "does not exist");
        const std::string dir = path("adir");
        QVERIFY(QDir().mkpath(QString::fromStdString(dir)));
        expectError([&] { data::readIdxFile(dir); }, dir, "is a directory");
        data::DatasetRef ref;
        ref.path = path("nothing-here");
        expectError([&] { data::loadDataset(ref); }, ref.path, "does not exist");
    }

    void missingLabelFile()
    {
        const std::string dir = path("nolabels");
        test::writeBytes(dir + "/train-images-idx3-ubyte", test::idxBytes({1, 1, 1}, {0}));
        data::DatasetRef ref;
        ref.path = dir;
        ref.format = data::Format::Idx;
        expectError([&] { data::loadDataset(ref); }, dir, "no IDX training labels");
    }
};

QTEST_GUILESS_MAIN(TestIdx)
#include "tst_idx.moc"
