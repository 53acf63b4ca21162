// From a threshold-drag event to repainted views, with a 10,000-sample x 20-position
// profile (budget: one frame, 16 ms): the VariantEditor re-evaluates, the exit curves
// recompute (trade-off and threshold sweep, 101 steps each) and replot, the
// architecture view and the Pareto view's variant point repaint. Offscreen.
// Usage: QT_QPA_PLATFORM=offscreen bench_inspector
#include "ui/architecture/architectureview.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/exits/varianteditor.h"
#include "ui/pareto/paretoview.h"

#include <QApplication>
#include <QElapsedTimer>

#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace edanas;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    auto space = space::SearchSpace::load("ofa-mbv3");
    space.exitPlacement = space::ExitPlacement::AnyBlock; // 19 early positions for depth 4 everywhere
    auto genome = space::Genome::largest(space);
    const auto positions = space::allowedExitPositions(space, genome);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    auto p = std::make_shared<eenn::ExitProfile>();
    const int n = 10000, P = int(positions.size()) + 1;
    p->resize(n, P);
    p->classes = 10;
    for (int q = 0; q < P; ++q) {
        p->position[std::size_t(q)] = q + 1 < P ? positions[std::size_t(q)] : std::make_pair(-1, -1);
        p->backboneMacs[std::size_t(q)] = 500000 * (q + 1);
        p->exitMacs[std::size_t(q)] = 40000;
    }
    for (std::size_t i = 0; i < p->margin.size(); ++i) {
        p->margin[i] = u(rng);
        p->correct[i] = u(rng) < 0.8f;
    }
    genome.exits = {{0, 3, 0.6}, {1, 3, 0.5}, {2, 3, 0.4}, {3, 3, 0.3}};

    ui::VariantEditor editor;
    ui::ArchitectureView architecture(&editor);
    architecture.setSpace(space);
    architecture.resize(1200, 200);
    ui::ExitCurvesView curves(&editor);
    curves.resize(400, 800);
    ui::ParetoView pareto;
    pareto.resize(1000, 700);
    architecture.show();
    curves.show();
    pareto.show();
    editor.setCandidate(1, genome, p);
    QApplication::processEvents();
    std::printf("profile %d samples x %d positions, 4 exits\n", n, P);

    std::vector<double> ms, compute;
    for (int i = 0; i < 60; ++i) {
        QElapsedTimer t;
        t.start();
        editor.setThreshold(1, 0.3 + 0.4 * (i % 20) / 20.0, true); // what a drag event does
        compute.push_back(double(t.nsecsElapsed()) / 1e6);
        const auto &e = editor.evaluation();
        pareto.setVariant(e.accuracy, e.averageMacsTrue, e.averageMacsPaper);
        // what the event loop then does: every queued replot and repaint, now
        for (auto *plot : {curves.tradeoffPlot(), curves.thresholdPlot(), curves.sharesPlot()})
            plot->replot(QCustomPlot::rpImmediateRefresh);
        architecture.repaint();
        pareto.findChild<QCustomPlot *>()->repaint(); // setVariant redrew the variant's layer
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    editor.finishDrag();
    std::sort(ms.begin(), ms.end());
    std::sort(compute.begin(), compute.end());
    std::printf("of which re-evaluation and curves (before any repaint): median %.2f ms\n", compute[compute.size() / 2]);
    std::printf("drag event to repainted views: median %.2f ms, 90th percentile %.2f ms (budget 16 ms)\n",
                ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
    return 0;
}
