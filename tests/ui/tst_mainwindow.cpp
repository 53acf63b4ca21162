// The Studio's main window, driven offscreen.
#include "fixtures.h"

#include "ui/data/datasetpanel.h"
#include "data/dataset.h"
#include "ui/mainwindow/mainwindow.h"
#include "supernet/checkpointinfo.h"

#include <QAction>
#include <QApplication>
#include <QMenuBar>
#include <QMessageBox>
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
        QCOMPARE(titles, (QStringList{"File", "Edit", "Search", "View", "Help"}));
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
