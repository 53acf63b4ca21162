#include "candidate.h"
#include "finetune.h"

#include "data/batchloader.h"
#include "data/split.h"
#include "eenn/profiler.h"
#include "supernet/loss.h"
#include "supernet/trainer.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cmath>
#include <numeric>

namespace edanas::deploy {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

/// Whether the supernet's training flipped images horizontally (its checkpoint records
/// its configuration); the trainer's default when it does not say.
bool trainedWithFlip(const supernet::CheckpointInfo &info)
{
    const auto state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
    const auto config = state.value(QLatin1String("config")).toObject();
    if (!config.contains(QLatin1String("horizontal_flip")))
        return supernet::TrainConfig{}.horizontalFlip;
    return config.value(QLatin1String("horizontal_flip")).toBool();
}

void checkOptions(const FineTuneOptions &o)
{
    if (o.epochs < 1)
        throw std::invalid_argument("fine-tuning needs at least 1 epoch");
    if (o.batchSize < 2)
        throw std::invalid_argument("the fine-tuning batch size must be at least 2");
    if (!(o.learningRate > 0) || !std::isfinite(o.learningRate))
        throw std::invalid_argument("the fine-tuning learning rate must be positive");
    if (!(o.momentum >= 0 && o.momentum < 1) || !(o.weightDecay >= 0) || !(o.exitWeight >= 0))
        throw std::invalid_argument("fine-tuning needs a momentum in [0, 1), a weight decay and an exit weight >= 0");
    if (o.trainImages < 0)
        throw std::invalid_argument("the fine-tuning training images cannot be negative");
}

} // namespace

FineTuneFigures figuresOf(const eenn::ExitProfile &profile, const space::Genome &genome)
{
    const auto config = eenn::configFromGenome(profile, genome);
    const auto e = eenn::evaluate(profile, config);
    FineTuneFigures f;
    f.images = profile.samples;
    f.accuracy = e.accuracy;
    f.macsTrue = e.averageMacsTrue;
    f.macsPaper = e.averageMacsPaper;
    f.share = e.share;
    f.exitAccuracy = e.exitAccuracy;
    std::vector<int> columns = config.exits;
    columns.push_back(profile.positions - 1);
    for (int q : columns) {
        const auto *c = profile.correct.data() + profile.at(0, q);
        const auto right = std::accumulate(c, c + profile.samples, std::int64_t(0));
        f.positionAccuracy.push_back(profile.samples ? double(right) / double(profile.samples) : 0.0);
    }
    return f;
}

std::vector<std::int64_t> fineTuneImages(const PreparedCandidate &candidate, std::int64_t count)
{
    return data::evenSubset(candidate.evaluator->trainIndices(), count);
}

FineTunedNetwork fineTuneNetwork(PreparedCandidate &p, const FineTuneOptions &o, const Steps &steps,
                                 const std::function<void(const FineTuneProgress &)> &onProgress,
                                 std::vector<std::int64_t> *seen)
{
    const auto start = Clock::now();
    checkOptions(o);
    const auto &genome = p.genome;
    const auto &ds = *p.dataset;
    const int classes = p.space().classes;
    const auto images = fineTuneImages(p, o.trainImages);
    if (std::int64_t(images.size()) < o.batchSize)
        throw std::invalid_argument("only " + std::to_string(images.size())
                                    + " training images to fine-tune on, fewer than one batch of "
                                    + std::to_string(o.batchSize));

    FineTunedNetwork f;
    FineTuneResult &r = f.result;
    r.candidateId = p.candidateId;
    r.edited = p.edited;
    r.genome = genome;
    r.options = o;
    r.trainImages = std::int64_t(images.size());

    // Before: the study's measurement (recalibration, profile, exit rule), and from the
    // very same supernet state the network that is trained further.
    steps.say("profiling candidate " + std::to_string(p.candidateId) + " the study's way on "
              + std::to_string(p.evaluator->validationIndices().size()) + " validation images");
    eenn::EvaluationTiming timing;
    const auto studyProfile = p.evaluator->profile(genome, &timing);
    r.before = figuresOf(*studyProfile, genome);
    steps.check();
    f.net = extractNetwork(p, genome, /*fuse=*/false, /*recalibrated=*/!timing.cached);
    auto &net = *f.net;

    // Training: the supernet trainer's augmentation at the candidate's resolution (the
    // evaluator's preprocessing otherwise), its loss over every exit and the head, its
    // optimiser (SGD, Nesterov momentum) and cosine schedule, over all the epochs.
    data::Preprocess pp = p.preprocess();
    pp.augment = o.augment;
    pp.horizontalFlip = trainedWithFlip(p.checkpoint);
    torch::optim::SGD optimizer(net.parameters(), torch::optim::SGDOptions(o.learningRate)
                                                      .momentum(o.momentum)
                                                      .weight_decay(o.weightDecay)
                                                      .nesterov(o.momentum > 0));
    net.train();
    net.setDropout(0.1);
    const auto trainStart = Clock::now();
    std::int64_t done = 0, total = 0;
    steps.say("fine-tuning candidate " + std::to_string(p.candidateId) + ": " + std::to_string(o.epochs)
              + (o.epochs == 1 ? " epoch" : " epochs") + " on " + std::to_string(images.size())
              + " training images, batch " + std::to_string(o.batchSize));
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        // seeds derived from the epoch, as the trainer does: shuffling, augmentation, dropout
        torch::manual_seed(o.seed * 1000003ULL + std::uint64_t(epoch));
        data::BatchLoader loader(ds.train, images, o.batchSize, pp, true, o.seed + 7919ULL * std::uint64_t(epoch + 1),
                                 /*dropLast=*/true);
        const std::int64_t batches = loader.batchesPerEpoch();
        r.batchesPerEpoch = batches;
        total = batches * o.epochs;
        double lossSum = 0.0;
        data::Batch batch;
        for (std::int64_t bi = 0; loader.next(batch); ++bi) {
            steps.check();
            if (seen)
                seen->insert(seen->end(), batch.indices.begin(), batch.indices.end());
            const double progress = (double(epoch) + double(bi) / double(batches)) / double(o.epochs);
            const double lr = 0.5 * o.learningRate * (1.0 + std::cos(M_PI * progress));
            for (auto &group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions &>(group.options()).lr(lr);
            optimizer.zero_grad();
            const auto out = net.forward(batch.images);
            auto loss = supernet::jointExitLoss(out, batch.labels, classes, o.exitWeight);
            loss.backward();
            optimizer.step();
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw std::runtime_error("fine-tuning diverged (loss " + std::to_string(value) + " at epoch "
                                         + std::to_string(epoch + 1) + ", batch " + std::to_string(bi + 1)
                                         + "); lower the learning rate");
            lossSum += value;
            r.batchLoss.push_back(value);
            ++done;
            if (onProgress) {
                FineTuneProgress pr;
                pr.epoch = epoch + 1;
                pr.epochs = o.epochs;
                pr.batch = bi + 1;
                pr.batches = batches;
                pr.loss = value;
                pr.epochLoss = lossSum / double(bi + 1);
                pr.learningRate = lr;
                const double elapsed = since(trainStart);
                pr.imagesPerSecond = double(done * o.batchSize) / std::max(elapsed, 1e-9);
                pr.secondsLeft = elapsed / double(done) * double(total - done);
                onProgress(pr);
            }
        }
        r.epochLoss.push_back(batches ? lossSum / double(batches) : 0.0);
        char line[96];
        std::snprintf(line, sizeof line, "epoch %d/%d: loss %.4f (%.0f s)", epoch + 1, o.epochs, r.epochLoss.back(),
                      since(trainStart));
        steps.say(line);
    }
    r.trainSeconds = since(trainStart);
    steps.check();

    // After: the network as it is exported, measured on the same images, same order.
    net.setDropout(0.0);
    net.eval();
    net.fuseBatchNorm();
    steps.say("profiling the fine-tuned network on " + std::to_string(p.evaluator->validationIndices().size())
              + " validation images");
    data::Preprocess eval;
    eval.mean = p.evaluator->mean();
    eval.std = p.evaluator->std();
    eval.resolution = genome.resolution;
    f.profile = std::make_shared<const eenn::ExitProfile>(eenn::buildProfile(
        net, p.space(), ds.train, p.evaluator->validationIndices(), eval, p.evaluator->options().batchSize));
    r.after = figuresOf(*f.profile, genome);
    r.seconds = since(start);
    return f;
}

FineTuneResult fineTune(const FineTuneRequest &request)
{
    const auto start = Clock::now();
    const Steps steps(request);
    checkOptions(request.options);
    auto p = prepareCandidate(request, steps);
    auto f = fineTuneNetwork(p, request.options, steps, request.onProgress);
    f.result.seconds = since(start);
    return f.result;
}

} // namespace edanas::deploy
