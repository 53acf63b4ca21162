#include "profiler.h"

#include "cost/cost.h"
#include "data/batchloader.h"

namespace edanas::eenn {

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

    ExitProfile profile;
    const int P = int(positions.size()) + 1;
    profile.resize(int(indices.size()), P);
    profile.classes = space.classes;
    for (int q = 0; q < P; ++q) {
        profile.position[std::size_t(q)] = q + 1 < P ? positions[std::size_t(q)] : std::make_pair(-1, -1);
        profile.backboneMacs[std::size_t(q)] = cost.positions[std::size_t(q)].backboneMacs;
        profile.exitMacs[std::size_t(q)] = cost.positions[std::size_t(q)].exitMacs;
    }

    data::Preprocess pp = preprocess;
    pp.resolution = g.resolution;
    pp.augment = false;
    data::BatchLoader loader(images, indices, batchSize, pp, false, 0);
    net.eval();
    c10::InferenceMode guard;
    data::Batch batch;
    int offset = 0;
    while (loader.next(batch)) {
        const auto out = net.forward(batch.images, positions, true, pools);
        const auto n = batch.labels.size(0);
        for (int q = 0; q < P; ++q) {
            const auto &logits = q + 1 < P ? out.exits[std::size_t(q)] : out.final;
            const auto cls = logits.narrow(1, 0, space.classes);
            const auto prob = torch::softmax(cls, 1);
            const auto top = prob.topk(2, 1);
            const auto top1 = std::get<0>(top).select(1, 0).contiguous();
            const auto top2 = std::get<0>(top).select(1, 1).contiguous();
            const auto pred = std::get<1>(top).select(1, 0).contiguous();
            const auto entropy = (-(prob * torch::log(prob.clamp_min(1e-12))).sum(1)).contiguous();
            const auto conf = logits.size(1) > space.classes ? torch::sigmoid(logits.select(1, space.classes)).contiguous()
                                                             : torch::zeros({n});
            const float *t1 = top1.data_ptr<float>();
            const float *t2 = top2.data_ptr<float>();
            const float *ent = entropy.data_ptr<float>();
            const float *cf = conf.data_ptr<float>();
            const std::int64_t *pr = pred.data_ptr<std::int64_t>();
            const std::int64_t *lab = batch.labels.data_ptr<std::int64_t>();
            for (std::int64_t i = 0; i < n; ++i) {
                const std::size_t at = profile.at(offset + int(i), q);
                profile.maxSoftmax[at] = t1[i];
                profile.margin[at] = t1[i] - t2[i];
                profile.entropy[at] = ent[i];
                profile.confidence[at] = cf[i];
                profile.predicted[at] = std::int16_t(pr[i]);
                profile.correct[at] = pr[i] == lab[i];
            }
        }
        offset += int(n);
    }
    return profile;
}

} // namespace edanas::eenn
