// The architecture inspector and the per-exit curves driven as a user does: drag an
// exit marker to another block boundary, double-click a boundary, drag a threshold
// line; the figures, the plotted curves and the undo stack follow.
#include "ui/architecture/architectureview.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/exits/varianteditor.h"

#include "eenn/curves.h"
#include "eenn/profilestore.h"
#include "ui/mainwindow/mainwindow.h"
#include "ui/search/candidatemodel.h"
#include "ui/pareto/paretoview.h"
#include "search/engine.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"

#include <QAction>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <QTest>
#include <QStatusBar>
#include <QUndoStack>

#include <qcustomplot.h>

#include <random>

using namespace edanas;

namespace {

// A profile over ofa-mbv3's smallest backbone: an exit position at each stage end.
std::shared_ptr<const eenn::ExitProfile> profile()
{
    std::mt19937 rng(8);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    auto p = std::make_shared<eenn::ExitProfile>();
    p->resize(2000, 5);
    p->classes = 10;
    p->position = {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {-1, -1}};
    for (int q = 0; q < 5; ++q) {
        p->backboneMacs[std::size_t(q)] = 700000 * (q + 1);
        p->exitMacs[std::size_t(q)] = 60000;
    }
    for (int s = 0; s < 2000; ++s) {
        const float d = u(rng);
        for (int q = 0; q < 5; ++q) {
            const float m = std::clamp(0.3f + 0.15f * q - d + 0.2f * (u(rng) - 0.5f), 0.f, 1.f);
            p->margin[p->at(s, q)] = m;
            p->correct[p->at(s, q)] = d < 0.5f + 0.1f * q;
        }
    }
    return p;
}

const QCPGraph *graph(QCustomPlot *plot, const QString &name)
{
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    return nullptr;
}

} // namespace

class TestInspector : public QObject
{
    Q_OBJECT

private:
    space::SearchSpace m_space = space::SearchSpace::load("ofa-mbv3");

    space::Genome genome() const
    {
        auto g = space::Genome::smallest(m_space);
        g.exits = {{0, 1, 0.3}, {2, 1, 0.2}};
        return g;
    }

private Q_SLOTS:
    void dragAnExitMarker()
    {
        ui::VariantEditor editor;
        ui::ArchitectureView view(&editor);
        ui::ExitCurvesView curves(&editor);
        view.setSpace(m_space);
        view.resize(1000, 200);
        view.show();
        curves.resize(600, 700);
        curves.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto p = profile();
        editor.setCandidate(3, genome(), p);
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 2}));

        // press on exit 1's marker (position 0), move over boundary 1, release
        const QPoint from = view.markerPoint(0).toPoint();
        const QPoint over = view.boundaryPoint(1).toPoint();
        QVERIFY(over.x() > from.x());
        QTest::mousePress(&view, Qt::LeftButton, {}, from);
        QTest::mouseMove(&view, QPoint((from.x() + over.x()) / 2 + 1, from.y()));
        QTest::mouseMove(&view, QPoint(over.x(), from.y()));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(over.x(), from.y()));
        QCOMPARE(editor.config().exits, (std::vector<int>{1, 2}));
        QCOMPARE(editor.undoStack()->count(), 1); // the whole drag is one step
        // the figures and the plotted current point are the profile's for the new exits
        const auto e = eenn::evaluate(*p, editor.config());
        QCOMPARE(editor.evaluation().accuracy, e.accuracy);
        const auto *current = graph(curves.tradeoffPlot(), "current setting");
        QVERIFY(current);
        QCOMPARE(current->data()->at(0)->value, 100.0 * e.accuracy);
        QCOMPARE(current->data()->at(0)->key, e.averageMacsTrue / 1e6);
        // the variant's shares in the stacked bars (second bar), exit 1 at the bottom
        auto *bars = qobject_cast<QCPBars *>(curves.sharesPlot()->plottable(0));
        QVERIFY(bars);
        QCOMPARE(bars->data()->at(1)->value, 100.0 * e.share[0]);

        // double-click an empty boundary: a new exit; on an exit: removed
        QTest::mouseDClick(&view, Qt::LeftButton, {}, view.boundaryPoint(3).toPoint());
        QCOMPARE(editor.config().exits, (std::vector<int>{1, 2, 3}));
        QTest::mouseDClick(&view, Qt::LeftButton, {}, view.boundaryPoint(2).toPoint());
        QCOMPARE(editor.config().exits, (std::vector<int>{1, 3}));
        QCOMPARE(editor.undoStack()->count(), 3);
        editor.undoStack()->undo();
        editor.undoStack()->undo();
        editor.undoStack()->undo();
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 2}));
        QCOMPARE(current->data()->at(0)->value, 100.0 * eenn::evaluate(*p, editor.original()).accuracy);
    }

    void dragAThresholdLine()
    {
        ui::VariantEditor editor;
        ui::ExitCurvesView curves(&editor);
        curves.resize(600, 700);
        curves.show();
        QVERIFY(QTest::qWaitForWindowExposed(&curves));
        const auto p = profile();
        editor.setCandidate(4, genome(), p);
        curves.selectExit(0);
        auto *plot = curves.thresholdPlot();
        plot->replot();
        const int y = int(plot->yAxis->coordToPixel(50));
        const int at = int(std::lround(plot->xAxis->coordToPixel(0.3)));
        const int to = int(std::lround(plot->xAxis->coordToPixel(0.6)));
        QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(at, y));
        QTest::mouseMove(plot, QPoint((at + to) / 2, y));
        QTest::mouseMove(plot, QPoint(to, y));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(to, y));
        const double t = editor.config().thresholds[0];
        QVERIFY2(std::abs(t - 0.6) < 0.02, std::to_string(t).c_str());
        QCOMPARE(editor.undoStack()->count(), 1);
        const auto e = eenn::evaluate(*p, editor.config());
        QCOMPARE(editor.evaluation().accuracy, e.accuracy);
        // a higher first threshold: fewer inputs leave there than before
        QVERIFY(e.share[0] < eenn::evaluate(*p, editor.original()).share[0]);
        const auto *current = graph(curves.tradeoffPlot(), "current setting");
        QCOMPARE(current->data()->at(0)->key, e.averageMacsTrue / 1e6);
        // a press away from the line changes nothing
        QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(at - 40, y));
        QTest::mouseMove(plot, QPoint(at - 80, y));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(at - 80, y));
        QCOMPARE(editor.config().thresholds[0], t);
    }

    void selectingACandidateInTheStudio()
    {
        // a study as a search leaves it: a front candidate with its stored profile
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("front.edanas")).toStdString();
        const auto p = profile();
        const auto g = genome();
        {
            study::StudyInfo info;
            info.configJson = search::SearchConfig().toJson();
            info.spaceName = "ofa-mbv3";
            info.encoding = "studio";
            auto s = study::Study::create(path, info);
            study::CandidateRecord r;
            r.genomeJson = g.toJson();
            r.genomeHash = g.hash();
            r.genes = {0};
            const auto e = eenn::evaluate(*p, eenn::configFromGenome(*p, g));
            r.objectives = {1 - e.accuracy, e.averageMacsTrue};
            r.accuracy = e.accuracy;
            r.macsTrue = e.averageMacsTrue;
            r.macsPaper = e.averageMacsPaper;
            r.staticMacs = double(p->backboneMacs.back() + p->exitMacs.back());
            r.figuresJson = "{\"static_accuracy\": 0.61}";
            r.origin = "random";
            const auto id = s.addCandidate(r);
            s.addGeneration({0, 0.5, {id}, {id}, "{}", ""});
            s.putProfile(g.backboneHash(), g.resolution, eenn::serializeProfile(*p));
        }
        ui::MainWindow window;
        window.showSupernet(QString::fromStdString(supernet::defaultSupernetPath()));
        window.resize(1500, 950);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(&window, &ui::MainWindow::studyLoaded);
        QSignalSpy failed(&window, &ui::MainWindow::studyFailed);
        window.openStudy(QString::fromStdString(path));
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() + failed.count() > 0, 20000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const qint64 id = window.candidateModel()->idAt(0);
        window.selectCandidate(id);
        auto *editor = window.variantEditor();
        // the profile is read from the study off the GUI thread: it arrives a moment later
        QTRY_VERIFY_WITH_TIMEOUT(editor->isActive(), 10000);
        QCOMPARE(editor->candidateId(), id);
        QCOMPARE(editor->config().exits, (std::vector<int>{0, 2}));
        // drag exit 2 from stage 3's end to stage 4's on the window's inspector
        auto *view = window.architectureView();
        QTRY_VERIFY(view->markerPoint(2).x() > 0);
        const QPoint from = view->markerPoint(2).toPoint();
        const QPoint to = view->boundaryPoint(3).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, from);
        QTest::mouseMove(view, QPoint(to.x(), from.y()));
        QTest::mouseRelease(view, Qt::LeftButton, {}, QPoint(to.x(), from.y()));
        QCOMPARE(editor->config().exits, (std::vector<int>{0, 3}));
        QVERIFY(window.statusBar()->currentMessage().contains("(edited)"));
        // the variant is its own point on the Pareto view, where its figures put it
        const QPointF variant = window.paretoView()->variantPoint();
        QCOMPARE(variant.y(), 100.0 * editor->evaluation().accuracy);
        QCOMPARE(variant.x(), editor->evaluation().averageMacsTrue / 1e6);
        // and the static network of the same backbone as the baseline series
        auto *plot = window.paretoView()->findChild<QCustomPlot *>();
        QVERIFY(plot);
        const QCPGraph *statics = graph(plot, "Static backbones");
        QVERIFY(statics);
        window.paretoView()->replotNow();
        QCOMPARE(statics->data()->size(), 1);
        QCOMPARE(statics->data()->at(0)->value, 61.0);
        // Edit > Undo and Redo
        auto *undo = window.findChild<QAction *>(QStringLiteral("undoAction"));
        auto *redo = window.findChild<QAction *>(QStringLiteral("redoAction"));
        QVERIFY(undo && redo && undo->isEnabled());
        undo->trigger();
        QCOMPARE(editor->config().exits, (std::vector<int>{0, 2}));
        QVERIFY(window.paretoView()->variantPoint().isNull()); // back to the candidate itself
        redo->trigger();
        QCOMPARE(editor->config().exits, (std::vector<int>{0, 3}));
        QCOMPARE(editor->evaluation().accuracy, eenn::evaluate(*p, editor->config()).accuracy);
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
