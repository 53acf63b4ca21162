// The search optimizer: Pareto primitives against brute force and hand-computed values,
// NSGA-II convergence on discretised ZDT1/ZDT2, determinism, and every steering call.
#include "search/nsga2.h"
#include "search/pareto.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>

using namespace edanas::search;

namespace {

using Points = std::vector<std::vector<double>>;
constexpr double inf = std::numeric_limits<double>::infinity();

// Deb's constrained domination, straight from the definition.
bool dominates(const Points &f, const std::vector<double> &v, std::size_t a, std::size_t b)
{
    if (v[a] > 0 || v[b] > 0)
        return v[a] < v[b];
    bool better = false;
    for (std::size_t m = 0; m < f[a].size(); ++m) {
        if (f[a][m] > f[b][m])
            return false;
        better = better || f[a][m] < f[b][m];
    }
    return better;
}

// Peels fronts: rank k = not dominated by anything left after removing ranks < k.
std::vector<int> bruteForceRanks(const Points &f, const std::vector<double> &v)
{
    std::vector<int> rank(f.size(), -1);
    for (int r = 0, assigned = 0; assigned < int(f.size()); ++r) {
        std::vector<std::size_t> front;
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (rank[i] >= 0)
                continue;
            bool dominated = false;
            for (std::size_t j = 0; j < f.size() && !dominated; ++j)
                dominated = rank[j] < 0 && dominates(f, v, j, i);
            if (!dominated)
                front.push_back(i);
        }
        for (std::size_t i : front)
            rank[i] = r;
        assigned += int(front.size());
    }
    return rank;
}

constexpr int kLevels = 1000;

// ZDT1 (convex) or ZDT2 (concave) over 30 genes, x_i = level / 999.
std::vector<double> zdt(int kind, const IntGenome &x)
{
    const double f1 = x[0] / double(kLevels - 1);
    double sum = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        sum += x[i] / double(kLevels - 1);
    const double g = 1.0 + 9.0 * sum / double(x.size() - 1);
    const double h = kind == 1 ? 1.0 - std::sqrt(f1 / g) : 1.0 - (f1 / g) * (f1 / g);
    return {f1, g * h};
}

// A cheap two-objective problem on small genomes: sum vs. sum of distances to the top.
std::vector<double> sumProblem(const IntGenome &x, int top)
{
    double low = 0, high = 0;
    for (int v : x) {
        low += v;
        high += top - v;
    }
    return {low + 0.1 * x[0], high};
}

using Problem = std::function<std::vector<double>(const IntGenome &)>;

std::vector<Evaluated> evaluate(const std::vector<IntGenome> &batch, const Problem &problem)
{
    std::vector<Evaluated> out;
    for (const auto &x : batch)
        out.push_back({x, problem(x), 0.0});
    return out;
}

const Problem sum9 = [](const IntGenome &x) { return sumProblem(x, 9); };
const Problem zdt1 = [](const IntGenome &x) { return zdt(1, x); };

bool contains(const std::vector<IntGenome> &batch, const IntGenome &x)
{
    return std::find(batch.begin(), batch.end(), x) != batch.end();
}

bool inPopulation(const Nsga2 &opt, const IntGenome &x)
{
    const auto &pop = opt.population();
    return std::any_of(pop.begin(), pop.end(), [&](const Evaluated &e) { return e.x == x; });
}

// Runs some generations, checking every batch before it is told.
void run(Nsga2 &opt, int generations, const Problem &problem,
         const std::function<void(const std::vector<IntGenome> &)> &check = {})
{
    for (int g = 0; g < generations; ++g) {
        const auto batch = opt.ask();
        if (check)
            check(batch);
        opt.tell(evaluate(batch, problem));
    }
}

Nsga2Options small()
{
    Nsga2Options o;
    o.populationSize = 20;
    return o;
}

} // namespace

class TestNsga2 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void constrainedRanksMatchBruteForce_data()
    {
        QTest::addColumn<double>("infeasibleShare");
        QTest::addColumn<int>("objectives");
        QTest::newRow("feasible-2d") << 0.0 << 2;
        QTest::newRow("feasible-3d") << 0.0 << 3;
        QTest::newRow("mixed-2d") << 0.3 << 2;
        QTest::newRow("mixed-3d") << 0.3 << 3;
        QTest::newRow("infeasible-2d") << 1.0 << 2;
    }

    void constrainedRanksMatchBruteForce()
    {
        QFETCH(double, infeasibleShare);
        QFETCH(int, objectives);
        std::mt19937 rng(42);
        std::uniform_int_distribution<int> value(0, 6); // a coarse grid gives ties
        std::uniform_real_distribution<double> u(0, 1);
        for (int trial = 0; trial < 50; ++trial) {
            const int n = 1 + trial % 40;
            Points f;
            std::vector<double> v;
            for (int i = 0; i < n; ++i) {
                if (i > 0 && u(rng) < 0.15) { // an exact duplicate of an earlier point
                    const auto k = std::size_t(rng() % std::size_t(i));
                    f.push_back(f[k]);
                    v.push_back(v[k]);
                    continue;
                }
                std::vector<double> p;
                for (int m = 0; m < objectives; ++m)
                    p.push_back(value(rng));
                f.push_back(p);
                v.push_back(u(rng) < infeasibleShare ? 0.5 * (1 + value(rng) % 4) : 0.0);
            }
            const auto expected = bruteForceRanks(f, v);
            QCOMPARE(constrainedRanks(f, v), expected);

            std::vector<int> front;
            for (int i = 0; i < n; ++i)
                if (v[std::size_t(i)] == 0 && expected[std::size_t(i)] == 0)
                    front.push_back(i);
            QCOMPARE(nonDominatedIndices(f, v), front);
        }
        QVERIFY(constrainedRanks({}, {}).empty());
    }

    void constrainedRanksHandCase()
    {
        // (0,3) (1,1) (3,0) feasible front; (2,2) dominated; infeasible ones by violation,
        // whatever their objectives.
        const Points f = {{2, 2}, {0, 3}, {1, 1}, {3, 0}, {-5, -5}, {9, 9}, {0, 0}};
        const std::vector<double> v = {0, 0, 0, 0, 2.0, 0.5, 2.0};
        QCOMPARE(constrainedRanks(f, v), (std::vector<int>{1, 0, 0, 0, 3, 2, 3}));
        QCOMPARE(nonDominatedIndices(f, v), (std::vector<int>{1, 2, 3}));
        QVERIFY(nonDominatedIndices({{0, 0}}, {1.0}).empty());
    }

    void crowdingDistance()
    {
        QVERIFY(edanas::search::crowdingDistance({}).empty());
        QCOMPARE(edanas::search::crowdingDistance({{1, 2}}), (std::vector<double>{inf}));
        QCOMPARE(edanas::search::crowdingDistance({{1, 2}, {2, 1}}), (std::vector<double>{inf, inf}));

        // Objective 0 spans 4, objective 1 spans 5:
        // (1,3): (3-0)/4 + (5-1)/5 = 1.55, (3,1): (4-1)/4 + (3-0)/5 = 1.35.
        const auto d = edanas::search::crowdingDistance({{3, 1}, {0, 5}, {4, 0}, {1, 3}});
        QCOMPARE(d[1], inf);
        QCOMPARE(d[2], inf);
        QVERIFY(std::abs(d[3] - 1.55) < 1e-12);
        QVERIFY(std::abs(d[0] - 1.35) < 1e-12);

        // A zero-range objective contributes nothing (no NaN).
        const auto flat = edanas::search::crowdingDistance({{1, 0}, {1, 1}, {1, 2}});
        QCOMPARE(flat[0], inf);
        QCOMPARE(flat[1], 1.0);
        QCOMPARE(flat[2], inf);
    }

    void hypervolume()
    {
        using edanas::search::hypervolume;
        QCOMPARE(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
        // Beyond or on the reference, or dominated: no change.
        QCOMPARE(hypervolume({{1, 3}, {2, 2}, {3, 1}, {5, 0}, {4, 1}, {0, 4}, {3, 3}}, {4, 4}), 6.0);
        QCOMPARE(hypervolume({{5, 5}}, {4, 4}), 0.0);
        QCOMPARE(hypervolume({}, {4, 4}), 0.0);
        // 3-D: three unit-thick slabs [0,2]x[1,2]x[1,2] etc.; by inclusion-exclusion 6 - 3 + 1.
        QCOMPARE(hypervolume({{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}, {2, 2, 2}), 4.0);
        QCOMPARE(hypervolume({{1, 1, 1}}, {2, 3, 2}), 2.0);
        // 4-D: two boxes of 2 overlapping in 1.
        QCOMPARE(hypervolume({{0, 1, 1, 1}, {1, 0, 1, 1}, {3, 0, 0, 0}}, {2, 2, 2, 2}), 3.0);
        // 1-D: the best point's distance to the reference.
        QCOMPARE(hypervolume({{3}, {1}, {5}}, {4}), 3.0);
    }

    void costAtEqualAccuracyHandCase()
    {
        // static: (4, .80) (10, .90) (20, .93); (12, .85) is dominated by (10, .90).
        // early exit: (3, .79) (5, .86) (6, .91) (30, .92): reaches .80 at 5, .90 at 6, never .93.
        const auto r = costAtEqualAccuracy({3, 5, 6, 30}, {.79, .86, .91, .92}, {20, 12, 4, 10}, {.93, .85, .80, .90});
        QCOMPARE(r.size(), std::size_t(2));
        QCOMPARE(r[0].accuracy, .80);
        QCOMPARE(r[0].staticCost, 4.0);
        QCOMPARE(r[0].earlyExitCost, 5.0);
        QCOMPARE(r[1].accuracy, .90);
        QCOMPARE(r[1].staticCost, 10.0);
        QCOMPARE(r[1].earlyExitCost, 6.0);
        QVERIFY(costAtEqualAccuracy({}, {}, {1}, {.5}).empty());
        QVERIFY(costAtEqualAccuracy({1}, {.5}, {}, {}).empty());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, costAtEqualAccuracy({1}, {}, {1}, {.5}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, costAtEqualAccuracy({0}, {.5}, {1}, {.5}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, costAtEqualAccuracy({1}, {.5}, {1}, {std::nan("")}));
    }

    void compareFrontsHandCase()
    {
        // A: (1, .80) (2, .85); B: (1.5, .78) (3, .90). The union front is (1, .80) (2, .85)
        // (3, .90): ideal (1, .90), nadir (3, .80), reference a tenth of the range beyond
        // it: cost 3.2, accuracy .79; the box (3.2 - 1) x (.90 - .79) = .242.
        const auto c = compareFronts({{{1, .80}, {2, .85}}, {{1.5, .78}, {3, .90}}}, std::nan(""), std::nan(""));
        QCOMPARE(c.referenceCost, 3.2);
        QVERIFY(std::abs(c.referenceAccuracy - .79) < 1e-12);
        QCOMPARE(c.idealCost, 1.0);
        QCOMPARE(c.idealAccuracy, .90);
        // A: 2.2 x .01 + 1.2 x .05 = .082; B: (1.5, .78) is below the reference, 0.2 x .11 = .022;
        // the union: .082 + 0.2 x .05 = .092
        QCOMPARE(c.hypervolume.size(), std::size_t(2));
        QVERIFY(std::abs(c.hypervolume[0] - .082 / .242) < 1e-9);
        QVERIFY(std::abs(c.hypervolume[1] - .022 / .242) < 1e-9);
        QVERIFY(std::abs(c.unionHypervolume - .092 / .242) < 1e-9);
        QCOMPARE(c.levels.size(), std::size_t(3));
        QCOMPARE(c.levels[0].accuracy, .80);
        QCOMPARE(c.levels[0].fewestCost, (std::vector<double>{1, 3}));
        QCOMPARE(c.levels[1].fewestCost, (std::vector<double>{2, 3}));
        QCOMPARE(c.levels[2].accuracy, .90);
        QCOMPARE(c.levels[2].fewestCost, (std::vector<double>{inf, 3}));

        // a given reference: cost 4, accuracy .70; box 3 x .2 = .6; A: 3 x .1 + 2 x .05 = .4
        const auto g = compareFronts({{{1, .80}, {2, .85}}, {}}, 4.0, .70);
        QCOMPARE(g.referenceCost, 4.0);
        QVERIFY(std::abs(g.hypervolume[0] - .4 / (3 * .15)) < 1e-9); // ideal accuracy is A's best, .85
        QCOMPARE(g.hypervolume[1], 0.0);
        // a dominated point changes nothing
        const auto d = compareFronts({{{1, .80}, {2, .85}, {2.5, .84}}, {}}, 4.0, .70);
        QCOMPARE(d.hypervolume[0], g.hypervolume[0]);

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compareFronts({{}, {}}, std::nan(""), std::nan("")));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, compareFronts({{{0, .5}}}, std::nan(""), std::nan("")));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 compareFronts({{{1, std::nan("")}}}, std::nan(""), std::nan("")));
    }

    void costAtEqualAccuracyMatchesBruteForce()
    {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> c(1, 30), a(50, 99), n(0, 25);
        for (int round = 0; round < 200; ++round) {
            std::vector<double> ec, ea, sc, sa;
            for (int i = n(rng); i > 0; --i) {
                ec.push_back(c(rng));
                ea.push_back(a(rng) / 100.0);
            }
            for (int i = n(rng); i > 0; --i) {
                sc.push_back(c(rng));
                sa.push_back(a(rng) / 100.0);
            }
            // from the definitions: a static point is on its front if no other is at
            // most as costly and at least as accurate, one of them strictly; of equal
            // points one is kept
            std::set<std::pair<double, double>> front;
            for (std::size_t i = 0; i < sc.size(); ++i) {
                bool dominated = false;
                for (std::size_t j = 0; j < sc.size(); ++j)
                    dominated |= sc[j] <= sc[i] && sa[j] >= sa[i] && (sc[j] < sc[i] || sa[j] > sa[i]);
                if (!dominated)
                    front.insert({sc[i], sa[i]});
            }
            std::vector<EqualAccuracyCost> expected;
            for (const auto &[cost, acc] : front) {
                double fewest = inf;
                for (std::size_t j = 0; j < ec.size(); ++j)
                    if (ea[j] >= acc)
                        fewest = std::min(fewest, ec[j]);
                if (fewest < inf)
                    expected.push_back({acc, cost, fewest});
            }
            const auto got = costAtEqualAccuracy(ec, ea, sc, sa);
            QCOMPARE(got.size(), expected.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].accuracy, expected[i].accuracy);
                QCOMPARE(got[i].staticCost, expected[i].staticCost);
                QCOMPARE(got[i].earlyExitCost, expected[i].earlyExitCost);
            }
        }
    }

    void zdtConvergence_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<double>("best"); // best hypervolume of 100 points for reference (11, 11)
        QTest::addColumn<quint64>("seed");
        for (quint64 seed : {1, 2, 3}) {
            QTest::addRow("zdt1-seed%llu", seed) << 1 << 120.662137 << seed;
            QTest::addRow("zdt2-seed%llu", seed) << 2 << 120.328881 << seed;
        }
    }

    void zdtConvergence()
    {
        QFETCH(int, kind);
        QFETCH(double, best);
        QFETCH(quint64, seed);
        constexpr int generations = 250;
        Nsga2Options o;
        o.populationSize = 100;
        o.seed = seed;
        Nsga2 opt(std::vector<int>(30, 0), std::vector<int>(30, kLevels - 1), o);
        run(opt, generations, [kind](const IntGenome &x) { return zdt(kind, x); },
            [&](const std::vector<IntGenome> &batch) { QCOMPARE(int(batch.size()), o.populationSize); });
        Points f;
        for (const auto &e : opt.population())
            f.push_back(e.f);
        const double hv = edanas::search::hypervolume(f, {11, 11});
        qInfo("ZDT%d seed %llu, %d generations: HV %.6f = %.3f %% of %.6f", kind, seed, generations, hv,
              100 * hv / best, best);
        QVERIFY(hv >= 0.995 * best);
    }

    void determinism()
    {
        // Every batch of 10 generations, then the final population.
        auto trace = [](std::uint64_t seed) {
            Nsga2Options o;
            o.populationSize = 30;
            o.seed = seed;
            Nsga2 opt(std::vector<int>(30, 0), std::vector<int>(30, kLevels - 1), o);
            std::vector<std::vector<IntGenome>> batches;
            run(opt, 10, zdt1, [&](const std::vector<IntGenome> &batch) { batches.push_back(batch); });
            std::vector<IntGenome> population;
            for (const auto &e : opt.population())
                population.push_back(e.x);
            return std::make_pair(batches, population);
        };
        const auto a = trace(5), b = trace(5), c = trace(6);
        QCOMPARE(a.first, b.first);
        QCOMPARE(a.second, b.second);
        QVERIFY(a.first.front() != c.first.front());
        QVERIFY(a.second != c.second);
    }

    void batchesAreNewAndUnique()
    {
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        std::set<IntGenome> everything;
        run(opt, 15, sum9, [&](const std::vector<IntGenome> &batch) {
            QCOMPARE(int(batch.size()), 20);
            for (const auto &x : batch) {
                QVERIFY(everything.insert(x).second);
                QVERIFY(opt.seen(x));
                for (int v : x)
                    QVERIFY(v >= 0 && v <= 9);
            }
        });
        QCOMPARE(opt.generation(), 15);
        QCOMPARE(int(opt.population().size()), 20);
    }

    void setPopulation()
    {
        Nsga2Options o = small();
        o.populationSize = 3;
        Nsga2 opt({0}, {9}, o);
        // {0} is told twice: its later value (2,2) joins the front (1,3) (3,1); the
        // infeasible {3} ranks last despite the best objectives and is cut.
        opt.setPopulation({{{0}, {4, 4}, 0.0}, {{1}, {1, 3}, 0.0}, {{2}, {3, 1}, 0.0},
                           {{3}, {0, 0}, 1.0}, {{0}, {2, 2}, 0.0}});
        const auto &pop = opt.population();
        QCOMPARE(int(pop.size()), 3);
        // The extremes (infinite crowding) first, in input order, then the middle point.
        QCOMPARE(pop[0].x, IntGenome{1});
        QCOMPARE(pop[1].x, IntGenome{2});
        QCOMPARE(pop[2].x, IntGenome{0});
        QCOMPARE(pop[2].f, (std::vector<double>{2, 2}));
        QCOMPARE(opt.generation(), 0);
        QVERIFY(opt.seen({3}));
    }

    void smallSpaceReturnsFewer()
    {
        // 9 genomes, one banned, one marked seen: the first batch holds the other 7, the
        // next finds nothing new and must still return.
        Nsga2Options o = small();
        o.maxAttempts = 200;
        Nsga2 opt({0, 0}, {2, 2}, o);
        opt.ban({1, 1});
        opt.markSeen({2, 2});
        const auto batch = opt.ask();
        QCOMPARE(int(batch.size()), 7);
        QVERIFY(!contains(batch, {1, 1}));
        QVERIFY(!contains(batch, {2, 2}));
        opt.tell(evaluate(batch, [](const IntGenome &x) { return sumProblem(x, 2); }));
        QVERIFY(opt.ask().empty());
    }

    void ban()
    {
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        run(opt, 5, sum9);
        const IntGenome best = opt.population().front().x;
        opt.ban(best);
        opt.inject(best);
        run(opt, 10, sum9, [&](const std::vector<IntGenome> &batch) {
            QVERIFY(!contains(batch, best));
            QVERIFY(!inPopulation(opt, best) || opt.generation() == 5);
        });
        QVERIFY(!inPopulation(opt, best));

        // setPopulation drops banned genomes too.
        opt.setPopulation({{best, {0, 0}, 0.0}, {{9, 9, 9, 9}, {40, 0}, 0.0}});
        QCOMPARE(int(opt.population().size()), 1);
        QCOMPARE(opt.population().front().x, (IntGenome{9, 9, 9, 9}));
    }

    void unban()
    {
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        run(opt, 3, sum9);
        IntGenome unseen{0, 9, 0, 9};
        while (opt.seen(unseen))
            ++unseen[0];
        // banned: refused by the next batch, injected or not
        opt.ban(unseen);
        opt.inject(unseen);
        auto batch = opt.ask();
        QVERIFY(!contains(batch, unseen));
        QVERIFY(!opt.seen(unseen));
        opt.tell(evaluate(batch, sum9));

        // taken back: admitted again, first in the batch as an injection
        opt.unban(unseen);
        opt.inject(unseen);
        batch = opt.ask();
        QCOMPARE(batch.front(), unseen);
        // and told, it joins the population like any other (setPopulation keeps it)
        opt.setPopulation({{unseen, {0, 0}, 0.0}, {{9, 9, 9, 9}, {40, 40}, 0.0}});
        QVERIFY(inPopulation(opt, unseen));
    }

    void pin()
    {
        Nsga2 opt(std::vector<int>(30, 0), std::vector<int>(30, kLevels - 1), small());
        run(opt, 3, zdt1);
        const IntGenome bad(30, kLevels - 1); // f = (1, 6.84): about the worst point there is
        opt.pin(bad);
        opt.tell({{bad, zdt1(bad), 0.0}});
        for (int g = 0; g < 30; ++g) {
            run(opt, 1, zdt1);
            QVERIFY(inPopulation(opt, bad));
            QCOMPARE(int(opt.population().size()), 20);
        }
        Points f;
        std::vector<double> v;
        for (const auto &e : opt.population()) {
            f.push_back(e.f);
            v.push_back(e.violation);
        }
        const auto rank = constrainedRanks(f, v);
        const auto at = std::find_if(opt.population().begin(), opt.population().end(),
                                     [&](const Evaluated &e) { return e.x == bad; })
            - opt.population().begin();
        QVERIFY(rank[std::size_t(at)] > 0); // dominated, yet kept

        opt.unpin(bad);
        run(opt, 1, zdt1);
        QVERIFY(!inPopulation(opt, bad));
    }

    void inject()
    {
        // Injections come first, in order, clamped.
        Nsga2 fresh(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        fresh.inject({12, -3, 4, 4});
        fresh.inject({0, 9, 0, 9});
        auto batch = fresh.ask();
        QCOMPARE(int(batch.size()), 20);
        QCOMPARE(batch[0], (IntGenome{9, 0, 4, 4}));
        QCOMPARE(batch[1], (IntGenome{0, 9, 0, 9}));

        // Later too, skipping genomes already evaluated.
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        run(opt, 3, sum9);
        IntGenome unseen{0, 9, 0, 9};
        while (opt.seen(unseen))
            ++unseen[0];
        const IntGenome old = opt.population().front().x;
        opt.inject(old);
        opt.inject(unseen);
        batch = opt.ask();
        QCOMPARE(int(batch.size()), 20);
        QCOMPARE(batch[0], unseen);
        QVERIFY(!contains(batch, old));
    }

    void freeze()
    {
        Nsga2Options o = small();
        o.mutation = Mutation::Uniform;
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), o);
        opt.freeze(3, 7);
        opt.inject({1, 2, 3, 4});
        run(opt, 8, sum9, [](const std::vector<IntGenome> &batch) {
            for (const auto &x : batch)
                QCOMPARE(x[3], 7);
        });
        opt.unfreeze(3);
        bool changed = false;
        run(opt, 5, sum9, [&](const std::vector<IntGenome> &batch) {
            for (const auto &x : batch)
                changed = changed || x[3] != 7;
        });
        QVERIFY(changed);
    }

    void repair()
    {
        Nsga2 opt(std::vector<int>(4, 0), std::vector<int>(4, 9), small());
        int calls = 0;
        opt.setRepair([&](IntGenome &x, std::mt19937_64 &) {
            ++calls;
            x[0] &= ~1;
        });
        opt.inject({3, 3, 3, 3});
        int proposed = 0;
        run(opt, 10, sum9, [&](const std::vector<IntGenome> &batch) {
            proposed += int(batch.size());
            for (const auto &x : batch)
                QCOMPARE(x[0] % 2, 0);
        });
        QVERIFY(calls >= proposed);
        QVERIFY(opt.seen({2, 3, 3, 3}));
    }

    void badArguments()
    {
        const Nsga2Options o;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({0, 0}, {1}, o));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({0, 2}, {1, 1}, o));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({}, {}, o));
        Nsga2Options bad;
        bad.populationSize = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({0}, {1}, bad));
        bad = {};
        bad.crossoverProbability = 1.5;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({0}, {1}, bad));
        bad = {};
        bad.maxAttempts = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Nsga2({0}, {1}, bad));

        Nsga2 opt({0, 0}, {5, 5}, o);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.freeze(2, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.freeze(0, 6));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.unfreeze(-1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.ban({1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.inject({1, 2, 3}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.tell({{{1}, {0, 0}, 0.0}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.tell({{{1, 1}, {std::nan(""), 0}, 0.0}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.tell({{{1, 1}, {0, 0}, -1.0}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, opt.tell({{{1, 1}, {0, 0}, 0.0}, {{2, 2}, {0}, 0.0}}));
        QCOMPARE(opt.generation(), 0);
        QVERIFY(!opt.seen({1, 1})); // a rejected tell changes nothing

        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, constrainedRanks({{0, 0}}, {}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, constrainedRanks({{0, 0}, {1}}, {0, 0}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, constrainedRanks({{0, 0}}, {-1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, edanas::search::crowdingDistance({{0, 0}, {1}, {2, 2}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, edanas::search::hypervolume({{0, 0}}, {1, 1, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, edanas::search::hypervolume({}, {}));
    }
};

QTEST_GUILESS_MAIN(TestNsga2)
#include "tst_nsga2.moc"
