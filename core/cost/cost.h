#pragma once

#include "space/architecture.h"

#include <cstdint>
#include <vector>

namespace edanas::cost {

/// Cost of leaving at one exit position.
struct ExitCost
{
    int stage = -1;  ///< -1 for the final head
    int block = -1;
    std::int64_t backboneMacs = 0; ///< B_i: stem through the block the exit follows
    std::int64_t exitMacs = 0;     ///< C_i: the exit classifier (the head, for the final exit)
    std::int64_t exitParams = 0;
    int maxPools = 0;              ///< NACHOS: 2x2 max-pools before the exit classifier

    std::int64_t cumulativeMacs() const { return backboneMacs + exitMacs; }
};

/// Analytical cost of one genome: multiply-accumulates and parameters per block and
/// exit, cumulative to each exit. (Memory on a microcontroller: export/mcumemory.h.)
struct CostReport
{
    std::vector<std::int64_t> blockMacs;   ///< per Architecture block (stem, first, stages, head)
    std::vector<std::int64_t> blockParams;
    std::vector<ExitCost> exits;     ///< the genome's exits in order, then the final head
    std::vector<ExitCost> positions; ///< every allowed exit position (no max-pools), then the final head
    std::int64_t staticMacs = 0;     ///< backbone and head, no exits: the single-exit network
    std::int64_t backboneParams = 0; ///< backbone and head
    std::int64_t params = 0;         ///< backbone, head and the genome's exits
};

CostReport computeCost(const space::Architecture &architecture, const space::SearchSpace &space,
                       const space::Genome &genome);
CostReport computeCost(const space::SearchSpace &space, const space::Genome &genome);

} // namespace edanas::cost
