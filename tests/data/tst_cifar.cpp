// CIFAR-10 / CIFAR-100 binary batches.
#include "fixtures.h"
#include "testutil.h"

#include "data/cifar.h"
#include "data/dataset.h"

#include <QTemporaryDir>
#include <QDir>
#include <QTest>

using namespace edanas;

class TestCifar : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const std::string &name) const { return m_dir.path().toStdString() + "/" + name; }

    static std::vector<std::uint8_t> batch(bool cifar100, int n, int offset)
    {
        std::vector<std::uint8_t> b;
        for (int i = 0; i < n; ++i) {
            const int label = (i + offset) % (cifar100 ? 100 : 10);
            const auto r = test::cifarRecord(cifar100, label / 5, label, std::uint8_t(i), std::uint8_t(100 + i),
                                             std::uint8_t(200 + i % 50));
            b.insert(b.end(), r.begin(), r.end());
        }
        return b;
    }

private Q_SLOTS:
    void recordToChannelsLast()
    {
        const auto b = batch(false, 3, 4);
        data::ImageSet set;
        data::appendCifarBatch(b.data(), b.size(), data::CifarKind::Cifar10, "b.bin", set);
        QCOMPARE(set.size(), std::int64_t(3));
        QCOMPARE(set.channels, 3);
        QCOMPARE(set.height, 32);
        QCOMPARE(set.labels[2], 6);
        // image 2: R = 2, G = 102, B = 202 at every pixel, stored RGB interleaved
        const std::uint8_t *px = set.image(2) + 3 * (5 * 32 + 7);
        QCOMPARE(int(px[0]), 2);
        QCOMPARE(int(px[1]), 102);
        QCOMPARE(int(px[2]), 202);
    }

    void cifar10Folder()
    {
        const std::string dir = path("cifar-10-batches-bin");
        for (int i = 1; i <= 5; ++i)
            test::writeBytes(dir + "/data_batch_" + std::to_string(i) + ".bin", batch(false, 4, i));
        test::writeBytes(dir + "/test_batch.bin", batch(false, 3, 0));
        data::DatasetRef ref;
        ref.path = dir;
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.ref.format, data::Format::Cifar10);
        QCOMPARE(ds.train.size(), std::int64_t(20));
        QCOMPARE(ds.test.size(), std::int64_t(3));
        QCOMPARE(ds.classNames[0], std::string("airplane"));
        QCOMPARE(ds.train.labels[4], 2); // second batch (offset 2), first record
    }

    void cifar100FineLabels()
    {
        const std::string dir = path("cifar-100-binary");
        test::writeBytes(dir + "/train.bin", batch(true, 7, 90));
        test::writeBytes(dir + "/test.bin", batch(true, 2, 0));
        data::DatasetRef ref;
        ref.path = dir;
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.ref.format, data::Format::Cifar100);
        QCOMPARE(ds.classCount(), 100);
        QCOMPARE(ds.train.labels[6], 96);
        QCOMPARE(ds.test.size(), std::int64_t(2));
    }

    void sizeNotMultipleOfRecord()
    {
        auto b = batch(false, 2, 0);
        b.pop_back();
        const std::string f = path("short/data_batch_1.bin");
        test::writeBytes(f, b);
        data::ImageSet set;
        EXPECT_DATA_ERROR(data::readCifarBatch(f, data::CifarKind::Cifar10, set), f, "not a whole number of CIFAR-10 records");
        QCOMPARE(set.size(), std::int64_t(0)); // nothing appended
        // A CIFAR-10 batch read as CIFAR-100 does not fit its record size either.
        const auto ten = batch(false, 3, 0);
        EXPECT_DATA_ERROR(data::appendCifarBatch(ten.data(), ten.size(), data::CifarKind::Cifar100, "x.bin", set),
                          "x.bin", "3074 bytes");
        EXPECT_DATA_ERROR(data::appendCifarBatch(ten.data(), 0, data::CifarKind::Cifar10, "empty.bin", set),
                          "empty.bin", "empty");
    }

    void labelOutOfRange()
    {
        auto b = test::cifarRecord(false, 0, 10, 1, 2, 3);
        data::ImageSet set;
        EXPECT_DATA_ERROR(data::appendCifarBatch(b.data(), b.size(), data::CifarKind::Cifar10, "l.bin", set), "l.bin",
                          "label 10 of record 0 is out of range");
        b = test::cifarRecord(true, 3, 100, 1, 2, 3);
        EXPECT_DATA_ERROR(data::appendCifarBatch(b.data(), b.size(), data::CifarKind::Cifar100, "f.bin", set), "f.bin",
                          "out of range");
        b = test::cifarRecord(true, 20, 5, 1, 2, 3);
        EXPECT_DATA_ERROR(data::appendCifarBatch(b.data(), b.size(), data::CifarKind::Cifar100, "c.bin", set), "c.bin",
                          "coarse label 20");
    }

    void directoryWhereFileExpected()
    {
        const std::string dir = path("dirbatch");
        QVERIFY(QDir().mkpath(QString::fromStdString(dir + "/data_batch_1.bin")));
        data::ImageSet set;
        EXPECT_DATA_ERROR(data::readCifarBatch(dir + "/data_batch_1.bin", data::CifarKind::Cifar10, set),
                          dir + "/data_batch_1.bin", "is a directory");
    }
};

QTEST_GUILESS_MAIN(TestCifar)
#include "tst_cifar.moc"
