#include "supernet/estimate.h"

#include "data/split.h"
#include "eenn/throughput.h"
#include "supernet/supernet.h"

#include <algorithm>

namespace edanas::supernet {

std::int64_t imagesPerEpoch(const data::Dataset &dataset, const TrainConfig &config)
{
    const auto split =
        data::stratifiedSplit(dataset.train.labels, dataset.classCount(), config.validationShare, config.seed);
    const auto train = std::int64_t(split.train.size());
    return config.trainImages > 0 ? std::min<std::int64_t>(config.trainImages, train) : train;
}

TrainingEstimate estimateTraining(const space::SearchSpace &space, const TrainConfig &config,
                                  std::int64_t imagesPerEpoch)
{
    eenn::ThroughputOptions o;
    o.trainBatch = std::max(1, config.batchSize);
    o.runs = 1;
    o.trainStepsPerRun = 2;
    o.evalBatch = 8; // the evaluation half of the measurement is not needed: keep it short
    o.evalImagesPerRun = 8;
    TrainingEstimate e;
    auto rate = [&](const space::Genome &g) {
        Supernet net(space);
        return eenn::measureThroughput(*net, g, o).trainImagesPerSecond;
    };
    e.largestImagesPerSecond = rate(space::Genome::largest(space));
    for (Phase phase : {Phase::Kernel, Phase::Depth, Phase::Expansion})
        e.phaseSmallestImagesPerSecond[int(phase)] = rate(phaseSmallest(space, phase));
    e.smallestImagesPerSecond = e.phaseSmallestImagesPerSecond[int(Phase::Expansion)];
    scheduleTraining(e, config, imagesPerEpoch);
    return e;
}

void scheduleTraining(TrainingEstimate &e, const TrainConfig &config, std::int64_t imagesPerEpoch)
{
    e.seconds = 0.0;
    const double largest = 1.0 / std::max(1e-9, e.largestImagesPerSecond);
    for (int p = 0; p < 4 && p < int(config.phaseEpochs.size()); ++p) {
        const double measured = e.phaseSmallestImagesPerSecond[p] > 0.0 ? e.phaseSmallestImagesPerSecond[p]
                                                                          : e.smallestImagesPerSecond;
        const double smallest = 1.0 / std::max(1e-9, measured);
        const double sandwich = largest + smallest + double(config.randomSubnets) * 0.5 * (largest + smallest)
                                + (config.distillWeight > 0.0 ? largest / 3.0 : 0.0);
        const double perImage = p == 0 ? largest : sandwich;
        e.phaseSeconds[p] = double(config.phaseEpochs[std::size_t(p)]) * double(imagesPerEpoch) * perImage;
        e.seconds += e.phaseSeconds[p];
    }
}

} // namespace edanas::supernet
