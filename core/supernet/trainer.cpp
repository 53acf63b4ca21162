#include "trainer.h"

#include "checkpoint.h"
#include "cost/cost.h"
#include "data/batchloader.h"
#include "data/dataset.h"
#include "data/split.h"
#include "estimate.h"
#include "loss.h"
#include "recalibrate.h"
#include "supernet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
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
    QJsonArray rates;
    for (double r : learningRates)
        rates.append(r);
    QJsonObject o{{"phase_epochs", epochs},
                  {"batch_size", batchSize},
                  {"learning_rates", rates},
                  {"warmup_epochs", warmupEpochs},
                  {"momentum", momentum},
                  {"weight_decay", weightDecay},
                  {"decay_norm_and_bias", decayNormAndBias},
                  {"random_subnets", randomSubnets},
                  {"sum_subnet_gradients", sumSubnetGradients},
                  {"exit_weight", exitWeight},
                  {"distill_weight", distillWeight},
                  {"distill_exits", distillExits},
                  {"label_smoothing", labelSmoothing},
                  {"dropout", dropout},
                  {"validation_share", validationShare},
                  {"seed", QString::number(seed)},
                  {"train_images", qint64(trainImages)},
                  {"eval_images", qint64(evalImages)},
                  {"recalibration_images", qint64(recalibrationImages)},
                  {"augment", augment},
                  {"crop_padding", cropPadding},
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
    // a checkpoint of the first recipe (one "learning_rate") reads as an empty list: another configuration
    c.learningRates.clear();
    for (const auto &v : o.value(QLatin1String("learning_rates")).toArray())
        c.learningRates.push_back(v.toDouble());
    c.warmupEpochs = o.value(QLatin1String("warmup_epochs")).toDouble();
    c.momentum = o.value(QLatin1String("momentum")).toDouble();
    c.weightDecay = o.value(QLatin1String("weight_decay")).toDouble();
    c.decayNormAndBias = o.value(QLatin1String("decay_norm_and_bias")).toBool();
    c.randomSubnets = o.value(QLatin1String("random_subnets")).toInt();
    c.sumSubnetGradients = o.value(QLatin1String("sum_subnet_gradients")).toBool();
    c.exitWeight = o.value(QLatin1String("exit_weight")).toDouble();
    c.distillWeight = o.value(QLatin1String("distill_weight")).toDouble();
    c.distillExits = o.value(QLatin1String("distill_exits")).toBool();
    c.labelSmoothing = o.value(QLatin1String("label_smoothing")).toDouble();
    c.dropout = o.value(QLatin1String("dropout")).toDouble();
    c.validationShare = o.value(QLatin1String("validation_share")).toDouble();
    c.seed = o.value(QLatin1String("seed")).toString().toULongLong();
    c.trainImages = o.value(QLatin1String("train_images")).toInteger();
    c.evalImages = o.value(QLatin1String("eval_images")).toInteger();
    c.recalibrationImages = o.value(QLatin1String("recalibration_images")).toInteger();
    c.augment = o.value(QLatin1String("augment")).toBool();
    c.cropPadding = o.value(QLatin1String("crop_padding")).toInt();
    c.horizontalFlip = o.value(QLatin1String("horizontal_flip")).toBool();
    return c;
}

double learningRateAt(double peak, std::int64_t step, std::int64_t steps, std::int64_t warmupSteps)
{
    warmupSteps = std::clamp<std::int64_t>(warmupSteps, 0, std::max<std::int64_t>(steps - 1, 0));
    if (step < warmupSteps)
        return peak * double(step + 1) / double(warmupSteps);
    const double t = double(step - warmupSteps) / double(std::max<std::int64_t>(steps - warmupSteps, 1));
    return 0.5 * peak * (1.0 + std::cos(M_PI * std::min(t, 1.0)));
}

space::Genome phaseSmallest(const space::SearchSpace &space, Phase phase)
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

space::Genome phaseRandom(const space::SearchSpace &space, Phase phase, std::mt19937_64 &rng)
{
    space::Genome g = space::Genome::random(space, rng);
    const space::Genome big = space::Genome::largest(space);
    if (phase == Phase::Largest)
        return big;
    if (phase == Phase::Kernel)
        g.depth = big.depth;
    if (phase != Phase::Expansion)
        g.expansion = big.expansion;
    return g;
}

std::vector<space::Genome> stepSubnets(const space::SearchSpace &space, const TrainConfig &cfg, Phase phase,
                                       std::mt19937_64 &rng)
{
    std::vector<space::Genome> subnets{space::Genome::largest(space)};
    if (phase != Phase::Largest) {
        subnets.push_back(phaseSmallest(space, phase));
        for (int r = 0; r < cfg.randomSubnets; ++r)
            subnets.push_back(phaseRandom(space, phase, rng));
    }
    return subnets;
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
    return jointExitLoss(out, labels, space.classes, cfg.exitWeight, teacher, cfg.distillWeight, cfg.labelSmoothing,
                         cfg.distillExits);
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
    Supernet teacher{nullptr}; ///< the largest network after the first phase, frozen
    std::unique_ptr<torch::optim::SGD> optimizer;
    data::Split split;
    std::vector<std::int64_t> evalIdx;
    std::vector<float> mean, stdev;
    std::string datasetHash;
    std::string log;
    int startEpoch = 0; // 0-based overall epoch to run next

    Private(const data::Dataset &ds)
        : dataset(ds)
    {
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

    bool usesTeacher() const { return cfg.distillWeight > 0 && cfg.phaseEpochs[0] > 0; }

    void loadTeacher()
    {
        const std::string path = Trainer::teacherPath(outPath);
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            throw CheckpointError(path + ": the fixed teacher of " + outPath
                                  + " (the largest network after the first phase) is missing; restart the training "
                                    "with --overwrite");
        teacher = loadCheckpoint(path, nullptr, nullptr);
        teacher->setActive(space::Genome::largest(space));
        teacher->setDropout(0.0);
        teacher->setBatchNormMomentum(0.0); // batch statistics, as the teacher trained; running ones untouched
        teacher->train();
        for (auto &p : teacher->parameters())
            p.set_requires_grad(false);
    }

    // The training images of one epoch: all of them (the loader reshuffles them), or a
    // fresh draw of cfg.trainImages from all of them.
    std::vector<std::int64_t> epochImages(int epoch) const
    {
        if (cfg.trainImages <= 0 || cfg.trainImages >= std::int64_t(split.train.size()))
            return split.train;
        std::vector<std::int64_t> idx = split.train;
        std::mt19937_64 rng(cfg.seed * 2654435761ULL + 104729ULL * std::uint64_t(epoch + 1));
        std::shuffle(idx.begin(), idx.end(), rng);
        idx.resize(std::size_t(cfg.trainImages));
        return idx;
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
};

std::string Trainer::teacherPath(const std::string &outPath)
{
    return outPath + ".teacher.pt";
}

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
    if (d->cfg.learningRates.size() != 4)
        throw std::invalid_argument("give 4 learning rates, one per phase");
    for (double r : d->cfg.learningRates)
        if (!(r > 0))
            throw std::invalid_argument("learning rates must be positive");

    d->datasetHash = data::contentHash(dataset);
    d->split = data::stratifiedSplit(dataset.train.labels, dataset.classCount(), d->cfg.validationShare, d->cfg.seed);
    const std::int64_t perEpoch = imagesPerEpoch(dataset, d->cfg); // the same split, counted as estimates count it
    if (perEpoch < d->cfg.batchSize)
        throw std::invalid_argument("only " + std::to_string(perEpoch)
                                    + " training images, fewer than one batch of " + std::to_string(d->cfg.batchSize)
                                    + "; lower --batch-size");
    d->evalIdx = data::evenSubset(d->split.validation, d->cfg.evalImages);
    const auto stats = data::channelStats(dataset.train, d->split.train);
    d->mean.assign(stats.mean.begin(), stats.mean.end());
    d->stdev.assign(stats.std.begin(), stats.std.end());

    torch::manual_seed(d->cfg.seed);
    d->net = Supernet(d->space);
    d->optimizer = makeSupernetOptimizer(*d->net, d->cfg);

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
        d->optimizer = makeSupernetOptimizer(*d->net, d->cfg);
        loadCheckpoint(d->outPath, nullptr, d->optimizer.get()); // the optimizer's state
        d->startEpoch = state.value(QLatin1String("next_epoch")).toInt();
        d->log = info.trainingLog;
        if (d->usesTeacher() && d->startEpoch >= d->cfg.phaseEpochs[0])
            d->loadTeacher();
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
    pp.cropPadding = d->cfg.cropPadding;
    pp.horizontalFlip = d->cfg.horizontalFlip;
    const auto runStart = Clock::now();
    std::int64_t imagesThisRun = 0;

    for (int epoch = d->startEpoch; epoch < total; ++epoch) {
        const auto [phase, phaseEpoch] = d->phaseOf(epoch);
        const int phaseLength = d->cfg.phaseEpochs[std::size_t(phase)];
        if (phaseEpoch == 0) {
            if (phase == Phase::Expansion)
                d->net->sortChannels(); // elastic expansion keeps the most important channels
            // every phase starts with its own optimizer state, as Once-for-All's phases (separate
            // runs) do: no momentum from before the channel sort is applied to the sorted weights
            d->optimizer = makeSupernetOptimizer(*d->net, d->cfg);
        }
        // seeds derived from the epoch: a resumed run continues as the uninterrupted one would
        std::mt19937_64 rng(d->cfg.seed * 1000003ULL + std::uint64_t(epoch));
        torch::manual_seed(d->cfg.seed * 1000003ULL + std::uint64_t(epoch)); // dropout
        data::BatchLoader loader(d->dataset.train, d->epochImages(epoch), d->cfg.batchSize, pp, true,
                                 d->cfg.seed + 7919ULL * std::uint64_t(epoch + 1), true);
        const std::int64_t batches = loader.batchesPerEpoch();
        const std::int64_t phaseSteps = batches * phaseLength;
        const auto warmupSteps = std::int64_t(std::llround(d->cfg.warmupEpochs * double(batches)));
        const double peak = d->cfg.learningRates[std::size_t(phase)];
        d->net->train();
        d->net->setDropout(d->cfg.dropout);
        d->net->setBatchNormMomentum(0.1);
        const auto epochStart = Clock::now();
        double lossSum = 0.0;
        std::int64_t lossCount = 0;
        data::Batch batch;
        for (std::int64_t bi = 0; loader.next(batch); ++bi) {
            if (cancel.load())
                return Result::Cancelled;
            // per phase: linear warm-up, then a cosine to 0
            const double lr = learningRateAt(peak, std::int64_t(phaseEpoch) * batches + bi, phaseSteps, warmupSteps);
            for (auto &group : d->optimizer->param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
            clearGradients(*d->optimizer);

            // sandwich rule: the largest network, the phase's smallest, random ones
            const auto subnets = stepSubnets(s, d->cfg, phase, rng);
            // the gradients of the step's subnets are averaged (one update at the phase's rate)
            const double scale = d->cfg.sumSubnetGradients ? 1.0 : 1.0 / double(subnets.size());
            torch::Tensor teacher;
            if (phase != Phase::Largest && !d->teacher.is_empty()) {
                torch::NoGradGuard noGrad;
                teacher = torch::softmax(d->teacher->forward(batch.images, {}, true).final, 1);
            }
            double stepLoss = 0.0;
            for (std::size_t k = 0; k < subnets.size(); ++k) {
                d->net->setActive(subnets[k]);
                const auto x = resizeTo(batch.images, subnets[k].resolution);
                const auto out = d->net->forward(x, trainPositions(s, subnets[k]), true,
                                                 space::positionMaxPools(s, subnets[k]));
                auto loss = subnetLoss(out, batch.labels, teacher, d->cfg, s);
                (loss * scale).backward();
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
                         lossSum / double(lossCount), lr});
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
        r.largest = evaluateSubnet(*d->net, space::Genome::largest(s), d->dataset, d->split.train, d->dataset.train, d->evalIdx, d->mean,
                                   d->stdev, d->cfg.recalibrationImages);
        r.smallest = evaluateSubnet(*d->net, space::Genome::smallest(s), d->dataset, d->split.train, d->dataset.train, d->evalIdx, d->mean,
                                    d->stdev, d->cfg.recalibrationImages);
        d->log += r.toJson() + "\n";
        const bool complete = epoch + 1 == total;
        d->save(epoch + 1, complete);
        if (d->usesTeacher() && epoch + 1 == d->cfg.phaseEpochs[0] && !complete) {
            // the fixed teacher of the later phases: this checkpoint, kept until the end
            std::filesystem::copy_file(d->outPath, teacherPath(d->outPath),
                                       std::filesystem::copy_options::overwrite_existing);
            d->loadTeacher();
        }
        if (complete) {
            std::error_code ec;
            std::filesystem::remove(teacherPath(d->outPath), ec);
        }
        if (onEpoch)
            onEpoch(r);
    }
    return Result::Completed;
}

} // namespace edanas::supernet
