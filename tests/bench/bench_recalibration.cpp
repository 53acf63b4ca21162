// How many training images batch-norm recalibration needs: the spread of a subnet's
// validation accuracy over different recalibration subsets, against the sampling error
// of the accuracy itself. For each size and subnet, the recalibration images are drawn
// `seeds` times (different shuffles of the training part); every subnet is then profiled
// on the whole validation split (6,000 Fashion-MNIST images).
// Usage: bench_recalibration [CHECKPOINT] [SEEDS]   (default: the shipped supernet, 5)
#include "data/batchloader.h"
#include "data/dataset.h"
#include "data/split.h"
#include "eenn/profiler.h"
#include "eenn/throughput.h"
#include "runtime.h"
#include "space/architecture.h"
#include "supernet/checkpoint.h"
#include "supernet/recalibrate.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace edanas;

int main(int argc, char **argv)
{
    ensurePassiveWaitPolicy(argv);
    initTorchThreads();
    const std::string path = argc > 1 ? argv[1] : supernet::defaultSupernetPath();
    const int seeds = argc > 2 ? std::atoi(argv[2]) : 5;
    supernet::CheckpointInfo info;
    auto net = supernet::loadCheckpoint(path, &info);
    data::DatasetRef ref;
    ref.path = data::defaultDatasetPath();
    const auto ds = data::loadDataset(ref);
    const auto split = data::stratifiedSplit(ds.train.labels, ds.classCount(), 0.1, 0);
    data::Preprocess pp;
    pp.mean = info.mean;
    pp.std = info.std;
    pp.resolution = 32;
    std::printf("%s, %zu validation images, %d draws per size\n", path.c_str(), split.validation.size(), seeds);
    std::printf("%-9s %7s %12s %12s %12s\n", "subnet", "images", "head mean", "head sd", "sampling se");
    for (const char *name : {"largest", "middle", "smallest"}) {
        const auto g = eenn::namedSubnet(net->space(), name);
        net->setActive(g);
        std::vector<supernet::Position> positions;
        for (const auto &p : space::allowedExitPositions(net->space(), g))
            positions.push_back(p);
        const auto pools = space::positionMaxPools(net->space(), g);
        for (int images : {250, 500, 1000, 2000, 4000}) {
            std::vector<double> acc;
            for (int s = 0; s < seeds; ++s) {
                data::BatchLoader recal(ds.train, split.train, 256, pp, true, 1000 + std::uint64_t(s));
                supernet::recalibrateBatchNorm(*net, positions, recal, images, pools);
                const auto profile = eenn::buildProfile(*net, g, ds.train, split.validation, pp, 500);
                double right = 0;
                const int head = profile.positions - 1;
                for (int i = 0; i < profile.samples; ++i)
                    right += profile.correct[profile.at(i, head)];
                acc.push_back(right / profile.samples);
            }
            double mean = 0, var = 0;
            for (double a : acc)
                mean += a / acc.size();
            for (double a : acc)
                var += (a - mean) * (a - mean) / std::max<std::size_t>(1, acc.size() - 1);
            const double se = std::sqrt(mean * (1 - mean) / double(split.validation.size()));
            std::printf("%-9s %7d %11.2f%% %11.2f%% %11.2f%%\n", name, images, 100 * mean, 100 * std::sqrt(var),
                        100 * se);
            std::fflush(stdout);
        }
    }
    return 0;
}
