// Real early-exit inference on a trained supernet: a `tiny` supernet trained for a
// few minutes' worth of epochs on Fashion-MNIST, a candidate's exit profile recorded
// by the evaluator, and the extracted network as an export deploys it (batch norm
// folded in) run with inputs removed as they leave. Its accuracy and exit counts must
// be exactly what the profile predicts, for every rule, and profiles must come from the
// cache the second time.
#include "data/batchloader.h"
#include "data/dataset.h"
#include "eenn/evaluator.h"
#include "runtime.h"
#include "supernet/checkpoint.h"
#include "supernet/extract.h"
#include "supernet/trainer.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace edanas;
using space::ExitRule;

class TestEarlyExit : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    data::Dataset m_data;

    // Trains a tiny supernet (NACHOS exit classifiers when `nachos`) on 4,000 images.
    supernet::Supernet train(bool nachos, supernet::CheckpointInfo &info)
    {
        auto s = space::SearchSpace::load("tiny");
        s.resolutions = {16};
        if (nachos)
            s.eecType = space::EecType::Nachos;
        supernet::TrainConfig c;
        c.phaseEpochs = {1, 1, 1, 1};
        c.trainImages = 4000;
        c.evalImages = 300;
        c.recalibrationImages = 300;
        c.batchSize = 64;
        c.learningRates = {0.1, 0.05, 0.05, 0.05};
        c.seed = 2;
        const std::string path = m_dir.path().toStdString() + (nachos ? "/nachos.pt" : "/edanas.pt");
        std::atomic<bool> cancel{false};
        double finalAccuracy = 0;
        supernet::Trainer t(m_data, s, c, path);
        t.run(cancel, {}, [&](const supernet::EpochReport &r) { finalAccuracy = r.largest.accuracy.back(); });
        // Fashion-MNIST: chance is 10 %; this little training gets well past it
        qInfo("%s supernet: largest subnet %.3f at the final head", nachos ? "NACHOS" : "EDANAS", finalAccuracy);
        if (finalAccuracy < 0.3)
            qFatal("the tiny supernet did not learn (%.3f)", finalAccuracy);
        return supernet::loadCheckpoint(path, &info);
    }

    void agree(supernet::Supernet net, const supernet::CheckpointInfo &info, const std::vector<ExitRule> &rules)
    {
        eenn::EvaluatorOptions o;
        o.validationImages = 1200;
        o.recalibrationImages = 600;
        eenn::ProfileEvaluator evaluator(net, m_data, info.mean, info.std, o);
        std::mt19937_64 rng(11);
        for (int candidate = 0; candidate < 3; ++candidate) {
            space::Genome g = space::Genome::random(evaluator.space(), rng);
            eenn::EvaluationTiming timing;
            const auto profile = evaluator.profile(g, &timing);
            QVERIFY(!timing.cached);
            QCOMPARE(profile->samples, 1200);
            const auto &val = evaluator.validationIndices();
            data::Preprocess pp;
            pp.mean = info.mean;
            pp.std = info.std;
            pp.resolution = g.resolution;
            const auto x = data::makeImages(m_data.train, val.data(), val.size(), pp);
            std::vector<std::int64_t> labels;
            for (auto i : val)
                labels.push_back(m_data.train.labels[std::size_t(i)]);
            const auto truth = torch::tensor(labels);
            for (ExitRule rule : rules) {
                // three exits spread over the backbone, each threshold at the 30 % point
                // of its score so that every exit keeps some inputs
                eenn::ExitConfig c;
                c.rule = rule;
                const int early = profile->positions - 1;
                for (int q : {0, early / 2, early - 1}) {
                    if (!c.exits.empty() && q <= c.exits.back())
                        continue;
                    const float *col = (rule == ExitRule::Margin       ? profile->margin.data()
                                        : rule == ExitRule::MaxSoftmax ? profile->maxSoftmax.data()
                                        : rule == ExitRule::Entropy    ? profile->entropy.data()
                                                                       : profile->confidence.data())
                                       + profile->at(0, q);
                    std::vector<float> v(col, col + profile->samples);
                    std::nth_element(v.begin(), v.begin() + v.size() * 7 / 10, v.end());
                    double t = v[v.size() * 7 / 10];
                    if (rule == ExitRule::Entropy)
                        t = v[v.size() * 3 / 10];
                    c.exits.push_back(q);
                    c.thresholds.push_back(rule == ExitRule::Confidence ? 0.5 : t);
                }
                const auto predicted = eenn::evaluate(*profile, c);
                const auto genome = eenn::genomeWithConfig(*profile, g, c);
                supernet::StaticEenn eenn(*net, genome);
                eenn->eval();
                eenn->fuseBatchNorm();
                c10::InferenceMode guard;
                const auto real = eenn->infer(x);
                const double accuracy = real.predictions.eq(truth).sum().item<double>() / double(labels.size());
                QCOMPARE(accuracy, predicted.accuracy);
                int used = 0;
                for (std::size_t k = 0; k < predicted.share.size(); ++k) {
                    const double share = real.exitIndex.eq(std::int64_t(k)).sum().item<double>() / double(labels.size());
                    QCOMPARE(share, predicted.share[k]);
                    used += share > 0;
                }
                QVERIFY2(used >= 2, space::exitRuleName(rule).c_str()); // the inputs really split
            }
            // the same backbone again (other exits): from the cache
            g.exits.push_back({0, 0, 0.5});
            evaluator.profile(g, &timing);
            QVERIFY(timing.cached);
        }
        QCOMPARE(evaluator.cache().hits(), std::int64_t(3));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        initTorchThreads();
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        m_data = data::loadDataset(ref);
    }

    void everyRuleAgrees()
    {
        // NACHOS exit classifiers give class scores and a learned confidence: one
        // training serves all four rules
        supernet::CheckpointInfo info;
        auto net = train(true, info);
        agree(net, info, {ExitRule::Margin, ExitRule::MaxSoftmax, ExitRule::Entropy, ExitRule::Confidence});
    }
};

QTEST_GUILESS_MAIN(TestEarlyExit)
#include "tst_earlyexit.moc"
