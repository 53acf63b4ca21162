#pragma once

// How long a supernet training will take on this machine, from a short measurement;
// readable without LibTorch's headers (the Studio's training dialog shows it).

#include "data/dataset.h"
#include "space/searchspace.h"
#include "supernet/trainer.h"

#include <cstdint>

namespace edanas::supernet {

struct TrainingEstimate
{
    double largestImagesPerSecond = 0.0;  ///< training steps of the largest subnet
    double smallestImagesPerSecond = 0.0; ///< of the smallest
    /// of each phase's smallest subnet (Trainer's phaseSmallest; 0 where not measured):
    /// in the kernel phase it keeps the largest depths and expansions, so it costs
    /// nearly what the largest does
    double phaseSmallestImagesPerSecond[4] = {0, 0, 0, 0};
    double phaseSeconds[4] = {0, 0, 0, 0};
    double seconds = 0.0; ///< the whole schedule, per-epoch evaluation not included
};

/// The images a training with `config` sees per epoch on `dataset`: its training split
/// (the training images less the stratified validation share), or `config.trainImages`
/// of them when that is fewer. The trainer and the estimates count the same way.
std::int64_t imagesPerEpoch(const data::Dataset &dataset, const TrainConfig &config);

/// Times a few training steps (batch `config.batchSize`, random images, the trainer's
/// optimizer and loss: eenn::measureThroughput) of the largest subnet of an untrained
/// supernet of `space` and of each phase's smallest (the kernel phase's, the depth
/// phase's, and the expansion phase's, which is the smallest of all), and scales them to
/// `config`'s schedule over `imagesPerEpoch` images: a first-phase step trains the
/// largest subnet; a later one the largest, the phase's smallest, `randomSubnets` random
/// ones (counted as the mean of those two) and the teacher's forward pass (a third of a
/// largest step). Takes a few seconds; uses the threads LibTorch is set to.
TrainingEstimate estimateTraining(const space::SearchSpace &space, const TrainConfig &config,
                                  std::int64_t imagesPerEpoch);

/// Fills `e`'s phase and total seconds from its measured rates for `config`'s schedule
/// over `imagesPerEpoch` images (what estimateTraining does after measuring; the rates
/// do not depend on the epochs or the images, so a dialog rescales without measuring).
void scheduleTraining(TrainingEstimate &e, const TrainConfig &config, std::int64_t imagesPerEpoch);

} // namespace edanas::supernet
