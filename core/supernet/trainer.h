#pragma once

#include "space/genome.h"
#include "space/searchspace.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <random>
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
    /// Peak learning rate of each phase (largest, kernel, depth, expansion). Each phase
    /// warms up linearly to its peak, then follows a cosine to 0 (Once-for-All's schedule;
    /// the later phases fine-tune shared weights and take smaller steps).
    std::vector<double> learningRates{0.05, 0.02, 0.01, 0.01};
    double warmupEpochs = 0.25; ///< linear warm-up at the start of every phase, in epochs
    double momentum = 0.9;      ///< SGD with Nesterov momentum; a new optimizer state per phase
    double weightDecay = 3e-5;
    bool decayNormAndBias = false; ///< weight decay on batch-norm and bias parameters too
    int randomSubnets = 1;    ///< sandwich rule: largest, smallest and this many random subnets
    bool sumSubnetGradients = false; ///< sum the subnets' gradients instead of averaging them
    double exitWeight = 1.0;  ///< weight of each exit's loss (the final head has weight 1)
    /// Distillation from a fixed teacher: the largest network as the first phase left it,
    /// into the final head of every subnet of the later phases (0: none).
    double distillWeight = 1.0;
    bool distillExits = false;   ///< distil the teacher's final head into the exits too
    double labelSmoothing = 0.1;
    double dropout = 0.0;        ///< before the final classifier
    double validationShare = 0.1;
    std::uint64_t seed = 0;
    /// 0: every training image in every epoch, reshuffled; else this many per epoch,
    /// drawn afresh each epoch from the whole training split (quick runs)
    std::int64_t trainImages = 0;
    std::int64_t evalImages = 0;   ///< validation images evaluated per epoch; 0: all
    std::int64_t recalibrationImages = 2000;
    bool augment = true;
    int cropPadding = 2;           ///< random shifts of up to this many pixels
    bool horizontalFlip = true;

    std::string toJson() const;
    static TrainConfig fromJson(const std::string &json);
};

/// Learning rate of step `step` (0-based) of a phase of `steps` steps with `warmupSteps`
/// of linear warm-up: peak * (step + 1) / warmupSteps during the warm-up, then a cosine
/// from the peak to 0 over the remaining steps.
double learningRateAt(double peak, std::int64_t step, std::int64_t steps, std::int64_t warmupSteps);

/// The smallest subnet of a phase: kernel phase: smallest kernels (depth and expansion
/// at their largest); depth phase: + smallest depths; expansion phase: everything smallest.
space::Genome phaseSmallest(const space::SearchSpace &space, Phase phase);
/// A random subnet of the phase's elastic dimensions (the others at their largest).
space::Genome phaseRandom(const space::SearchSpace &space, Phase phase, std::mt19937_64 &rng);
/// The subnets one training step runs, in order: the largest network, then (after the
/// first phase) the phase's smallest and `randomSubnets` random subnets.
std::vector<space::Genome> stepSubnets(const space::SearchSpace &space, const TrainConfig &cfg, Phase phase,
                                       std::mt19937_64 &rng);

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
    double learningRate; ///< of this batch's step
};

/// Trains the multi-exit supernet with progressive shrinking, the sandwich rule and
/// distillation from a fixed teacher, writing a checkpoint after every epoch and
/// resuming from one. The teacher (the checkpoint after the first phase) is kept beside
/// the output as `<out>.teacher.pt` until the training is complete.
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
    /// Where the fixed teacher of a training writing `outPath` is kept.
    static std::string teacherPath(const std::string &outPath);

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
