// Exit configurations evaluated from a profile: hand-built profiles with known answers
// for every rule and both cost accountings, and the properties every rule must keep.
#include "eenn/profile.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace edanas;
using space::ExitRule;

namespace {

// 4 samples, 2 early positions and the final head.
// B = {100, 200, 300}, C = {10, 20, 50}.
eenn::ExitProfile handBuilt()
{
    eenn::ExitProfile p;
    p.resize(4, 3);
    p.position = {{0, 1}, {1, 1}, {-1, -1}};
    p.backboneMacs = {100, 200, 300};
    p.exitMacs = {10, 20, 50};
    const float margin[4][3] = {{.9f, .9f, .9f}, {.1f, .5f, .2f}, {.05f, .05f, .3f}, {.6f, .2f, .1f}};
    const std::uint8_t right[4][3] = {{1, 1, 1}, {0, 1, 1}, {0, 0, 1}, {0, 1, 0}};
    const float conf[4][3] = {{.8f, .1f, 0}, {.5f, .5f, 0}, {.1f, .1f, 0}, {.75f, .2f, 0}};
    for (int s = 0; s < 4; ++s)
        for (int q = 0; q < 3; ++q) {
            p.margin[p.at(s, q)] = margin[s][q];
            p.maxSoftmax[p.at(s, q)] = margin[s][q];
            p.entropy[p.at(s, q)] = 1.0f - margin[s][q];
            p.confidence[p.at(s, q)] = conf[s][q];
            p.correct[p.at(s, q)] = right[s][q];
        }
    return p;
}

eenn::ExitProfile randomProfile(int n, int positions, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    eenn::ExitProfile p;
    p.resize(n, positions);
    for (int q = 0; q < positions; ++q) {
        p.backboneMacs[std::size_t(q)] = 1000 * (q + 1);
        p.exitMacs[std::size_t(q)] = 50 + q;
    }
    for (std::size_t i = 0; i < p.margin.size(); ++i) {
        p.margin[i] = u(rng);
        p.maxSoftmax[i] = u(rng);
        p.entropy[i] = 2.3f * u(rng);
        p.confidence[i] = u(rng);
        p.correct[i] = u(rng) < 0.7f;
    }
    return p;
}

} // namespace

class TestProfile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void knownAnswers_data()
    {
        QTest::addColumn<int>("rule");
        QTest::addColumn<double>("t0");
        QTest::addColumn<double>("t1");
        QTest::newRow("margin") << int(ExitRule::Margin) << 0.5 << 0.4;
        QTest::newRow("max-softmax") << int(ExitRule::MaxSoftmax) << 0.5 << 0.4;
        QTest::newRow("entropy") << int(ExitRule::Entropy) << 0.5 << 0.6;
        QTest::newRow("confidence") << int(ExitRule::Confidence) << 0.7 << 0.7;
    }

    void knownAnswers()
    {
        QFETCH(int, rule);
        QFETCH(double, t0);
        QFETCH(double, t1);
        // Every rule sends samples 0 and 3 out at exit 0, sample 1 at exit 1, sample 2
        // to the final head (worked out by hand from the table above).
        const auto e = eenn::evaluate(handBuilt(), {{0, 1}, ExitRule(rule), {t0, t1}});
        QCOMPARE(e.share, (std::vector<double>{0.5, 0.25, 0.25}));
        QCOMPARE(e.exitAccuracy, (std::vector<double>{0.5, 1.0, 1.0}));
        QCOMPARE(e.accuracy, 0.75);
        // paper: .5 (100+10) + .25 (200+20) + .25 (300+50)
        QCOMPARE(e.averageMacsPaper, 197.5);
        // true: exit 1 also ran exit 0 (+10); the head ran both (+30)
        QCOMPARE(e.averageMacsTrue, 207.5);
    }

    void singleExitAndNoExit()
    {
        const auto p = handBuilt();
        const auto none = eenn::evaluate(p, {{}, ExitRule::Margin, {}});
        QCOMPARE(none.share, (std::vector<double>{1.0}));
        QCOMPARE(none.accuracy, 0.75); // the head's correctness: 1, 1, 1, 0
        QCOMPARE(none.averageMacsPaper, 350.0);
        QCOMPARE(none.averageMacsTrue, 350.0);
        const auto one = eenn::evaluate(p, {{1}, ExitRule::Margin, {0.5}});
        QCOMPARE(one.share, (std::vector<double>{0.5, 0.5})); // samples 0 and 1
        QCOMPARE(one.averageMacsTrue, 0.5 * 220 + 0.5 * (350 + 20));
    }

    void badConfigurations()
    {
        const auto p = handBuilt();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eenn::evaluate(p, {{0, 1}, ExitRule::Margin, {0.5}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eenn::evaluate(p, {{1, 0}, ExitRule::Margin, {0.5, 0.5}}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eenn::evaluate(p, {{2}, ExitRule::Margin, {0.5}}));
    }

    void raisingAThresholdNeverMovesAnInputEarlier()
    {
        const auto p = randomProfile(2000, 6, 1);
        for (ExitRule rule : {ExitRule::Margin, ExitRule::MaxSoftmax, ExitRule::Confidence}) {
            std::vector<double> t{0.3, 0.3, 0.3, 0.3};
            auto before = eenn::evaluate(p, {{0, 1, 3, 4}, rule, t});
            for (std::size_t raise = 0; raise < t.size(); ++raise) {
                auto higher = t;
                higher[raise] += 0.2;
                const auto after = eenn::evaluate(p, {{0, 1, 3, 4}, rule, higher});
                double cb = 0, ca = 0;
                for (std::size_t i = 0; i < before.share.size(); ++i) {
                    cb += before.share[i];
                    ca += after.share[i];
                    QVERIFY(ca <= cb + 1e-12); // fewer (or as many) inputs have left by exit i
                }
                QVERIFY(after.averageMacsTrue >= before.averageMacsTrue - 1e-9);
            }
        }
        // entropy: lowering the threshold is the stricter direction
        const auto loose = eenn::evaluate(p, {{0, 2}, ExitRule::Entropy, {1.0, 1.0}});
        const auto strict = eenn::evaluate(p, {{0, 2}, ExitRule::Entropy, {0.5, 1.0}});
        QVERIFY(strict.share[0] <= loose.share[0]);
    }

    void agreesWithThePerSampleDefinition()
    {
        // Walk each sample through the exits with accepts() (in double, as inference
        // does), for random configurations whose thresholds often sit exactly on a
        // stored score or just beside it.
        const auto p = randomProfile(3000, 8, 3);
        std::mt19937 rng(5);
        for (int trial = 0; trial < 200; ++trial) {
            eenn::ExitConfig c;
            c.rule = ExitRule(trial % 4);
            for (int q = 0; q < p.positions - 1; ++q)
                if (rng() % 3 == 0) {
                    c.exits.push_back(q);
                    const float *col = c.rule == ExitRule::Margin       ? p.margin.data()
                                       : c.rule == ExitRule::MaxSoftmax ? p.maxSoftmax.data()
                                       : c.rule == ExitRule::Entropy    ? p.entropy.data()
                                                                        : p.confidence.data();
                    double t = double(col[p.at(int(rng() % 3000), q)]);
                    if (rng() % 3 == 1)
                        t = std::nextafter(t, 2.0 * t + 1.0);
                    else if (rng() % 3 == 2)
                        t = std::nextafter(t, -1.0);
                    c.thresholds.push_back(c.rule == ExitRule::Confidence ? double(std::uniform_real_distribution<float>(0.2f, 0.9f)(rng)) : t);
                }
            std::vector<std::int64_t> count(c.exits.size() + 1, 0);
            std::int64_t right = 0;
            for (int s = 0; s < p.samples; ++s) {
                std::size_t leave = c.exits.size();
                float stay = 1.0f;
                for (std::size_t i = 0; i < c.exits.size(); ++i) {
                    const auto at = p.at(s, c.exits[i]);
                    float v = c.rule == ExitRule::Margin       ? p.margin[at]
                              : c.rule == ExitRule::MaxSoftmax ? p.maxSoftmax[at]
                              : c.rule == ExitRule::Entropy    ? p.entropy[at]
                                                               : p.confidence[at];
                    if (c.rule == ExitRule::Confidence) {
                        stay *= 1.0f - v;
                        v = 1.0f - stay;
                    }
                    if (eenn::accepts(c.rule, v, c.thresholds[i])) {
                        leave = i;
                        break;
                    }
                }
                ++count[leave];
                right += p.correct[p.at(s, leave < c.exits.size() ? c.exits[leave] : p.positions - 1)];
            }
            const auto e = eenn::evaluate(p, c);
            QCOMPARE(e.accuracy, double(right) / p.samples);
            for (std::size_t i = 0; i < count.size(); ++i)
                QCOMPARE(e.share[i], double(count[i]) / p.samples);
        }
    }

    void extremesAndTheLastExit()
    {
        const auto p = randomProfile(500, 5, 2);
        // thresholds at the accepting extreme: everything leaves at the first exit
        QCOMPARE(eenn::evaluate(p, {{1, 2}, ExitRule::Margin, {0.0, 0.0}}).share[0], 1.0);
        QCOMPARE(eenn::evaluate(p, {{1, 2}, ExitRule::Entropy, {100.0, 100.0}}).share[0], 1.0);
        // never accepting early: the final head takes everything, and always accepts
        const auto e = eenn::evaluate(p, {{0, 1, 2, 3}, ExitRule::MaxSoftmax, {2.0, 2.0, 2.0, 2.0}});
        QCOMPARE(e.share.back(), 1.0);
        double sum = 0;
        for (double s : eenn::evaluate(p, {{0, 3}, ExitRule::Margin, {0.5, 0.7}}).share)
            sum += s;
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
    }
};

QTEST_GUILESS_MAIN(TestProfile)
#include "tst_profile.moc"
