#include "profiler.h"

#include "cost/cost.h"
#include "data/batchloader.h"

#include <stdexcept>

namespace edanas::eenn {

namespace {

/// An empty profile of `samples` samples at `positions` of `backbone` (allowed exit
/// positions, ascending), then the final head, with the MACs the cost model gives them.
ExitProfile layout(const space::SearchSpace &space, const space::Genome &backbone,
                   const std::vector<supernet::Position> &positions, int samples)
{
    space::Genome g = backbone;
    g.exits.clear();
    const auto cost = cost::computeCost(space, g);
    ExitProfile profile;
    const int P = int(positions.size()) + 1;
    profile.resize(samples, P);
    profile.classes = space.classes;
    for (int q = 0; q < P; ++q) {
        const cost::ExitCost *c = &cost.positions.back(); // the final head
        if (q + 1 < P) {
            c = nullptr;
            for (const auto &x : cost.positions)
                if (x.stage == positions[std::size_t(q)].first && x.block == positions[std::size_t(q)].second)
                    c = &x;
            if (!c)
                throw std::invalid_argument("no exit position after stage "
                                            + std::to_string(positions[std::size_t(q)].first + 1) + " block "
                                            + std::to_string(positions[std::size_t(q)].second + 1)
                                            + " in this backbone");
        }
        profile.position[std::size_t(q)] = q + 1 < P ? positions[std::size_t(q)] : std::make_pair(-1, -1);
        profile.backboneMacs[std::size_t(q)] = c->backboneMacs;
        profile.exitMacs[std::size_t(q)] = c->exitMacs;
    }
    return profile;
}

} // namespace

void recordOutputs(ExitProfile &profile, int offset, const std::vector<torch::Tensor> &logits,
                   const torch::Tensor &labels)
{
    const int P = profile.positions;
    const int classes = profile.classes;
    if (int(logits.size()) != P)
        throw std::invalid_argument(std::to_string(logits.size()) + " outputs for a profile of " + std::to_string(P)
                                    + " positions");
    const auto n = labels.size(0);
    const auto lab = labels.contiguous();
    for (int q = 0; q < P; ++q) {
        const auto &out = logits[std::size_t(q)];
        const auto cls = out.narrow(1, 0, classes);
        const auto prob = torch::softmax(cls, 1);
        const auto top = prob.topk(2, 1);
        const auto top1 = std::get<0>(top).select(1, 0).contiguous();
        const auto top2 = std::get<0>(top).select(1, 1).contiguous();
        const auto pred = std::get<1>(top).select(1, 0).contiguous();
        const auto entropy = (-(prob * torch::log(prob.clamp_min(1e-12))).sum(1)).contiguous();
        const auto conf = out.size(1) > classes ? torch::sigmoid(out.select(1, classes)).contiguous()
                                                : torch::zeros({n});
        const float *t1 = top1.data_ptr<float>();
        const float *t2 = top2.data_ptr<float>();
        const float *ent = entropy.data_ptr<float>();
        const float *cf = conf.data_ptr<float>();
        const std::int64_t *pr = pred.data_ptr<std::int64_t>();
        const std::int64_t *lb = lab.data_ptr<std::int64_t>();
        for (std::int64_t i = 0; i < n; ++i) {
            const std::size_t at = profile.at(offset + int(i), q);
            profile.maxSoftmax[at] = t1[i];
            profile.margin[at] = t1[i] - t2[i];
            profile.entropy[at] = ent[i];
            profile.confidence[at] = cf[i];
            profile.predicted[at] = std::int16_t(pr[i]);
            profile.correct[at] = pr[i] == lb[i];
        }
    }
}

ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess, int batchSize)
{
    const auto &space = net.space();
    space::Genome g = backbone;
    g.exits.clear();
    net.setActive(g);
    std::vector<supernet::Position> positions;
    for (const auto &p : space::allowedExitPositions(space, g))
        positions.push_back(p);
    const auto cost = cost::computeCost(space, g);
    std::vector<int> pools; // NACHOS: each position's max-pools, as every configuration has them
    for (std::size_t q = 0; q < positions.size(); ++q)
        pools.push_back(cost.positions[q].maxPools);

    ExitProfile profile = layout(space, g, positions, int(indices.size()));
    data::Preprocess pp = preprocess;
    pp.resolution = g.resolution;
    pp.augment = false;
    data::BatchLoader loader(images, indices, batchSize, pp, false, 0);
    net.eval();
    c10::InferenceMode guard;
    data::Batch batch;
    int offset = 0;
    while (loader.next(batch)) {
        auto out = net.forward(batch.images, positions, true, pools);
        out.exits.push_back(out.final);
        recordOutputs(profile, offset, out.exits, batch.labels);
        offset += int(batch.labels.size(0));
    }
    return profile;
}

ExitProfile buildProfile(supernet::StaticEennImpl &net, const space::SearchSpace &space, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess, int batchSize)
{
    const auto &genome = net.genome();
    std::vector<supernet::Position> positions;
    for (const auto &e : genome.exits)
        positions.push_back({e.stage, e.block});
    ExitProfile profile = layout(space, genome, positions, int(indices.size()));
    profile.classes = net.architecture().classes;

    data::Preprocess pp = preprocess;
    pp.resolution = genome.resolution;
    pp.augment = false;
    data::BatchLoader loader(images, indices, batchSize, pp, false, 0);
    const bool wasTraining = net.is_training();
    net.eval();
    {
        c10::InferenceMode guard;
        data::Batch batch;
        int offset = 0;
        while (loader.next(batch)) {
            auto out = net.forward(batch.images);
            out.exits.push_back(out.final);
            recordOutputs(profile, offset, out.exits, batch.labels);
            offset += int(batch.labels.size(0));
        }
    }
    net.train(wasTraining);
    return profile;
}

} // namespace edanas::eenn
