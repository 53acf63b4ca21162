// Profiles recorded from the supernet: evaluating a configuration from the profile
// gives what applying the rule to the deployed network's own outputs gives, and what
// real early-exit inference of that network does. The deployed network is the one an
// export writes: cut out of the supernet, batch norm folded in; its outputs are the
// supernet's up to rounding.
#include "data/batchloader.h"
#include "eenn/profiler.h"
#include "supernet/extract.h"
#include "supernet/recalibrate.h"

#include <QTest>

#include <numeric>

using namespace edanas;

class TestProfiler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void profileAgreesWithTheNetwork()
    {
        torch::set_num_threads(1);
        auto s = space::SearchSpace::load("tiny");
        s.inputChannels = 1;
        s.classes = 10;
        supernet::Supernet net(s);
        torch::manual_seed(9);
        {
            torch::NoGradGuard g;
            for (auto &p : net->parameters())
                p.add_(torch::randn_like(p) * 0.3);
        }
        // 300 random images with random labels
        data::ImageSet set;
        set.height = set.width = 20;
        set.channels = 1;
        const auto px = torch::randint(0, 256, {300 * 400}, torch::kUInt8);
        set.pixels.assign(px.data_ptr<std::uint8_t>(), px.data_ptr<std::uint8_t>() + px.numel());
        const auto lb = torch::randint(0, 10, {300}, torch::kInt32);
        set.labels.assign(lb.data_ptr<std::int32_t>(), lb.data_ptr<std::int32_t>() + 300);
        std::vector<std::int64_t> idx(300);
        std::iota(idx.begin(), idx.end(), 0);

        std::mt19937_64 rng(4);
        const space::Genome g = space::Genome::random(s, rng);
        net->setActive(g);
        std::vector<supernet::Position> positions;
        for (const auto &p : space::allowedExitPositions(s, g))
            positions.push_back(p);
        data::Preprocess pp;
        pp.resolution = g.resolution;
        data::BatchLoader recal(set, idx, 100, pp, false, 0);
        supernet::recalibrateBatchNorm(*net, positions, recal, 300);

        const auto profile = eenn::buildProfile(*net, g, set, idx, pp, 64);
        QCOMPARE(profile.samples, 300);
        QCOMPARE(profile.positions, int(positions.size()) + 1);

        // the network's outputs, all at once: the supernet's, and the deployed network's
        // with an exit at every position
        const auto x = data::makeImages(set, idx.data(), idx.size(), pp);
        c10::InferenceMode guard;
        const auto exact = net->forward(x, positions, true);
        space::Genome everywhere = g;
        for (const auto &[stage, block] : positions)
            everywhere.exits.push_back({stage, block, 0.5});
        supernet::StaticEenn deployed(*net, everywhere);
        deployed->eval();
        deployed->fuseBatchNorm();
        const auto out = deployed->forward(x);
        QCOMPARE(out.exits.size(), positions.size());
        for (std::size_t q = 0; q <= positions.size(); ++q) {
            const auto &a = q < positions.size() ? out.exits[q] : out.final;
            const auto &b = q < positions.size() ? exact.exits[q] : exact.final;
            const double scale = b.abs().max().item<double>();
            const double diff = (a - b).abs().max().item<double>();
            QVERIFY2(diff <= 1e-5 * std::max(1.0, scale),
                     qPrintable(QStringLiteral("output %1: %2 apart (largest %3)").arg(q).arg(diff).arg(scale)));
        }
        // the profiling pass on the supernet itself gives its outputs exactly
        {
            eenn::ProfilePass pass(*net, g, {eenn::ProfilePass::Network::Supernet, 0});
            const auto same = pass.run(x);
            QCOMPARE(same.size(), positions.size() + 1);
            for (std::size_t q = 0; q < positions.size(); ++q)
                QVERIFY(torch::equal(same[q], exact.exits[q]));
            QVERIFY(torch::equal(same.back(), exact.final));
        }
        const std::vector<int> exits{0, int(positions.size()) / 2};
        // thresholds at each exit's median margin: about half the inputs leave there
        std::vector<double> thresholds;
        for (int q : exits) {
            const auto top = std::get<0>(torch::softmax(out.exits[std::size_t(q)], 1).topk(2, 1));
            // just above the median, so that no input sits on the threshold itself
            thresholds.push_back((top.select(1, 0) - top.select(1, 1)).median().item<double>() + 1e-6);
        }
        std::int64_t right = 0;
        std::vector<std::int64_t> count(3, 0);
        for (std::int64_t i = 0; i < 300; ++i) {
            std::size_t leave = 2;
            for (std::size_t e = 0; e < exits.size(); ++e) {
                const auto prob = torch::softmax(out.exits[std::size_t(exits[e])][i], 0);
                const auto top = std::get<0>(prob.topk(2));
                if ((top[0] - top[1]).item<double>() >= thresholds[e]) {
                    leave = e;
                    break;
                }
            }
            const auto &logits = leave < 2 ? out.exits[std::size_t(exits[leave])][i] : out.final[i];
            right += logits.argmax().item<std::int64_t>() == set.labels[std::size_t(i)];
            ++count[leave];
        }
        const auto e = eenn::evaluate(profile, {exits, space::ExitRule::Margin, thresholds});
        QCOMPARE(e.accuracy, double(right) / 300.0);
        for (std::size_t k = 0; k < 3; ++k)
            QCOMPARE(e.share[k], double(count[k]) / 300.0);
        QVERIFY(count[0] > 0 && count[2] > 0); // the configuration really splits the inputs

        // Real early-exit inference, inputs removed from the batch as they leave: the
        // same predictions' accuracy and the same exit counts as the profile predicts.
        space::Genome withExits = g;
        for (std::size_t k = 0; k < exits.size(); ++k)
            withExits.exits.push_back({positions[std::size_t(exits[k])].first, positions[std::size_t(exits[k])].second,
                                       thresholds[k]});
        supernet::StaticEenn eenn(*net, withExits);
        eenn->eval();
        eenn->fuseBatchNorm();
        const auto real = eenn->infer(x);
        const auto labels = torch::tensor(std::vector<std::int64_t>(set.labels.begin(), set.labels.end()));
        QCOMPARE(real.predictions.eq(labels).sum().item<std::int64_t>(), right);
        for (std::int64_t k = 0; k < 3; ++k)
            QCOMPARE(real.exitIndex.eq(k).sum().item<std::int64_t>(), count[std::size_t(k)]);
    }
};

QTEST_GUILESS_MAIN(TestProfiler)
#include "tst_profiler.moc"
