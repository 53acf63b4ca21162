// The Studio's main window, driven offscreen.
#include "fixtures.h"

#include "ui/data/datasetpanel.h"
#include "data/dataset.h"
#include "ui/mainwindow/mainwindow.h"
#include "supernet/checkpointinfo.h"

#include <QAction>
#include <QApplication>
#include <QMenuBar>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using edanas::ui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("EDANAS-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    }

    void hasTheMenus()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QStringList titles;
        for (QAction *a : w.menuBar()->actions())
            titles << a->text().remove(QLatin1Char('&'));
        QCOMPARE(titles, (QStringList{"File", "Edit", "Search", "Supernet", "View", "Help"}));
    }

    void aboutBoxOpens()
    {
        MainWindow w;
        w.show();
        auto *about = w.findChild<QAction *>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        about->trigger();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = w.findChild<QMessageBox *>(QStringLiteral("aboutBox"))) != nullptr);
        QVERIFY(box->isVisible());
        QVERIFY(box->text().contains(QStringLiteral("EDANAS Studio 0.")));
        box->accept();
    }

    void opensADataSet()
    {
        const QString dir = m_dir.path() + "/set";
        edanas::test::writeIdxDataset(dir.toStdString(), 4, 10, 2, 8, 8, false);
        MainWindow w;
        QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
        w.openDataset(dir);
        QVERIFY(loaded.wait(30000));
        QVERIFY(w.dataset());
        QCOMPARE(w.dataset()->train.size(), std::int64_t(40));
        QCOMPARE(w.datasetPanel()->classRows(), 10);
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("40 training images")));
    }

    void reportsABadDataSet()
    {
        MainWindow w;
        QSignalSpy failed(&w, &MainWindow::datasetFailed);
        const QString missing = m_dir.path() + "/nowhere";
        w.openDataset(missing);
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains(missing + ": does not exist"));
        QVERIFY(w.datasetPanel()->summaryText().contains(QStringLiteral("does not exist")));
        QVERIFY(!w.dataset());
    }

    void showsTheShippedSupernet()
    {
        MainWindow w;
        const QString path = QString::fromStdString(edanas::supernet::defaultSupernetPath());
        QVERIFY2(!path.isEmpty(), "resources/supernet/fashion-mnist-ofa-mbv3.pt is missing");
        w.showSupernet(path);
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("ofa-mbv3 space, trained on fashion-mnist")));
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("validation top-1")));
        w.showSupernet(m_dir.path() + "/none.pt");
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("none.pt: does not exist")));
    }

    // Issue 17: the supernet in use must fit the open data set. A supernet trained on a
    // generated RGB image folder is refused while Fashion-MNIST is open; opening the RGB
    // folder says plainly that no supernet at hand fits; once that supernet is opened, each
    // data set brings back the supernet that fits it.
    void fitsTheSupernetToTheDataSet()
    {
        QSettings().remove(QStringLiteral("recentSupernets"));
        const QString rgb = m_dir.path() + "/swatches";
        const char *names[] = {"red", "green", "blue"};
        for (int c = 0; c < 3; ++c)
            for (int i = 0; i < 12; ++i) {
                const auto v = std::uint8_t(120 + 10 * i);
                edanas::test::writeImage(QStringLiteral("%1/%2/%3.png").arg(rgb, names[c]).arg(i).toStdString(), 12, 12,
                                         3, c == 0 ? v : 0, c == 1 ? v : 0, c == 2 ? v : 0);
            }
        const QString rgbNet = m_dir.path() + "/swatches.pt";
        QProcess train;
        train.start(qEnvironmentVariable("EDANAS_CLI"),
                    {"supernet", "train", "--space", "tiny", "--data", rgb, "--out", rgbNet, "--epochs", "1,0,0,0",
                     "--batch-size", "4", "--eval-images", "6", "--recalibration-images", "8"});
        QVERIFY(train.waitForFinished(300000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        const QString shipped = QFileInfo(QString::fromStdString(edanas::supernet::defaultSupernetPath())).absoluteFilePath();

        MainWindow w;
        QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
        QSignalSpy refused(&w, &MainWindow::supernetRefused);
        QSignalSpy mismatched(&w, &MainWindow::supernetMismatched);
        w.openDataset(QString::fromStdString(edanas::data::defaultDatasetPath()));
        QVERIFY(loaded.wait(60000));
        QVERIFY2(w.supernetMismatch().isEmpty(), qPrintable(w.supernetMismatch()));
        QCOMPARE(mismatched.count(), 0);

        // a supernet for three-channel images, while Fashion-MNIST is open: refused
        QVERIFY(!w.openSupernet(rgbNet));
        QCOMPARE(refused.count(), 1);
        const QString why = refused.first().first().toString();
        QVERIFY2(why.contains(rgbNet + ": takes images of 3 channels, and the data set \"fashion-mnist\" has 1 channel"),
                 qPrintable(why));
        QCOMPARE(QFileInfo(w.supernetPath()).absoluteFilePath(), shipped);
        auto *box = w.findChild<QMessageBox *>(QStringLiteral("supernetProblemBox"));
        QVERIFY(box && box->isVisible());
        QVERIFY(box->text().contains(why));
        QVERIFY(w.recentSupernets().isEmpty());
        // one that is not a checkpoint at all
        const QString junk = m_dir.path() + "/junk.pt";
        edanas::test::writeBytes(junk.toStdString(), {'n', 'o', 'p', 'e'});
        QVERIFY(!w.openSupernet(junk));
        QVERIFY(refused.last().first().toString().contains(junk));

        // the RGB folder: no supernet at hand fits, and the Studio says so
        w.openDataset(rgb);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(mismatched.count(), 1);
        QVERIFY2(mismatched.first().first().toString().contains(QStringLiteral("takes images of 1 channel, and the data set \"swatches\" has 3 channels")),
                 qPrintable(mismatched.first().first().toString()));
        QVERIFY(!w.supernetMismatch().isEmpty());
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("none fits this data set")));
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("edanas supernet train")));
        auto shownBox = [&w] { // the one on screen (a replaced one is deleted later)
            for (auto *b : w.findChildren<QMessageBox *>(QStringLiteral("supernetProblemBox")))
                if (b->isVisible())
                    return b;
            return static_cast<QMessageBox *>(nullptr);
        };
        QVERIFY(shownBox() && shownBox()->windowTitle() == QStringLiteral("No supernet fits this data set"));

        // the user opens the one trained on it
        QVERIFY(w.openSupernet(rgbNet));
        QVERIFY(w.supernetMismatch().isEmpty());
        QCOMPARE(w.recentSupernets(), QStringList{QFileInfo(rgbNet).absoluteFilePath()});
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("trained on swatches")));
        auto *recentMenu = w.findChild<QMenu *>(QStringLiteral("recentSupernetMenu"));
        QVERIFY(recentMenu && recentMenu->actions().first()->toolTip() == QFileInfo(rgbNet).absoluteFilePath());

        // each data set brings back the supernet that fits it: the shipped one...
        w.openDataset(QString::fromStdString(edanas::data::defaultDatasetPath()));
        QVERIFY(loaded.wait(60000));
        QCOMPARE(QFileInfo(w.supernetPath()).absoluteFilePath(), shipped);
        QVERIFY(w.supernetMismatch().isEmpty());
        // ... and the recent one
        w.openDataset(rgb);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(QFileInfo(w.supernetPath()).absoluteFilePath(), QFileInfo(rgbNet).absoluteFilePath());
        QCOMPARE(mismatched.count(), 1);
        QSettings().remove(QStringLiteral("recentSupernets"));
    }

    void closingWhileLoadingIsSafe()
    {
        auto *w = new MainWindow;
        w->openDataset(m_dir.path() + "/set");
        delete w; // waits for the loader; no crash, no late delivery
        QTest::qWait(50);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
