// The Pareto view with 10,000 candidates, offscreen: the time of a full replot, of a
// rebuild (re-ranking, sorting, front) plus replot, and of one step of a constraint
// drag (mouse move event to repainted widget). Budget: replot under 16 ms (DESIGN.md).
// Usage: bench_pareto [points] [repeats]
#include "ui/pareto/paretoview.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace edanas;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double q)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, std::size_t(q * double(v.size())))];
}

template<class F>
std::vector<double> timeMs(int repeats, F &&f)
{
    std::vector<double> out;
    QElapsedTimer t;
    for (int i = 0; i < repeats; ++i) {
        t.start();
        f(i);
        out.push_back(t.nsecsElapsed() / 1e6);
    }
    return out;
}

void report(const char *what, const std::vector<double> &ms)
{
    std::printf("%-46s median %7.2f ms   p90 %7.2f ms   (%zu runs)\n", what, median(ms), percentile(ms, 0.9), ms.size());
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int points = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10000;
    const int repeats = argc > 2 ? std::max(3, std::atoi(argv[2])) : 40;
    const int generations = 50;

    ui::ParetoView view;
    view.resize(1200, 800);
    view.show();
    QCoreApplication::processEvents();

    // a plausible cloud: accuracy saturating with MACs, noise, 50 generations
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> macs(0.3e6, 9e6), noise(-0.08, 0.0);
    view.setPlannedGenerations(generations);
    for (int i = 1; i <= points; ++i) {
        search::CandidateSnapshot c;
        c.id = i;
        c.generation = (i - 1) * generations / points;
        c.macsTrue = macs(rng);
        c.macsPaper = 0.85 * c.macsTrue;
        c.accuracy = 0.55 + 0.35 * (1.0 - std::exp(-c.macsTrue / 2.5e6)) + noise(rng);
        c.origin = "offspring";
        c.genome.depth = {2, 3, 4, 3, 2};
        c.genome.exits = {{1, 2, 0.2}};
        view.addCandidate(c);
    }
    for (int g = 0; g < generations; ++g) {
        search::GenerationSnapshot s;
        s.generation = g;
        s.hypervolume = 0.5 + 0.3 * (1.0 - std::exp(-g / 10.0));
        view.addGeneration(s);
    }
    view.setConstraints(6e6, 0.6); // some infeasible points, greyed
    view.replotNow();
    std::printf("Pareto view: %d candidates (%d plotted, %d infeasible, front %lld), %d generations, "
                "plot %dx%d px, offscreen\n",
                view.candidateCount(), view.plottedCount(), view.infeasibleCount(),
                static_cast<long long>(view.frontIds().size()), generations, view.plot()->width(),
                view.plot()->height());

    QCustomPlot *plot = view.plot();
    report("replot (QCustomPlot::replot, immediate)", timeMs(repeats, [&](int) {
               plot->replot(QCustomPlot::rpImmediateRefresh);
           }));
    std::vector<double> own;
    for (int i = 0; i < repeats; ++i) {
        plot->replot(QCustomPlot::rpImmediateRefresh);
        own.push_back(plot->replotTime());
    }
    report("  of which drawing (QCustomPlot::replotTime)", own);
    report("rebuild (re-rank, sort, front) + replot", timeMs(repeats, [&](int) { view.replotNow(); }));
    view.setLogScale(true);
    view.replotNow();
    report("replot, log MACs axis", timeMs(repeats, [&](int) { plot->replot(QCustomPlot::rpImmediateRefresh); }));
    view.setLogScale(false);
    view.replotNow();

    // a constraint drag: press on the ceiling, moves of 2 px, each repainted at once;
    // the re-ranking replot follows from the coalescing timer, measured above
    const QPoint grab = view.ceilingHandle();
    QMouseEvent press(QEvent::MouseButtonPress, grab, plot->mapToGlobal(grab), Qt::LeftButton, Qt::LeftButton,
                      Qt::NoModifier);
    QApplication::sendEvent(plot, &press);
    const auto drag = timeMs(repeats, [&](int i) {
        const QPoint p = grab - QPoint(2 * (i + 1), 0);
        QMouseEvent move(QEvent::MouseMove, p, plot->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
        plot->repaint();
    });
    const QPoint end = grab - QPoint(2 * repeats, 0);
    QMouseEvent release(QEvent::MouseButtonRelease, end, plot->mapToGlobal(end), Qt::LeftButton, Qt::NoButton,
                        Qt::NoModifier);
    QApplication::sendEvent(plot, &release);
    report("constraint drag step (move event -> repainted)", drag);
    std::printf("ceiling after the drag: %.3f MMACs\n", view.maxMacs() / 1e6);
    return 0;
}
