#pragma once

#include "space/genome.h"
#include "space/searchspace.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edanas::data {
struct Dataset;
struct ImageSet;
}

namespace edanas::supernet {

/// Phases of progressive shrinking, in order.
enum class Phase { Largest, Kernel, Depth, Expansion };
std::string phaseName(Phase p);

struct TrainConfig
{
    /// Epochs of each phase: largest network, elastic kernel, + depth, + expansion.
    std::vector<int> phaseEpochs{4, 2, 2, 2};
    int batchSize = 128;
    double learningRate = 0.05; ///< peak of each phase's cosine schedule
    double momentum = 0.9;
    double weightDecay = 3e-5;
    int randomSubnets = 1;    ///< sandwich rule: largest, smallest and this many random subnets
    double exitWeight = 1.0;  ///< weight of each exit's loss (the final head has weight 1)
    double distillWeight = 1.0; ///< in-place distillation from the largest network's final head
    double validationShare = 0.1;
    std::uint64_t seed = 0;
    std::int64_t trainImages = 0;  ///< 0: the whole training split; else a stratified-ish prefix
    std::int64_t evalImages = 0;   ///< validation images evaluated per epoch; 0: all
    std::int64_t recalibrationImages = 2000;
    bool augment = true;
    bool horizontalFlip = true;

    std::string toJson() const;
    static TrainConfig fromJson(const std::string &json);
};

/// Accuracy of one subnet at every exit position (then the final head).
struct SubnetAccuracy
{
    std::string genome;
    std::vector<std::string> positions; ///< "s1.b2", ..., "final"
    std::vector<double> accuracy;       ///< top-1 in [0, 1]
    std::vector<std::int64_t> cumulativeMacs;
};

struct EpochReport
{
    Phase phase = Phase::Largest;
    int phaseEpoch = 0;  ///< 1-based within the phase
    int epoch = 0;       ///< 1-based overall
    int totalEpochs = 0;
    double loss = 0.0;
    double seconds = 0.0;
    double imagesPerSecond = 0.0;
    SubnetAccuracy largest, smallest;

    std::string toJson() const;
};

struct BatchProgress
{
    Phase phase;
    int epoch, totalEpochs;
    std::int64_t batch, batches;
    double imagesPerSecond;
    double secondsLeft; ///< for the whole run
    double loss;
};

/// Trains the multi-exit supernet with progressive shrinking, the sandwich rule and
/// in-place distillation, writing a checkpoint after every epoch and resuming from one.
class Trainer
{
public:
    enum class Result { Completed, Cancelled };

    /// `outPath` receives the checkpoint. When it already holds an unfinished training of
    /// the same space, data set and configuration, training resumes after its last
    /// complete epoch; a finished checkpoint or another training is refused (CheckpointError)
    /// unless `overwrite`.
    Trainer(const data::Dataset &dataset, space::SearchSpace space, TrainConfig config, std::string outPath,
            bool overwrite = false);
    ~Trainer();

    /// Runs to the end or until `cancel` is set (checked between batches; the last
    /// complete epoch's checkpoint stays).
    Result run(const std::atomic<bool> &cancel, const std::function<void(const BatchProgress &)> &onBatch,
               const std::function<void(const EpochReport &)> &onEpoch);

    int startEpoch() const; ///< 0-based epoch the run starts at (after resuming)

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// Evaluates one subnet: recalibrates batch norm on `recalImages` training images, then
/// measures top-1 at every allowed exit position and the final head on the images
/// `evalIdx` of `evalSet` (the training part's validation split, or the test part).
SubnetAccuracy evaluateSubnet(class SupernetImpl &net, const space::Genome &genome, const data::Dataset &dataset,
                              const std::vector<std::int64_t> &trainIdx, const data::ImageSet &evalSet,
                              const std::vector<std::int64_t> &evalIdx,
                              const std::vector<float> &mean, const std::vector<float> &std,
                              std::int64_t recalImages);

} // namespace edanas::supernet
