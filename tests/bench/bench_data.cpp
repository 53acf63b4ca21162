// Data-layer throughput: loading the default data set, splitting, statistics, and
// making input batches. Usage: bench_data [PATH] [--repeat N]
#include "data/batchloader.h"
#include "data/dataset.h"
#include "data/split.h"

#include <torch/torch.h>

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

using namespace edanas;

namespace {

template<typename Fn>
double medianSeconds(int repeat, Fn fn)
{
    std::vector<double> t;
    for (int i = 0; i < repeat; ++i) {
        QElapsedTimer timer;
        timer.start();
        fn();
        t.push_back(timer.nsecsElapsed() / 1e9);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    QStringList args = app.arguments();
    int repeat = 5;
    if (const int k = int(args.indexOf(QStringLiteral("--repeat"))); k > 0 && k + 1 < args.size()) {
        repeat = std::max(1, args.at(k + 1).toInt());
        args.remove(k, 2);
    }
    data::DatasetRef ref;
    ref.path = args.size() > 1 ? args.at(1).toStdString() : data::defaultDatasetPath();

    data::Dataset ds;
    const double load = medianSeconds(repeat, [&] { ds = data::loadDataset(ref); });
    std::printf("load %s (%lld + %lld images): %.3f s median of %d\n", ref.path.c_str(),
                static_cast<long long>(ds.train.size()), static_cast<long long>(ds.test.size()), load, repeat);

    data::Split split;
    const double sp = medianSeconds(repeat, [&] { split = data::stratifiedSplit(ds.train.labels, ds.classCount(), 0.1, 0); });
    std::printf("stratified split: %.4f s\n", sp);
    data::ChannelStats stats;
    const double st = medianSeconds(repeat, [&] { stats = data::channelStats(ds.train, split.train); });
    std::printf("channel statistics: %.4f s\n", st);

    for (const auto &[res, augment] : std::vector<std::pair<int, bool>>{{0, false}, {0, true}, {32, false}, {32, true}}) {
        data::Preprocess pp;
        pp.resolution = res;
        pp.augment = augment;
        pp.mean.assign(stats.mean.begin(), stats.mean.end());
        pp.std.assign(stats.std.begin(), stats.std.end());
        data::BatchLoader loader(ds.train, split.train, 256, pp, true, 1);
        const double t = medianSeconds(std::min(repeat, 3), [&] {
            loader.reset();
            data::Batch b;
            while (loader.next(b)) {
            }
        });
        std::printf("batches of 256, resolution %s, augment %s: %.0f images/s (%.3f s per epoch of %lld)\n",
                    res ? std::to_string(res).c_str() : "native", augment ? "on " : "off",
                    double(loader.size()) / t, t, static_cast<long long>(loader.size()));
    }
    return 0;
}
