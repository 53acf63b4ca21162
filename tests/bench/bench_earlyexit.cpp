// Real early-exit inference against the static backbone, on the shipped supernet and
// the Fashion-MNIST validation split: for the largest, a middle and the smallest
// subnet, the exit configuration found from the profile (the fewest true average MACs
// within half a point of the backbone's own accuracy), its measured accuracy and
// wall time next to the static network's, and the speedup next to the MAC ratio.
// Usage: bench_earlyexit [CHECKPOINT]
#include "cost/cost.h"
#include "data/batchloader.h"
#include "eenn/evaluator.h"
#include "eenn/tuning.h"
#include "runtime.h"
#include "supernet/checkpoint.h"
#include "supernet/extract.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace edanas;
using Clock = std::chrono::steady_clock;

namespace {

// Median wall time of `runs` passes over `x` in batches of 256.
template<typename Fn>
double medianSeconds(const torch::Tensor &x, int runs, Fn fn)
{
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = Clock::now();
        for (std::int64_t i = 0; i < x.size(0); i += 256)
            fn(x.narrow(0, i, std::min<std::int64_t>(256, x.size(0) - i)));
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    ensurePassiveWaitPolicy(argv);
    initTorchThreads();
    const std::string path = argc > 1 ? argv[1] : supernet::defaultSupernetPath();
    supernet::CheckpointInfo info;
    auto net = supernet::loadCheckpoint(path, &info);
    data::DatasetRef ref;
    ref.path = data::defaultDatasetPath();
    const auto ds = data::loadDataset(ref);
    eenn::EvaluatorOptions eo;
    eo.recalibrationImages = 2000;
    eenn::ProfileEvaluator evaluator(net, ds, info.mean, info.std, eo);
    const auto &s = evaluator.space();
    const auto &val = evaluator.validationIndices();
    std::vector<std::int64_t> labels;
    for (auto i : val)
        labels.push_back(ds.train.labels[std::size_t(i)]);
    const auto truth = torch::tensor(labels);
    std::printf("threads %d, %zu validation images, batch 256, median of 5 passes\n", threadCount(), val.size());
    std::printf("%-9s %9s %9s %10s %10s %8s %9s %9s %8s  %s\n", "subnet", "static %", "EENN %", "static MM",
                "EENN MM", "MAC x", "static s", "EENN s", "speedup", "exits (threshold, share)");

    space::Genome middle = space::Genome::smallest(s);
    for (auto &d : middle.depth)
        d = s.depths[s.depths.size() / 2];
    for (auto &k : middle.kernel)
        std::fill(k.begin(), k.end(), s.kernels[s.kernels.size() / 2]);
    for (auto &e : middle.expansion)
        std::fill(e.begin(), e.end(), s.expansions[s.expansions.size() / 2]);
    const std::pair<const char *, space::Genome> subnets[] = {
        {"largest", space::Genome::largest(s)}, {"middle", middle}, {"smallest", space::Genome::smallest(s)}};
    for (const auto &[name, backbone] : subnets) {
        const auto profile = evaluator.profile(backbone); // leaves the net recalibrated for it
        const auto alone = eenn::evaluate(*profile, {{}, space::ExitRule::Margin, {}});
        eenn::PlacementOptions o;
        const auto front = eenn::bestExitPlacements(*profile, o);
        const eenn::TunedExits *pick = nullptr;
        for (const auto &t : front)
            if (t.evaluation.accuracy >= alone.accuracy - 0.005 && (!pick || t.evaluation.averageMacsTrue < pick->evaluation.averageMacsTrue))
                pick = &t;
        const auto genome = eenn::genomeWithConfig(*profile, backbone, pick->config);

        data::Preprocess pp;
        pp.mean = info.mean;
        pp.std = info.std;
        pp.resolution = backbone.resolution;
        const auto x = data::makeImages(ds.train, val.data(), val.size(), pp);
        supernet::StaticEenn eenn(*net, genome), plain(*net, backbone);
        eenn->eval();
        plain->eval();
        c10::InferenceMode guard;
        // the measured accuracy and exits of the real early-exit network
        const auto real = eenn->infer(x);
        const double accuracy = real.predictions.eq(truth).sum().item<double>() / double(val.size());
        const double plainAccuracy = plain->infer(x).predictions.eq(truth).sum().item<double>() / double(val.size());
        const double tPlain = medianSeconds(x, 5, [&](const torch::Tensor &b) { plain->infer(b); });
        const double tEenn = medianSeconds(x, 5, [&](const torch::Tensor &b) { eenn->infer(b); });
        const double staticMacs = double(cost::computeCost(s, backbone).staticMacs);
        std::string exits;
        char buf[64];
        for (std::size_t i = 0; i < genome.exits.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%ss%d.b%d@%.2f %.0f%%", i ? ", " : "", genome.exits[i].stage + 1,
                          genome.exits[i].block + 1, genome.exits[i].threshold, 100.0 * pick->evaluation.share[i]);
            exits += buf;
        }
        std::printf("%-9s %9.2f %9.2f %10.3f %10.3f %8.2f %9.3f %9.3f %8.2f  %s\n", name, 100.0 * plainAccuracy,
                    100.0 * accuracy, staticMacs / 1e6, pick->evaluation.averageMacsTrue / 1e6,
                    staticMacs / pick->evaluation.averageMacsTrue, tPlain, tEenn, tPlain / tEenn, exits.c_str());
        if (std::abs(accuracy - pick->evaluation.accuracy) > 1e-12)
            std::printf("  (!) measured accuracy differs from the profile's %.4f\n", pick->evaluation.accuracy);
    }
    return 0;
}
