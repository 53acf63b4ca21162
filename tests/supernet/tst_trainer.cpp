// Supernet training: it learns, resumes after an interruption exactly where it stopped,
// and refuses to overwrite what a user has.
#include "fixtures.h"

#include "data/dataset.h"
#include "space/searchspace.h"
#include "supernet/checkpoint.h"
#include "supernet/estimate.h"
#include "supernet/loss.h"
#include "supernet/supernet.h"
#include "supernet/trainer.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <map>
#include <set>

using namespace edanas;

namespace {

// A learnable synthetic data set of noisy 16x16 textures, one per class: horizontal
// stripes, vertical stripes, a checkerboard, plain noise (position-free, as suits
// classifiers that pool globally).
data::Dataset texturesDataset(int perClass)
{
    data::Dataset ds;
    ds.name = "textures";
    ds.ref.path = "textures";
    ds.classNames = {"a", "b", "c", "d"};
    auto make = [&](data::ImageSet &set, int n, unsigned seed) {
        std::mt19937 rng(seed);
        set.height = set.width = 16;
        set.channels = 1;
        for (int i = 0; i < n; ++i) {
            const int c = i % 4;
            set.labels.push_back(c);
            for (int y = 0; y < 16; ++y)
                for (int x = 0; x < 16; ++x) {
                    int v = int(rng() % 90);
                    const bool on = c == 0 ? (y / 2) % 2 == 0 : c == 1 ? (x / 2) % 2 == 0
                                  : c == 2 ? ((x / 2) + (y / 2)) % 2 == 0 : false;
                    if (on)
                        v += 120;
                    set.pixels.push_back(std::uint8_t(v));
                }
        }
    };
    make(ds.train, 4 * perClass, 1);
    make(ds.test, 40, 2);
    return ds;
}

space::SearchSpace tinySpace()
{
    auto s = space::SearchSpace::load("tiny");
    s.resolutions = {16};
    return s;
}

/// tiny's supernet for 1 channel and 4 classes, its weights drawn from `seed`.
supernet::Supernet tinyNet(std::uint64_t seed)
{
    torch::manual_seed(seed);
    auto s = tinySpace();
    s.inputChannels = 1;
    s.classes = 4;
    return supernet::Supernet(s);
}

supernet::TrainConfig quickConfig()
{
    supernet::TrainConfig c;
    c.phaseEpochs = {2, 1, 1, 1};
    c.batchSize = 32;
    c.learningRates = {0.1, 0.04, 0.02, 0.01};
    c.warmupEpochs = 0.5;
    c.recalibrationImages = 200;
    c.seed = 3;
    return c;
}

std::map<std::string, torch::Tensor> weights(const std::string &path)
{
    auto net = supernet::loadCheckpoint(path);
    std::map<std::string, torch::Tensor> w;
    for (const auto &p : net->named_parameters())
        w[p.key()] = p.value().clone();
    return w;
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    data::Dataset m_data = texturesDataset(100);
    std::string path(const char *name) const { return m_dir.path().toStdString() + "/" + name; }

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); } // bit-for-bit repeatable runs

    void learnsAndLogsEveryEpoch()
    {
        std::atomic<bool> cancel{false};
        supernet::Trainer t(m_data, tinySpace(), quickConfig(), path("full.pt"));
        std::vector<supernet::EpochReport> reports;
        std::vector<supernet::BatchProgress> progress;
        int batches = 0;
        bool teacherDuringTraining = false;
        QCOMPARE(t.run(cancel,
                       [&](const supernet::BatchProgress &b) {
                           ++batches;
                           progress.push_back(b);
                           if (b.epoch == 3 && b.batch == 1)
                               teacherDuringTraining = QFile::exists(QString::fromStdString(
                                   supernet::Trainer::teacherPath(path("full.pt"))));
                       },
                       [&](const supernet::EpochReport &r) { reports.push_back(r); }),
                 supernet::Trainer::Result::Completed);
        QCOMPARE(int(reports.size()), 5);
        QCOMPARE(reports[2].phase, supernet::Phase::Kernel);
        QCOMPARE(reports[4].phase, supernet::Phase::Expansion);
        QVERIFY(batches > 0);
        // 4 classes: chance is 25 %; the textures are easy
        const auto &last = reports.back();
        for (const auto &r : reports)
            qInfo("epoch %d (%s): loss %.4f", r.epoch, supernet::phaseName(r.phase).c_str(), r.loss);
        for (std::size_t i = 0; i < last.largest.accuracy.size(); ++i)
            qInfo("%s largest %.3f smallest %.3f", last.largest.positions[i].c_str(), last.largest.accuracy[i], i < last.smallest.accuracy.size() ? last.smallest.accuracy[i] : -1.0);
        QVERIFY2(last.largest.accuracy.back() > 0.8, std::to_string(last.largest.accuracy.back()).c_str());
        QVERIFY(last.smallest.accuracy.back() > 0.6);
        // The loss falls within the largest network's phase and over the elastic phases.
        // (Across the boundary it jumps: each phase restarts its schedule at the peak rate
        // and adds the sandwich subnets' losses; issue 14 changes that recipe.)
        QVERIFY(reports[1].loss < reports[0].loss);
        QVERIFY(last.loss < reports[2].loss);
        // exits are measured at every allowed position of the tiny space (after any block)
        QCOMPARE(last.largest.positions.size(), std::size_t(4 * 2 + 1));
        const auto info = supernet::readCheckpointInfo(path("full.pt"));
        QCOMPARE(int(std::count(info.trainingLog.begin(), info.trainingLog.end(), '\n')), 5);
        const auto state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        QVERIFY(state.value("complete").toBool());
        QCOMPARE(info.datasetHash, data::contentHash(m_data));
        // the fixed teacher was kept during the later phases, and removed at the end
        QVERIFY(teacherDuringTraining);
        QVERIFY(!QFile::exists(QString::fromStdString(supernet::Trainer::teacherPath(path("full.pt")))));

        // the schedule, phase by phase: each phase warms up linearly to its own peak, then
        // decays along a cosine to near 0 before the next phase starts
        const auto cfg = quickConfig();
        const std::int64_t perEpoch = progress.front().batches;
        const std::int64_t warmup = std::llround(cfg.warmupEpochs * double(perEpoch));
        QVERIFY(warmup >= 2);
        std::size_t at = 0;
        for (int phase = 0; phase < 4; ++phase) {
            const double peak = cfg.learningRates[std::size_t(phase)];
            const std::size_t steps = std::size_t(perEpoch * cfg.phaseEpochs[std::size_t(phase)]);
            QCOMPARE(int(progress[at].phase), phase); // a phase boundary
            if (at > 0)
                QCOMPARE(int(progress[at - 1].phase), phase - 1);
            QVERIFY(qFuzzyCompare(progress[at].learningRate, peak / double(warmup)));
            QVERIFY(qFuzzyCompare(progress[at + std::size_t(warmup) - 1].learningRate, peak));
            double highest = 0.0;
            for (std::size_t i = at; i < at + steps; ++i) {
                highest = std::max(highest, progress[i].learningRate);
                if (i > at + std::size_t(warmup))
                    QVERIFY(progress[i].learningRate < progress[i - 1].learningRate);
            }
            QVERIFY(qFuzzyCompare(highest, peak));
            // the last step is the cosine's last before 0: 0.5 * peak * (1 + cos(pi * (n - 1) / n)), n cosine steps
            const double n = double(steps) - double(warmup);
            QVERIFY(qFuzzyCompare(progress[at + steps - 1].learningRate, 0.5 * peak * (1 + std::cos(M_PI * (n - 1) / n))));
            QVERIFY(progress[at + steps - 1].learningRate < 0.1 * peak);
            at += steps;
        }
        QCOMPARE(at, progress.size());
    }

    // The training-time estimate scales measured rates to a schedule: a first-phase image
    // costs one largest step; a later one the largest, the phase's smallest, each random
    // subnet as the mean of those two, and the teacher's pass as a third of a largest step.
    void estimateScalesPerPhase()
    {
        supernet::TrainingEstimate e;
        e.largestImagesPerSecond = 100;
        e.smallestImagesPerSecond = 1000;
        e.phaseSmallestImagesPerSecond[1] = 200;
        e.phaseSmallestImagesPerSecond[2] = 400;
        e.phaseSmallestImagesPerSecond[3] = 1000;
        supernet::TrainConfig cfg;
        cfg.phaseEpochs = {2, 1, 1, 1};
        cfg.randomSubnets = 1;
        cfg.distillWeight = 1.0;
        supernet::scheduleTraining(e, cfg, 1000);
        // largest: 2 x 1000 / 100; kernel: 1000 x (1/100 + 1/200 + (1/100 + 1/200) / 2 + 1/300) ...
        const double teacher = 1.0 / 300;
        const double expected[4] = {20.0, 1000 * (0.01 + 0.005 + 0.0075 + teacher),
                                    1000 * (0.01 + 0.0025 + 0.00625 + teacher), 1000 * (0.01 + 0.001 + 0.0055 + teacher)};
        double total = 0;
        for (int p = 0; p < 4; ++p) {
            QVERIFY2(std::abs(e.phaseSeconds[p] - expected[p]) < 1e-9, qPrintable(QString::number(e.phaseSeconds[p])));
            total += expected[p];
        }
        QVERIFY(std::abs(e.seconds - total) < 1e-9);
        // no teacher, two random subnets; a phase not measured falls back on the smallest
        e.phaseSmallestImagesPerSecond[2] = 0;
        cfg.distillWeight = 0;
        cfg.randomSubnets = 2;
        cfg.phaseEpochs = {0, 0, 3, 0};
        supernet::scheduleTraining(e, cfg, 1000);
        QCOMPARE(e.phaseSeconds[0], 0.0);
        QVERIFY(std::abs(e.phaseSeconds[2] - 3000 * (0.01 + 0.001 + 0.011)) < 1e-9);
        QVERIFY(std::abs(e.seconds - e.phaseSeconds[2]) < 1e-9);
    }

    // imagesPerEpoch counts the training split as the trainer draws it
    void imagesPerEpochIsTheTrainingSplit()
    {
        data::Dataset ds;
        ds.train.labels.resize(1000);
        for (std::size_t i = 0; i < ds.train.labels.size(); ++i)
            ds.train.labels[i] = std::int32_t(i % 10);
        ds.classNames.assign(10, "class");
        supernet::TrainConfig cfg; // validation share 0.1: 10 of each class's 100
        QCOMPARE(supernet::imagesPerEpoch(ds, cfg), std::int64_t(900));
        cfg.trainImages = 300;
        QCOMPARE(supernet::imagesPerEpoch(ds, cfg), std::int64_t(300));
        cfg.trainImages = 5000;
        QCOMPARE(supernet::imagesPerEpoch(ds, cfg), std::int64_t(900));
    }

    void learningRateWarmsUpThenFollowsACosine()
    {
        // 100 steps, 10 of warm-up: 0.01, 0.02, ... 0.1, then 0.5 * 0.1 * (1 + cos(pi * t)) over 90 steps
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 0, 100, 10), 0.01));
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 4, 100, 10), 0.05));
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 9, 100, 10), 0.1));
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 10, 100, 10), 0.1));
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 55, 100, 10), 0.05)); // half-way through the cosine
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.1, 25, 100, 10), 0.05 * (1 + std::cos(M_PI / 6))));
        QVERIFY(supernet::learningRateAt(0.1, 99, 100, 10) < 1e-4);
        QVERIFY(supernet::learningRateAt(0.1, 99, 100, 10) > 0);
        // no warm-up: the cosine from the peak
        QVERIFY(qFuzzyCompare(supernet::learningRateAt(0.2, 0, 50, 0), 0.2));
    }

    void eachPhaseSamplesItsElasticDimensions()
    {
        const auto s = tinySpace();
        const auto big = space::Genome::largest(s);
        const int maxDepth = *std::max_element(s.depths.begin(), s.depths.end());
        const int minKernel = *std::min_element(s.kernels.begin(), s.kernels.end());
        const int maxExpansion = *std::max_element(s.expansions.begin(), s.expansions.end());
        auto cfg = quickConfig();
        cfg.randomSubnets = 2;
        std::mt19937_64 rng(9);
        // the first phase trains the largest network alone
        for (int i = 0; i < 5; ++i) {
            const auto subnets = supernet::stepSubnets(s, cfg, supernet::Phase::Largest, rng);
            QCOMPARE(subnets.size(), std::size_t(1));
            QVERIFY(subnets[0] == big);
        }
        struct Seen
        {
            bool kernel = false, depth = false, expansion = false;
        };
        for (auto phase : {supernet::Phase::Kernel, supernet::Phase::Depth, supernet::Phase::Expansion}) {
            Seen seen;
            for (int i = 0; i < 200; ++i) {
                const auto subnets = supernet::stepSubnets(s, cfg, phase, rng);
                QCOMPARE(subnets.size(), std::size_t(2 + cfg.randomSubnets)); // sandwich: largest, smallest, 2 random
                QVERIFY(subnets[0] == big);
                // the phase's smallest: smallest kernels, and depth / expansion smallest once elastic
                const auto &small = subnets[1];
                for (int st = 0; st < s.stageCount(); ++st) {
                    QCOMPARE(small.depth[std::size_t(st)], phase == supernet::Phase::Kernel ? maxDepth : s.depths.front());
                    for (int b = 0; b < small.depth[std::size_t(st)]; ++b) {
                        QCOMPARE(small.kernel[std::size_t(st)][std::size_t(b)], minKernel);
                        QCOMPARE(small.expansion[std::size_t(st)][std::size_t(b)],
                                 phase == supernet::Phase::Expansion ? s.expansions.front() : maxExpansion);
                    }
                }
                for (std::size_t k = 2; k < subnets.size(); ++k) {
                    const auto &g = subnets[k];
                    g.validate(s, "sample");
                    for (int st = 0; st < s.stageCount(); ++st) {
                        const int d = g.depth[std::size_t(st)];
                        if (phase == supernet::Phase::Kernel)
                            QCOMPARE(d, maxDepth); // depth is not elastic yet
                        seen.depth |= d != maxDepth;
                        for (int b = 0; b < d; ++b) {
                            const int e = g.expansion[std::size_t(st)][std::size_t(b)];
                            if (phase != supernet::Phase::Expansion)
                                QCOMPARE(e, maxExpansion); // expansion is elastic in the last phase only
                            seen.expansion |= e != maxExpansion;
                            seen.kernel |= g.kernel[std::size_t(st)][std::size_t(b)] != big.kernel[std::size_t(st)][std::size_t(b)];
                        }
                    }
                }
            }
            // what the phase makes elastic does vary
            QVERIFY(seen.kernel);
            QCOMPARE(seen.depth, phase != supernet::Phase::Kernel);
            QCOMPARE(seen.expansion, phase == supernet::Phase::Expansion);
        }
    }

    void noWeightDecayOnBatchNormAndBias()
    {
        auto net = tinyNet(1);
        auto cfg = quickConfig();
        cfg.weightDecay = 0.1;
        cfg.momentum = 0.0;
        // which parameters are batch-norm scales / shifts or biases, from their names
        // batch-norm scales / shifts (parameters of a module named *bn*) and biases, by name
        auto normOrBias = [](const std::string &name) {
            const auto dot = name.rfind('.');
            const std::string leaf = name.substr(dot + 1);
            const std::string owner = dot == std::string::npos ? "" : name.substr(0, dot);
            const std::string module = owner.substr(owner.rfind('.') == std::string::npos ? 0 : owner.rfind('.') + 1);
            const bool bias = leaf.size() >= 4 && leaf.compare(leaf.size() - 4, 4, "bias") == 0;
            return bias || module.find("bn") != std::string::npos;
        };
        for (bool decayAll : {false, true}) {
            cfg.decayNormAndBias = decayAll;
            auto opt = supernet::makeSupernetOptimizer(*net, cfg);
            for (auto &group : opt->param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(1.0);
            std::map<std::string, torch::Tensor> before;
            for (const auto &p : net->named_parameters()) {
                before[p.key()] = p.value().detach().clone();
                p.value().mutable_grad() = torch::zeros_like(p.value()); // only the decay moves a weight
            }
            opt->step();
            int norm = 0, decayed = 0;
            for (const auto &p : net->named_parameters()) {
                const auto &b = before.at(p.key());
                if (b.abs().sum().item<double>() == 0.0)
                    continue; // zero-initialised: decay cannot show
                const bool moved = !torch::equal(p.value(), b);
                const bool exempt = normOrBias(p.key());
                norm += exempt;
                decayed += moved;
                QVERIFY2(moved == (decayAll || !exempt), p.key().c_str());
                if (moved) // w - lr * decay * w
                    QVERIFY(torch::allclose(p.value(), b * (1 - 0.1), 1e-5, 1e-7));
            }
            QVERIFY(norm > 10); // batch-norm scales are initialised to 1
            QVERIFY(decayed > 10);
            torch::NoGradGuard g;
            for (const auto &p : net->named_parameters())
                p.value().copy_(before.at(p.key()));
        }
    }

    void unusedParametersTakeNoStep()
    {
        // A step of the smallest subnet (depth 1 of tiny's {1, 2}): the second block of
        // every stage and the unused kernel transforms get no gradient, and with the
        // trainer's gradient clearing neither weight decay nor momentum moves them over
        // two steps; everything the subnet used moves.
        auto net = tinyNet(3);
        const auto &s = net->space();
        auto cfg = quickConfig();
        cfg.weightDecay = 0.1;
        cfg.momentum = 0.9;
        auto opt = supernet::makeSupernetOptimizer(*net, cfg);
        std::map<std::string, torch::Tensor> before;
        for (const auto &p : net->named_parameters())
            before[p.key()] = p.value().detach().clone();
        const auto g = space::Genome::smallest(s);
        net->setActive(g);
        net->train();
        std::vector<supernet::Position> positions;
        for (const auto &p : space::allowedExitPositions(s, g))
            positions.push_back(p);
        const auto x = torch::randn({8, 1, g.resolution, g.resolution});
        const auto y = torch::randint(0, 4, {8});
        std::set<std::string> unused;
        for (int step = 0; step < 2; ++step) {
            supernet::clearGradients(*opt);
            const auto out = net->forward(x, positions, true);
            supernet::jointExitLoss(out, y, s.classes, 1.0).backward();
            for (const auto &p : net->named_parameters())
                if (!p.value().grad().defined())
                    unused.insert(p.key());
            opt->step();
        }
        QVERIFY(!unused.empty());
        int moved = 0;
        for (const auto &p : net->named_parameters()) {
            const bool same = torch::equal(p.value(), before.at(p.key()));
            if (unused.count(p.key()))
                QVERIFY2(same, p.key().c_str());
            else
                moved += !same;
        }
        QVERIFY(moved > 10);
        // the second block of the first stage is among the unused, the first is not
        QVERIFY(unused.count("stage1_block2.project"));
        QVERIFY(unused.count("stage1_block2.depthwise"));
        QVERIFY(!unused.count("stage1_block1.project"));
    }

    void sortedChannelsTakeThePermutedStep()
    {
        // after the expansion phase's channel sort, one optimizer step must equal the step
        // the unsorted network takes, permuted: no momentum of the old order may leak in
        auto s = tinySpace();
        s.inputChannels = 1;
        s.classes = 4;
        auto cfg = quickConfig();
        const auto big = space::Genome::largest(s);
        torch::manual_seed(5);
        const auto x = torch::randn({16, 1, 16, 16});
        const auto y = torch::randint(0, 4, {16}, torch::kLong);
        auto makeNet = [&] {
            torch::manual_seed(2);
            supernet::Supernet n(s);
            n->setActive(big);
            n->train();
            return n;
        };
        auto step = [&](supernet::Supernet &n, torch::optim::SGD &opt) {
            for (auto &group : opt.param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(0.05);
            opt.zero_grad();
            supernet::jointExitLoss(n->forward(x, {}, true), y, 4, 1.0).backward();
            opt.step();
        };
        // two identical networks with momentum built up over a few steps
        auto a = makeNet(), b = makeNet(), stale = makeNet();
        auto optA = supernet::makeSupernetOptimizer(*a, cfg), optB = supernet::makeSupernetOptimizer(*b, cfg),
             optStale = supernet::makeSupernetOptimizer(*stale, cfg);
        for (int i = 0; i < 3; ++i) {
            step(a, *optA);
            step(b, *optB);
            step(stale, *optStale);
        }
        // a: sorted as the trainer does at the expansion phase, with the new phase's optimizer;
        // b: unsorted, with the new phase's optimizer; stale: sorted, keeping its old momentum
        a->sortChannels();
        stale->sortChannels();
        optA = supernet::makeSupernetOptimizer(*a, cfg);
        optB = supernet::makeSupernetOptimizer(*b, cfg);
        // the permutation of each block's expanded channels, read off the weights
        std::vector<torch::Tensor> perms;
        for (std::size_t st = 0; st < a->blocks.size(); ++st)
            for (std::size_t k = 0; k < a->blocks[st].size(); ++k) {
                const auto pa = a->blocks[st][k]->project, pb = b->blocks[st][k]->project;
                std::vector<std::int64_t> perm;
                for (std::int64_t c = 0; c < pa.size(1); ++c)
                    for (std::int64_t c2 = 0; c2 < pb.size(1); ++c2)
                        if (torch::equal(pa.select(1, c), pb.select(1, c2))) {
                            perm.push_back(c2);
                            break;
                        }
                QCOMPARE(std::int64_t(perm.size()), pa.size(1));
                perms.push_back(torch::tensor(perm, torch::kLong));
            }
        bool permutedSomething = false;
        for (const auto &p : perms)
            permutedSomething |= !torch::equal(p, torch::arange(p.size(0)));
        QVERIFY(permutedSomething);
        step(a, *optA);
        step(b, *optB);
        step(stale, *optStale);
        std::size_t i = 0;
        bool staleDiffers = false;
        for (std::size_t st = 0; st < a->blocks.size(); ++st)
            for (std::size_t k = 0; k < a->blocks[st].size(); ++k, ++i) {
                const auto &ba = a->blocks[st][k], &bb = b->blocks[st][k], &bs = stale->blocks[st][k];
                const auto perm = perms[i];
                QVERIFY(torch::allclose(ba->project, bb->project.index_select(1, perm), 1e-4, 1e-6));
                QVERIFY(torch::allclose(ba->depthwise, bb->depthwise.index_select(0, perm), 1e-4, 1e-6));
                QVERIFY(torch::allclose(ba->expand, bb->expand.index_select(0, perm), 1e-4, 1e-6));
                QVERIFY(torch::allclose(ba->depthwiseBn->weight, bb->depthwiseBn->weight.index_select(0, perm), 1e-4, 1e-6));
                staleDiffers |= !torch::allclose(bs->project, bb->project.index_select(1, perm), 1e-4, 1e-6);
            }
        QVERIFY(staleDiffers); // the check can fail: stale momentum gives another step
    }

    void resumesExactlyAfterAnInterruption()
    {
        std::atomic<bool> cancel{false};
        {
            supernet::Trainer t(m_data, tinySpace(), quickConfig(), path("resumed.pt"));
            // stop during the third epoch: the checkpoint keeps epochs 1 and 2
            int epochs = 0;
            auto onBatch = [&](const supernet::BatchProgress &b) {
                if (b.epoch == 3 && b.batch == 2)
                    cancel = true;
            };
            QCOMPARE(t.run(cancel, onBatch, [&](const supernet::EpochReport &) { ++epochs; }),
                     supernet::Trainer::Result::Cancelled);
            QCOMPARE(epochs, 2);
        }
        const auto info = supernet::readCheckpointInfo(path("resumed.pt"));
        QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object().value("next_epoch").toInt(), 2);
        cancel = false;
        supernet::Trainer again(m_data, tinySpace(), quickConfig(), path("resumed.pt"));
        QCOMPARE(again.startEpoch(), 2);
        QCOMPARE(again.run(cancel, {}, {}), supernet::Trainer::Result::Completed);
        // the same weights as the run that was never interrupted
        const auto a = weights(path("full.pt"));
        const auto b = weights(path("resumed.pt"));
        QCOMPARE(a.size(), b.size());
        for (const auto &[name, t] : a)
            QVERIFY2(torch::equal(t, b.at(name)), name.c_str());
    }

    void refusesToOverwrite()
    {
        // a finished training is not touched
        try {
            supernet::Trainer t(m_data, tinySpace(), quickConfig(), path("full.pt"));
            QFAIL("a finished checkpoint was accepted");
        } catch (const supernet::CheckpointError &e) {
            QVERIFY(std::string(e.what()).find("already holds a finished training") != std::string::npos);
        }
        // an unfinished one of another configuration is not touched either
        std::atomic<bool> cancel{false};
        {
            auto cfg = quickConfig();
            cfg.phaseEpochs = {1, 1, 0, 0};
            supernet::Trainer t(m_data, tinySpace(), cfg, path("other.pt"));
            t.run(cancel, {}, [&](const supernet::EpochReport &) { cancel = true; });
        }
        const auto before = weights(path("other.pt"));
        try {
            supernet::Trainer t(m_data, tinySpace(), quickConfig(), path("other.pt"));
            QFAIL("another configuration was accepted");
        } catch (const supernet::CheckpointError &e) {
            QVERIFY(std::string(e.what()).find("another configuration") != std::string::npos);
        }
        const auto after = weights(path("other.pt"));
        for (const auto &[name, t] : before)
            QVERIFY(torch::equal(t, after.at(name)));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, [&] {
            auto cfg = quickConfig();
            cfg.phaseEpochs = {1, 1};
            supernet::Trainer t(m_data, tinySpace(), cfg, path("bad.pt"));
        }());
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
