#include "throughput.h"

#include "profiler.h"

#include "cost/cost.h"
#include "space/architecture.h"
#include "supernet/loss.h"
#include "supernet/supernet.h"
#include "supernet/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace edanas::eenn {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int nearestChoice(const std::vector<int> &choices, int want)
{
    int best = choices.front();
    for (int c : choices)
        if (std::abs(c - want) < std::abs(best - want))
            best = c;
    return best;
}

} // namespace

std::string Throughput::toJson() const
{
    auto list = [](const std::vector<double> &v) {
        std::string s = "[";
        char buf[32];
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%s%.1f", i ? ", " : "", v[i]);
            s += buf;
        }
        return s + "]";
    };
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"subnet\": \"%s\", \"macs\": %lld, \"exits\": %d, \"threads\": %d, "
                  "\"train_images_per_s\": %.1f, \"eval_images_per_s\": %.1f, ",
                  subnet.c_str(), static_cast<long long>(macs), exits, threads, trainImagesPerSecond,
                  evalImagesPerSecond);
    return std::string(buf) + "\"train_runs\": " + list(trainRuns) + ", \"eval_runs\": " + list(evalRuns) + "}";
}

space::Genome namedSubnet(const space::SearchSpace &space, const std::string &text)
{
    if (text == "largest")
        return space::Genome::largest(space);
    if (text == "smallest")
        return space::Genome::smallest(space);
    if (text == "middle") {
        space::Genome g = space::Genome::smallest(space);
        const int d = nearestChoice(space.depths, 3);
        for (auto &x : g.depth)
            x = d;
        for (auto &k : g.kernel)
            std::fill(k.begin(), k.end(), nearestChoice(space.kernels, 5));
        for (auto &e : g.expansion)
            std::fill(e.begin(), e.end(), nearestChoice(space.expansions, 4));
        return g;
    }
    if (!text.empty() && text.front() == '{') {
        auto g = space::Genome::fromJson(text, "--subnet");
        g.validate(space, "--subnet");
        return g;
    }
    throw std::invalid_argument("--subnet takes largest, middle, smallest or a genome as JSON, got '" + text + "'");
}

Throughput measureThroughput(supernet::SupernetImpl &net, const space::Genome &subnet,
                             const ThroughputOptions &o)
{
    const auto &space = net.space();
    space::Genome g = subnet;
    g.exits.clear();
    g.validate(space, "subnet");
    Throughput r;
    r.threads = torch::get_num_threads();
    std::vector<supernet::Position> positions;
    for (const auto &p : space::allowedExitPositions(space, g))
        positions.push_back(p);
    r.exits = int(positions.size());
    {
        const auto c = cost::computeCost(space, g);
        r.macs = c.staticMacs;
        for (std::size_t i = 0; i + 1 < c.positions.size(); ++i)
            r.macs += c.positions[i].exitMacs;
    }
    const auto pools = space::positionMaxPools(space, g);
    torch::manual_seed(0);

    // evaluation first, on the weights as loaded: as the profiling pass runs
    {
        c10::InferenceMode guard;
        const auto x = torch::randn({o.evalBatch, space.inputChannels, g.resolution, g.resolution});
        const int batches = std::max(1, o.evalImagesPerRun / o.evalBatch);
        for (int run = 0; run <= o.runs; ++run) {
            const auto t0 = Clock::now();
            ProfilePass pass(net, g);
            for (int b = 0; b < batches; ++b)
                pass.run(x);
            const double t = std::chrono::duration<double>(Clock::now() - t0).count();
            if (run > 0)
                r.evalRuns.push_back(double(o.evalBatch) * batches / t);
        }
    }
    // training, as the trainer steps (this changes the weights)
    {
        net.setActive(g);
        net.train();
        // the trainer's optimizer (parameter groups, Nesterov momentum, decay on weights
        // only), gradient clearing and loss (label smoothing), one subnet per step
        const supernet::TrainConfig cfg;
        const auto opt = supernet::makeSupernetOptimizer(net, cfg);
        const auto x = torch::randn({o.trainBatch, space.inputChannels, g.resolution, g.resolution});
        const auto y = torch::randint(0, space.classes, {o.trainBatch});
        auto step = [&] {
            supernet::clearGradients(*opt);
            const auto out = net.forward(x, positions, true, pools);
            supernet::jointExitLoss(out, y, space.classes, cfg.exitWeight, {}, 0.0, cfg.labelSmoothing).backward();
            opt->step();
        };
        for (int run = 0; run <= o.runs; ++run) {
            const auto t0 = Clock::now();
            for (int s = 0; s < o.trainStepsPerRun; ++s)
                step();
            const double t = std::chrono::duration<double>(Clock::now() - t0).count();
            if (run > 0) // the first run warms up
                r.trainRuns.push_back(double(o.trainBatch) * o.trainStepsPerRun / t);
        }
        net.eval();
    }
    r.trainImagesPerSecond = median(r.trainRuns);
    r.evalImagesPerSecond = median(r.evalRuns);
    return r;
}

} // namespace edanas::eenn
