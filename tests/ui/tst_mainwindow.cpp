// The Studio's main window, driven offscreen.
#include "fixtures.h"

#include "ui/data/datasetpanel.h"
#include "data/dataset.h"
#include "ui/mainwindow/mainwindow.h"
#include "supernet/checkpointinfo.h"
#include "ui/export/exportcontroller.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/searchcontroller.h"
#include "ui/search/searchpanel.h"
#include "ui/training/traindialog.h"
#include "ui/training/trainingjob.h"
#include "ui/training/trainingview.h"

#include <qcustomplot.h>

#include <QAction>
#include <QDialog>
#include <QDockWidget>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QApplication>
#include <QMenuBar>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using edanas::ui::MainWindow;

namespace {

/// An RGB image folder of three classes (red, green, blue), `perClass` 12x12 images
/// each: the class's channel at `base + step * i`, the others at `other`.
void writeColourFolder(const QString &root, int perClass, int base, int step, int other)
{
    const char *names[] = {"red", "green", "blue"};
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < perClass; ++i) {
            const auto v = std::uint8_t(base + step * i);
            const auto o = std::uint8_t(other);
            edanas::test::writeImage(QStringLiteral("%1/%2/%3.png").arg(root, names[c]).arg(i).toStdString(), 12, 12, 3,
                                     c == 0 ? v : o, c == 1 ? v : o, c == 2 ? v : o);
        }
}

} // namespace

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
        // every exit's accuracy, the head last, and the training log a click away
        QVERIFY2(w.datasetPanel()->supernetText().contains(QStringLiteral("largest: s1.b4 ")),
                 qPrintable(w.datasetPanel()->supernetText()));
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral(" · head ")));
        auto *summary = w.datasetPanel()->findChild<QLabel *>(QStringLiteral("supernetSummary"));
        QVERIFY(summary);
        Q_EMIT summary->linkActivated(QStringLiteral("log"));
        auto *logDialog = w.findChild<QDialog *>(QStringLiteral("supernetLogDialog"));
        QVERIFY(logDialog && logDialog->isVisible());
        const QString logText = logDialog->findChild<QPlainTextEdit *>()->toPlainText();
        QVERIFY2(logText.startsWith(QStringLiteral("epoch 1 (largest 1): loss")), qPrintable(logText.left(200)));
        QVERIFY(logText.contains(QStringLiteral("epoch 15 (expansion 3)")));
        logDialog->close();
        w.showSupernet(m_dir.path() + "/none.pt");
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("none.pt: does not exist")));

        // Supernet > Open Shipped Supernet: every shipped checkpoint with its documented
        // accuracy, the default marked; choosing one makes it the supernet in use
        w.showSupernet(path);
        auto *shipped = w.findChild<QMenu *>(QStringLiteral("shippedSupernetMenu"));
        QVERIFY(shipped);
        Q_EMIT shipped->aboutToShow();
        const QStringList files = QDir(QFileInfo(path).absolutePath()).entryList({QStringLiteral("*.pt")}, QDir::Files);
        QCOMPARE(shipped->actions().size(), files.size());
        QAction *other = nullptr;
        for (QAction *a : shipped->actions()) {
            const bool isDefault = QFileInfo(a->toolTip()) == QFileInfo(path);
            QCOMPARE(a->text().contains(QStringLiteral("[default]")), isDefault);
            QCOMPARE(a->isChecked(), isDefault);
            QVERIFY2(a->text().contains(QStringLiteral("% largest")), qPrintable(a->text()));
            if (a->toolTip().endsWith(QStringLiteral("mbv3-small-input.pt")))
                other = a;
        }
        QVERIFY(other);
        // the figures of the accuracy file beside it (the head of each subnet, 2,000 test images)
        QFile doc(other->toolTip().chopped(3) + QStringLiteral(".accuracy.json"));
        QVERIFY(doc.open(QIODevice::ReadOnly));
        const QJsonObject accuracyFile = QJsonDocument::fromJson(doc.readAll()).object();
        const QJsonObject subnets = accuracyFile.value("subnets").toObject();
        auto head = [&subnets](const char *subnet) {
            const double a = subnets.value(QLatin1String(subnet)).toObject().value("exits").toArray().last().toObject().value("accuracy").toDouble();
            return QString::number(100.0 * a, 'f', 1);
        };
        const QString expected = QStringLiteral("mbv3-small-input, trained on fashion-mnist: %1 % largest, %2 % smallest (%3 test images)")
                                     .arg(head("largest"), head("smallest"), QLocale().toString(accuracyFile.value("images").toInteger()));
        QCOMPARE(other->text(), expected);
        other->trigger();
        QCOMPARE(QFileInfo(w.supernetPath()), QFileInfo(other->toolTip()));
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("mbv3-small-input space")));
        QSettings().remove(QStringLiteral("recentSupernets"));
    }

    // Issue 17: the supernet in use must fit the open data set. A supernet trained on a
    // generated RGB image folder is refused while Fashion-MNIST is open; opening the RGB
    // folder says plainly that no supernet at hand fits; once that supernet is opened, each
    // data set brings back the supernet that fits it.
    void fitsTheSupernetToTheDataSet()
    {
        QSettings().remove(QStringLiteral("recentSupernets"));
        const QString rgb = m_dir.path() + "/swatches";
        writeColourFolder(rgb, 12, 120, 10, 0);
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

    // Issue 17: a supernet trained in the Studio, as a user does it: Supernet > Train
    // Supernet... on an RGB image folder, the Training dock's curves get points, pause
    // holds the trainer, cancel keeps the last complete epoch, training again resumes
    // from it, and the finished supernet becomes the one in use and is searched.
    void trainsASupernetInTheStudio()
    {
        QSettings().remove(QStringLiteral("recentSupernets"));
        const QString rgb = m_dir.path() + "/patches";
        writeColourFolder(rgb, 60, 60, 3, 40);
        const QString out = m_dir.path() + "/patches.pt";

        int epochsDone = 0;
        {
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
            w.openDataset(rgb);
            QVERIFY(loaded.wait(60000));
            QVERIFY(!w.supernetMismatch().isEmpty()); // the shipped one is for 1-channel images

            // the dialog, filled in as a user would
            auto *action = w.findChild<QAction *>(QStringLiteral("trainSupernetAction"));
            QVERIFY(action);
            action->trigger();
            edanas::ui::TrainDialog *dialog = nullptr;
            QTRY_VERIFY((dialog = w.findChild<edanas::ui::TrainDialog *>()) != nullptr);
            QVERIFY(dialog->windowTitle().contains(QStringLiteral("patches")));
            // the time it will take, from a short measurement on this machine
            QTRY_VERIFY_WITH_TIMEOUT(dialog->hasEstimate(), 120000);
            QVERIFY(dialog->estimatedSeconds() > 0.0);
            QVERIFY2(dialog->estimateText().contains(QStringLiteral("images/s")), qPrintable(dialog->estimateText()));
            const double ofaSeconds = dialog->estimatedSeconds();
            QVERIFY2(dialog->outPath().endsWith(QStringLiteral("/patches-ofa-mbv3.pt")), qPrintable(dialog->outPath()));
            dialog->setSpace(QStringLiteral("tiny"));
            QVERIFY2(dialog->outPath().endsWith(QStringLiteral("/patches-tiny.pt")), qPrintable(dialog->outPath()));
            QTRY_VERIFY_WITH_TIMEOUT(!dialog->hasEstimate(), 5000); // measured again for the tiny space
            QTRY_VERIFY_WITH_TIMEOUT(dialog->hasEstimate(), 120000);
            QVERIFY2(dialog->estimatedSeconds() < ofaSeconds, qPrintable(dialog->estimateText()));
            dialog->setEpochs({3, 2, 0, 0});
            dialog->setBatchSize(4);
            dialog->setEvaluationImages(12, 16);
            dialog->setOutPath(out);
            QCOMPARE(dialog->config().phaseEpochs, (std::vector<int>{3, 2, 0, 0}));
            auto *job = w.trainingJob();
            auto *view = w.trainingView();
            QSignalSpy started(job, &edanas::ui::TrainingJob::started);
            QSignalSpy epochs(job, &edanas::ui::TrainingJob::epochDone);
            QSignalSpy batches(job, &edanas::ui::TrainingJob::batchDone);
            QSignalSpy finished(&w, &MainWindow::trainingFinished);
            // pause as soon as the second epoch is under way
            connect(job, &edanas::ui::TrainingJob::batchDone, this, [view](const edanas::supernet::BatchProgress &b) {
                if (b.epoch == 2 && view->pauseButton()->isEnabled())
                    QTest::mouseClick(view->pauseButton(), Qt::LeftButton);
            });
            dialog->accept();
            QVERIFY(started.wait(60000));
            QCOMPARE(started.first().at(0).toInt(), 0);
            QCOMPARE(started.first().at(1).toInt(), 5);
            QVERIFY(w.findChild<QDockWidget *>(QStringLiteral("trainingDock"))->isVisible());
            QTRY_VERIFY_WITH_TIMEOUT(job->isPaused(), 120000);
            QVERIFY(epochs.count() >= 1);
            QVERIFY(view->lossPlot()->graph(0)->dataCount() > 0);
            QVERIFY(view->accuracyPlot()->graphCount() >= 2); // every exit of both subnets
            QVERIFY(view->accuracyPlot()->graph(0)->dataCount() >= 1);
            QVERIFY(view->progressBar()->value() > 0);
            QVERIFY(view->resumeButton()->isEnabled() && !view->pauseButton()->isEnabled());
            QTest::qWait(300); // what was under way arrives
            const int atPause = int(batches.count());
            QTest::qWait(700);
            QCOMPARE(int(batches.count()), atPause); // the trainer holds
            epochsDone = int(epochs.count());
            QVERIFY(epochsDone < 5);
            QTest::mouseClick(view->cancelButton(), Qt::LeftButton);
            QVERIFY(finished.wait(60000));
            QCOMPARE(finished.first().at(0).toBool(), false);
            QVERIFY2(finished.first().at(1).toString().isEmpty(), qPrintable(finished.first().at(1).toString()));
            QVERIFY(view->statusText().contains(QStringLiteral("keeps the last complete epoch")));
            QVERIFY(QFileInfo::exists(out));
            QVERIFY(!job->isRunning());

            QCOMPARE(QFileInfo(w.unfinishedTraining()).absoluteFilePath(), QFileInfo(out).absoluteFilePath());
            disconnect(job, &edanas::ui::TrainingJob::batchDone, this, nullptr);
        }

        // the Studio closed and opened again: Supernet > Resume Training goes on after the
        // last complete epoch with the training's own settings
        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
        auto *resume = w.findChild<QAction *>(QStringLiteral("resumeTrainingAction"));
        QVERIFY(resume);
        QVERIFY(!w.resumeTraining()); // no data set open yet: refused, nothing starts
        QVERIFY(!w.trainingJob()->isRunning());
        w.openDataset(rgb);
        QVERIFY(loaded.wait(60000));
        auto *job = w.trainingJob();
        auto *view = w.trainingView();
        QSignalSpy started(job, &edanas::ui::TrainingJob::started);
        QSignalSpy epochs(job, &edanas::ui::TrainingJob::epochDone);
        QSignalSpy finished(&w, &MainWindow::trainingFinished);
        resume->trigger();
        QVERIFY(started.wait(60000));
        QCOMPARE(started.first().at(0).toInt(), epochsDone);
        QVERIFY(finished.wait(300000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(int(epochs.count()), 5 - epochsDone);
        QVERIFY(w.unfinishedTraining().isEmpty());
        QCOMPARE(QFileInfo(w.supernetPath()).absoluteFilePath(), QFileInfo(out).absoluteFilePath());
        QVERIFY(w.supernetMismatch().isEmpty());
        QVERIFY(w.datasetPanel()->supernetText().contains(QStringLiteral("trained on patches")));
        QVERIFY(view->statusText().startsWith(QStringLiteral("Finished")));

        // and a search runs on it
        auto *panel = w.searchPanel();
        panel->findChild<QSpinBox *>(QStringLiteral("population"))->setValue(4);
        panel->findChild<QSpinBox *>(QStringLiteral("generations"))->setValue(1);
        panel->findChild<QSpinBox *>(QStringLiteral("validationImages"))->setValue(0);
        panel->findChild<QSpinBox *>(QStringLiteral("recalibrationImages"))->setValue(16);
        panel->setStudyPath(m_dir.path() + "/patches.edanas");
        QSignalSpy searched(w.searchController(), &edanas::ui::SearchController::finished);
        QVERIFY(w.startSearch());
        QVERIFY(searched.wait(300000));
        QCOMPARE(searched.first().first().value<edanas::ui::SearchWorker::Outcome>(),
                 edanas::ui::SearchWorker::Outcome::Finished);
        QVERIFY(w.candidateModel()->rowCount() >= 4);

        // its model exported for deployment, three input channels with their own
        // normalisation, and run (LibTorch against ONNX under OpenCV, on the images)
        const qint64 chosen = w.candidateModel()->idAt(0);
        const QString modelDir = m_dir.path() + "/patches-model";
        QSignalSpy exported(w.exports(), &edanas::ui::ExportController::finished);
        w.exports()->exportModelTo(chosen, modelDir, 0);
        QVERIFY(exported.wait(300000));
        QVERIFY2(exported.first().at(1).toString().isEmpty(), qPrintable(exported.first().at(1).toString()));
        auto readJson = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
        };
        const QJsonObject input = readJson(modelDir + "/model.json").value("input").toObject();
        QCOMPARE(input.value("channels").toInt(), 3);
        QCOMPARE(input.value("mean").toArray().size(), 3);
        QCOMPARE(input.value("std").toArray().size(), 3);
        QVERIFY(input.value("mean").toArray().at(0).toDouble() != input.value("mean").toArray().at(2).toDouble()
                || input.value("std").toArray().at(0).toDouble() != input.value("std").toArray().at(2).toDouble());
        const QJsonObject verification = readJson(modelDir + "/verification.json");
        QVERIFY2(verification.value("passed").toBool(), QJsonDocument(verification).toJson().constData());
        QVERIFY(QFileInfo::exists(modelDir + "/model.onnx"));
        // and the study's report
        exported.clear();
        const QString report = m_dir.path() + "/patches-report.html";
        w.selectCandidate(chosen);
        w.exports()->exportReportTo(report, false);
        QVERIFY(!exported.isEmpty() || exported.wait(300000)); // a refusal comes at once
        QVERIFY2(exported.first().at(1).toString().isEmpty(), qPrintable(exported.first().at(1).toString()));
        QFile html(report);
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QByteArray page = html.readAll();
        QVERIFY(page.contains("patches"));
        QVERIFY(page.contains("<img"));
        QSettings().remove(QStringLiteral("recentSupernets"));
    }

    // Closing the window while a supernet trains asks first: "Keep Training" keeps it
    // running and the window open; "Stop and Close" cancels it (the last complete epoch
    // stays) and the window closes once the trainer has let go.
    void closingDuringATrainingAsks()
    {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
        w.openDataset(QString::fromStdString(edanas::data::defaultDatasetPath()));
        QVERIFY(loaded.wait(60000));
        edanas::supernet::TrainConfig config;
        config.phaseEpochs = {50, 0, 0, 0};
        config.trainImages = 256;
        config.batchSize = 16;
        config.evalImages = 32;
        config.recalibrationImages = 32;
        QSignalSpy started(w.trainingJob(), &edanas::ui::TrainingJob::started);
        QSignalSpy epochs(w.trainingJob(), &edanas::ui::TrainingJob::epochDone);
        QSignalSpy finished(&w, &MainWindow::trainingFinished);
        QVERIFY(w.startTraining(QStringLiteral("tiny"), config, m_dir.path() + "/closing.pt"));
        QVERIFY(started.wait(60000));
        QVERIFY(epochs.wait(120000));
        auto answer = [&w](QMessageBox::StandardButton button) {
            QMessageBox *box = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT((box = w.findChild<QMessageBox *>(QStringLiteral("stopTrainingBox"))) != nullptr
                                         && box->isVisible(),
                                     5000);
            QTest::mouseClick(box->button(button), Qt::LeftButton);
        };
        QVERIFY(!w.close());
        answer(QMessageBox::No);
        QTest::qWait(300);
        QVERIFY(w.isVisible());
        QVERIFY(w.trainingJob()->isRunning());
        QVERIFY(finished.isEmpty());
        QVERIFY(!w.close());
        answer(QMessageBox::Yes);
        QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 60000);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!w.trainingJob()->isRunning());
        QVERIFY(int(epochs.count()) < 50);
        QVERIFY(QFileInfo::exists(m_dir.path() + "/closing.pt")); // the last complete epoch
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
