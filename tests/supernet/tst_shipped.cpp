// The shipped supernets still reach the accuracy their documentation states. Every
// checkpoint in resources/supernet comes with STEM.accuracy.json: what
// `edanas supernet eval --split test --images 2000 --json` printed for its largest and
// smallest subnets when it was shipped (docs/SUPERNET.md quotes it). Here each subnet is
// evaluated again the same way, on the real Fashion-MNIST test split, and every exit and
// the head must be within one point of the documented value: a change to the operators,
// the checkpoint reader, recalibration or the data pipeline that costs accuracy fails.
#include "data/dataset.h"
#include "data/split.h"
#include "space/searchspace.h"
#include "supernet/checkpoint.h"
#include "supernet/trainer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <numeric>

using namespace edanas;

class TestShipped : public QObject
{
    Q_OBJECT

private:
    QDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(2);
        m_dir = QDir(QString::fromStdString(space::resourceDir() + "/supernet"));
        QVERIFY2(m_dir.exists(), qPrintable(m_dir.path()));
    }

    void everyCheckpointIsDocumented()
    {
        const auto checkpoints = m_dir.entryList({QStringLiteral("*.pt")}, QDir::Files);
        QVERIFY(!checkpoints.isEmpty());
        for (const QString &pt : checkpoints) {
            const QString doc = pt.chopped(3) + QStringLiteral(".accuracy.json");
            QVERIFY2(m_dir.exists(doc), qPrintable(pt + " has no " + doc));
            QVERIFY2(m_dir.exists(pt.chopped(3) + QStringLiteral(".command.sh")), qPrintable(pt));
            QVERIFY2(m_dir.exists(pt.chopped(3) + QStringLiteral(".train.log")), qPrintable(pt));
            QVERIFY2(QFileInfo(m_dir.filePath(pt)).size() <= 20 * 1024 * 1024, qPrintable(pt + " is over 20 MB"));
        }
        // the default is one of them
        const std::string def = supernet::defaultSupernetPath();
        QVERIFY(!def.empty());
        QVERIFY(checkpoints.contains(QFileInfo(QString::fromStdString(def)).fileName()));
    }

    void documentedAccuracy_data()
    {
        QTest::addColumn<QString>("checkpoint");
        QTest::addColumn<QString>("subnet");
        for (const QString &pt : m_dir.entryList({QStringLiteral("*.pt")}, QDir::Files))
            for (const char *which : {"largest", "smallest"})
                QTest::newRow(qPrintable(pt + " " + which)) << m_dir.filePath(pt) << QString::fromLatin1(which);
    }

    void documentedAccuracy()
    {
        QFETCH(QString, checkpoint);
        QFETCH(QString, subnet);
        QFile f(checkpoint.chopped(3) + QStringLiteral(".accuracy.json"));
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        const QJsonObject doc = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(doc.value("split").toString(), QStringLiteral("test"));
        const int images = doc.value("images").toInt();
        const int recal = doc.value("recalibration_images").toInt();
        QCOMPARE(images, 2000);
        QVERIFY(recal > 0);
        const QJsonArray documented = doc.value("subnets").toObject().value(subnet).toObject().value("exits").toArray();
        QVERIFY2(!documented.isEmpty(), qPrintable(f.fileName() + ": no " + subnet));

        supernet::CheckpointInfo info;
        auto net = supernet::loadCheckpoint(checkpoint.toStdString(), &info);
        const data::Dataset ds = data::loadDataset(data::DatasetRef{data::defaultDatasetPath()});
        supernet::checkCompatible(checkpoint.toStdString(), info, net->space(), data::contentHash(ds));
        // as `supernet eval` does: the default validation split (10 %, seed 0) leaves the
        // training part that recalibration draws from; test images spread over the split
        const auto split = data::stratifiedSplit(ds.train.labels, ds.classCount(), 0.1, 0);
        std::vector<std::int64_t> testIdx(std::size_t(ds.test.size()));
        std::iota(testIdx.begin(), testIdx.end(), 0);
        testIdx = data::evenSubset(testIdx, images);
        const auto g = subnet == QLatin1String("largest") ? space::Genome::largest(net->space())
                                                          : space::Genome::smallest(net->space());
        const auto got = supernet::evaluateSubnet(*net, g, ds, split.train, ds.test, testIdx, info.mean, info.std, recal);

        QCOMPARE(got.positions.size(), std::size_t(documented.size()));
        for (qsizetype i = 0; i < documented.size(); ++i) {
            const QJsonObject e = documented.at(i).toObject();
            const auto k = std::size_t(i);
            QCOMPARE(QString::fromStdString(got.positions[k]), e.value("position").toString());
            QCOMPARE(qint64(got.cumulativeMacs[k]), e.value("macs").toInteger());
            const double want = e.value("accuracy").toDouble();
            QVERIFY2(std::abs(got.accuracy[k] - want) <= 0.01,
                     qPrintable(QStringLiteral("%1 %2 at %3: %4 %, documented %5 %")
                                    .arg(QFileInfo(checkpoint).fileName(), subnet, e.value("position").toString())
                                    .arg(100.0 * got.accuracy[k], 0, 'f', 2)
                                    .arg(100.0 * want, 0, 'f', 2)));
        }
    }
};

QTEST_GUILESS_MAIN(TestShipped)
#include "tst_shipped.moc"
