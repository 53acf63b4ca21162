// Search-space presets, genomes and the analytical cost model.
#include "cost/cost.h"
#include "space/architecture.h"
#include "space/genome.h"
#include "space/searchspace.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <set>

using namespace edanas::space;

class TestSpace : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static void expectSpaceError(const std::string &json, const std::string &phrase)
    {
        try {
            SearchSpace::fromJson(json, "bad.json");
        } catch (const SpaceError &e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find("bad.json") != std::string::npos, msg.c_str());
            QVERIFY2(msg.find(phrase) != std::string::npos, msg.c_str());
            return;
        }
        QFAIL(("accepted: " + phrase).c_str());
    }

    static std::string ofaJson() { return SearchSpace::load("ofa-mbv3").toJson(); }

    static std::string replaced(std::string s, const std::string &from, const std::string &to)
    {
        const auto at = s.find(from);
        if (at == std::string::npos)
            qFatal("fixture text not found: %s", from.c_str());
        return s.replace(at, from.size(), to);
    }

private Q_SLOTS:
    void ofaPresetIsThePapersSpace()
    {
        const auto s = SearchSpace::load("ofa-mbv3");
        QCOMPARE(s.stageCount(), 5);
        const int widths[] = {24, 40, 80, 112, 160};
        const int strides[] = {2, 2, 2, 1, 2};
        const bool se[] = {false, true, false, true, true};
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(s.stages[std::size_t(i)].width, widths[i]);
            QCOMPARE(s.stages[std::size_t(i)].stride, strides[i]);
            QCOMPARE(s.stages[std::size_t(i)].squeezeExcite, se[i]);
        }
        QCOMPARE(s.stages[1].activation, Activation::Relu);
        QCOMPARE(s.stages[2].activation, Activation::HSwish);
        QCOMPARE(s.depths, (std::vector<int>{2, 3, 4}));
        QCOMPARE(s.kernels, (std::vector<int>{3, 5, 7}));
        QCOMPARE(s.expansions, (std::vector<int>{3, 4, 6}));
        QCOMPARE(s.headWidth, 960);
        QCOMPARE(s.featureWidth, 1280);
        QCOMPARE(s.stemWidth, 16);
        QCOMPARE(s.exitStages, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(s.exitPlacement, ExitPlacement::StageEnds);
        // JSON round trip
        QVERIFY(SearchSpace::fromJson(s.toJson(), "x") == s);
        const auto tiny = SearchSpace::load("tiny");
        QCOMPARE(tiny.stageCount(), 5);
        QCOMPARE(tiny.exitPlacement, ExitPlacement::AnyBlock);
    }

    void smallInputPresetLeavesTheDeepStagesAMap()
    {
        const auto presets = SearchSpace::presetNames();
        QVERIFY(std::count(presets.begin(), presets.end(), "mbv3-small-input") == 1);
        auto s = SearchSpace::load("mbv3-small-input");
        QCOMPARE(s.name, std::string("mbv3-small-input"));
        QVERIFY(!s.description.empty());
        s.inputChannels = 1;
        s.classes = 10;
        // the MobileNetV3 blocks and elastic choices of ofa-mbv3
        const auto ofa = SearchSpace::load("ofa-mbv3");
        QCOMPARE(s.stageCount(), ofa.stageCount());
        for (std::size_t i = 0; i < s.stages.size(); ++i) {
            QCOMPARE(s.stages[i].width, ofa.stages[i].width);
            QCOMPARE(s.stages[i].activation, ofa.stages[i].activation);
            QCOMPARE(s.stages[i].squeezeExcite, ofa.stages[i].squeezeExcite);
        }
        QCOMPARE(s.depths, ofa.depths);
        QCOMPARE(s.kernels, ofa.kernels);
        QCOMPARE(s.expansions, ofa.expansions);
        QCOMPARE(s.resolutions, (std::vector<int>{32}));
        QCOMPARE(s.exitStages, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(s.exitPlacement, ExitPlacement::AnyBlock);
        // a 28 or 32 px input keeps a spatial map up to the head (ofa-mbv3 is at 1x1 there)
        for (int res : {28, 32}) {
            auto at = s;
            at.resolutions = {res};
            const auto a = describe(at, Genome::largest(at));
            QVERIFY2(a.blocks[a.blocks.size() - 2].outH >= 2, std::to_string(res).c_str());
        }
        const auto a = describe(s, Genome::largest(s));
        std::vector<int> stageEnds; // map side after stages 1-4 at 32 px
        for (const auto &b : a.blocks)
            if (b.stage >= 0 && b.stage < 4 && b.block == 3)
                stageEnds.push_back(b.outH);
        QCOMPARE(stageEnds, (std::vector<int>{16, 8, 4, 2}));
        // the largest subnet is at most about 40 M MACs, so that its supernet trains on 2 cores
        const auto big = edanas::cost::computeCost(s, Genome::largest(s));
        const auto small = edanas::cost::computeCost(s, Genome::smallest(s));
        qInfo("mbv3-small-input at 32 px: largest %.3f M MACs, smallest %.3f M MACs", big.staticMacs / 1e6,
              small.staticMacs / 1e6);
        QVERIFY(big.staticMacs <= 41'000'000);
        // exits may sit after any block of stages 1-4
        QCOMPARE(allowedExitPositions(s, Genome::largest(s)).size(), std::size_t(16));
        QCOMPARE(allowedExitPositions(s, Genome::smallest(s)).size(), std::size_t(8));
    }

    void badSpacesAreNamed()
    {
        expectSpaceError("{", "not valid JSON");
        expectSpaceError("[]", "JSON object");
        const std::string ok = ofaJson();
        expectSpaceError(replaced(ok, "\"version\":1", "\"version\":7"), "version 7");
        expectSpaceError(replaced(ok, "\"width\":24", "\"width\":-3"), "stages[0].width");
        // found by fuzz_space: a value beyond long long was converted for the message
        // (undefined behaviour); it is now printed as it was written
        expectSpaceError(replaced(ok, "\"width\":24", "\"width\":1.5e103"), "got 1.5e+103");
        expectSpaceError(replaced(ok, "\"kernel\":[3,5,7]", "\"kernel\":[3,4]"), "odd");
        expectSpaceError(replaced(ok, "\"depth\":[2,3,4]", "\"depth\":[]"), "choices.depth");
        expectSpaceError(replaced(ok, "\"stages\":[1,2,3,4]", "\"stages\":[5]"), "exits.stages");
        expectSpaceError(replaced(ok, "\"activation\":\"relu\"", "\"activation\":\"gelu\""), "\"relu\" or \"hswish\"");
        expectSpaceError(replaced(ok, "\"placement\":\"stage-end\"", "\"placement\":\"everywhere\""), "exits.placement");
        expectSpaceError(replaced(ok, "\"head\":{", "\"headless\":{"), "missing \"head\"");
        try {
            SearchSpace::load(m_dir.path().toStdString() + "/none.json");
            QFAIL("missing file accepted");
        } catch (const SpaceError &e) {
            QVERIFY(std::string(e.what()).find("does not exist") != std::string::npos);
        }
    }

    void genomesValidateHashAndRoundTrip()
    {
        const auto s = SearchSpace::load("ofa-mbv3");
        std::mt19937_64 rng(3);
        std::set<std::uint64_t> hashes;
        for (int i = 0; i < 200; ++i) {
            Genome g = Genome::random(s, rng);
            const auto pos = allowedExitPositions(s, g);
            QCOMPARE(pos.size(), std::size_t(4)); // EDANAS: the ends of stages 1-4
            for (std::size_t k = 0; k < pos.size(); k += 2)
                g.exits.push_back({pos[k].first, pos[k].second, 0.1 * double(k + 1)});
            QVERIFY(g.problems(s).empty());
            const Genome back = Genome::fromJson(g.toJson(), "g");
            QVERIFY(back == g);
            QCOMPARE(back.hash(), g.hash());
            hashes.insert(g.hash());
        }
        QVERIFY(hashes.size() > 190);
        // genes of inactive blocks do not change the backbone
        Genome a = Genome::smallest(s);
        Genome b = a;
        b.kernel[0][3] = 7; // stage 1 has depth 2: block 4 inactive
        QCOMPARE(a.backboneHash(), b.backboneHash());
        b.kernel[0][1] = 7;
        QVERIFY(a.backboneHash() != b.backboneHash());
        // stable across runs and machines: FNV-1a of the canonical text
        QCOMPARE(fnv1a64("a"), std::uint64_t(0xaf63dc4c8601ec8cULL));
    }

    void invalidGenomes()
    {
        const auto s = SearchSpace::load("ofa-mbv3");
        Genome g = Genome::largest(s);
        g.depth[2] = 5;
        QVERIFY(!g.problems(s).empty());
        g = Genome::largest(s);
        g.exits.push_back({1, 1, 0.2}); // inside stage 2: EDANAS allows stage ends only
        QVERIFY(g.problems(s).front().find("not a position") != std::string::npos);
        g.exits = {{1, 3, 0.2}, {0, 3, 0.1}}; // out of order
        QVERIFY(!g.problems(s).empty());
        g.exits = {{0, 3, 1.5}};
        QVERIFY(g.problems(s).front().find("outside [0, 1]") != std::string::npos);
        g.exits = {{4, 3, 0.1}}; // the last stage never holds an exit
        QVERIFY(!g.problems(s).empty());
        QVERIFY_THROWS_EXCEPTION(SpaceError, Genome::fromJson("{\"depth\": \"x\"}", "g.json"));
        QVERIFY_THROWS_EXCEPTION(SpaceError, g.validate(s));
    }

    // Found by fuzz_space: a genome whose kernel or expansion lists do not match its
    // depths was read, and hashing it (before any validation) read past its lists.
    void genomesOfInconsistentShapeAreRefused_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("phrase");
        const QString k = QStringLiteral("[[3,3],[3,3]]"), e = QStringLiteral("[[3,3],[3,3]]");
        auto genome = [](const QString &depth, const QString &kernel, const QString &expansion) {
            return QStringLiteral("{\"depth\":%1,\"kernel\":%2,\"expansion\":%3,\"resolution\":32}")
                .arg(depth, kernel, expansion);
        };
        QTest::newRow("fewer expansion lists") << genome("[2,2]", k, "[[3,3]]") << "g.json: expansion: expected one list per stage (2";
        QTest::newRow("more kernel lists") << genome("[2,2]", "[[3,3],[3,3],[3,3]]", e) << "g.json: kernel: expected one list per stage (2";
        QTest::newRow("a shorter expansion list") << genome("[2,2]", k, "[[3,3],[3]]") << "g.json: expansion[1]: expected as many entries";
    }

    void genomesOfInconsistentShapeAreRefused()
    {
        QFETCH(QString, json);
        QFETCH(QString, phrase);
        try {
            const Genome g = Genome::fromJson(json.toStdString(), "g.json");
            QFAIL(qPrintable("accepted: " + QString::fromStdString(g.backboneKey())));
        } catch (const SpaceError &err) {
            QVERIFY2(QString::fromUtf8(err.what()).startsWith(phrase), err.what());
        }
        // the same lists, consistent, are read
        const char *ok = "{\"depth\":[2,2],\"kernel\":[[3,3],[3,5]],\"expansion\":[[3,3],[3,4]],\"resolution\":32}";
        QCOMPARE(Genome::fromJson(ok, "g.json").depth, std::vector<int>({2, 2}));
    }

    void costOfTheLargestNetworkByHand()
    {
        // ofa-mbv3, 1-channel 32x32 input, 10 classes: the stem and the head by hand.
        auto s = SearchSpace::load("ofa-mbv3");
        s.inputChannels = 1;
        const Genome g = Genome::largest(s);
        const auto a = describe(s, g);
        // stem: 3x3 conv 1->16, stride 2 -> 16x16 outputs
        QCOMPARE(a.blocks[0].macs(), std::int64_t(16 * 16 * 16 * 1 * 9));
        // first block: depthwise 3x3 on 16 channels at 16x16, project 16->16
        QCOMPARE(a.blocks[1].macs(), std::int64_t(16 * 16 * 16 * 9 + 16 * 16 * 16 * 16));
        // stage 1 block 1: 16 -> expand 96 (16*6) at 16x16, depthwise 7x7 stride 2 -> 8x8, project 96->24
        const auto &b = a.blocks[2];
        QCOMPARE(b.midChannels, 96);
        QCOMPARE(b.macs(), std::int64_t(16 * 16 * 96 * 16 + 8 * 8 * 96 * 49 + 8 * 8 * 24 * 96));
        // head: 160->960 at 1x1 (32 / 2^5), 960->1280, 1280->10
        QCOMPARE(a.blocks.back().macs(), std::int64_t(160 * 960 + 960 * 1280 + 1280 * 10));
        QCOMPARE(int(a.blocks.size()), 2 + 20 + 1);
        const auto c = edanas::cost::computeCost(s, g);
        std::int64_t total = 0;
        for (auto m : c.blockMacs)
            total += m;
        QCOMPARE(c.staticMacs, total);
        QCOMPARE(c.exits.size(), std::size_t(1)); // only the final head
        QCOMPARE(c.exits.back().cumulativeMacs(), c.staticMacs);
        QCOMPARE(c.positions.size(), std::size_t(5));
        // the EDANAS exit after stage 1 (24 channels at 8x8): 24->144 at 8x8, 144->192, 192->10
        QCOMPARE(c.positions[0].exitMacs, std::int64_t(8 * 8 * 144 * 24 + 144 * 192 + 192 * 10));
        // cumulative costs grow along the path
        for (std::size_t i = 1; i < c.positions.size(); ++i)
            QVERIFY(c.positions[i].backboneMacs > c.positions[i - 1].backboneMacs);
    }

    void nachosExitsStayCheaperThanLaterOnes()
    {
        auto s = SearchSpace::load("ofa-mbv3");
        s.eecType = EecType::Nachos;
        std::mt19937_64 rng(11);
        for (int i = 0; i < 50; ++i) {
            // any subset of the allowed positions: the pools depend on the position alone
            Genome g = Genome::random(s, rng);
            for (const auto &[st, b] : allowedExitPositions(s, g))
                if (i < 10 || rng() % 2)
                    g.exits.push_back({st, b, 0.5});
            const auto c = edanas::cost::computeCost(s, g);
            const auto a = describe(s, g);
            for (std::size_t k = 0; k + 1 < c.exits.size(); ++k) {
                const bool cheaper = c.exits[k].cumulativeMacs() < c.exits[k + 1].cumulativeMacs();
                const bool poolsExhausted = (a.blocks[std::size_t(a.exits[k].blockIndex)].outH >> a.exits[k].maxPools) <= 1;
                QVERIFY(cheaper || poolsExhausted);
            }
            // the same pools as the cost model's positions, which exit profiles use
            const auto pools = positionMaxPools(s, g);
            for (const auto &x : a.exits) {
                const auto allowed = allowedExitPositions(s, g);
                const auto at = std::size_t(std::find(allowed.begin(), allowed.end(), std::make_pair(x.stage, x.block))
                                            - allowed.begin());
                QCOMPARE(x.maxPools, pools[at]);
                QCOMPARE(c.positions[at].maxPools, x.maxPools);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSpace)
#include "tst_space.moc"
