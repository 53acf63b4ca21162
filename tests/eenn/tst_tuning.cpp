// Threshold tuning, the best exit placements, the curves for the views, and profiles
// stored and cached: known answers worked out by hand, brute force where the space is
// small enough to enumerate, and the properties every answer must keep.
#include "eenn/curves.h"
#include "eenn/profilestore.h"
#include "eenn/tuning.h"

#include <QTest>

#include <cmath>
#include <numeric>
#include <random>
#include <thread>

using namespace edanas;
using space::ExitRule;

namespace {

// Synthetic but shaped like a real profile: each sample has a difficulty, later
// positions are more able and cost more, and a sample's margin grows with how far it
// is below the position's ability, with noise.
eenn::ExitProfile shapedProfile(int n, int positions, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::normal_distribution<float> noise(0.f, 0.15f);
    eenn::ExitProfile p;
    p.resize(n, positions);
    p.classes = 10;
    for (int q = 0; q < positions; ++q) {
        p.position[std::size_t(q)] = q + 1 < positions ? std::make_pair(q, 0) : std::make_pair(-1, -1);
        p.backboneMacs[std::size_t(q)] = 100000 * (q + 1) + 20000 * q * q;
        p.exitMacs[std::size_t(q)] = 8000 + 1000 * q;
    }
    for (int s = 0; s < n; ++s) {
        const float difficulty = u(rng);
        for (int q = 0; q < positions; ++q) {
            const float ability = 0.35f + 0.6f * float(q + 1) / float(positions);
            const float m = std::clamp(ability - difficulty + noise(rng), 0.f, 1.f);
            const auto at = p.at(s, q);
            p.margin[at] = m;
            p.maxSoftmax[at] = 0.1f + 0.9f * m;
            p.entropy[at] = 2.3f * (1.f - m);
            p.confidence[at] = m;
            p.correct[at] = difficulty + 0.1f * noise(rng) < ability;
            p.predicted[at] = std::int16_t(s % 10);
        }
    }
    return p;
}

// 4 samples, one early exit and the final head (worked out by hand in nachosRepair).
eenn::ExitProfile nachosProfile()
{
    eenn::ExitProfile p;
    p.resize(4, 2);
    p.backboneMacs = {100, 200};
    p.exitMacs = {10, 50};
    const float conf[4] = {0.75f, 0.65f, 0.55f, 0.25f};
    const std::uint8_t right[4] = {1, 1, 1, 0};
    for (int s = 0; s < 4; ++s) {
        p.confidence[p.at(s, 0)] = conf[s];
        p.correct[p.at(s, 0)] = right[s];
        p.correct[p.at(s, 1)] = 1;
    }
    return p;
}

bool sameFront(const std::vector<eenn::TunedExits> &a, const std::vector<std::pair<double, double>> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].evaluation.accuracy != b[i].first || a[i].evaluation.averageMacsTrue != b[i].second)
            return false;
    return true;
}

// The exact front in (accuracy, true MACs) of every configuration that puts one of
// `grid` or nothing at each early position: enumerated here independently.
std::vector<std::pair<double, double>> bruteForceFront(const eenn::ExitProfile &p, ExitRule rule,
                                                       const std::vector<double> &grid)
{
    const int early = p.positions - 1;
    std::vector<std::pair<double, double>> all;
    const int radix = int(grid.size()) + 1;
    int total = 1;
    for (int i = 0; i < early; ++i)
        total *= radix;
    for (int code = 0; code < total; ++code) {
        eenn::ExitConfig c;
        c.rule = rule;
        int x = code;
        for (int q = 0; q < early; ++q, x /= radix)
            if (x % radix) {
                c.exits.push_back(q);
                c.thresholds.push_back(grid[std::size_t(x % radix - 1)]);
            }
        const auto e = eenn::evaluate(p, c);
        all.emplace_back(e.accuracy, e.averageMacsTrue);
    }
    std::vector<std::pair<double, double>> front;
    for (const auto &a : all) {
        bool dominated = false;
        for (const auto &b : all)
            dominated |= b.first >= a.first && b.second <= a.second && (b.first > a.first || b.second < a.second);
        if (!dominated && std::find(front.begin(), front.end(), a) == front.end())
            front.push_back(a);
    }
    std::sort(front.begin(), front.end(), [](auto &l, auto &r) { return l.second < r.second; });
    return front;
}

// Area dominated in (1 - accuracy, MACs) up to (1, maxMacs): a front's quality.
double area(std::vector<std::pair<double, double>> front, double maxMacs)
{
    std::sort(front.begin(), front.end(), [](auto &l, auto &r) { return l.second < r.second; });
    double a = 0, bestAcc = 0;
    for (std::size_t i = 0; i < front.size(); ++i) {
        bestAcc = std::max(bestAcc, front[i].first);
        const double next = i + 1 < front.size() ? front[i + 1].second : maxMacs;
        a += bestAcc * (next - front[i].second);
    }
    return a;
}

} // namespace

class TestTuning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nachosGridPicksTheMostAccurate()
    {
        const auto p = shapedProfile(3000, 5, 3);
        const std::vector<int> exits{0, 2, 3};
        const auto t = eenn::tuneNachosThresholds(p, exits, ExitRule::Confidence, {});
        // no constraint: the most accurate combination of the grid, first exit >= 0.7
        const auto &grid = eenn::nachosThresholdGrid();
        double best = -1, bestMacs = 0;
        for (double a : {0.7, 0.8})
            for (double b : grid)
                for (double c : grid) {
                    const auto e = eenn::evaluate(p, {exits, ExitRule::Confidence, {a, b, c}});
                    if (e.accuracy > best || (e.accuracy == best && e.averageMacsTrue < bestMacs)) {
                        best = e.accuracy;
                        bestMacs = e.averageMacsTrue;
                    }
                }
        QCOMPARE(t.evaluation.accuracy, best);
        QCOMPARE(t.evaluation.averageMacsTrue, bestMacs);
        QVERIFY(t.config.thresholds[0] >= 0.7);
        QVERIFY(t.feasible);
    }

    void nachosRepair_data()
    {
        QTest::addColumn<double>("maxMacs");
        QTest::addColumn<double>("minAccuracy");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<bool>("feasible");
        // Thresholds 0.8 / 0.7 / 0.6 / 0.5 send 0 / 1 / 2 / 3 samples out early, all
        // right: true MACs 260 / 222.5 / 185 / 147.5; at 0.2 the wrong sample 3 leaves.
        QTest::newRow("the grid is enough") << 250.0 << 0.7 << 0.7 << true;
        QTest::newRow("one step") << 200.0 << 0.7 << 0.6 << true;
        QTest::newRow("two steps") << 150.0 << 1.0 << 0.5 << true;
        // 0.4 and 0.3 change nothing; 0.2 would drop accuracy to 0.75 < 1.0: not taken
        QTest::newRow("floor stops the repair") << 120.0 << 1.0 << 0.3 << false;
        // with a floor of 0.75 the step to 0.2 is allowed: 4 x 110 / 4 = 110
        QTest::newRow("down to the last step") << 120.0 << 0.75 << 0.2 << true;
    }

    void nachosRepair()
    {
        QFETCH(double, maxMacs);
        QFETCH(double, minAccuracy);
        QFETCH(double, threshold);
        QFETCH(bool, feasible);
        eenn::ExitObjective o;
        o.maxMacs = maxMacs;
        o.minAccuracy = minAccuracy;
        const auto t = eenn::tuneNachosThresholds(nachosProfile(), {0}, ExitRule::Confidence, o);
        QCOMPARE(t.config.thresholds.size(), std::size_t(1));
        QVERIFY2(std::abs(t.config.thresholds[0] - threshold) < 1e-12, std::to_string(t.config.thresholds[0]).c_str());
        QCOMPARE(t.feasible, feasible);
    }

    void nachosRepairWalksBackwardsFromTheLastEarlyExit()
    {
        const auto p = shapedProfile(2000, 5, 4);
        eenn::ExitObjective o;
        const auto free = eenn::tuneNachosThresholds(p, {0, 1, 3}, ExitRule::Confidence, o);
        // a ceiling below every grid combination: the grid keeps the most accurate one
        // (as without a ceiling) and the repair must walk
        double fewest = 1e300;
        for (double a : {0.7, 0.8})
            for (double b : eenn::nachosThresholdGrid())
                for (double c : eenn::nachosThresholdGrid())
                    fewest = std::min(fewest,
                                      eenn::evaluate(p, {{0, 1, 3}, ExitRule::Confidence, {a, b, c}}).averageMacsTrue);
        o.maxMacs = fewest * 0.97;
        const auto t = eenn::tuneNachosThresholds(p, {0, 1, 3}, ExitRule::Confidence, o);
        QVERIFY(t.feasible);
        QVERIFY(t.evaluation.averageMacsTrue <= o.maxMacs);
        // Steps of 0.1 in rounds from the last early exit backwards: an exit has taken
        // at least as many steps as the one before it, unless it reached 0.1.
        const auto &before = free.config.thresholds, &after = t.config.thresholds;
        std::vector<int> steps;
        for (std::size_t i = 0; i < after.size(); ++i) {
            QVERIFY(after[i] >= 0.1 - 1e-9);
            steps.push_back(int(std::lround((before[i] - after[i]) / 0.1)));
        }
        qInfo("before %.1f %.1f %.1f after %.1f %.1f %.1f", before[0], before[1], before[2], after[0], after[1], after[2]);
        QVERIFY(std::accumulate(steps.begin(), steps.end(), 0) > 0);
        for (std::size_t i = 1; i < after.size(); ++i)
            QVERIFY(steps[i] >= steps[i - 1] || after[i] < 0.1 + 1e-9);
        QVERIFY(*std::max_element(steps.begin(), steps.end()) - *std::min_element(steps.begin(), steps.end()) <= 1
                || *std::min_element(after.begin(), after.end()) < 0.1 + 1e-9);
    }

    void exhaustivePlacementIsTheExactFront()
    {
        // the EDANAS encoding: {none, 0.1, 0.2} after each of 4 stages = 81 configurations
        const auto p = shapedProfile(2000, 5, 5);
        eenn::PlacementOptions o;
        o.thresholds = {0.1, 0.2};
        std::int64_t trials = 0;
        const auto front = eenn::bestExitPlacements(p, o, &trials);
        QCOMPARE(trials, std::int64_t(81));
        QVERIFY(sameFront(front, bruteForceFront(p, ExitRule::Margin, o.thresholds)));
        for (const auto &t : front)
            QCOMPARE(eenn::evaluate(p, t.config).accuracy, t.evaluation.accuracy);
    }

    void localSearchComesCloseToTheExactFront()
    {
        // 6 early positions x {none + 5 thresholds}: 46,656 configurations, enumerated
        // here; the local search may try a tenth of them
        const auto p = shapedProfile(1500, 7, 6);
        eenn::PlacementOptions o;
        o.thresholds = {0.1, 0.25, 0.4, 0.55, 0.7};
        o.exhaustiveLimit = 0;
        o.trialBudget = 4000;
        std::int64_t trials = 0;
        const auto front = eenn::bestExitPlacements(p, o, &trials);
        QVERIFY(trials <= 4000);
        const auto exact = bruteForceFront(p, ExitRule::Margin, o.thresholds);
        std::vector<std::pair<double, double>> found;
        for (const auto &t : front)
            found.emplace_back(t.evaluation.accuracy, t.evaluation.averageMacsTrue);
        const double maxMacs = double(p.backboneMacs.back() + p.exitMacs.back()) * 1.5;
        const double ratio = area(found, maxMacs) / area(exact, maxMacs);
        qInfo("local search: %lld trials, %zu points (exact front %zu), area ratio %.5f", (long long)trials,
              front.size(), exact.size(), ratio);
        QVERIFY(ratio <= 1.0 + 1e-12);
        QVERIFY2(ratio >= 0.995, std::to_string(ratio).c_str());
        // the archive is mutually non-dominated
        for (const auto &a : front)
            for (const auto &b : front)
                QVERIFY(!o.objective.dominates(a.evaluation, b.evaluation));
    }

    void constraintsAreObeyed()
    {
        const auto p = shapedProfile(2000, 9, 7);
        eenn::PlacementOptions o;
        o.rule = ExitRule::MaxSoftmax;
        o.objective.maxMacs = double(p.backboneMacs[4]);
        o.objective.minAccuracy = 0.5;
        o.trialBudget = 3000;
        const auto front = eenn::bestExitPlacements(p, o);
        QVERIFY(!front.empty());
        for (const auto &t : front) {
            QVERIFY(t.feasible);
            QVERIFY(t.evaluation.averageMacsTrue <= o.objective.maxMacs);
            QVERIFY(t.evaluation.accuracy >= 0.5);
        }
        // nothing can meet an impossible ceiling: the closest one comes back, infeasible
        o.objective.maxMacs = 1.0;
        const auto closest = eenn::bestExitPlacements(p, o);
        QCOMPARE(closest.size(), std::size_t(1));
        QVERIFY(!closest[0].feasible);
        QCOMPARE(closest[0].evaluation.share[0], 1.0); // everything out at the first exit: the fewest MACs
        // at most one exit
        o.objective = {};
        o.maxExits = 1;
        for (const auto &t : eenn::bestExitPlacements(p, o))
            QVERIFY(t.config.exits.size() <= 1);
    }

    void improvingNeverMakesItWorse()
    {
        const auto p = shapedProfile(2000, 9, 8);
        eenn::PlacementOptions o;
        const eenn::ExitConfig start{{1, 4, 6}, ExitRule::Margin, {0.9, 0.9, 0.9}};
        const auto better = eenn::improveExits(p, start, o, 1000);
        const auto before = eenn::evaluate(p, start);
        QVERIFY(o.objective.dominates(better.evaluation, before));
        QCOMPARE(eenn::evaluate(p, better.config).accuracy, better.evaluation.accuracy);
        // deterministic
        const auto again = eenn::improveExits(p, start, o, 1000);
        QCOMPARE(again.config.exits, better.config.exits);
        QCOMPARE(again.config.thresholds, better.config.thresholds);
    }

    void curvesForTheViews()
    {
        const auto p = shapedProfile(2000, 6, 9);
        const eenn::ExitConfig c{{0, 2, 3}, ExitRule::Margin, {0.6, 0.5, 0.4}};
        const auto alone = eenn::exitsAlone(p, c);
        QCOMPARE(alone.size(), std::size_t(4));
        for (const auto &a : alone) {
            double right = 0;
            for (int s = 0; s < p.samples; ++s)
                right += p.correct[p.at(s, a.position)];
            QCOMPARE(a.accuracy, right / p.samples);
            QCOMPARE(a.macs, double(p.backboneMacs[std::size_t(a.position)] + p.exitMacs[std::size_t(a.position)]));
        }
        QCOMPARE(alone[2].macsWithEarlier, alone[2].macs + double(p.exitMacs[0] + p.exitMacs[2]));
        QCOMPARE(eenn::exitsAlone(p, c, true).size(), std::size_t(6));

        const auto sweep = eenn::sweepThreshold(p, c, 1, 51);
        QCOMPARE(sweep.threshold.size(), std::size_t(51));
        // everything that reaches exit 1 leaves there at the low end, nothing at the top
        const auto reach = 1.0 - eenn::evaluate(p, c).share[0];
        QVERIFY(std::abs(sweep.share.front() - reach) < 1e-12);
        QCOMPARE(sweep.share.back(), 0.0);
        for (std::size_t i = 1; i < sweep.share.size(); ++i) {
            QVERIFY(sweep.share[i] <= sweep.share[i - 1]);
            QVERIFY(sweep.averageMacsTrue[i] >= sweep.averageMacsTrue[i - 1]);
        }

        const auto trade = eenn::tradeoffCurve(p, c, 41);
        const auto now = eenn::evaluate(p, c);
        QCOMPARE(trade.accuracy[std::size_t(trade.current)], now.accuracy);
        QCOMPARE(trade.averageMacsTrue[std::size_t(trade.current)], now.averageMacsTrue);
        QCOMPARE(trade.averageMacsTrue.front(), double(p.backboneMacs[0] + p.exitMacs[0]));
        QCOMPARE(trade.averageMacsPaper.back(), double(p.backboneMacs.back() + p.exitMacs.back()));
        for (std::size_t i = 1; i < trade.averageMacsTrue.size(); ++i)
            QVERIFY(trade.averageMacsTrue[i] >= trade.averageMacsTrue[i - 1]);

        // entropy runs the other way: ln(10) lets everything out
        const eenn::ExitConfig e{{1}, ExitRule::Entropy, {1.0}};
        const auto es = eenn::sweepThreshold(p, e, 0, 11);
        QCOMPARE(es.share.front(), 0.0);
        QCOMPARE(es.share.back(), 1.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eenn::sweepThreshold(p, c, 3));
    }

    void profilesRoundTrip()
    {
        auto p = shapedProfile(777, 5, 10);
        p.position[1] = {2, 3};
        const auto bytes = eenn::serializeProfile(p);
        QVERIFY(bytes.size() < p.bytes()); // deflated
        const auto q = eenn::deserializeProfile(bytes, "study.edanas");
        QCOMPARE(q.samples, p.samples);
        QCOMPARE(q.positions, p.positions);
        QCOMPARE(q.classes, p.classes);
        QCOMPARE(q.position, p.position);
        QCOMPARE(q.backboneMacs, p.backboneMacs);
        QCOMPARE(q.exitMacs, p.exitMacs);
        QVERIFY(q.correct == p.correct && q.predicted == p.predicted && q.margin == p.margin
                && q.maxSoftmax == p.maxSoftmax && q.entropy == p.entropy && q.confidence == p.confidence);
    }

    // Found by fuzz_profile: reading a profile of no samples passed null pointers to
    // memcpy (undefined behaviour, reported by the asan preset's UBSan).
    void profileWithoutSamplesRoundTrips()
    {
        eenn::ExitProfile p;
        p.resize(0, 2);
        p.classes = 10;
        p.position = {{1, 0}, {-1, -1}};
        p.backboneMacs = {100, 200};
        p.exitMacs = {10, 20};
        const auto q = eenn::deserializeProfile(eenn::serializeProfile(p), "empty.edanas");
        QCOMPARE(q.samples, 0);
        QCOMPARE(q.positions, 2);
        QCOMPARE(q.position, p.position);
        QCOMPARE(q.backboneMacs, p.backboneMacs);
        QVERIFY(q.correct.empty() && q.confidence.empty());
    }

    // Profiles stored before the CRC-32 was added (format version 1: the same header
    // without it) are still read.
    void version1ProfilesAreRead()
    {
        const auto p = shapedProfile(500, 3, 10);
        std::string v1 = eenn::serializeProfile(p);
        QCOMPARE(int(v1[8]), 2);
        v1[8] = 1;
        v1.erase(40, 4); // magic 8, version 4, samples/positions/classes 12, sizes 16, then the CRC-32
        const auto q = eenn::deserializeProfile(v1, "old.edanas");
        QCOMPARE(q.samples, p.samples);
        QCOMPARE(q.classes, p.classes);
        QVERIFY(q.correct == p.correct && q.margin == p.margin && q.confidence == p.confidence);
    }

    void badProfilesAreRefused_data()
    {
        QTest::addColumn<int>("what");
        QTest::newRow("empty") << 0;
        QTest::newRow("truncated") << 1;
        QTest::newRow("other version") << 2;
        QTest::newRow("corrupt data") << 3;
        QTest::newRow("lying header") << 4;
        QTest::newRow("class count changed") << 5; // no check but the CRC-32 covers it
        QTest::newRow("256 bytes inverted") << 6;
    }

    void badProfilesAreRefused()
    {
        QFETCH(int, what);
        auto bytes = eenn::serializeProfile(shapedProfile(300, 4, 11));
        switch (what) {
        case 0: bytes.clear(); break;
        case 1: bytes.resize(bytes.size() - 10); break;
        case 2: bytes[8] = 9; break;
        case 3: bytes[bytes.size() / 2] ^= 0x55; bytes[bytes.size() / 2 + 1] ^= 0x55; break;
        case 4: bytes[12] = char(0xff); bytes[13] = 0x7f; break; // samples
        case 5: bytes[20] ^= 1; break;
        case 6:
            for (std::size_t i = 100; i < 356; ++i)
                bytes[i] = char(~bytes[i]);
            break;
        }
        try {
            eenn::deserializeProfile(bytes, "run.edanas");
            QFAIL("a bad profile was read");
        } catch (const eenn::ProfileError &e) {
            QVERIFY2(QByteArray(e.what()).startsWith("run.edanas: "), e.what());
        }
    }

    void cacheKeepsTheRecentlyUsed()
    {
        const auto one = std::make_shared<const eenn::ExitProfile>(shapedProfile(1000, 5, 1));
        const std::size_t each = one->bytes();
        eenn::ProfileCache cache(each * 2);
        cache.insert(1, 0, one);
        cache.insert(2, 0, std::make_shared<const eenn::ExitProfile>(shapedProfile(1000, 5, 2)));
        QVERIFY(cache.find(1, 0)); // 1 is now the most recent
        cache.insert(3, 0, std::make_shared<const eenn::ExitProfile>(shapedProfile(1000, 5, 3)));
        QCOMPARE(cache.size(), std::size_t(2));
        QVERIFY(!cache.find(2, 0));
        QVERIFY(cache.find(1, 0));
        QVERIFY(!cache.find(1, 7)); // another set of samples
        QCOMPARE(cache.bytes(), 2 * each);
        QCOMPARE(cache.hits(), std::int64_t(2));
        QCOMPARE(cache.misses(), std::int64_t(2));

        // shared between threads
        eenn::ProfileCache shared(each * 3);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 2000; ++i) {
                    const std::uint64_t key = std::uint64_t((i * 7 + t) % 5);
                    if (!shared.find(key, 0))
                        shared.insert(key, 0, one);
                }
            });
        for (auto &t : threads)
            t.join();
        QVERIFY(shared.size() <= 3);
        QCOMPARE(shared.hits() + shared.misses(), std::int64_t(8000));
    }
};

QTEST_GUILESS_MAIN(TestTuning)
#include "tst_tuning.moc"
