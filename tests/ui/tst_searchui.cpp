// The Studio driven as a user drives it, offscreen, on the shipped supernet and the
// default data set with a tiny search: start it with the button, watch points arrive,
// pause and resume, click a point and find it selected in the table, drag the MAC
// ceiling on the plot and find the running search's constraints changed, close the
// window mid-search, open the study (flags written back). The GUI thread's longest stall during a
// search is measured with a 10 ms timer and reported.
#include "data/dataset.h"
#include "pgcluster.h"
#include "ui/mainwindow/mainwindow.h"
#include "ui/document/studydocument.h"
#include "ui/pareto/paretoview.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/candidatefiltermodel.h"
#include "ui/search/candidatetable.h"
#include "ui/search/searchcontroller.h"
#include "ui/search/searchpanel.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFileInfo>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QStatusBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QToolTip>

#include <cmath>
#include <memory>

using namespace edanas;
using ui::MainWindow;
using ui::SearchController;

namespace {

/// The longest gap between ticks of a 10 ms timer: how long the event loop was busy.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setInterval(10);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
            ++m_ticks;
        });
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    double longestMs() const { return m_longest / 1e6; }
    qint64 ticks() const { return m_ticks; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0, m_longest = 0, m_ticks = 0;
};

std::vector<study::EventRecord> studyEvents(const QString &path, const char *type)
{
    std::vector<study::EventRecord> out;
    try {
        const auto s = study::Study::open(path.toStdString(), true);
        for (auto &e : s.events())
            if (e.type == type)
                out.push_back(e);
    } catch (const std::exception &) {
        // not written yet
    }
    return out;
}

std::size_t studyCandidates(const QString &path)
{
    return study::Study::open(path.toStdString(), true).candidates().size();
}

QPoint pixelOf(QCustomPlot *plot, QPointF coords)
{
    return {int(std::lround(plot->xAxis->coordToPixel(coords.x()))),
            int(std::lround(plot->yAxis->coordToPixel(coords.y())))};
}

} // namespace

class TestSearchUi : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_finishedStudy; ///< written by the steering test, read by openStudyReadOnly

    /// A shown main window on the default data set, with a tiny search set up in its
    /// panel (as a user types it) writing `study`.
    bool prepare(MainWindow &w, const QString &study)
    {
        w.resize(1400, 900);
        w.show();
        if (!QTest::qWaitForWindowExposed(&w))
            return false;
        QSignalSpy loaded(&w, &MainWindow::datasetLoaded);
        w.openDataset(QString::fromStdString(data::defaultDatasetPath()));
        if (!loaded.wait(60000))
            return false;
        auto *panel = w.searchPanel();
        panel->findChild<QSpinBox *>(QStringLiteral("population"))->setValue(4);
        panel->findChild<QSpinBox *>(QStringLiteral("generations"))->setValue(2);
        panel->findChild<QSpinBox *>(QStringLiteral("validationImages"))->setValue(200);
        panel->findChild<QSpinBox *>(QStringLiteral("recalibrationImages"))->setValue(100);
        panel->setStudyPath(study);
        return true;
    }

    /// Waits until the view has replotted what it holds (axes final for pixel maths).
    void settle(ui::ParetoView *view)
    {
        QTRY_VERIFY(!view->isUpdatePending());
        QTest::qWait(60); // the queued replot
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // settings and app data out of the user's home
        QCoreApplication::setOrganizationName(QStringLiteral("EDANAS-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_searchui"));
        QVERIFY(m_dir.isValid());
        QVERIFY2(!supernet::defaultSupernetPath().empty(), "the shipped supernet is missing");
    }

    void layoutAndSettingsPersist()
    {
        {
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.paretoView()->setLogScale(true);
            w.findChild<QDockWidget *>(QStringLiteral("logDock"))->hide();
            w.searchPanel()->findChild<QSpinBox *>(QStringLiteral("population"))->setValue(12);
            QVERIFY(w.close()); // no search: closes at once, saving the settings
        }
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.paretoView()->logScale());
        QVERIFY(!w.findChild<QDockWidget *>(QStringLiteral("logDock"))->isVisible());
        QVERIFY(w.findChild<QDockWidget *>(QStringLiteral("candidateDock"))->isVisible());
        QCOMPARE(w.searchPanel()->config().population, 12);
        // back to the defaults for the tests that follow
        w.paretoView()->setLogScale(false);
        w.findChild<QDockWidget *>(QStringLiteral("logDock"))->show();
        QVERIFY(w.close());
    }

    void startFailuresAreReported()
    {
        MainWindow w;
        QVERIFY(prepare(w, m_dir.filePath(QStringLiteral("exists.edanas"))));
        // a study file that exists: refused, untouched
        QFile existing(m_dir.filePath(QStringLiteral("exists.edanas")));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("mine");
        existing.close();
        QSignalSpy failed(&w, &MainWindow::searchFailed);
        QTest::mouseClick(w.searchPanel()->startButton(), Qt::LeftButton);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(existing.fileName() + QStringLiteral(": exists")),
                 qPrintable(failed.first().first().toString()));
        QCOMPARE(w.searchController()->state(), SearchController::State::Idle);
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), QByteArray("mine"));
        existing.close();

        // a checkpoint that is not one: the worker reports the engine's message
        const QString bad = m_dir.filePath(QStringLiteral("bad.pt"));
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write("not a checkpoint");
        badFile.close();
        w.showSupernet(bad);
        const QString study = m_dir.filePath(QStringLiteral("never.edanas"));
        w.searchPanel()->setStudyPath(study);
        failed.clear();
        QSignalSpy finished(w.searchController(), &SearchController::finished);
        QTest::mouseClick(w.searchPanel()->startButton(), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.first().first().toString().contains(bad), qPrintable(failed.first().first().toString()));
        QCOMPARE(finished.first().first().value<ui::SearchWorker::Outcome>(), ui::SearchWorker::Outcome::Failed);
        QCOMPARE(w.searchController()->state(), SearchController::State::Idle);
        QVERIFY(w.searchPanel()->startButton()->isEnabled());
        QVERIFY(!QFile::exists(study));
    }

    void searchIsSteeredWithTheMouse()
    {
        const QString study = m_dir.filePath(QStringLiteral("steered.edanas"));
        MainWindow w;
        QVERIFY(prepare(w, study));
        auto *view = w.paretoView();
        auto *plot = view->plot();
        auto *panel = w.searchPanel();
        auto *table = w.candidateTable();
        QAbstractItemModelTester tester(w.candidateModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy evaluated(w.searchController(), &SearchController::candidateEvaluated);
        QSignalSpy finished(w.searchController(), &SearchController::finished);
        QSignalSpy selection(&w, &MainWindow::selectionChanged);

        StallMeter stall;
        QElapsedTimer clock;
        clock.start();

        // start with the button; points arrive
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QVERIFY(w.searchController()->isActive());
        QVERIFY(!panel->startButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(view->candidateCount() >= 1, 120000);
        QTRY_VERIFY(w.candidateModel()->rowCount() >= 1);
        QTRY_VERIFY(view->plottedCount() >= 1);
        QVERIFY(panel->progressBar()->value() > 0);
        QVERIFY2(panel->progressText().contains(QStringLiteral("candidates/min")), qPrintable(panel->progressText()));
        qInfo("first candidate after %.1f s", clock.elapsed() / 1e3);

        // pause: once the engine is at rest (its "pause" event is in the study) nothing arrives
        QTest::mouseClick(panel->pauseButton(), Qt::LeftButton);
        QCOMPARE(w.searchController()->state(), SearchController::State::Paused);
        QVERIFY(panel->resumeButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!studyEvents(study, "pause").empty(), 60000);
        // the last candidate's signal was posted before the engine wrote its pause event:
        // let it be delivered
        QTest::qWait(200);
        const int atPause = int(evaluated.count());
        QTest::qWait(2500);
        QCOMPARE(int(evaluated.count()), atPause);
        settle(view);
        QCOMPARE(view->candidateCount(), atPause);
        QCOMPARE(w.candidateModel()->rowCount(), atPause);

        // hover: the point's figures in a tool tip
        const qint64 firstId = w.candidateModel()->idAt(0);
        const QPoint firstPixel = pixelOf(plot, view->coordinatesOf(firstId));
        {
            QMouseEvent hover(QEvent::MouseMove, firstPixel, plot->mapToGlobal(firstPixel), Qt::NoButton,
                              Qt::NoButton, Qt::NoModifier);
            QApplication::sendEvent(plot, &hover);
            QTRY_VERIFY(QToolTip::isVisible());
            QVERIFY2(QToolTip::text().contains(QStringLiteral("Candidate %1").arg(firstId)), qPrintable(QToolTip::text()));
            QToolTip::hideText();
        }

        // click a point: it is selected in the plot and in the table
        QTest::mouseClick(plot, Qt::LeftButton, {}, firstPixel);
        QCOMPARE(view->selectedCandidate(), firstId);
        QCOMPARE(table->selectedCandidate(), firstId);
        QCOMPARE(table->view()->currentIndex().data(ui::CandidateModel::IdRole).toLongLong(), firstId);
        QCOMPARE(selection.last().first().toLongLong(), firstId);
        // and the other way: a click on another row selects its point
        const qint64 lastId = w.candidateModel()->idAt(w.candidateModel()->rowCount() - 1);
        QVERIFY(lastId != firstId);
        const QModelIndex lastRow = table->proxy()->mapFromSource(w.candidateModel()->index(w.candidateModel()->rowOf(lastId), 0));
        QTest::mouseClick(table->view()->viewport(), Qt::LeftButton, {}, table->view()->visualRect(lastRow).center());
        QCOMPARE(view->selectedCandidate(), lastId);
        QCOMPARE(selection.last().first().toLongLong(), lastId);
        // a click on empty space clears the selection
        const QRect axisRect = plot->axisRect()->rect();
        QTest::mouseClick(plot, Qt::LeftButton, {}, QPoint(axisRect.center().x(), axisRect.top() + 3));
        QCOMPARE(view->selectedCandidate(), qint64(-1));
        QCOMPARE(table->selectedCandidate(), qint64(-1));

        // the table's context menu: pin the first candidate; the engine records it, the
        // study's row keeps the flag
        {
            const QModelIndex firstRow = table->proxy()->mapFromSource(w.candidateModel()->index(0, 0));
            const QPoint at = table->view()->visualRect(firstRow).center();
            bool triggered = false;
            QTimer::singleShot(300, this, [&triggered] {
                auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
                if (!menu)
                    return;
                if (auto *pin = menu->findChild<QAction *>(QStringLiteral("pinAction")); pin && pin->isEnabled()) {
                    pin->trigger();
                    triggered = true;
                }
                menu->close();
            });
            QContextMenuEvent menuEvent(QContextMenuEvent::Mouse, at, table->view()->viewport()->mapToGlobal(at));
            QApplication::sendEvent(table->view()->viewport(), &menuEvent);
            QTRY_VERIFY(triggered);
            QVERIFY(w.candidateModel()->flagsAt(0).pinned);
            QCOMPARE(w.candidateModel()->data(w.candidateModel()->index(0, ui::CandidateModel::Status)).toString(),
                     QStringLiteral("pinned"));
            QTRY_VERIFY_WITH_TIMEOUT(!studyEvents(study, "pin").empty(), 30000);
            QTRY_VERIFY_WITH_TIMEOUT(study::Study::open(study.toStdString(), true).candidates().front().pinned, 30000);
            // ban and inject through the same calls the menu makes
            w.banCandidate(w.candidateModel()->idAt(1));
            w.injectCandidate(firstId);
            QVERIFY(w.candidateModel()->flagsAt(1).banned);
            QTRY_VERIFY_WITH_TIMEOUT(!studyEvents(study, "ban").empty() && !studyEvents(study, "inject").empty(), 30000);
            // Edit > Undo takes the ban back: in the table, in the study, and in the search
            const qint64 bannedId = w.candidateModel()->idAt(1);
            QUndoStack *undo = w.document()->undoStack();
            QCOMPARE(undo->undoText(), QStringLiteral("Ban candidate %1").arg(bannedId));
            undo->undo();
            QVERIFY(!w.candidateModel()->flagsAt(1).banned);
            QTRY_VERIFY_WITH_TIMEOUT(!studyEvents(study, "unban").empty(), 30000);
            auto storedBan = [&] {
                for (const auto &c : study::Study::open(study.toStdString(), true).candidates())
                    if (c.id == bannedId)
                        return c.banned;
                return true;
            };
            QTRY_VERIFY_WITH_TIMEOUT(!storedBan(), 30000);
            undo->redo();
            QVERIFY(w.candidateModel()->flagsAt(1).banned);
            QTRY_VERIFY_WITH_TIMEOUT(studyEvents(study, "ban").size() == 2 && storedBan(), 30000);
        }

        // drag the MAC ceiling (absent: on the right edge) to between the points
        settle(view);
        double lo = 1e300, hi = 0;
        for (int r = 0; r < w.candidateModel()->rowCount(); ++r) {
            const double x = view->coordinatesOf(w.candidateModel()->idAt(r)).x();
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        const double target = hi > lo * 1.02 ? 0.5 * (lo + hi) : 0.9 * lo; // MMACs
        const QPoint grab = view->ceilingHandle();
        QCOMPARE(grab.x(), axisRect.right());
        const QPoint drop(int(std::lround(plot->xAxis->coordToPixel(target))), grab.y());
        QVERIFY(drop.x() < grab.x() - 10);
        QSignalSpy dragging(view, &ui::ParetoView::constraintsDragging);
        QSignalSpy edited(view, &ui::ParetoView::constraintsEdited);
        const int stepsBeforeDrag = w.document()->undoStack()->count();
        QTest::mousePress(plot, Qt::LeftButton, {}, grab);
        for (int step = 1; step <= 5; ++step)
            QTest::mouseMove(plot, grab + (drop - grab) * step / 5);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, drop);
        QVERIFY(dragging.count() >= 5);
        QCOMPARE(edited.count(), 1);
        const double ceiling = view->maxMacs();
        QVERIFY(std::isfinite(ceiling));
        QVERIFY2(std::abs(ceiling / 1e6 - plot->xAxis->pixelToCoord(drop.x())) < 1e-9, qPrintable(QString::number(ceiling)));
        QVERIFY2(std::abs(ceiling / 1e6 - target) <= 2 * std::abs(plot->xAxis->pixelToCoord(1) - plot->xAxis->pixelToCoord(0)),
                 qPrintable(QStringLiteral("%1 vs %2").arg(ceiling / 1e6).arg(target)));
        QCOMPARE(edited.first().at(0).toDouble(), ceiling);
        QCOMPARE(edited.first().at(1).toDouble(), 0.0);
        // the running search obeys: steering, model and panel at once, the engine at its
        // next checkpoint (it records the event in the study)
        QCOMPARE(w.searchController()->maxMacs(), ceiling);
        QCOMPARE(w.candidateModel()->maxMacs(), ceiling);
        QVERIFY(panel->findChild<QLabel *>(QStringLiteral("constraintsLabel"))->text().contains(
            QString::number(ceiling / 1e6, 'f', 3)));
        QTRY_VERIFY_WITH_TIMEOUT(!studyEvents(study, "constraints").empty(), 30000);
        const auto events = studyEvents(study, "constraints");
        const QJsonObject constraint = QJsonDocument::fromJson(QByteArray::fromStdString(events.back().json)).object();
        QCOMPARE(constraint.value(QStringLiteral("max_macs")).toDouble(), ceiling);
        QCOMPARE(constraint.value(QStringLiteral("min_accuracy")).toDouble(), 0.0);
        // ... and the archive is re-ranked in the plot and the table
        int beyond = 0;
        for (int r = 0; r < w.candidateModel()->rowCount(); ++r)
            beyond += w.candidateModel()->candidate(r).macsTrue > ceiling;
        QVERIFY(beyond > 0);
        settle(view);
        QCOMPARE(view->infeasibleCount(), beyond);
        QVERIFY(!view->frontIds().isEmpty() || beyond == w.candidateModel()->rowCount());
        for (qint64 id : view->frontIds())
            QVERIFY(view->coordinatesOf(id).x() <= ceiling / 1e6);
        for (int r = 0; r < w.candidateModel()->rowCount(); ++r)
            if (w.candidateModel()->candidate(r).macsTrue > ceiling)
                QVERIFY(!w.candidateModel()->isOnFront(r));
        // the whole drag is one undo step; undoing it gives the search, the table and the
        // plot the old ceiling (none) back, and redoing it the new one
        QUndoStack *undo = w.document()->undoStack();
        QCOMPARE(undo->count(), stepsBeforeDrag + 1);
        QVERIFY(undo->undoText().startsWith(QLatin1String("Constraints")));
        undo->undo();
        QVERIFY(std::isinf(w.searchController()->maxMacs()));
        QVERIFY(std::isinf(w.candidateModel()->maxMacs()));
        QVERIFY(std::isinf(view->maxMacs()));
        undo->redo();
        QCOMPARE(w.searchController()->maxMacs(), ceiling);
        QCOMPARE(w.candidateModel()->maxMacs(), ceiling);
        QCOMPARE(view->maxMacs(), ceiling);
        QCOMPARE(undo->count(), stepsBeforeDrag + 1);

        // resume: more candidates arrive; the search runs to its end
        QTest::mouseClick(panel->resumeButton(), Qt::LeftButton);
        QCOMPARE(w.searchController()->state(), SearchController::State::Running);
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() > atPause, 60000);
        QVERIFY(finished.wait(300000) || !finished.isEmpty());
        QCOMPARE(finished.first().first().value<ui::SearchWorker::Outcome>(), ui::SearchWorker::Outcome::Finished);
        QCOMPARE(w.searchController()->state(), SearchController::State::Idle);
        QVERIFY(panel->startButton()->isEnabled());
        QCOMPARE(panel->progressBar()->value(), panel->progressBar()->maximum());
        QTRY_COMPARE(w.candidateModel()->rowCount(), int(evaluated.count()));
        QCOMPARE(view->candidateCount(), int(evaluated.count()));
        QCOMPARE(studyCandidates(study), std::size_t(evaluated.count()));
        settle(view);
        QCOMPARE(view->hypervolumePlot()->graph(0)->dataCount(), 2);
        QCOMPARE(view->generationSlider()->maximum(), 1);
        QVERIFY(w.recentStudies().contains(QFileInfo(study).absoluteFilePath()));

        const double seconds = clock.elapsed() / 1e3;
        qInfo("search of %d candidates in %.1f s; longest event-loop stall %.1f ms (%lld ticks of 10 ms)",
              int(evaluated.count()), seconds, stall.longestMs(), stall.ticks());
        // generous: a GUI thread that waited for the engine would stall ~1 s per candidate
        QVERIFY2(stall.longestMs() < 500.0, qPrintable(QString::number(stall.longestMs())));
        m_finishedStudy = study;
    }

    void closingDuringASearchStopsIt()
    {
        const QString study = m_dir.filePath(QStringLiteral("closed.edanas"));
        auto w = std::make_unique<MainWindow>();
        QVERIFY(prepare(*w, study));
        QSignalSpy evaluated(w->searchController(), &SearchController::candidateEvaluated);
        QSignalSpy finished(w->searchController(), &SearchController::finished);
        w->searchPanel()->findChild<QSpinBox *>(QStringLiteral("generations"))->setValue(50);
        QVERIFY(w->startSearch());
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() >= 1, 120000);
        StallMeter stall;
        QVERIFY(!w->close()); // refused for now: the search stops first
        QVERIFY(w->isVisible());
        QCOMPARE(w->searchController()->state(), SearchController::State::Stopping);
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 60000); // then the window closes itself
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().value<ui::SearchWorker::Outcome>(), ui::SearchWorker::Outcome::Stopped);
        qInfo("closing during a search: %d candidates kept; longest stall while stopping %.1f ms",
              int(evaluated.count()), stall.longestMs());
        w.reset();
        // everything evaluated is in the study, and it resumes
        QCOMPARE(studyCandidates(study), std::size_t(evaluated.count()));
        QVERIFY(evaluated.count() < 4 * 50);
    }

    void opensAStudyAndKeepsTheUsersFlags()
    {
        // opens the study searchIsSteeredWithTheMouse finished (the functions run in order)
        QVERIFY2(!m_finishedStudy.isEmpty(), "run searchIsSteeredWithTheMouse first: its study is opened here");
        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::studyLoaded);
        QSignalSpy failed(&w, &MainWindow::studyFailed);
        const QByteArray before = [&] {
            QFile f(m_finishedStudy);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        w.openStudy(m_finishedStudy);
        QVERIFY(loaded.wait(30000));
        const int n = int(studyCandidates(m_finishedStudy));
        QCOMPARE(loaded.first().first().toInt(), n);
        QCOMPARE(w.candidateModel()->rowCount(), n);
        QCOMPARE(w.paretoView()->candidateCount(), n);
        settle(w.paretoView());
        QCOMPARE(w.paretoView()->hypervolumePlot()->graph(0)->dataCount(), 2);
        // the constraints the search ended with come back with it
        QVERIFY(std::isfinite(w.paretoView()->maxMacs()));
        QVERIFY(!w.windowTitle().contains(QStringLiteral("read-only")));
        {
            QFile after(m_finishedStudy);
            QVERIFY(after.open(QIODevice::ReadOnly));
            QCOMPARE(after.readAll(), before); // opening alone writes nothing
        }
        // the user's note and "fine-tune later" mark are written back to the study
        const qint64 id = w.candidateModel()->idAt(0);
        w.candidateModel()->setNote(id, QStringLiteral("look at this one"));
        w.candidateModel()->setFineTune(id, true);
        auto flagsInFile = [&] {
            const edanas::ui::StudyContents c = edanas::ui::readStudy(m_finishedStudy);
            for (std::size_t i = 0; i < c.candidates.size(); ++i)
                if (c.candidates[i].id == id)
                    return c.flags[i];
            return edanas::ui::CandidateFlags{};
        };
        QTRY_VERIFY_WITH_TIMEOUT(flagsInFile().fineTune, 10000);
        QCOMPARE(flagsInFile().note, QStringLiteral("look at this one"));
        w.candidateModel()->setFineTune(id, false);
        QTRY_VERIFY_WITH_TIMEOUT(!flagsInFile().fineTune, 10000);

        const QString junk = m_dir.filePath(QStringLiteral("junk.edanas"));
        QFile j(junk);
        QVERIFY(j.open(QIODevice::WriteOnly));
        j.write("this is not a study");
        j.close();
        w.openStudy(junk);
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(junk), qPrintable(failed.first().first().toString()));
        QCOMPARE(w.candidateModel()->rowCount(), n); // what was shown stays
    }

    // The window never grows past the screen (issue 16): with a search running and a
    // candidate selected (architecture, exit curves and long status texts shown), a
    // window of 1366 x 768 or 1600 x 1000 keeps its size, every dock inside it.
    void windowStaysInsideTheScreen()
    {
        const QString study = m_dir.filePath(QStringLiteral("screen.edanas"));
        MainWindow w;
        QVERIFY(prepare(w, study));
        w.searchPanel()->findChild<QSpinBox *>(QStringLiteral("generations"))->setValue(50);
        QSignalSpy evaluated(w.searchController(), &SearchController::candidateEvaluated);
        QVERIFY(w.startSearch());
        QTRY_VERIFY_WITH_TIMEOUT(evaluated.count() >= 2, 120000);
        QTRY_VERIFY(w.candidateModel()->rowCount() >= 2);
        w.selectCandidate(w.candidateModel()->idAt(0));
        QTest::qWait(300);
        auto widest = [&w] {
            QString out;
            for (QWidget *child : w.findChildren<QWidget *>()) {
                if (!child->isVisible() || !(qobject_cast<QDockWidget *>(child) || child == w.centralWidget()))
                    continue;
                out += QStringLiteral("\n%1: minimum %2 x %3").arg(child->objectName()).arg(child->minimumSizeHint().width()).arg(child->minimumSizeHint().height());
            }
            return out;
        };
        for (const QSize screen : {QSize(1366, 768), QSize(1600, 1000)}) {
            w.resize(screen);
            QTest::qWait(200); // status texts and plots update
            const QSize minimum = w.minimumSizeHint().expandedTo(w.minimumSize());
            qInfo("on %d x %d: window %d x %d, its minimum %d x %d", screen.width(), screen.height(), w.width(),
                  w.height(), minimum.width(), minimum.height());
            QVERIFY2(w.width() <= screen.width() && w.height() <= screen.height() && minimum.width() <= screen.width()
                         && minimum.height() <= screen.height(),
                     qPrintable(QStringLiteral("%1 x %2 on a %3 x %4 screen (minimum %5 x %6)")
                                    .arg(w.width()).arg(w.height()).arg(screen.width()).arg(screen.height())
                                    .arg(minimum.width()).arg(minimum.height()) + widest()));
        }
        w.searchController()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(w.searchController()->state() == SearchController::State::Idle, 60000);
    }

    // A study that a headless search writes, opened in the Studio: what the search adds
    // afterwards appears as it lands (candidates in the table and the plot, generations
    // in the hypervolume plot), without reopening.
    void followsAStudyAHeadlessSearchWrites()
    {
        const QString cli = qEnvironmentVariable("EDANAS_CLI");
        QVERIFY(!cli.isEmpty());
        const QString study = m_dir.filePath(QStringLiteral("headless.edanas"));
        const QStringList search{"search", "--study", study, "--population", "4", "--stall", "0",
                                 "--validation-images", "200", "--recalibration-images", "100",
                                 "--final-validation-images", "-1"};
        auto runCli = [&](const QStringList &args) {
            QProcess p;
            p.start(cli, args);
            return p.waitForFinished(240000) && p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAllStandardError());
        };
        QString problem = runCli(search + QStringList{"--generations", "1"});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const int before = int(studyCandidates(study));

        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::studyLoaded);
        QSignalSpy followed(&w, &MainWindow::studyFollowed);
        w.openStudy(study);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(w.candidateModel()->rowCount(), before);
        QCOMPARE(w.paretoView()->hypervolumePlot()->graph(0)->dataCount(), 1);

        // the headless search goes on (resumed) while the window shows the study
        QProcess more;
        more.start(cli, search + QStringList{"--generations", "3", "--resume"});
        QVERIFY(more.waitForFinished(240000));
        QVERIFY2(more.exitCode() == 0, more.readAllStandardError().constData());
        const int after = int(studyCandidates(study));
        QVERIFY(after > before);
        QTRY_COMPARE_WITH_TIMEOUT(w.candidateModel()->rowCount(), after, 15000);
        QCOMPARE(w.paretoView()->candidateCount(), after);
        settle(w.paretoView());
        QTRY_COMPARE_WITH_TIMEOUT(w.paretoView()->hypervolumePlot()->graph(0)->dataCount(), 3, 15000);
        QVERIFY(!followed.isEmpty());
        int followedCandidates = 0;
        for (const auto &args : followed)
            followedCandidates += args.at(0).toInt();
        QCOMPARE(followedCandidates, after - before); // each candidate once
    }

    // The Studio steers a search that runs in another process through the study it
    // writes: Pause, pin and Stop reach the headless search, which applies them and
    // records them among its events; the controls follow the search's own status.
    void steersAHeadlessSearch()
    {
        const QString cli = qEnvironmentVariable("EDANAS_CLI");
        const QString study = m_dir.filePath(QStringLiteral("steered-headless.edanas"));
        QProcess headless;
        headless.start(cli, {"search", "--study", study, "--population", "4", "--generations", "500", "--stall", "0",
                             "--validation-images", "200", "--recalibration-images", "100",
                             "--final-validation-images", "-1"});
        QVERIFY(headless.waitForStarted());
        auto started = [&] { // the file appears a moment before it is a study
            try {
                return QFileInfo::exists(study) && studyCandidates(study) > 0;
            } catch (const std::exception &) {
                return false;
            }
        };
        QTRY_VERIFY_WITH_TIMEOUT(started(), 120000);

        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::studyLoaded);
        w.openStudy(study);
        QVERIFY(loaded.wait(30000));
        auto *pause = w.findChild<QAction *>(QStringLiteral("pauseAction"));
        auto *resume = w.findChild<QAction *>(QStringLiteral("resumeAction"));
        auto *stop = w.findChild<QAction *>(QStringLiteral("stopAction"));
        QVERIFY(pause && resume && stop);
        // the study says its search runs (at load, or at the follower's next poll)
        QTRY_VERIFY2_WITH_TIMEOUT(pause->isEnabled(),
                                  qPrintable(w.statusBar()->currentMessage() + "\n"
                                             + QString::fromUtf8(headless.readAllStandardOutput()
                                                                 + headless.readAllStandardError())),
                                  10000);
        auto applied = [&](const std::string &type) {
            const auto s = study::Study::open(study.toStdString(), true);
            const auto events = s.events();
            return std::any_of(events.begin(), events.end(), [&](const auto &e) { return e.type == type; });
        };
        pause->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(applied("pause"), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(resume->isEnabled(), 10000); // the search said "paused"
        const qint64 first = w.candidateModel()->idAt(0);
        w.pinCandidate(first);
        QTRY_VERIFY_WITH_TIMEOUT(applied("pin"), 20000); // applied even while paused
        stop->trigger();
        QVERIFY(headless.waitForFinished(60000));
        QCOMPARE(headless.exitCode(), 130); // stopped, as Ctrl-C would
        QTRY_VERIFY_WITH_TIMEOUT(!stop->isEnabled(), 10000);
        QVERIFY(!pause->isEnabled());
    }

    // A study on a PostgreSQL server (a throw-away cluster), opened by URL with its
    // password: shown and followed like a file, and the password appears nowhere (title,
    // log, status bar, recent studies).
    void opensAServerStudyWithoutShowingItsPassword()
    {
        std::string error;
        const auto pg = edanas::test::PgCluster::tryStart(&error);
        QVERIFY2(pg, error.c_str());
        const QString url = QString::fromStdString(pg->url("studio", true));
        const QString secret = QString::fromLatin1(edanas::test::PgCluster::password());
        QProcess headless;
        headless.start(qEnvironmentVariable("EDANAS_CLI"),
                       {"search", "--study", url, "--population", "4", "--generations", "1", "--stall", "0",
                        "--validation-images", "200", "--recalibration-images", "100", "--final-validation-images",
                        "-1"});
        QVERIFY(headless.waitForFinished(240000));
        QVERIFY2(headless.exitCode() == 0, headless.readAllStandardError().constData());

        MainWindow w;
        w.show();
        QSignalSpy loaded(&w, &MainWindow::studyLoaded);
        w.openStudy(url);
        QVERIFY(loaded.wait(30000));
        QVERIFY(loaded.first().first().toInt() >= 4);
        QCOMPARE(w.candidateModel()->rowCount(), loaded.first().first().toInt());
        auto *log = w.findChild<QPlainTextEdit *>();
        QVERIFY(log);
        QVERIFY(log->toPlainText().contains(QString::fromStdString(pg->url("studio"))));
        QVERIFY(!log->toPlainText().contains(secret));
        QVERIFY(!w.windowTitle().contains(secret));
        QVERIFY(!w.statusBar()->currentMessage().contains(secret));
        const QStringList recent = QSettings().value(QStringLiteral("recentStudies")).toStringList();
        QVERIFY(!recent.isEmpty());
        for (const QString &r : recent)
            QVERIFY(!r.contains(secret));
    }
};

QTEST_MAIN(TestSearchUi)
#include "tst_searchui.moc"
