#include "cost.h"

namespace edanas::cost {

CostReport computeCost(const space::Architecture &a, const space::SearchSpace &space, const space::Genome &genome)
{
    CostReport r;
    for (const auto &b : a.blocks) {
        r.blockMacs.push_back(b.macs());
        r.blockParams.push_back(b.params());
        r.staticMacs += b.macs();
        r.backboneParams += b.params();
    }
    r.params = r.backboneParams;
    const int last = int(a.blocks.size()) - 1;
    const std::int64_t throughStages = a.macsThrough(last - 1);
    for (const auto &x : a.exits) {
        ExitCost c;
        c.stage = x.stage;
        c.block = x.block;
        c.backboneMacs = a.macsThrough(x.blockIndex);
        c.exitMacs = x.macs();
        c.exitParams = x.params();
        c.maxPools = x.maxPools;
        r.exits.push_back(c);
        r.params += x.params();
    }
    ExitCost final;
    final.backboneMacs = throughStages;
    final.exitMacs = a.blocks.back().macs();
    final.exitParams = a.blocks.back().params();
    r.exits.push_back(final);

    const auto allowed = space::allowedExitPositions(space, genome);
    const auto pools = space::positionMaxPools(space, genome, a);
    for (std::size_t i = 0; i < allowed.size(); ++i) {
        const auto [stage, block] = allowed[i];
        const int idx = a.blockIndex(stage, block);
        const auto &after = a.blocks[std::size_t(idx)];
        const auto layers = space::exitLayers(space, after.outChannels, after.outH, pools[i]);
        ExitCost c;
        c.stage = stage;
        c.block = block;
        c.maxPools = pools[i];
        c.backboneMacs = a.macsThrough(idx);
        for (const auto &l : layers) {
            c.exitMacs += l.macs();
            c.exitParams += l.params();
        }
        r.positions.push_back(c);
    }
    r.positions.push_back(final);
    return r;
}

CostReport computeCost(const space::SearchSpace &space, const space::Genome &genome)
{
    return computeCost(space::describe(space, genome), space, genome);
}

} // namespace edanas::cost
