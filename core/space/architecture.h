#pragma once

#include "genome.h"
#include "searchspace.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edanas::space {

enum class LayerKind { Conv, Linear, BatchNorm, MaxPool };

/// One layer of a concrete network with its shapes: what the cost model counts and
/// what subnet extraction builds.
struct LayerSpec
{
    LayerKind kind = LayerKind::Conv;
    std::string name;
    int in = 0;
    int out = 0;
    int kernel = 1;
    int stride = 1;
    int groups = 1;
    bool bias = false;
    int inH = 1, inW = 1, outH = 1, outW = 1;

    /// Multiply-accumulates of one input (conv and linear layers; 0 for the others).
    std::int64_t macs() const;
    /// Learnable parameters (weights, biases, batch-norm scale and shift).
    std::int64_t params() const;
    std::int64_t inputElements() const { return std::int64_t(in) * inH * inW; }
    std::int64_t outputElements() const { return std::int64_t(out) * outH * outW; }
};

/// A block of the backbone (stem, first block, MBConv blocks, head).
struct BlockSpec
{
    enum class Kind { Stem, FirstBlock, MBConv, Head };
    Kind kind = Kind::MBConv;
    std::string name;
    int stage = -1; ///< 0-based stage for MBConv blocks, -1 otherwise
    int block = -1; ///< 0-based block within the stage
    int inChannels = 0, outChannels = 0, midChannels = 0, squeezeChannels = 0;
    int kernel = 0, expansion = 0, stride = 1;
    int inH = 0, outH = 0;
    Activation activation = Activation::Relu;
    bool squeezeExcite = false;
    bool residual = false;
    std::vector<LayerSpec> layers;

    std::int64_t macs() const;
    std::int64_t params() const;
};

/// An early-exit classifier at a block boundary.
struct ExitHeadSpec
{
    int stage = 0;
    int block = 0;
    int blockIndex = 0; ///< index into Architecture::blocks of the block it follows
    int maxPools = 0;   ///< NACHOS: 2x2 max-pools prepended to keep the exit cheaper than the next
    std::vector<LayerSpec> layers;

    std::int64_t macs() const;
    std::int64_t params() const;
};

/// The concrete network of a genome in a space: blocks in order (stem, first block,
/// active MBConv blocks, head) and the genome's exits.
struct Architecture
{
    int inputChannels = 0;
    int resolution = 0;
    int classes = 0;
    EecType eecType = EecType::Edanas;
    std::vector<BlockSpec> blocks;
    std::vector<ExitHeadSpec> exits;

    /// Index in `blocks` of block `block` of stage `stage`; -1 when inactive.
    int blockIndex(int stage, int block) const;
    /// MACs of blocks 0..index inclusive.
    std::int64_t macsThrough(int index) const;
};

/// The architecture of `genome` (validated first: throws SpaceError when invalid).
/// With `withExits` false the exits are left out.
Architecture describe(const SearchSpace &space, const Genome &genome, bool withExits = true);

/// NACHOS exits: the 2x2 max-pools prepended to an exit at each allowed position of
/// the genome's backbone (all zero for EDANAS exits). From the final head backwards
/// over every allowed position, an exit gets pools until its cumulative cost is below
/// the next position's. It depends on the backbone alone, so every subset of positions
/// keeps each exit cheaper than the later ones, and one exit profile serves every exit
/// configuration. `backbone` is describe(space, genome without exits, false).
std::vector<int> positionMaxPools(const SearchSpace &space, const Genome &genome, const Architecture &backbone);
std::vector<int> positionMaxPools(const SearchSpace &space, const Genome &genome);

/// The layers of an exit classifier of the space's type at a stage width, for an input
/// of `h` x `h` pixels after `maxPools` 2x2 pools.
std::vector<LayerSpec> exitLayers(const SearchSpace &space, int width, int h, int maxPools);

/// Output side of a conv with padding kernel/2.
int convOut(int in, int kernel, int stride);

} // namespace edanas::space
