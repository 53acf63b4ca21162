// Supernet throughput on this machine: training and evaluation images/s for the
// largest, a middle and the smallest ofa-mbv3 subnet at resolution 32, batch-norm
// recalibration time, achieved GMAC/s against a dense 3x3 convolution, and the same
// subnet's inference in the ways LibTorch allows.
// Usage: bench_supernet [CHECKPOINT]   (default: a freshly initialised ofa-mbv3)
#include "cost/cost.h"
#include "eenn/profiler.h"
#include "data/batchloader.h"
#include "data/dataset.h"
#include "data/split.h"
#include "runtime.h"
#include "supernet/checkpoint.h"
#include "supernet/extract.h"
#include "supernet/recalibrate.h"
#include "supernet/supernet.h"

#include <chrono>
#include <cstdio>

using namespace edanas;
using Clock = std::chrono::steady_clock;

namespace {

template<typename Fn>
double seconds(Fn fn)
{
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<supernet::Position> positionsOf(const space::SearchSpace &s, const space::Genome &g)
{
    std::vector<supernet::Position> p;
    for (const auto &x : space::allowedExitPositions(s, g))
        p.push_back(x);
    return p;
}

std::int64_t macsWithAllExits(const space::SearchSpace &s, const space::Genome &g)
{
    const auto c = cost::computeCost(s, g);
    std::int64_t m = c.staticMacs;
    for (std::size_t i = 0; i + 1 < c.positions.size(); ++i)
        m += c.positions[i].exitMacs;
    return m;
}

} // namespace

int main(int argc, char **argv)
{
    ensurePassiveWaitPolicy(argv);
    initTorchThreads();
    std::printf("threads: %d\n", threadCount());
    supernet::Supernet net{nullptr};
    if (argc > 1) {
        net = supernet::loadCheckpoint(argv[1]);
    } else {
        auto s = space::SearchSpace::load("ofa-mbv3");
        s.inputChannels = 1;
        s.classes = 10;
        net = supernet::Supernet(s);
    }
    const auto &s = net->space();

    // the machine's dense convolution throughput, for reference
    {
        c10::InferenceMode guard;
        auto x = torch::randn({64, 64, 32, 32});
        auto w = torch::randn({64, 64, 3, 3});
        torch::conv2d(x, w, {}, 1, 1);
        const int reps = 5;
        const double t = seconds([&] {
            for (int i = 0; i < reps; ++i)
                torch::conv2d(x, w, {}, 1, 1);
        });
        const double macs = 64.0 * 64 * 32 * 32 * 64 * 9 * reps;
        std::printf("dense 3x3 conv 64->64 at 32x32, batch 64: %.1f GMAC/s\n", macs / t / 1e9);
    }

    space::Genome middle = space::Genome::smallest(s);
    for (auto &d : middle.depth)
        d = 3;
    for (auto &k : middle.kernel)
        std::fill(k.begin(), k.end(), 5);
    for (auto &e : middle.expansion)
        std::fill(e.begin(), e.end(), 4);
    const std::vector<std::pair<const char *, space::Genome>> subnets{
        {"largest", space::Genome::largest(s)}, {"middle", middle}, {"smallest", space::Genome::smallest(s)}};

    // the profiling pass, every way it can run: images/s at batch 256 over 2048 images,
    // the network made once (as for one candidate)
    {
        using eenn::ProfilePass;
        std::printf("\nprofiling pass, batch 256 (images/s):\n%-9s %-10s %8s %8s %8s %8s\n", "subnet", "network",
                    "whole", "chunk 32", "chunk 64", "chunk 128");
        for (const auto &[name, g] : subnets) {
            for (auto [net_, label] : {std::pair{ProfilePass::Network::Supernet, "supernet"},
                                       std::pair{ProfilePass::Network::Extracted, "extracted"},
                                       std::pair{ProfilePass::Network::Folded, "folded"}}) {
                std::printf("%-9s %-10s", name, label);
                for (int chunk : {0, 32, 64, 128}) {
                    c10::InferenceMode guard;
                    const auto x = torch::randn({256, s.inputChannels, 32, 32});
                    auto once = [&] {
                        ProfilePass pass(*net, g, {net_, chunk});
                        for (int b = 0; b < 8; ++b)
                            pass.run(x);
                    };
                    once();
                    std::vector<double> r;
                    for (int k = 0; k < 3; ++k)
                        r.push_back(2048.0 / seconds(once));
                    std::sort(r.begin(), r.end());
                    std::printf(" %8.0f", r[1]);
                }
                std::printf("\n");
                std::fflush(stdout);
            }
        }
    }

    std::printf("\n%-9s %10s %14s %14s %12s %12s\n", "subnet", "MMACs", "train img/s", "eval img/s", "train GMAC/s",
                "eval GMAC/s");
    for (const auto &[name, g] : subnets) {
        net->setActive(g);
        const auto pos = positionsOf(s, g);
        const double mmacs = double(macsWithAllExits(s, g)) / 1e6;
        // training: forward + backward + SGD step, batch 128, all exits
        torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
        net->train();
        const auto x = torch::randn({128, s.inputChannels, g.resolution, g.resolution});
        const auto y = torch::randint(0, s.classes, {128});
        auto step = [&] {
            opt.zero_grad();
            const auto out = net->forward(x, pos, true);
            auto loss = torch::nn::functional::cross_entropy(out.final, y);
            for (const auto &e : out.exits)
                loss = loss + torch::nn::functional::cross_entropy(e.narrow(1, 0, s.classes), y);
            loss.backward();
            opt.step();
        };
        step();
        const int trainSteps = 4;
        const double tt = seconds([&] {
            for (int i = 0; i < trainSteps; ++i)
                step();
        });
        // evaluation: inference, batch 256, all exits
        net->eval();
        const auto xe = torch::randn({256, s.inputChannels, g.resolution, g.resolution});
        double te;
        {
            c10::InferenceMode guard;
            net->forward(xe, pos, true);
            te = seconds([&] {
                for (int i = 0; i < 8; ++i)
                    net->forward(xe, pos, true);
            });
        }
        const double trainRate = 128.0 * trainSteps / tt;
        const double evalRate = 256.0 * 8 / te;
        std::printf("%-9s %10.2f %14.0f %14.0f %12.2f %12.2f\n", name, mmacs, trainRate, evalRate,
                    3.0 * mmacs * trainRate / 1e3, mmacs * evalRate / 1e3);
    }

    // batch-norm recalibration on 2000 Fashion-MNIST training images
    try {
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        const auto ds = data::loadDataset(ref);
        const auto split = data::stratifiedSplit(ds.train.labels, ds.classCount(), 0.1, 0);
        const auto st = data::channelStats(ds.train, split.train);
        data::Preprocess pp;
        pp.mean.assign(st.mean.begin(), st.mean.end());
        pp.std.assign(st.std.begin(), st.std.end());
        pp.resolution = 32;
        for (const auto &[name, g] : subnets) {
            net->setActive(g);
            data::BatchLoader loader(ds.train, split.train, 256, pp, true, 1);
            const double t = seconds([&] { supernet::recalibrateBatchNorm(*net, positionsOf(s, g), loader, 2000); });
            std::printf("BN recalibration, %s, 2000 images: %.2f s\n", name, t);
        }
    } catch (const std::exception &e) {
        std::printf("BN recalibration skipped: %s\n", e.what());
    }

    // one subnet's inference, every way: batch 256 unless said
    net->setActive(middle);
    net->eval();
    const auto pos = positionsOf(s, middle);
    space::Genome withExits = middle;
    for (const auto &[st, b] : pos)
        withExits.exits.push_back({st, b, 0.5});
    net->setActive(withExits);
    supernet::StaticEenn plain(*net, withExits);
    supernet::StaticEenn fused(*net, withExits);
    fused->fuseBatchNorm();
    plain->eval();
    fused->eval();
    auto rate = [&](int batch, const std::function<void(const torch::Tensor &)> &fn, bool channelsLast = false) {
        auto x = torch::randn({batch, s.inputChannels, 32, 32});
        if (channelsLast)
            x = x.contiguous(torch::MemoryFormat::ChannelsLast);
        fn(x);
        const int reps = std::max(2, 2048 / batch);
        const double t = seconds([&] {
            for (int i = 0; i < reps; ++i)
                fn(x);
        });
        return double(batch) * reps / t;
    };
    std::printf("\nmiddle subnet with all exits, inference (images/s):\n");
    {
        torch::NoGradGuard g;
        std::printf("  supernet (elastic views), no_grad, batch 256:      %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { net->forward(x, pos, true); }));
        std::printf("  extracted, no_grad, batch 256:                     %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { plain->forward(x); }));
    }
    {
        c10::InferenceMode g;
        std::printf("  supernet, inference mode, batch 256:               %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { net->forward(x, pos, true); }));
        std::printf("  extracted, inference mode, batch 256:              %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { plain->forward(x); }));
        std::printf("  extracted + fused BN, inference mode, batch 256:   %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { fused->forward(x); }));
        std::printf("  fused + channels-last, batch 256:                  %8.0f\n",
                    rate(256, [&](const torch::Tensor &x) { fused->forward(x); }, true));
        for (int b : {1, 32, 1024})
            std::printf("  fused, inference mode, batch %-4d:                 %8.0f\n", b,
                        rate(b, [&](const torch::Tensor &x) { fused->forward(x); }));
    }
    return 0;
}
