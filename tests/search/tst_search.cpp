// The EENN search on the shipped supernet and Fashion-MNIST, with small numbers: what
// it writes to the study, what each encoding does to the exits, stopping and resuming
// without losing or repeating anything, and steering from another thread.
#include "search/engine.h"

#include "eenn/profilestore.h"
#include "search/pareto.h"
#include "study/study.h"
#include "cost/cost.h"
#include "export/mcumemory.h"
#include "space/architecture.h"
#include "supernet/checkpointinfo.h"
#include "supernet/trainer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <thread>

using namespace edanas;

namespace {

class Recorder : public search::SearchObserver
{
public:
    std::vector<search::CandidateSnapshot> candidates;
    std::vector<search::GenerationSnapshot> generations;
    std::function<void(const search::CandidateSnapshot &)> onCandidate;
    void candidateEvaluated(const search::CandidateSnapshot &c) override
    {
        candidates.push_back(c);
        if (onCandidate)
            onCandidate(c);
    }
    void generationDone(const search::GenerationSnapshot &g) override { generations.push_back(g); }
};

} // namespace

class TestSearch : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const data::Dataset> m_data;

    search::SearchEngine::Launch launch(search::EncodingKind kind, const char *study)
    {
        search::SearchEngine::Launch l;
        l.loaded = m_data;
        l.checkpointPath = supernet::defaultSupernetPath();
        l.config.encoding = kind;
        l.config.population = 6;
        l.config.generations = 2;
        l.config.validationImages = 300;
        l.config.recalibrationImages = 100;
        l.config.seed = 5;
        l.config.exitSearchBudget = 100;
        l.config.finalValidationImages = -1;
        l.studyPath = m_dir.filePath(QString::fromLatin1(study)).toStdString();
        return l;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        m_data = std::make_shared<const data::Dataset>(data::loadDataset(ref));
        QVERIFY2(!supernet::defaultSupernetPath().empty(), "the shipped supernet is missing");
    }

    void edanasSearchWritesEverything()
    {
        auto l = launch(search::EncodingKind::Edanas, "edanas.edanas");
        l.config.finalValidationImages = 600;
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        QCOMPARE(engine->run(r), search::SearchEngine::Result::Finished);
        QCOMPARE(int(r.generations.size()), 2);
        QVERIFY(r.generations[1].hypervolume >= r.generations[0].hypervolume);
        QVERIFY(r.generations[0].hypervolume > 0.0 && r.generations[1].hypervolume < 1.0);

        const auto s = study::Study::open(l.studyPath, true);
        const auto stored = s.candidates();
        QCOMPARE(stored.size(), r.candidates.size());
        QVERIFY(stored.size() >= 6);
        std::set<std::uint64_t> hashes;
        for (const auto &c : stored) {
            QVERIFY(hashes.insert(c.genomeHash).second);
            const auto g = space::Genome::fromJson(c.genomeJson, "study");
            QCOMPARE(g.rule, space::ExitRule::Margin);
            for (const auto &e : g.exits) {
                QVERIFY(e.threshold == 0.1 || e.threshold == 0.2); // the EDANAS genes
                QCOMPARE(e.block, g.depth[std::size_t(e.stage)] - 1); // at stage ends
            }
            QVERIFY(c.accuracy > 0.5 && c.accuracy <= 1.0); // the shipped supernet is ~80 %
            QVERIFY(c.macsTrue >= c.macsPaper);
            QVERIFY(c.macsTrue <= engine->referenceMacs());
            QCOMPARE(c.objectives.size(), std::size_t(2));
            QCOMPARE(c.objectives[0], 1.0 - c.accuracy);
        }
        // the recorded front is the non-dominated set of everything evaluated
        const auto gens = s.generations();
        QCOMPARE(int(gens.size()), 2);
        std::vector<std::vector<double>> f;
        for (const auto &c : stored)
            f.push_back({1.0 - c.accuracy, c.macsTrue});
        std::vector<std::int64_t> expected;
        for (int i : search::nonDominatedIndices(f, std::vector<double>(f.size(), 0.0)))
            expected.push_back(stored[std::size_t(i)].id);
        auto front = gens.back().front;
        std::sort(front.begin(), front.end());
        std::sort(expected.begin(), expected.end());
        QCOMPARE(front, expected);
        // the front's profiles are stored: re-evaluating a front candidate's exits from
        // its stored profile gives its recorded figures, with no network run
        for (auto id : front) {
            const auto &c = *std::find_if(stored.begin(), stored.end(), [&](auto &x) { return x.id == id; });
            const auto g = space::Genome::fromJson(c.genomeJson, "study");
            const auto bytes = s.profile(g.backboneHash(), g.resolution);
            QVERIFY(bytes);
            const auto p = eenn::deserializeProfile(*bytes, "study");
            QCOMPARE(p.samples, 300);
            const auto e = eenn::evaluate(p, eenn::configFromGenome(p, g));
            QCOMPARE(e.accuracy, c.accuracy);
            QCOMPARE(e.averageMacsTrue, c.macsTrue);
        }
        // every evaluated backbone's profile stays in the engine's cache, for the Studio
        for (const auto &c : r.candidates) {
            const auto cached = engine->cachedProfile(c.genome);
            QVERIFY(cached);
            QCOMPARE(eenn::evaluate(*cached, eenn::configFromGenome(*cached, c.genome)).accuracy, c.accuracy);
        }
        // the final front, measured again on twice the images
        const auto final = QJsonDocument::fromJson(QByteArray::fromStdString(s.state("final_front").value())).array();
        QCOMPARE(std::size_t(final.size()), front.size());
        for (const auto &row : final) {
            const auto o = row.toObject();
            QCOMPARE(o.value("images").toInt(), 600);
            QVERIFY(std::find(front.begin(), front.end(), std::int64_t(o.value("id").toDouble())) != front.end());
            QVERIFY(o.value("accuracy").toDouble() > 0.5);
        }
    }

    void nachosNeedsConfidenceClassifiers()
    {
        // the shipped supernet has EDANAS exits (no learned confidence): the nachos encoding
        // is refused before anything is written, with what to train instead
        auto l = launch(search::EncodingKind::Nachos, "refused.edanas");
        try {
            search::SearchEngine::open(l);
            QFAIL("the nachos encoding was accepted on a supernet without NACHOS exit classifiers");
        } catch (const std::invalid_argument &e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(l.checkpointPath) != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("\"classifier\": \"nachos\"") != std::string::npos, msg.c_str());
        }
        QVERIFY(!QFile::exists(QString::fromStdString(l.studyPath)));
    }

    void nachosTunesThresholdsUnderConstraints()
    {
        // a small supernet with NACHOS exit classifiers, trained here briefly on Fashion-MNIST
        auto space = space::SearchSpace::load("tiny");
        space.eecType = space::EecType::Nachos;
        supernet::TrainConfig tc;
        tc.phaseEpochs = {1, 1, 0, 0};
        tc.batchSize = 64;
        tc.trainImages = 2000;
        tc.evalImages = 200;
        tc.recalibrationImages = 200;
        const std::string ckpt = m_dir.filePath(QStringLiteral("tiny-nachos.pt")).toStdString();
        std::atomic<bool> cancel{false};
        supernet::Trainer(*m_data, space, tc, ckpt).run(cancel, {}, {});
        space.inputChannels = 1;
        space.classes = 10;
        const double ceiling = 0.6 * double(cost::computeCost(space, space::Genome::largest(space)).staticMacs);

        auto l = launch(search::EncodingKind::Nachos, "nachos.edanas");
        l.checkpointPath = ckpt;
        l.config.maxMacs = ceiling;
        l.config.minAccuracy = 0.4;
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        engine->run(r);
        QVERIFY(!r.candidates.empty());
        int feasible = 0;
        for (const auto &c : r.candidates) {
            QVERIFY(!c.genome.exits.empty()); // NACHOS needs at least one exit
            for (const auto &e : c.genome.exits) {
                // a grid value, or lowered from one in steps of 0.1, never below 0.1
                QVERIFY(e.threshold >= 0.1 - 1e-9 && e.threshold <= 0.8 + 1e-9);
                QVERIFY(std::abs(e.threshold * 10 - std::round(e.threshold * 10)) < 1e-9);
            }
            QCOMPARE(c.genome.rule, space::ExitRule::Confidence); // the learned confidence, not the margin
            const bool ok = c.macsTrue <= ceiling && c.accuracy >= 0.4;
            QCOMPARE(c.violation == 0.0, ok);
            feasible += ok;
        }
        QVERIFY(feasible > 0);
    }

    void moreObjectivesAndConstraints()
    {
        auto l = launch(search::EncodingKind::Edanas, "params.edanas");
        l.config.generations = 1;
        l.config.objectiveParams = true;
        l.config.maxParams = 4.0e6;
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        engine->run(r);
        const auto s = study::Study::open(l.studyPath, true);
        int over = 0;
        for (const auto &c : s.candidates()) {
            QCOMPARE(c.objectives.size(), std::size_t(3));
            QCOMPARE(c.objectives[2], c.params);
            const bool ok = c.params <= 4.0e6;
            QCOMPARE(c.violation == 0.0, ok);
            over += !ok;
        }
        QVERIFY(over > 0); // the ceiling bites: ofa-mbv3 subnets have 3-6 M parameters
        const auto gens = s.generations();
        QVERIFY(!gens.back().front.empty());
        for (auto id : gens.back().front) {
            const auto c = std::find_if(r.candidates.begin(), r.candidates.end(), [&](auto &x) { return x.id == id; });
            QVERIFY(c != r.candidates.end());
            QVERIFY(c->violation == 0.0);
        }
    }

    void sramConfigurationRoundTrips()
    {
        search::SearchConfig c;
        c.objectiveSram = true;
        c.maxSramBytes = 48.5 * 1024;
        const auto back = search::SearchConfig::fromJson(c.toJson(), "x.edanas");
        QVERIFY(back.objectiveSram);
        QCOMPARE(back.maxSramBytes, 48.5 * 1024);
        QVERIFY(!std::isfinite(search::SearchConfig::fromJson(search::SearchConfig().toJson(), "x").maxSramBytes));
        // the keys of the older peak-memory figure are refused, never read as the SRAM
        for (const char *old : {"max_peak_bytes", "objective_peak_memory"}) {
            auto o = QJsonDocument::fromJson(QByteArray::fromStdString(c.toJson())).object();
            o.insert(QLatin1String(old), old == std::string("max_peak_bytes") ? QJsonValue(65536.0) : QJsonValue(true));
            try {
                search::SearchConfig::fromJson(QJsonDocument(o).toJson().toStdString(), "old.edanas");
                QFAIL("an older peak-memory key was accepted");
            } catch (const std::invalid_argument &e) {
                QVERIFY2(std::string(e.what()).find("old.edanas") != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find(old) != std::string::npos, e.what());
            }
        }
    }

    // The SRAM a microcontroller needs (export/mcumemory.h) as a ceiling and a third
    // objective. Every figure is computed here again from the stored genome through the
    // mcumemory API. The ceiling is the median SRAM of a first search of the same seed
    // without it (the same first generation), so that it bites.
    void sramCeilingAndObjective()
    {
        const std::string ckpt = supernet::defaultSupernetPath();
        const auto space = space::SearchSpace::fromJson(supernet::readCheckpointInfo(ckpt).spaceJson, ckpt);
        auto memoryOf = [&](const space::Genome &g) { return deploy::mcuMemory(space::describe(space, g)); };
        double ceiling = 0;
        {
            auto l = launch(search::EncodingKind::Edanas, "sram-free.edanas");
            l.config.population = 16;
            l.config.generations = 1;
            auto engine = search::SearchEngine::open(l);
            Recorder r;
            engine->run(r);
            std::vector<double> sram;
            for (const auto &c : study::Study::open(l.studyPath, true).candidates())
                sram.push_back(double(memoryOf(space::Genome::fromJson(c.genomeJson, l.studyPath)).arena));
            QVERIFY(sram.size() >= 4);
            std::sort(sram.begin(), sram.end());
            ceiling = sram[sram.size() / 2 - 1]; // the candidates above it are infeasible below
            QVERIFY2(sram.back() > ceiling, "every candidate has the same SRAM");
        }

        auto l = launch(search::EncodingKind::Edanas, "sram.edanas");
        l.config.population = 16;
        l.config.generations = 1;
        l.config.objectiveSram = true;
        l.config.maxSramBytes = ceiling;
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        engine->run(r);
        const auto s = study::Study::open(l.studyPath, true);
        struct Row
        {
            std::int64_t id;
            std::vector<double> f; ///< error, average MACs, SRAM (computed here)
            bool feasible;
        };
        std::vector<Row> rows;
        int over = 0;
        for (const auto &c : s.candidates()) {
            const auto g = space::Genome::fromJson(c.genomeJson, l.studyPath);
            const auto mcu = memoryOf(g);
            QCOMPARE(c.sramBytes, double(mcu.arena));
            QCOMPARE(c.flashBytes, double(mcu.flash));
            QCOMPARE(c.objectives.size(), std::size_t(3));
            QCOMPARE(c.objectives[2], double(mcu.arena));
            const bool under = double(mcu.arena) <= ceiling;
            QCOMPARE(c.violation == 0.0, under); // no other constraint is set
            over += !under;
            rows.push_back({c.id, {1.0 - c.accuracy, c.macsTrue, double(mcu.arena)}, under});
        }
        QVERIFY2(over > 0 && over < int(rows.size()), "the ceiling should split the candidates");

        // the front: exactly the feasible candidates no feasible one dominates in the three objectives
        auto dominates = [](const std::vector<double> &a, const std::vector<double> &b, std::size_t n) {
            bool better = false;
            for (std::size_t k = 0; k < n; ++k) {
                if (a[k] > b[k])
                    return false;
                better = better || a[k] < b[k];
            }
            return better;
        };
        std::set<std::int64_t> expected;
        int thereForSram = 0; // on the front only thanks to its SRAM: dominated in error and MACs
        for (const auto &a : rows) {
            if (!a.feasible)
                continue;
            bool dominated = false, dominated2 = false;
            for (const auto &b : rows) {
                dominated = dominated || (b.feasible && dominates(b.f, a.f, 3));
                dominated2 = dominated2 || (b.feasible && dominates(b.f, a.f, 2));
            }
            if (!dominated) {
                expected.insert(a.id);
                thereForSram += dominated2;
            }
        }
        const auto gens = s.generations();
        const std::set<std::int64_t> front(gens.back().front.begin(), gens.back().front.end());
        QVERIFY(!front.empty());
        QCOMPARE(front, expected);
        qInfo("%d of %zu front candidates are there for their SRAM alone (dominated in error and MACs)", thereForSram,
              front.size());
    }

    void studioWritesTheImprovedExitsBack()
    {
        auto l = launch(search::EncodingKind::Studio, "studio.edanas");
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        engine->run(r);
        const auto s = study::Study::open(l.studyPath, true);
        for (const auto &c : s.candidates()) {
            // the stored genes decode to the stored genome: the improvement is in the genome
            const auto g = engine->encoding().decode(c.genes);
            QCOMPARE(g.toJson(), c.genomeJson);
        }
    }

    void stopAndResumeLoseNothing()
    {
        auto l = launch(search::EncodingKind::Edanas, "resume.edanas");
        l.config.generations = 3;
        std::vector<std::uint64_t> before;
        {
            auto engine = search::SearchEngine::open(l);
            Recorder r;
            r.onCandidate = [&](const search::CandidateSnapshot &) {
                if (r.candidates.size() == 8) // in the middle of generation 1
                    engine->stop();
            };
            QCOMPARE(engine->run(r), search::SearchEngine::Result::Stopped);
            QCOMPARE(r.candidates.size(), std::size_t(8));
        }
        {
            const auto s = study::Study::open(l.studyPath, true);
            QCOMPARE(s.candidates().size(), std::size_t(8));
            QCOMPARE(int(s.generations().size()), 1);
        }
        l.resume = true;
        auto engine = search::SearchEngine::open(l);
        Recorder r;
        QCOMPARE(engine->run(r), search::SearchEngine::Result::Finished);
        QCOMPARE(r.generations.front().generation, 1);
        QCOMPARE(r.generations.back().generation, 2);
        const auto s = study::Study::open(l.studyPath, true);
        std::set<std::uint64_t> hashes;
        for (const auto &c : s.candidates())
            QVERIFY(hashes.insert(c.genomeHash).second); // nothing evaluated twice
        QCOMPARE(s.candidates().size(), 8 + r.candidates.size());
        QCOMPARE(int(s.generations().size()), 3);
        bool resumed = false;
        for (const auto &e : s.events())
            resumed |= e.type == "resume";
        QVERIFY(resumed);

    }

    void steeringFromAnotherThread()
    {
        auto l = launch(search::EncodingKind::Edanas, "steer.edanas");
        l.config.generations = 2;
        auto engine = search::SearchEngine::open(l);
        // a genome a user edited, injected while the search runs
        space::Genome edited = space::Genome::smallest(space::SearchSpace::load("ofa-mbv3"));
        edited.exits.push_back({0, 1, 0.2});
        // and one kept as it is: a threshold the EDANAS genes cannot express
        space::Genome variant = space::Genome::largest(space::SearchSpace::load("ofa-mbv3"));
        variant.exits = {{1, 3, 0.37}};
        Recorder r;
        std::atomic<int> seen{0};
        r.onCandidate = [&](const search::CandidateSnapshot &) { ++seen; };
        std::thread steer([&] {
            while (seen.load() < 2)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            engine->pause();
            engine->setConstraints(2.5e6, 0.6);
            engine->inject(edited);
            engine->keep(variant);
            engine->freeze(4 * 9 + 1, 0); // stage 5, block 1: kernel 3 (as in `edited`)
            // a pin and a ban taken back at once (applied in order while paused: no effect)
            engine->pin(edited);
            engine->unpin(edited);
            engine->ban(variant);
            engine->unban(variant);
            const int at = seen.load();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            pausedHeld = seen.load() <= at + 1; // at most the candidate in flight finished
            engine->resume();
        });
        engine->run(r);
        steer.join();
        QVERIFY(pausedHeld);
        const auto s = study::Study::open(l.studyPath, true);
        std::vector<std::string> types;
        for (const auto &e : s.events())
            types.push_back(e.type);
        for (const char *t : {"pause", "constraints", "inject", "keep", "freeze", "pin", "unpin", "ban", "unban", "resume"})
            QVERIFY2(std::find(types.begin(), types.end(), t) != types.end(), t);
        QCOMPARE(engine->config().maxMacs, 2.5e6);
        // the injected genome was evaluated, and later candidates carry the new constraints
        bool injected = false;
        for (const auto &c : r.candidates) {
            injected |= c.origin == "injected" && c.genome.backboneHash() == edited.backboneHash();
        }
        QVERIFY(injected);
        const auto kept = std::find_if(r.candidates.begin(), r.candidates.end(),
                                       [](auto &c) { return c.origin == "variant"; });
        QVERIFY(kept != r.candidates.end());
        QCOMPARE(kept->genome.exits.size(), std::size_t(1));
        QCOMPARE(kept->genome.exits[0].threshold, 0.37);
        // the static network (no exits) it is compared with: the profile's final head
        const auto profile = engine->cachedProfile(kept->genome);
        QVERIFY(profile);
        QCOMPARE(kept->staticAccuracy, eenn::evaluate(*profile, {{}, space::ExitRule::Margin, {}}).accuracy);
        QCOMPARE(engine->encoding().geneName(4 * 9 + 1), std::string("s5.b1.kernel"));
        int later = 0;
        for (const auto &c : r.candidates)
            if (c.generation >= 1) {
                QCOMPARE(c.genome.kernel[4][0], 3);
                ++later;
            }
        QVERIFY(later > 0);
        const auto &last = r.candidates.back();
        QCOMPARE(last.violation == 0.0, last.macsTrue <= 2.5e6 && last.accuracy >= 0.6);
    }

private:
    bool pausedHeld = false;
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
