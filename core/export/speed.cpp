// measureSpeed: a candidate's real inference speed, early exits against its static
// backbone, on this machine (`export-model --speed`, the report's timings).
#include "modelexport.h"

#include "candidate.h"

#include "cost/cost.h"
#include "data/batchloader.h"
#include "fileerror.h"
#include "runtime.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace edanas::deploy {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

} // namespace

SpeedResult measureSpeed(const SpeedRequest &request)
{
    const auto start = Clock::now();
    const Steps steps(request);
    if (request.batchSize <= 0 || request.passes <= 0 || request.images < 0)
        throw std::invalid_argument("the batch size and passes must be positive, the images not negative");
    auto p = prepareCandidate(request, steps);
    steps.say("recalibrating batch norm for candidate " + std::to_string(p.candidateId));
    auto eenn = extractNetwork(p, p.genome);
    space::Genome backbone = p.genome;
    backbone.exits.clear();
    // the supernet is recalibrated for this backbone: the same weights, no exits
    auto plain = extractNetwork(p, backbone, true, /*recalibrated=*/true);
    steps.check();

    const auto &ds = *p.dataset;
    const eenn::ProfileEvaluator chooser(p.evaluator->net(), ds, p.checkpoint.mean, p.checkpoint.std,
                                         p.config.evaluatorOptions(request.images));
    const auto &indices = chooser.validationIndices();
    const auto x = data::makeImages(ds.train, indices.data(), indices.size(), p.preprocess());
    std::vector<std::int64_t> labelValues;
    for (auto i : indices)
        labelValues.push_back(ds.train.labels[std::size_t(i)]);
    const auto labels = torch::tensor(labelValues, torch::kInt64);
    const std::int64_t n = x.size(0);
    const std::int64_t batch = request.batchSize;
    if (n == 0)
        throw FileError(p.datasetPath, "has no validation images to time");

    c10::InferenceMode guard;
    // one pass: wall time, and the predictions and exits of every image
    auto pass = [&](supernet::StaticEennImpl &net, torch::Tensor *predictions, torch::Tensor *exits) {
        std::vector<torch::Tensor> pred, ex;
        const auto t0 = Clock::now();
        for (std::int64_t i = 0; i < n; i += batch) {
            steps.check(); // an atomic load: nothing next to a batch's inference
            const auto r = net.infer(x.narrow(0, i, std::min(batch, n - i)));
            if (predictions) {
                pred.push_back(r.predictions);
                ex.push_back(r.exitIndex);
            }
        }
        const double t = since(t0);
        if (predictions) {
            *predictions = torch::cat(pred);
            *exits = torch::cat(ex);
        }
        return t;
    };
    steps.say("timing " + std::to_string(request.passes) + " passes over " + std::to_string(n)
              + " validation images, batch " + std::to_string(batch));
    // warm-up: one batch each (allocations, thread pools)
    eenn->infer(x.narrow(0, 0, std::min(batch, n)));
    plain->infer(x.narrow(0, 0, std::min(batch, n)));
    std::vector<double> tEenn, tPlain;
    torch::Tensor predEenn, exitsEenn, predPlain, exitsPlain;
    for (int k = 0; k < request.passes; ++k) {
        // interleaved, so that a slower moment of the machine hits both alike
        tEenn.push_back(pass(*eenn, k == 0 ? &predEenn : nullptr, &exitsEenn));
        tPlain.push_back(pass(*plain, k == 0 ? &predPlain : nullptr, &exitsPlain));
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    };

    SpeedResult r;
    r.candidateId = p.candidateId;
    r.edited = p.edited;
    r.images = n;
    r.batchSize = request.batchSize;
    r.passes = request.passes;
    r.threads = threadCount();
    const double images = double(std::max<std::int64_t>(1, n));
    r.msPerImageEarlyExit = 1000.0 * median(tEenn) / images;
    r.msPerImageStatic = 1000.0 * median(tPlain) / images;
    r.speedup = r.msPerImageEarlyExit > 0 ? r.msPerImageStatic / r.msPerImageEarlyExit : 0.0;
    r.accuracyEarlyExit = predEenn.eq(labels).sum().item<double>() / images;
    r.accuracyStatic = predPlain.eq(labels).sum().item<double>() / images;
    const auto costs = cost::computeCost(p.space(), p.genome);
    r.staticMacs = double(costs.staticMacs);
    const std::size_t k = p.genome.exits.size();
    const auto counts = torch::bincount(exitsEenn, {}, std::int64_t(k + 1));
    std::int64_t passed = 0;
    for (std::size_t e = 0; e <= k; ++e) {
        const double share = counts[std::int64_t(e)].item<double>() / images;
        r.share.push_back(share);
        r.macsPaper += share * double(costs.exits[e].cumulativeMacs());
        r.macsTrue += share * double(costs.exits[e].cumulativeMacs() + passed);
        passed += costs.exits[e].exitMacs;
    }
    r.macRatio = r.macsTrue > 0 ? r.staticMacs / r.macsTrue : 0.0;
    r.seconds = since(start);
    return r;
}

} // namespace edanas::deploy
