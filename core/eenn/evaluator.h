#pragma once

#include "profilestore.h"

#include "data/batchloader.h"
#include "data/dataset.h"
#include "supernet/supernet.h"

#include <memory>
#include <vector>

namespace edanas::eenn {

/// How candidates are measured: which images recalibrate batch norm and which are
/// profiled.
struct EvaluatorOptions
{
    double validationShare = 0.1;  ///< of the training part, stratified
    std::uint64_t splitSeed = 0;
    std::int64_t validationImages = 0;     ///< profiled per candidate; 0: the whole validation split
    std::int64_t recalibrationImages = 2000;
    int batchSize = 500;
    std::size_t cacheBytes = std::size_t(512) << 20;
};

/// Where a profile's time went.
struct EvaluationTiming
{
    double recalibrationSeconds = 0.0;
    double forwardSeconds = 0.0;
    bool cached = false;
};

/// Measures candidates on the supernet: batch-norm recalibration on a fixed subset of
/// the training split, then one pass over the validation images that records the exit
/// profile. Profiles are cached by backbone, so a backbone met again costs nothing.
/// Not thread-safe (one supernet, one thread); the data set must outlive it.
class ProfileEvaluator
{
public:
    ProfileEvaluator(supernet::Supernet net, const data::Dataset &dataset, std::vector<float> mean,
                     std::vector<float> std, EvaluatorOptions options = {});

    /// The profile of `genome`'s backbone (its exits are ignored).
    std::shared_ptr<const ExitProfile> profile(const space::Genome &genome, EvaluationTiming *timing = nullptr);
    /// Only the first step of profile(): makes `genome`'s backbone the supernet's active
    /// subnet and recalibrates batch norm for it (and for the exit classifiers at every
    /// position it allows) on the fixed training images. Afterwards the supernet, or a
    /// network extracted from it, computes exactly what the profile recorded. Returns
    /// the seconds it took.
    double recalibrate(const space::Genome &genome);

    const space::SearchSpace &space() const { return m_net->space(); }
    supernet::Supernet net() const { return m_net; }
    const data::Dataset &dataset() const { return m_dataset; }
    const std::vector<std::int64_t> &trainIndices() const { return m_train; }
    /// The validation images profiled, in profile sample order.
    const std::vector<std::int64_t> &validationIndices() const { return m_validation; }
    const std::vector<float> &mean() const { return m_mean; }
    const std::vector<float> &std() const { return m_std; }
    const EvaluatorOptions &options() const { return m_options; }
    /// Identifies the profiled samples (split, seed, count) in cache keys and studies.
    std::uint64_t samplesTag() const { return m_tag; }
    ProfileCache &cache() { return m_cache; }

private:
    /// The recalibration and validation batches at one resolution, preprocessed once
    /// and kept while they fit `kKeptBytes`: every candidate uses the same images.
    struct Batches
    {
        int resolution = 0;
        std::vector<torch::Tensor> recalibration;
        std::vector<data::Batch> validation;
    };
    const Batches *batches(int resolution);
    data::Preprocess preprocess(int resolution) const;

    supernet::Supernet m_net;
    const data::Dataset &m_dataset;
    std::vector<float> m_mean, m_std;
    EvaluatorOptions m_options;
    std::vector<std::int64_t> m_train, m_validation;
    std::uint64_t m_tag = 0;
    ProfileCache m_cache;
    Batches m_batches;
};

} // namespace edanas::eenn
