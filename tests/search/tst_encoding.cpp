// The three genome encodings (METHOD.md, "The encoding"): the gene layout, decoding
// and encoding, and the repair that keeps genes without effect at 0. The expected
// layouts are written from METHOD.md and the space presets, not from the code.
#include "search/encoding.h"

#include "space/searchspace.h"

#include <QTest>

#include <random>
#include <set>

using namespace edanas;
using search::Encoding;
using search::EncodingKind;

namespace {

const EncodingKind kKinds[] = {EncodingKind::Edanas, EncodingKind::Nachos, EncodingKind::Studio};

search::IntGenome randomVector(const Encoding &e, std::mt19937_64 &rng)
{
    search::IntGenome x(std::size_t(e.size()));
    for (int i = 0; i < e.size(); ++i)
        x[std::size_t(i)] = std::uniform_int_distribution<int>(e.lower()[std::size_t(i)], e.upper()[std::size_t(i)])(rng);
    return x;
}

/// A threshold the encoding represents exactly, for an exit gene value v >= 1.
double thresholdOf(const Encoding &e, int v)
{
    switch (e.kind()) {
    case EncodingKind::Edanas: return v == 1 ? 0.1 : 0.2; // METHOD.md: {none, 0.1, 0.2}
    case EncodingKind::Nachos: return 0.5;                // present or not; tuned later
    case EncodingKind::Studio: return e.thresholdGrid()[std::size_t(v - 1)];
    case EncodingKind::Static: break; // no exit genes
    }
    return 0.0;
}

} // namespace

class TestEncoding : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ofaMbv3Layout()
    {
        // METHOD.md: per stage 1 depth gene + 4 kernel + 4 expansion genes, 45 in all
        // (one resolution: no resolution gene), then one exit gene per stage 1..4:
        // EDANAS from {none, 0.1, 0.2}, NACHOS binary, studio none or a grid threshold
        const auto s = space::SearchSpace::load("ofa-mbv3");
        for (auto kind : kKinds) {
            const Encoding e(s, kind);
            QCOMPARE(e.firstExitGene(), 45);
            QCOMPARE(e.size(), 49);
            for (int st = 0; st < 5; ++st) {
                const int base = st * 9;
                const QString stage = QStringLiteral("s%1").arg(st + 1);
                QCOMPARE(QString::fromStdString(e.geneName(base)), stage + QStringLiteral(".depth"));
                QCOMPARE(e.upper()[std::size_t(base)], 2); // depth {2,3,4}
                for (int b = 0; b < 4; ++b) {
                    QCOMPARE(QString::fromStdString(e.geneName(base + 1 + b)),
                             stage + QStringLiteral(".b%1.kernel").arg(b + 1));
                    QCOMPARE(QString::fromStdString(e.geneName(base + 5 + b)),
                             stage + QStringLiteral(".b%1.expansion").arg(b + 1));
                    QCOMPARE(e.upper()[std::size_t(base + 1 + b)], 2); // kernel {3,5,7}
                    QCOMPARE(e.upper()[std::size_t(base + 5 + b)], 2); // expansion {3,4,6}
                }
            }
            const int top = kind == EncodingKind::Edanas ? 2 : kind == EncodingKind::Nachos ? 1 : 49;
            for (int k = 0; k < 4; ++k) {
                QCOMPARE(QString::fromStdString(e.geneName(45 + k)), QStringLiteral("exit.s%1").arg(k + 1));
                QCOMPARE(e.lower()[std::size_t(45 + k)], 0);
                QCOMPARE(e.upper()[std::size_t(45 + k)], top);
            }
            for (int i = 0; i < e.size(); ++i)
                QCOMPARE(e.lower()[std::size_t(i)], 0);
        }
        QCOMPARE(Encoding(s, EncodingKind::Edanas).rule(), space::ExitRule::Margin);
    }

    void anyBlockLayoutAndResolutionGene()
    {
        // tiny: depth {1,2}, two resolutions, exits after any block of stages 1-4
        const auto s = space::SearchSpace::load("tiny");
        const Encoding e(s, EncodingKind::Studio);
        const int perStage = 1 + 2 * 2;
        QCOMPARE(QString::fromStdString(e.geneName(5 * perStage)), QStringLiteral("resolution"));
        QCOMPARE(e.upper()[std::size_t(5 * perStage)], 1);
        QCOMPARE(e.firstExitGene(), 5 * perStage + 1);
        QCOMPARE(e.size(), e.firstExitGene() + 4 * 2); // 4 exit stages x 2 blocks
        QCOMPARE(QString::fromStdString(e.geneName(e.firstExitGene())), QStringLiteral("exit.s1.b1"));
        QCOMPARE(QString::fromStdString(e.geneName(e.size() - 1)), QStringLiteral("exit.s4.b2"));

        // mbv3-small-input: 16 exit slots (4 stages x 4 blocks), no resolution gene
        const Encoding small(space::SearchSpace::load("mbv3-small-input"), EncodingKind::Edanas);
        QCOMPARE(small.firstExitGene(), 45);
        QCOMPARE(small.size(), 45 + 16);
    }

    // The static encoding: the backbone genes of the others, no exit gene; decoded
    // genomes have no exits, and a genome with exits encodes to its backbone.
    void staticIsTheBackboneAlone()
    {
        QCOMPARE(search::parseEncoding("static"), EncodingKind::Static);
        for (const char *sp : {"ofa-mbv3", "tiny", "mbv3-small-input"}) {
            const auto s = space::SearchSpace::load(sp);
            const Encoding st(s, EncodingKind::Static), studio(s, EncodingKind::Studio);
            QCOMPARE(st.firstExitGene(), studio.firstExitGene());
            QCOMPARE(st.size(), st.firstExitGene());
            for (int i = 0; i < st.size(); ++i)
                QCOMPARE(st.upper()[std::size_t(i)], studio.upper()[std::size_t(i)]);
            std::mt19937_64 rng(11);
            for (int trial = 0; trial < 100; ++trial) {
                auto x = randomVector(studio, rng);
                studio.repair(x);
                const space::Genome withExits = studio.decode(x);
                search::IntGenome backbone(x.begin(), x.begin() + st.size());
                const space::Genome g = st.decode(backbone);
                QVERIFY(g.exits.empty());
                QCOMPARE(g.depth, withExits.depth);
                QCOMPARE(g.kernel, withExits.kernel);
                QCOMPARE(g.expansion, withExits.expansion);
                QCOMPARE(g.resolution, withExits.resolution);
                QCOMPARE(st.encode(withExits), backbone);
            }
        }
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("space");
        QTest::addColumn<int>("kind");
        for (const char *sp : {"ofa-mbv3", "tiny", "mbv3-small-input"})
            for (int k = 0; k < 3; ++k)
                QTest::addRow("%s/%s", sp, search::encodingName(kKinds[k]).c_str()) << QString::fromLatin1(sp) << k;
    }

    void roundTrip()
    {
        // a genome with exits at allowed positions and thresholds the encoding holds
        // exactly decodes back to itself from its vector
        QFETCH(QString, space);
        QFETCH(int, kind);
        const auto s = space::SearchSpace::load(space.toStdString());
        const Encoding e(s, kKinds[kind]);
        std::mt19937_64 rng(7 + std::uint64_t(kind));
        for (int trial = 0; trial < 200; ++trial) {
            space::Genome g = space::Genome::random(s, rng);
            g.rule = e.rule();
            // genes of blocks beyond the depth have no effect: the encoding keeps them at
            // the first choice
            for (std::size_t st = 0; st < g.depth.size(); ++st)
                for (std::size_t b = std::size_t(g.depth[st]); b < g.kernel[st].size(); ++b) {
                    g.kernel[st][b] = s.kernels.front();
                    g.expansion[st][b] = s.expansions.front();
                }
            const auto allowed = space::allowedExitPositions(s, g);
            for (const auto &[stage, block] : allowed)
                if (rng() % 3 == 0) {
                    const int top = e.upper()[std::size_t(e.firstExitGene())];
                    g.exits.push_back({stage, block, thresholdOf(e, 1 + int(rng() % std::uint64_t(top)))});
                }
            if (kKinds[kind] == EncodingKind::Nachos && g.exits.empty())
                g.exits.push_back({allowed.back().first, allowed.back().second, 0.5});
            const auto x = e.encode(g);
            QCOMPARE(int(x.size()), e.size());
            for (int i = 0; i < e.size(); ++i)
                QVERIFY(x[std::size_t(i)] >= e.lower()[std::size_t(i)] && x[std::size_t(i)] <= e.upper()[std::size_t(i)]);
            const auto back = e.decode(x);
            QVERIFY2(back == g, (g.summary() + " came back as " + back.summary()).c_str());
            QCOMPARE(e.encode(back), x);
        }
    }

    void thresholdsToNearestAllowed()
    {
        const auto s = space::SearchSpace::load("ofa-mbv3");
        space::Genome g = space::Genome::largest(s);
        const auto pos = space::allowedExitPositions(s, g);
        g.exits = {{pos[0].first, pos[0].second, 0.13}, {pos[2].first, pos[2].second, 0.19}};
        const auto edanas = Encoding(s, EncodingKind::Edanas).decode(Encoding(s, EncodingKind::Edanas).encode(g));
        QCOMPARE(edanas.exits.size(), std::size_t(2));
        QCOMPARE(edanas.exits[0].threshold, 0.1);
        QCOMPARE(edanas.exits[1].threshold, 0.2);
        // the studio grid: steps of 0.02 for the margin rule
        const Encoding studio(s, EncodingKind::Studio);
        const auto st = studio.decode(studio.encode(g));
        QVERIFY(std::abs(st.exits[0].threshold - 0.14) < 1e-12 || std::abs(st.exits[0].threshold - 0.12) < 1e-12);
        QVERIFY(std::abs(st.exits[0].threshold - 0.13) <= 0.01 + 1e-12);
        QVERIFY(std::abs(st.exits[1].threshold - 0.19) <= 0.01 + 1e-12);
    }

    void repairKeepsMeaning_data()
    {
        roundTrip_data();
    }

    void repairKeepsMeaning()
    {
        // for any vector within bounds: repair zeroes exactly the genes without effect,
        // so the network decoded is the same, and repair is idempotent; different
        // repaired vectors decode to different genomes
        QFETCH(QString, space);
        QFETCH(int, kind);
        const auto s = space::SearchSpace::load(space.toStdString());
        const Encoding e(s, kKinds[kind]);
        std::mt19937_64 rng(99 + std::uint64_t(kind));
        std::set<search::IntGenome> repaired;
        std::set<std::string> genomes;
        for (int trial = 0; trial < 300; ++trial) {
            const auto x = randomVector(e, rng);
            auto y = x;
            e.repair(y);
            auto z = y;
            e.repair(z);
            QCOMPARE(z, y);
            const auto gx = e.decode(x);
            const auto gy = e.decode(y);
            // inactive genes differ, the network does not
            QCOMPARE(gy.backboneKey(), gx.backboneKey());
            QCOMPARE(gy.resolution, gx.resolution);
            if (kKinds[kind] == EncodingKind::Nachos) {
                QVERIFY(!gy.exits.empty()); // a NACHOS candidate always has an exit
                if (!gx.exits.empty())
                    QVERIFY(gy.exits == gx.exits);
            } else {
                QVERIFY(gy.exits == gx.exits);
            }
            // no gene of a block beyond its stage's depth survives
            for (int st = 0; st < s.stageCount(); ++st) {
                const int perStage = 1 + 2 * s.maxDepth();
                const int depth = gy.depth[std::size_t(st)];
                for (int b = depth; b < s.maxDepth(); ++b) {
                    QCOMPARE(y[std::size_t(st * perStage + 1 + b)], 0);
                    QCOMPARE(y[std::size_t(st * perStage + 1 + s.maxDepth() + b)], 0);
                }
            }
            genomes.insert(gy.toJson());
            repaired.insert(y);
            QVERIFY(gy.problems(s).empty());
        }
        QCOMPARE(genomes.size(), repaired.size());
    }

    void badInput()
    {
        const auto s = space::SearchSpace::load("ofa-mbv3");
        const Encoding e(s, EncodingKind::Edanas);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, e.decode(search::IntGenome(10, 0)));
        space::Genome g = space::Genome::largest(s);
        g.kernel[0][0] = 9;
        QVERIFY_THROWS_EXCEPTION(space::SpaceError, e.encode(g));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, search::parseEncoding("darts"));
        for (auto k : kKinds)
            QCOMPARE(search::parseEncoding(search::encodingName(k)), k);
    }
};

QTEST_GUILESS_MAIN(TestEncoding)
#include "tst_encoding.moc"
