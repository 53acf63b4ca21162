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

ProfilePass::ProfilePass(supernet::SupernetImpl &net, const space::Genome &backbone)
    : ProfilePass(net, backbone, Options{})
{
}

ProfilePass::ProfilePass(supernet::SupernetImpl &net, const space::Genome &backbone, Options options)
    : m_net(net)
    , m_options(options)
{
    const auto &space = net.space();
    space::Genome g = backbone;
    g.exits.clear();
    net.setActive(g);
    net.eval();
    for (const auto &p : space::allowedExitPositions(space, g))
        m_positions.push_back(p);
    const auto cost = cost::computeCost(space, g);
    // NACHOS: each position's max-pools, as every configuration has them
    for (std::size_t q = 0; q < m_positions.size(); ++q)
        m_pools.push_back(cost.positions[q].maxPools);
    if (options.network == Network::Supernet)
        return;
    // A network with an exit at every position: describe() gives each exit the
    // position's max-pools, the same rule as above.
    space::Genome all = g;
    for (const auto &[st, b] : m_positions)
        all.exits.push_back({st, b, 0.5});
    all.rule = space.eecType == space::EecType::Nachos ? space::ExitRule::Confidence : space::ExitRule::Margin;
    m_static = supernet::StaticEenn(net, all);
    if (options.network == Network::Folded)
        m_static->fuseBatchNorm();
    m_static->eval();
}

std::vector<torch::Tensor> ProfilePass::runOnce(const torch::Tensor &images)
{
    auto out = m_static ? m_static->forward(images) : m_net.forward(images, m_positions, true, m_pools);
    out.exits.push_back(out.final);
    return std::move(out.exits);
}

std::vector<torch::Tensor> ProfilePass::run(const torch::Tensor &images)
{
    const auto n = images.size(0);
    if (m_options.chunk <= 0 || n <= m_options.chunk)
        return runOnce(images);
    std::vector<std::vector<torch::Tensor>> parts;
    for (std::int64_t i = 0; i < n; i += m_options.chunk)
        parts.push_back(runOnce(images.narrow(0, i, std::min<std::int64_t>(m_options.chunk, n - i))));
    std::vector<torch::Tensor> out;
    for (std::size_t q = 0; q < parts.front().size(); ++q) {
        std::vector<torch::Tensor> column;
        for (const auto &p : parts)
            column.push_back(p[q]);
        out.push_back(torch::cat(column));
    }
    return out;
}

ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess, int batchSize)
{
    const auto &space = net.space();
    space::Genome g = backbone;
    g.exits.clear();
    c10::InferenceMode guard;
    ProfilePass pass(net, g);
    ExitProfile profile = layout(space, g, pass.positions(), int(indices.size()));
    data::Preprocess pp = preprocess;
    pp.resolution = g.resolution;
    pp.augment = false;
    data::BatchLoader loader(images, indices, batchSize, pp, false, 0);
    data::Batch batch;
    int offset = 0;
    while (loader.next(batch)) {
        recordOutputs(profile, offset, pass.run(batch.images), batch.labels);
        offset += int(batch.labels.size(0));
    }
    return profile;
}

ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone,
                         const std::vector<data::Batch> &batches)
{
    space::Genome g = backbone;
    g.exits.clear();
    c10::InferenceMode guard;
    ProfilePass pass(net, g);
    std::int64_t samples = 0;
    for (const auto &b : batches)
        samples += b.labels.size(0);
    ExitProfile profile = layout(net.space(), g, pass.positions(), int(samples));
    int offset = 0;
    for (const auto &b : batches) {
        recordOutputs(profile, offset, pass.run(b.images), b.labels);
        offset += int(b.labels.size(0));
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
