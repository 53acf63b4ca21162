#pragma once

// Fine-tuning of one chosen candidate (issue 8, optional step before the export):
// EDANAS-style training of the candidate's extracted network alone (backbone, exits
// and head together, joint loss over the exits and the head), then its exit profile
// and figures measured again on the study's validation images. No LibTorch and no Qt
// here: the Studio and the command line call it from plain C++ (the Studio from a
// worker thread; the callbacks run on the calling thread).
//
// The types are here; the entry points are in modelexport.h (which includes this):
// fineTune(FineTuneRequest) alone, or exportModel with ExportRequest::fineTune set.

#include "space/genome.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edanas::deploy {

/// How the candidate is trained. Defaults: EDANAS's per-candidate training (SGD,
/// lr 0.01, momentum 0.9, weight decay 5e-5, batch 128, every exit weight 1), with the
/// supernet trainer's augmentation, Nesterov momentum and cosine schedule (over all
/// epochs); NACHOS exits also learn their confidence output (binary cross-entropy on
/// "this exit is right"), as in the supernet's training.
struct FineTuneOptions
{
    int epochs = 1;
    double learningRate = 0.01;    ///< peak of the cosine schedule
    double momentum = 0.9;
    double weightDecay = 5e-5;
    int batchSize = 128;
    /// Training images used, evenly spread over the study's training part (never its
    /// validation or test images); 0: the whole training part.
    std::int64_t trainImages = 0;
    double exitWeight = 1.0;       ///< weight of each exit's loss (the final head has weight 1)
    bool augment = true;           ///< the supernet trainer's augmentation (random crop and flip)
    std::uint64_t seed = 1;        ///< same seed, same result (order, augmentation, dropout)
};

/// One training batch done (on the calling thread).
struct FineTuneProgress
{
    int epoch = 0, epochs = 0;         ///< 1-based
    std::int64_t batch = 0, batches = 0; ///< 1-based within the epoch
    double loss = 0.0;                 ///< this batch's joint loss
    double epochLoss = 0.0;            ///< mean over the epoch's batches so far
    double learningRate = 0.0;
    double imagesPerSecond = 0.0;
    double secondsLeft = 0.0;          ///< training time left (not the final measurement)
};

/// The candidate's exit configuration (exits, rule, thresholds) on the study's
/// validation images, evaluated from the network's exit profile as the search does.
struct FineTuneFigures
{
    std::int64_t images = 0;
    double accuracy = 0.0;
    double macsTrue = 0.0, macsPaper = 0.0; ///< average MACs per image, both accountings
    std::vector<double> share;         ///< per exit, then the final head (sums to 1)
    std::vector<double> exitAccuracy;  ///< accuracy of the images leaving at each exit, then the head
    std::vector<double> positionAccuracy; ///< top-1 of each exit (on every image), then the head
};

struct FineTuneResult
{
    std::int64_t candidateId = 0;
    bool edited = false;
    space::Genome genome;
    FineTuneOptions options;           ///< as asked
    std::int64_t trainImages = 0;      ///< training images per epoch
    std::int64_t batchesPerEpoch = 0;
    /// Before: the study's network for the candidate, measured the study's way (its
    /// accuracy equals the study's); after: the fine-tuned network as exported (batch
    /// norm with its statistics from the training, folded into the convolutions),
    /// measured from its own exit profile on the same images in the same order.
    FineTuneFigures before, after;
    std::vector<double> epochLoss;     ///< mean joint loss per epoch
    std::vector<double> batchLoss;     ///< every batch's joint loss, in order (epoch after epoch)
    double trainSeconds = 0.0;         ///< the training alone
    double seconds = 0.0;              ///< the whole call
};

} // namespace edanas::deploy
