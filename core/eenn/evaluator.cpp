#include "evaluator.h"

#include "profiler.h"

#include "data/batchloader.h"
#include "data/split.h"
#include "space/architecture.h"
#include "supernet/recalibrate.h"

#include <chrono>

namespace edanas::eenn {

ProfileEvaluator::ProfileEvaluator(supernet::Supernet net, const data::Dataset &dataset, std::vector<float> mean,
                                   std::vector<float> std, EvaluatorOptions options)
    : m_net(std::move(net))
    , m_dataset(dataset)
    , m_mean(std::move(mean))
    , m_std(std::move(std))
    , m_options(options)
    , m_cache(options.cacheBytes)
{
    const auto split = data::stratifiedSplit(dataset.train.labels, dataset.classCount(), options.validationShare,
                                             options.splitSeed);
    m_train = split.train;
    m_validation = data::evenSubset(split.validation, options.validationImages);
    const std::string tag = dataset.ref.path + "|" + std::to_string(options.validationShare) + "|"
                            + std::to_string(options.splitSeed) + "|" + std::to_string(m_validation.size()) + "|"
                            + std::to_string(options.recalibrationImages);
    m_tag = space::fnv1a64(tag);
}

std::shared_ptr<const ExitProfile> ProfileEvaluator::profile(const space::Genome &genome, EvaluationTiming *timing)
{
    space::Genome backbone = genome;
    backbone.exits.clear();
    const auto hash = backbone.backboneHash();
    if (auto hit = m_cache.find(hash, m_tag)) {
        if (timing)
            *timing = {0.0, 0.0, true};
        return hit;
    }
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    recalibrate(backbone);
    const auto t1 = Clock::now();
    const Batches *kept = batches(backbone.resolution);
    auto profile = std::make_shared<const ExitProfile>(
        kept ? buildProfile(*m_net, backbone, kept->validation)
             : buildProfile(*m_net, backbone, m_dataset.train, m_validation, preprocess(backbone.resolution),
                            m_options.batchSize));
    const auto t2 = Clock::now();
    if (timing)
        *timing = {std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count(),
                   false};
    m_cache.insert(hash, m_tag, profile);
    return profile;
}

double ProfileEvaluator::recalibrate(const space::Genome &genome)
{
    const auto t0 = std::chrono::steady_clock::now();
    space::Genome backbone = genome;
    backbone.exits.clear();
    m_net->setActive(backbone);
    std::vector<supernet::Position> positions;
    for (const auto &p : space::allowedExitPositions(space(), backbone))
        positions.push_back(p);
    const auto pools = space::positionMaxPools(space(), backbone);
    if (const Batches *kept = batches(backbone.resolution)) {
        supernet::recalibrateBatchNorm(*m_net, positions, kept->recalibration, pools);
    } else {
        // the same fixed, spread-out training images for every candidate
        data::BatchLoader recal(m_dataset.train, m_train, 256, preprocess(backbone.resolution), true, 12345);
        supernet::recalibrateBatchNorm(*m_net, positions, recal, m_options.recalibrationImages, pools);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

data::Preprocess ProfileEvaluator::preprocess(int resolution) const
{
    data::Preprocess pp;
    pp.mean = m_mean;
    pp.std = m_std;
    pp.resolution = resolution;
    return pp;
}

const ProfileEvaluator::Batches *ProfileEvaluator::batches(int resolution)
{
    // what the images would take as float tensors; beyond this they are made per candidate
    constexpr double kKeptBytes = 512.0 * 1024 * 1024;
    const double imageBytes = 4.0 * m_dataset.train.channels * resolution * resolution;
    const double recalImages = double(std::min<std::int64_t>(m_options.recalibrationImages + 255,
                                                              std::int64_t(m_train.size())));
    if ((recalImages + double(m_validation.size())) * imageBytes > kKeptBytes)
        return nullptr;
    if (m_batches.resolution == resolution)
        return &m_batches;
    Batches b;
    b.resolution = resolution;
    // exactly the batches the loaders give: recalibration takes whole batches of 256 until
    // it has `recalibrationImages`
    data::BatchLoader recal(m_dataset.train, m_train, 256, preprocess(resolution), true, 12345);
    data::Batch batch;
    std::int64_t used = 0;
    while (used < m_options.recalibrationImages && recal.next(batch)) {
        used += batch.images.size(0);
        b.recalibration.push_back(batch.images);
    }
    data::BatchLoader val(m_dataset.train, m_validation, m_options.batchSize, preprocess(resolution), false, 0);
    while (val.next(batch))
        b.validation.push_back(batch);
    m_batches = std::move(b);
    return &m_batches;
}

} // namespace edanas::eenn
