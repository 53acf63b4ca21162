// The real default data set, as installed by scripts/run from Debian's package.
#include "data/dataset.h"
#include "data/split.h"

#include <QElapsedTimer>
#include <QTest>

using namespace edanas;

class TestFashionMnist : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsTheRealFiles()
    {
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        QElapsedTimer timer;
        timer.start();
        const auto ds = data::loadDataset(ref);
        qInfo("Fashion-MNIST loaded in %lld ms", timer.elapsed());
        QCOMPARE(ds.ref.format, data::Format::Idx);
        QCOMPARE(ds.train.size(), std::int64_t(60000));
        QCOMPARE(ds.test.size(), std::int64_t(10000));
        QCOMPARE(ds.train.height, 28);
        QCOMPARE(ds.train.width, 28);
        QCOMPARE(ds.train.channels, 1);
        QCOMPARE(ds.classCount(), 10);
        QCOMPARE(ds.classNames[9], std::string("Ankle boot"));
        const auto counts = data::classCounts(ds.train.labels, 10);
        for (auto c : counts)
            QCOMPARE(c, std::int64_t(6000));
        const auto testCounts = data::classCounts(ds.test.labels, 10);
        for (auto c : testCounts)
            QCOMPARE(c, std::int64_t(1000));
        const auto split = data::stratifiedSplit(ds.train.labels, 10, 0.1, 0);
        QCOMPARE(split.validation.size(), std::size_t(6000));
        for (auto c : data::classCounts(ds.train.labels, 10, split.validation))
            QCOMPARE(c, std::int64_t(600));
        // Published statistics of Fashion-MNIST's training images: mean 0.2860, std 0.3530.
        const auto stats = data::channelStats(ds.train);
        QVERIFY(std::abs(stats.mean[0] - 0.2860) < 5e-4);
        QVERIFY(std::abs(stats.std[0] - 0.3530) < 5e-4);
    }
};

QTEST_GUILESS_MAIN(TestFashionMnist)
#include "tst_fashionmnist.moc"
