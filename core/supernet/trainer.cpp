#include "trainer.h"

#include "checkpoint.h"
#include "cost/cost.h"
#include "data/batchloader.h"
#include "data/dataset.h"
#include "data/split.h"
#include "loss.h"
#include "recalibrate.h"
#include "supernet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace edanas::supernet {

std::string phaseName(Phase p)
{
    switch (p) {
    case Phase::Largest: return "largest";
    case Phase::Kernel: return "kernel";
    case Phase::Depth: return "depth";
    case Phase::Expansion: return "expansion";
    }
    return "largest";
}

std::string TrainConfig::toJson() const
{
    QJsonArray epochs;
    for (int e : phaseEpochs)
        epochs.append(e);
    QJsonObject o{{"phase_epochs", epochs},
                  {"batch_size", batchSize},
                  {"learning_rate", learningRate},
                  {"momentum", momentum},
                  {"weight_decay", weightDecay},
                  {"random_subnets", randomSubnets},
                  {"exit_weight", exitWeight},
                  {"distill_weight", distillWeight},
                  {"validation_share", validationShare},
                  {"seed", QString::number(seed)},
                  {"train_images", qint64(trainImages)},
                  {"eval_images", qint64(evalImages)},
                  {"recalibration_images", qint64(recalibrationImages)},
                  {"augment", augment},
                  {"horizontal_flip", horizontalFlip}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

TrainConfig TrainConfig::fromJson(const std::string &json)
{
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    TrainConfig c;
    c.phaseEpochs.clear();
    for (const auto &v : o.value(QLatin1String("phase_epochs")).toArray())
        c.phaseEpochs.push_back(v.toInt());
    c.batchSize = o.value(QLatin1String("batch_size")).toInt();
    c.learningRate = o.value(QLatin1String("learning_rate")).toDouble();
    c.momentum = o.value(QLatin1String("momentum")).toDouble();
    c.weightDecay = o.value(QLatin1String("weight_decay")).toDouble();
    c.randomSubnets = o.value(QLatin1String("random_subnets")).toInt();
    c.exitWeight = o.value(QLatin1String("exit_weight")).toDouble();
    c.distillWeight = o.value(QLatin1String("distill_weight")).toDouble();
    c.validationShare = o.value(QLatin1String("validation_share")).toDouble();
    c.seed = o.value(QLatin1String("seed")).toString().toULongLong();
    c.trainImages = o.value(QLatin1String("train_images")).toInteger();
    c.evalImages = o.value(QLatin1String("eval_images")).toInteger();
    c.recalibrationImages = o.value(QLatin1String("recalibration_images")).toInteger();
    c.augment = o.value(QLatin1String("augment")).toBool();
    c.horizontalFlip = o.value(QLatin1String("horizontal_flip")).toBool();
    return c;
}

namespace {

QJsonObject accuracyJson(const SubnetAccuracy &a)
{
    QJsonObject o;
    o[QStringLiteral("genome")] = QString::fromStdString(a.genome);
    QJsonObject acc;
    for (std::size_t i = 0; i < a.positions.size(); ++i)
        acc[QString::fromStdString(a.positions[i])] = std::round(a.accuracy[i] * 1e5) / 1e5;
    o[QStringLiteral("accuracy")] = acc;
    return o;
}

torch::Tensor resizeTo(const torch::Tensor &x, int res)
{
    if (x.size(2) == res && x.size(3) == res)
        return x;
    namespace F = torch::nn::functional;
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{res, res})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
}

std::string positionName(const Position &p)
{
    return "s" + std::to_string(p.first + 1) + ".b" + std::to_string(p.second + 1);
}

std::vector<Position> trainPositions(const space::SearchSpace &s, const space::Genome &g)
{
    std::vector<Position> out;
    for (const auto &p : space::allowedExitPositions(s, g))
        out.push_back(p);
    return out;
}

// Loss of one subnet's outputs (loss.h), with the training's weights.
torch::Tensor subnetLoss(const SubnetOutput &out, const torch::Tensor &labels, const torch::Tensor &teacher,
                         const TrainConfig &cfg, const space::SearchSpace &space)
{
    return jointExitLoss(out, labels, space.classes, cfg.exitWeight, teacher, cfg.distillWeight);
}

} // namespace

std::string EpochReport::toJson() const
{
    QJsonObject o{{"phase", QString::fromStdString(phaseName(phase))},
                  {"phase_epoch", phaseEpoch},
                  {"epoch", epoch},
                  {"loss", std::round(loss * 1e5) / 1e5},
                  {"seconds", std::round(seconds * 10) / 10},
                  {"images_per_second", std::round(imagesPerSecond * 10) / 10},
                  {"largest", accuracyJson(largest)},
                  {"smallest", accuracyJson(smallest)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

SubnetAccuracy evaluateSubnet(SupernetImpl &net, const space::Genome &genome, const data::Dataset &ds,
                              const std::vector<std::int64_t> &trainIdx, const data::ImageSet &evalSet,
                              const std::vector<std::int64_t> &evalIdx, const std::vector<float> &mean, const std::vector<float> &stdev,
                              std::int64_t recalImages)
{
    const auto &space = net.space();
    net.setActive(genome);
    const auto positions = trainPositions(space, genome);
    data::Preprocess pp;
    pp.mean = mean;
    pp.std = stdev;
    pp.resolution = genome.resolution;
    // a fixed, spread-out subset of the training split for the statistics
    const auto pools = space::positionMaxPools(space, genome);
    data::BatchLoader recal(ds.train, trainIdx, 256, pp, true, 12345);
    recalibrateBatchNorm(net, positions, recal, recalImages, pools);
    data::BatchLoader eval(evalSet, evalIdx, 500, pp, false, 0);
    std::vector<std::int64_t> correct(positions.size() + 1, 0);
    std::int64_t seen = 0;
    data::Batch b;
    c10::InferenceMode guard;
    while (eval.next(b)) {
        const auto out = net.forward(b.images, positions, true, pools);
        for (std::size_t i = 0; i < out.exits.size(); ++i)
            correct[i] += (out.exits[i].narrow(1, 0, space.classes).argmax(1) == b.labels).sum().item<std::int64_t>();
        correct.back() += (out.final.argmax(1) == b.labels).sum().item<std::int64_t>();
        seen += b.labels.size(0);
    }
    SubnetAccuracy a;
    a.genome = genome.summary();
    const auto cost = cost::computeCost(space, genome);
    for (std::size_t i = 0; i < positions.size(); ++i) {
        a.positions.push_back(positionName(positions[i]));
        a.cumulativeMacs.push_back(cost.positions[i].cumulativeMacs());
    }
    a.positions.push_back("final");
    a.cumulativeMacs.push_back(cost.staticMacs);
    for (auto c : correct)
        a.accuracy.push_back(seen ? double(c) / double(seen) : 0.0);
    return a;
}

struct Trainer::Private
{
    const data::Dataset &dataset;
    space::SearchSpace space;
    TrainConfig cfg;
    std::string outPath;
    Supernet net{nullptr};
    std::unique_ptr<torch::optim::SGD> optimizer;
    data::Split split;
    std::vector<std::int64_t> trainIdx, evalIdx;
    std::vector<float> mean, stdev;
    std::string datasetHash;
    std::string log;
    int startEpoch = 0; // 0-based overall epoch to run next

    Private(const data::Dataset &ds)
        : dataset(ds)
    {
    }

    std::unique_ptr<torch::optim::SGD> makeOptimizer() const
    {
        return std::make_unique<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(cfg.learningRate)
                                                                          .momentum(cfg.momentum)
                                                                          .weight_decay(cfg.weightDecay)
                                                                          .nesterov(true));
    }

    int totalEpochs() const
    {
        int n = 0;
        for (int e : cfg.phaseEpochs)
            n += e;
        return n;
    }

    std::pair<Phase, int> phaseOf(int epoch) const
    {
        int e = epoch;
        for (std::size_t p = 0; p < cfg.phaseEpochs.size(); ++p) {
            if (e < cfg.phaseEpochs[p])
                return {Phase(p), e};
            e -= cfg.phaseEpochs[p];
        }
        return {Phase::Expansion, e};
    }

    std::string stateJson(int nextEpoch, bool complete) const
    {
        QJsonObject o{{"next_epoch", nextEpoch},
                      {"total_epochs", totalEpochs()},
                      {"complete", complete},
                      {"config", QJsonDocument::fromJson(QByteArray::fromStdString(cfg.toJson())).object()}};
        return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
    }

    void save(int nextEpoch, bool complete)
    {
        CheckpointInfo info;
        info.datasetName = dataset.name;
        info.datasetHash = datasetHash;
        info.mean = mean;
        info.std = stdev;
        info.trainingLog = log;
        info.state = stateJson(nextEpoch, complete);
        saveCheckpoint(outPath, *net, info, complete ? nullptr : optimizer.get());
    }

    // Samples a subnet of the phase's space.
    space::Genome sample(Phase phase, std::mt19937_64 &rng) const
    {
        space::Genome g = space::Genome::random(space, rng);
        const space::Genome big = space::Genome::largest(space);
        if (phase == Phase::Largest || phase == Phase::Kernel)
            g.depth = big.depth;
        if (phase != Phase::Expansion)
            g.expansion = big.expansion;
        if (phase == Phase::Largest)
            g = big;
        return g;
    }

    space::Genome smallestOf(Phase phase) const
    {
        space::Genome g = space::Genome::smallest(space);
        const space::Genome big = space::Genome::largest(space);
        if (phase == Phase::Largest)
            return big;
        if (phase == Phase::Kernel)
            g.depth = big.depth;
        if (phase != Phase::Expansion)
            g.expansion = big.expansion;
        return g;
    }
};

Trainer::Trainer(const data::Dataset &dataset, space::SearchSpace space, TrainConfig cfg, std::string outPath,
                 bool overwrite)
    : d(std::make_unique<Private>(dataset))
{
    d->space = std::move(space);
    d->space.inputChannels = dataset.train.channels;
    d->space.classes = dataset.classCount();
    d->cfg = std::move(cfg);
    d->outPath = std::move(outPath);
    if (d->cfg.phaseEpochs.size() != 4)
        throw std::invalid_argument("progressive shrinking has 4 phases: give 4 epoch counts");
    if (d->totalEpochs() < 1)
        throw std::invalid_argument("nothing to train: every phase has 0 epochs");
    if (d->cfg.batchSize < 2)
        throw std::invalid_argument("batch size must be at least 2");

    d->datasetHash = data::contentHash(dataset);
    d->split = data::stratifiedSplit(dataset.train.labels, dataset.classCount(), d->cfg.validationShare, d->cfg.seed);
    d->trainIdx = data::evenSubset(d->split.train, d->cfg.trainImages);
    if (std::int64_t(d->trainIdx.size()) < d->cfg.batchSize)
        throw std::invalid_argument("only " + std::to_string(d->trainIdx.size())
                                    + " training images, fewer than one batch of " + std::to_string(d->cfg.batchSize)
                                    + "; lower --batch-size");
    d->evalIdx = data::evenSubset(d->split.validation, d->cfg.evalImages);
    const auto stats = data::channelStats(dataset.train, d->split.train);
    d->mean.assign(stats.mean.begin(), stats.mean.end());
    d->stdev.assign(stats.std.begin(), stats.std.end());

    torch::manual_seed(d->cfg.seed);
    d->net = Supernet(d->space);
    d->optimizer = d->makeOptimizer();

    std::error_code ec;
    if (std::filesystem::exists(d->outPath, ec) && !overwrite) {
        const CheckpointInfo info = readCheckpointInfo(d->outPath);
        checkCompatible(d->outPath, info, d->space, d->datasetHash);
        const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        if (state.value(QLatin1String("complete")).toBool())
            throw CheckpointError(d->outPath + ": already holds a finished training; choose another output file "
                                               "(or overwrite it deliberately)");
        const std::string theirs = QJsonDocument(state.value(QLatin1String("config")).toObject())
                                       .toJson(QJsonDocument::Compact)
                                       .toStdString();
        if (TrainConfig::fromJson(theirs).toJson() != d->cfg.toJson())
            throw CheckpointError(d->outPath + ": holds an unfinished training with another configuration ("
                                  + theirs + "); resume it with the same options or choose another output file");
        d->net = loadCheckpoint(d->outPath, nullptr, nullptr);
        d->optimizer = d->makeOptimizer();
        loadCheckpoint(d->outPath, nullptr, d->optimizer.get()); // the optimizer's state
        d->startEpoch = state.value(QLatin1String("next_epoch")).toInt();
        d->log = info.trainingLog;
    }
}

Trainer::~Trainer() = default;

int Trainer::startEpoch() const
{
    return d->startEpoch;
}

Trainer::Result Trainer::run(const std::atomic<bool> &cancel, const std::function<void(const BatchProgress &)> &onBatch,
                             const std::function<void(const EpochReport &)> &onEpoch)
{
    using Clock = std::chrono::steady_clock;
    const auto &s = d->space;
    const int total = d->totalEpochs();
    data::Preprocess pp;
    pp.mean = d->mean;
    pp.std = d->stdev;
    pp.resolution = s.maxResolution();
    pp.augment = d->cfg.augment;
    pp.horizontalFlip = d->cfg.horizontalFlip;
    const auto runStart = Clock::now();
    std::int64_t imagesThisRun = 0;

    for (int epoch = d->startEpoch; epoch < total; ++epoch) {
        const auto [phase, phaseEpoch] = d->phaseOf(epoch);
        const int phaseLength = d->cfg.phaseEpochs[std::size_t(phase)];
        if (phaseEpoch == 0 && phase == Phase::Expansion)
            d->net->sortChannels(); // elastic expansion keeps the most important channels
        // seeds derived from the epoch: a resumed run continues as the uninterrupted one would
        std::mt19937_64 rng(d->cfg.seed * 1000003ULL + std::uint64_t(epoch));
        torch::manual_seed(d->cfg.seed * 1000003ULL + std::uint64_t(epoch)); // dropout
        data::BatchLoader loader(d->dataset.train, d->trainIdx, d->cfg.batchSize, pp, true,
                                 d->cfg.seed + 7919ULL * std::uint64_t(epoch + 1), true);
        const std::int64_t batches = loader.batchesPerEpoch();
        d->net->train();
        d->net->setDropout(0.1);
        d->net->setBatchNormMomentum(0.1);
        const auto epochStart = Clock::now();
        double lossSum = 0.0;
        std::int64_t lossCount = 0;
        data::Batch batch;
        for (std::int64_t bi = 0; loader.next(batch); ++bi) {
            if (cancel.load())
                return Result::Cancelled;
            // cosine schedule within the phase
            const double progress = (double(phaseEpoch) + double(bi) / double(batches)) / double(phaseLength);
            const double lr = 0.5 * d->cfg.learningRate * (1.0 + std::cos(M_PI * progress));
            for (auto &group : d->optimizer->param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
            d->optimizer->zero_grad();

            // sandwich rule: the largest network (teacher), the smallest, random ones
            std::vector<space::Genome> subnets{space::Genome::largest(s)};
            if (phase != Phase::Largest) {
                subnets.push_back(d->smallestOf(phase));
                for (int r = 0; r < d->cfg.randomSubnets; ++r)
                    subnets.push_back(d->sample(phase, rng));
            }
            torch::Tensor teacher;
            double stepLoss = 0.0;
            for (std::size_t k = 0; k < subnets.size(); ++k) {
                d->net->setActive(subnets[k]);
                const auto x = resizeTo(batch.images, subnets[k].resolution);
                const auto out = d->net->forward(x, trainPositions(s, subnets[k]), true,
                                                 space::positionMaxPools(s, subnets[k]));
                auto loss = subnetLoss(out, batch.labels, k == 0 ? torch::Tensor() : teacher, d->cfg, s);
                loss.backward();
                if (k == 0)
                    teacher = torch::softmax(out.final.detach(), 1);
                stepLoss += loss.item<double>();
            }
            d->optimizer->step();
            lossSum += stepLoss / double(subnets.size());
            ++lossCount;
            imagesThisRun += batch.labels.size(0);
            if (onBatch) {
                const double elapsed = std::chrono::duration<double>(Clock::now() - runStart).count();
                const double rate = imagesThisRun / std::max(elapsed, 1e-9);
                const double left = double(total - epoch) * double(loader.size()) - double(bi + 1) * d->cfg.batchSize;
                onBatch({phase, epoch + 1, total, bi + 1, batches, rate, left / std::max(rate, 1e-9),
                         lossSum / double(lossCount)});
            }
        }
        EpochReport r;
        r.phase = phase;
        r.phaseEpoch = phaseEpoch + 1;
        r.epoch = epoch + 1;
        r.totalEpochs = total;
        r.loss = lossCount ? lossSum / double(lossCount) : 0.0;
        r.seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
        r.imagesPerSecond = double(loader.batchesPerEpoch() * d->cfg.batchSize) / std::max(r.seconds, 1e-9);
        d->net->setDropout(0.0);
        r.largest = evaluateSubnet(*d->net, space::Genome::largest(s), d->dataset, d->trainIdx, d->dataset.train, d->evalIdx, d->mean,
                                   d->stdev, d->cfg.recalibrationImages);
        r.smallest = evaluateSubnet(*d->net, space::Genome::smallest(s), d->dataset, d->trainIdx, d->dataset.train, d->evalIdx, d->mean,
                                    d->stdev, d->cfg.recalibrationImages);
        d->log += r.toJson() + "\n";
        d->save(epoch + 1, epoch + 1 == total);
        if (onEpoch)
            onEpoch(r);
    }
    return Result::Completed;
}

} // namespace edanas::supernet
