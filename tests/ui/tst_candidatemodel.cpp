// The candidate table's model and proxy, the front computation and the Pareto view's
// coalescing, on synthetic candidates (no search runs here).
#include "export/mcumemory.h"
#include "search/measure.h"
#include "search/pareto.h"
#include "ui/pareto/paretoview.h"
#include "ui/search/candidatefiltermodel.h"
#include "ui/search/candidatemodel.h"
#include "space/architecture.h"
#include "study/study.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QSlider>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>
#include <set>

using namespace edanas;
using ui::CandidateModel;

namespace {

search::CandidateSnapshot candidate(std::int64_t id, int generation, double accuracy, double macs)
{
    search::CandidateSnapshot c;
    c.id = id;
    c.generation = generation;
    c.accuracy = accuracy;
    c.macsTrue = macs;
    c.macsPaper = 0.8 * macs;
    c.staticMacs = 1.5 * macs;
    c.params = 1e5 * double(id);
    c.sramBytes = 4096.0 * double(id);
    c.flashBytes = 65536.0 * double(id);
    c.origin = generation == 0 ? "random" : "offspring";
    c.genome.depth = {2, 3};
    c.genome.resolution = 28;
    c.genome.exits = {{0, 1, 0.2}};
    return c;
}

} // namespace

class TestCandidateModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void frontOfTwoObjectives_data()
    {
        QTest::addColumn<QVector<double>>("cost");
        QTest::addColumn<QVector<double>>("accuracy");
        QTest::addColumn<QVector<int>>("include");
        QTest::addColumn<QVector<int>>("expected");
        QTest::newRow("empty") << QVector<double>{} << QVector<double>{} << QVector<int>{} << QVector<int>{};
        QTest::newRow("staircase") << QVector<double>{3, 1, 2, 4} << QVector<double>{0.9, 0.5, 0.7, 0.8}
                                   << QVector<int>{1, 1, 1, 1} << QVector<int>{1, 2, 0};
        QTest::newRow("dominated at equal cost") << QVector<double>{1, 1, 2} << QVector<double>{0.5, 0.6, 0.6}
                                                 << QVector<int>{1, 1, 1} << QVector<int>{1};
        QTest::newRow("duplicates kept") << QVector<double>{1, 1, 2} << QVector<double>{0.6, 0.6, 0.7}
                                         << QVector<int>{1, 1, 1} << QVector<int>{0, 1, 2};
        QTest::newRow("excluded points do not dominate") << QVector<double>{1, 2} << QVector<double>{0.9, 0.5}
                                                         << QVector<int>{0, 1} << QVector<int>{1};
    }

    void frontOfTwoObjectives()
    {
        QFETCH(QVector<double>, cost);
        QFETCH(QVector<double>, accuracy);
        QFETCH(QVector<int>, include);
        QFETCH(QVector<int>, expected);
        const std::vector<char> inc(include.begin(), include.end());
        const auto front = search::paretoFront({cost.begin(), cost.end()}, {accuracy.begin(), accuracy.end()}, inc);
        QCOMPARE(QVector<int>(front.begin(), front.end()), expected);
    }

    void modelPassesTheTester()
    {
        CandidateModel model;
        ui::CandidateFilterModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.sort(CandidateModel::Accuracy, Qt::DescendingOrder);
        std::mt19937 rng(3);
        std::uniform_real_distribution<double> acc(0.5, 0.95), macs(1e6, 9e6);
        for (int batch = 0; batch < 5; ++batch) {
            for (int i = 0; i < 20; ++i)
                model.addCandidate(candidate(batch * 20 + i + 1, batch, acc(rng), macs(rng)));
            model.flush();
        }
        QCOMPARE(model.rowCount(), 100);
        model.setConstraints(5e6, 0.7);
        proxy.setFrontOnly(true);
        QVERIFY(proxy.rowCount() > 0 && proxy.rowCount() < 100);
        model.setPinned(7, true);
        model.setBanned(8, true);
        QVERIFY(model.setData(model.index(3, CandidateModel::Note), QStringLiteral("looks good")));
        proxy.setFrontOnly(false);
        proxy.setHideBanned(true);
        QCOMPARE(proxy.rowCount(), 99);
        proxy.setText(QStringLiteral("looks"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setText({});
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(proxy.rowCount(), 0);
    }

    // A candidate as the search stores it (its int8 microcontroller memory), read back
    // as the Studio reads a study: the table's SRAM and flash columns are the
    // export/mcumemory.h figures of its architecture, in KiB.
    void memoryColumnsAreTheMicrocontrollerFigures()
    {
        const auto space = space::SearchSpace::load("ofa-mbv3");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("memory.edanas"));
        std::vector<std::pair<space::Genome, deploy::McuMemory>> genomes;
        {
            study::StudyInfo info;
            info.configJson = search::SearchConfig().toJson();
            info.spaceName = space.name;
            auto s = study::Study::create(path.toStdString(), info);
            for (const bool largest : {false, true}) {
                auto g = largest ? space::Genome::largest(space) : space::Genome::smallest(space);
                const auto allowed = space::allowedExitPositions(space, g);
                QVERIFY(!allowed.empty());
                g.exits = {{allowed.front().first, allowed.front().second, 0.2}};
                const auto mcu = deploy::mcuMemory(space::describe(space, g));
                study::CandidateRecord r;
                r.genomeJson = g.toJson();
                r.genomeHash = g.hash();
                r.genes = {0};
                r.objectives = {0.5, 1e6};
                r.accuracy = 0.5;
                r.sramBytes = double(mcu.arena);
                r.flashBytes = double(mcu.flash);
                r.origin = "random";
                s.addCandidate(r);
                genomes.emplace_back(g, mcu);
            }
        }
        const auto contents = ui::readStudy(path);
        CandidateModel model;
        for (std::size_t i = 0; i < contents.candidates.size(); ++i)
            model.addCandidate(contents.candidates[i], contents.flags[i]);
        model.flush();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.headerData(CandidateModel::SramMemory, Qt::Horizontal).toString(), QStringLiteral("SRAM (KiB)"));
        QCOMPARE(model.headerData(CandidateModel::FlashMemory, Qt::Horizontal).toString(),
                 QStringLiteral("Flash (KiB)"));
        for (int row = 0; row < 2; ++row) {
            QCOMPARE(model.candidate(row).genome.toJson(), genomes[std::size_t(row)].first.toJson());
            const auto &mcu = genomes[std::size_t(row)].second;
            QVERIFY(mcu.arena > 0 && mcu.flash > mcu.arena);
            const auto sram = model.index(row, CandidateModel::SramMemory);
            const auto flash = model.index(row, CandidateModel::FlashMemory);
            QCOMPARE(sram.data().toString().toDouble(), std::round(double(mcu.arena) / 1024.0 * 10) / 10);
            QCOMPARE(flash.data().toString().toDouble(), std::round(double(mcu.flash) / 1024.0 * 10) / 10);
            QCOMPARE(sram.data(CandidateModel::SortRole).toDouble(), double(mcu.arena));
            QCOMPARE(flash.data(CandidateModel::SortRole).toDouble(), double(mcu.flash));
        }
        // a larger network needs more of both
        QVERIFY(genomes[1].second.arena > genomes[0].second.arena);
        QVERIFY(genomes[1].second.flash > genomes[0].second.flash);
    }

    void appendsInBatches()
    {
        CandidateModel model;
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int i = 1; i <= 250; ++i)
            model.addCandidate(candidate(i, 0, 0.5 + i * 1e-3, 1e6 * i));
        QCOMPARE(model.rowCount(), 0); // buffered, not yet rows
        QCOMPARE(model.pendingCount(), 250);
        QTRY_COMPARE(model.rowCount(), 250); // the coalescing timer flushes them
        QCOMPARE(inserted.count(), 1);       // in one insertion
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 249);
        QCOMPARE(model.rowOf(250), 249);
        QCOMPARE(model.idAt(0), qint64(1));
    }

    void frontFlagsFollowTheConstraints()
    {
        CandidateModel model;
        // ids 1..4 on a staircase; 5 dominated
        model.addCandidate(candidate(1, 0, 0.60, 1e6));
        model.addCandidate(candidate(2, 0, 0.70, 2e6));
        model.addCandidate(candidate(3, 1, 0.80, 3e6));
        model.addCandidate(candidate(4, 1, 0.90, 4e6));
        model.addCandidate(candidate(5, 1, 0.65, 3.5e6));
        model.flush();
        QCOMPARE(model.frontSize(), 4);
        QVERIFY(!model.isOnFront(model.rowOf(5)));
        QCOMPARE(model.data(model.index(model.rowOf(4), CandidateModel::OnFront)).toString(), QStringLiteral("yes"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setConstraints(3.2e6, 0.65); // 4 is too costly, 1 not accurate enough
        QCOMPARE(changed.count(), 1);
        QVERIFY(!model.isOnFront(model.rowOf(1)));
        QVERIFY(model.isOnFront(model.rowOf(2)));
        QVERIFY(model.isOnFront(model.rowOf(3)));
        QVERIFY(!model.isOnFront(model.rowOf(4)));
        QCOMPARE(model.frontSize(), 2);

        // the paper's cost: 4 costs 3.2 M there, within the ceiling
        auto paper = model.limits();
        paper.trueCost = false;
        model.setLimits(paper);
        QVERIFY(model.isOnFront(model.rowOf(4)));
    }

    // One feasibility rule: the table and the plot put on the front exactly the candidates
    // the engine finds feasible (search::constraintViolation, parameter and SRAM ceilings
    // included) and no other feasible candidate dominates.
    void tableAndPlotRuleAsTheEngine()
    {
        search::SearchConfig config;
        config.maxMacs = 6e6;
        config.minAccuracy = 0.6;
        config.maxParams = 3e6;
        config.maxSramBytes = 96 * 1024.0;
        CandidateModel model;
        ui::ParetoView plot;
        model.setLimits(search::limitsOf(config));
        plot.setLimits(search::limitsOf(config));
        std::mt19937 rng(11);
        std::uniform_real_distribution<double> acc(0.5, 0.95), macs(1e6, 9e6), params(1e6, 4e6), sram(32e3, 128e3);
        std::vector<search::CandidateSnapshot> all;
        for (int i = 1; i <= 200; ++i) {
            auto c = candidate(i, i / 20, acc(rng), macs(rng));
            c.params = params(rng);
            c.sramBytes = sram(rng);
            all.push_back(c);
            model.addCandidate(c);
            plot.addCandidate(c);
        }
        model.flush();
        plot.replotNow();
        std::set<qint64> expected;
        for (const auto &a : all) {
            if (search::constraintViolation(a, config) != 0.0)
                continue;
            bool dominated = false;
            for (const auto &b : all)
                dominated |= search::constraintViolation(b, config) == 0.0 && b.macsTrue <= a.macsTrue
                             && b.accuracy >= a.accuracy && (b.macsTrue < a.macsTrue || b.accuracy > a.accuracy);
            if (!dominated)
                expected.insert(a.id);
        }
        QVERIFY(expected.size() >= 2);
        std::set<qint64> inTable, inPlot;
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.isOnFront(row))
                inTable.insert(model.idAt(row));
        for (qint64 id : plot.frontIds())
            inPlot.insert(id);
        QCOMPARE(inTable, expected);
        QCOMPARE(inPlot, expected);
        // the SRAM ceiling alone removes someone from the front
        auto looser = search::limitsOf(config);
        looser.maxSramBytes = std::numeric_limits<double>::infinity();
        model.setLimits(looser);
        std::set<qint64> withoutSram;
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.isOnFront(row))
                withoutSram.insert(model.idAt(row));
        QVERIFY(withoutSram != expected);
    }

    void sortsByNumberNotByText()
    {
        CandidateModel model;
        ui::CandidateFilterModel proxy;
        proxy.setSourceModel(&model);
        model.addCandidate(candidate(1, 0, 0.095, 9e6)); // "9.50" %
        model.addCandidate(candidate(2, 0, 0.102, 10e6)); // "10.20" %
        model.addCandidate(candidate(3, 0, 0.80, 2e6));
        model.flush();
        proxy.sort(CandidateModel::Accuracy, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, CandidateModel::Id).data().toString(), QStringLiteral("3"));
        QCOMPARE(proxy.index(1, CandidateModel::Id).data().toString(), QStringLiteral("2"));
        QCOMPARE(proxy.index(2, CandidateModel::Id).data().toString(), QStringLiteral("1"));
        proxy.sort(CandidateModel::MacsTrue, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, CandidateModel::Id).data().toString(), QStringLiteral("3"));
        QCOMPARE(proxy.index(2, CandidateModel::Id).data().toString(), QStringLiteral("2"));
        QCOMPARE(proxy.index(0, CandidateModel::MacsTrue).data().toString(), QStringLiteral("2.000"));
        QCOMPARE(proxy.index(0, CandidateModel::Accuracy).data().toString(), QStringLiteral("80.00"));
    }

    void notesAndFlagsAreReported()
    {
        CandidateModel model;
        model.addCandidate(candidate(1, 0, 0.6, 1e6));
        model.flush();
        QSignalSpy edited(&model, &CandidateModel::flagsEdited);
        QVERIFY(model.flags(model.index(0, CandidateModel::Note)) & Qt::ItemIsEditable);
        QVERIFY(!(model.flags(model.index(0, CandidateModel::Accuracy)) & Qt::ItemIsEditable));
        QVERIFY(model.setData(model.index(0, CandidateModel::Note), QStringLiteral("keep")));
        model.setPinned(1, true);
        model.setPinned(1, true); // no change, no report
        QCOMPARE(edited.count(), 2);
        const auto flags = edited.last().at(1).value<ui::CandidateFlags>();
        QVERIFY(flags.pinned);
        QCOMPARE(flags.note, QStringLiteral("keep"));
        QCOMPARE(model.data(model.index(0, CandidateModel::Status)).toString(), QStringLiteral("pinned"));
    }

    void viewCoalescesReplots()
    {
        ui::ParetoView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(!view.isUpdatePending());
        QTest::qWait(50);
        const int before = view.replotCount();
        std::mt19937 rng(1);
        std::uniform_real_distribution<double> acc(0.5, 0.95), macs(1e6, 9e6);
        // 2000 candidates over ~0.5 s: one replot per candidate would be 2000
        for (int i = 1; i <= 2000; ++i) {
            view.addCandidate(candidate(i, i / 200, acc(rng), macs(rng)));
            if (i % 100 == 0)
                QTest::qWait(25);
        }
        QTRY_VERIFY(!view.isUpdatePending());
        QTRY_COMPARE(view.plottedCount(), 2000);
        const int replots = view.replotCount() - before;
        QVERIFY2(replots >= 1 && replots <= 40, qPrintable(QString::number(replots)));
        QVERIFY(!view.frontIds().isEmpty());
        // the front is non-dominated and sorted by cost
        double lastCost = -1, lastAcc = -1;
        for (qint64 id : view.frontIds()) {
            const QPointF p = view.coordinatesOf(id);
            QVERIFY(p.x() >= lastCost && p.y() >= lastAcc);
            lastCost = p.x();
            lastAcc = p.y();
        }
        QCOMPARE(view.generationSlider()->maximum(), 10);
    }

    void replaySliderShowsEarlierGenerations()
    {
        ui::ParetoView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int g = 0; g < 4; ++g) {
            for (int i = 0; i < 5; ++i)
                view.addCandidate(candidate(g * 5 + i + 1, g, 0.6 + 0.05 * g + 0.01 * i, 1e6 * (1 + i)));
            search::GenerationSnapshot s;
            s.generation = g;
            s.hypervolume = 0.1 * (g + 1);
            view.addGeneration(s);
        }
        view.replotNow();
        QCOMPARE(view.plottedCount(), 20);
        view.generationSlider()->setValue(1); // as the user drags it
        view.replotNow();
        QCOMPARE(view.replayGeneration(), 1);
        QCOMPARE(view.plottedCount(), 10);
        for (qint64 id : view.frontIds())
            QVERIFY(id <= 10);
        view.generationSlider()->setValue(3);
        view.replotNow();
        QCOMPARE(view.replayGeneration(), -1); // the last one: live again
        QCOMPARE(view.plottedCount(), 20);
        QCOMPARE(view.hypervolumePlot()->graph(0)->dataCount(), 4);
    }

    void viewFloorDragBoxZoomAndAxes()
    {
        ui::ParetoView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int i = 1; i <= 40; ++i)
            view.addCandidate(candidate(i, i / 10, 0.60 + 0.008 * i, 1e6 * (1 + (i * 7) % 40 / 5.0)));
        view.replotNow();
        QCustomPlot *plot = view.plot();
        const QRect r = plot->axisRect()->rect();

        // the accuracy floor (absent: on the bottom edge) dragged up to 75 %
        QSignalSpy edited(&view, &ui::ParetoView::constraintsEdited);
        const QPoint grab = view.floorHandle();
        QCOMPARE(grab.y(), r.bottom());
        const QPoint drop(grab.x(), int(std::lround(plot->yAxis->coordToPixel(75.0))));
        QTest::mousePress(plot, Qt::LeftButton, {}, grab);
        QTest::mouseMove(plot, (grab + drop) / 2);
        QTest::mouseMove(plot, drop);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, drop);
        QCOMPARE(edited.count(), 1);
        const double floor = edited.first().at(1).toDouble();
        QVERIFY2(std::abs(floor - 0.75) < 0.005, qPrintable(QString::number(floor)));
        QVERIFY(std::isinf(edited.first().at(0).toDouble()));
        view.replotNow();
        int below = 0;
        for (int i = 1; i <= 40; ++i)
            below += 0.60 + 0.008 * i < floor;
        QCOMPARE(view.infeasibleCount(), below);
        for (qint64 id : view.frontIds())
            QVERIFY(view.coordinatesOf(id).y() >= 100.0 * floor);
        // dragged back down to the edge: no floor
        QTest::mousePress(plot, Qt::LeftButton, {}, view.floorHandle());
        QTest::mouseMove(plot, QPoint(grab.x(), r.bottom()));
        QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(grab.x(), r.bottom()));
        QCOMPARE(view.minAccuracy(), 0.0);

        // a zoom box narrows both axes; a double click resets them
        view.replotNow();
        const QCPRange x0 = plot->xAxis->range(), y0 = plot->yAxis->range();
        const QPoint a = r.topLeft() + QPoint(r.width() / 4, r.height() / 4);
        const QPoint b = r.topLeft() + QPoint(r.width() / 2, r.height() / 2);
        QTest::mousePress(plot, Qt::LeftButton, {}, a);
        QTest::mouseMove(plot, (a + b) / 2);
        QTest::mouseMove(plot, b);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, b);
        QVERIFY2(plot->xAxis->range().size() < 0.6 * x0.size(), qPrintable(QString::number(plot->xAxis->range().size())));
        QVERIFY(plot->yAxis->range().size() < 0.6 * y0.size());
        view.replotNow(); // new data must not undo the user's zoom
        QVERIFY(plot->xAxis->range().size() < 0.6 * x0.size());
        QTest::mouseDClick(plot, Qt::LeftButton, {}, b);
        view.replotNow();
        QCOMPARE(plot->xAxis->range().lower, x0.lower);
        QCOMPARE(plot->xAxis->range().upper, x0.upper);

        // paper's cost and a log axis
        view.setCost(ui::ParetoView::Cost::Paper);
        view.setLogScale(true);
        view.replotNow();
        QCOMPARE(view.coordinatesOf(1).x(), 0.8 * 1e6 * (1 + 7 % 40 / 5.0) / 1e6);
        QCOMPARE(plot->xAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(plot->xAxis->label().contains(QStringLiteral("paper")));
        QVERIFY(plot->xAxis->range().lower > 0);
    }
};

QTEST_MAIN(TestCandidateModel)
#include "tst_candidatemodel.moc"
