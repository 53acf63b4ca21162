#include "architecture.h"

#include <algorithm>
#include <numeric>

namespace edanas::space {

int convOut(int in, int kernel, int stride)
{
    return (in + 2 * (kernel / 2) - kernel) / stride + 1;
}

std::int64_t LayerSpec::macs() const
{
    switch (kind) {
    case LayerKind::Conv:
        return std::int64_t(outH) * outW * out * (in / groups) * kernel * kernel;
    case LayerKind::Linear:
        return std::int64_t(in) * out;
    case LayerKind::BatchNorm:
    case LayerKind::MaxPool:
        return 0;
    }
    return 0;
}

std::int64_t LayerSpec::params() const
{
    switch (kind) {
    case LayerKind::Conv:
        return std::int64_t(out) * (in / groups) * kernel * kernel + (bias ? out : 0);
    case LayerKind::Linear:
        return std::int64_t(in) * out + (bias ? out : 0);
    case LayerKind::BatchNorm:
        return 2 * std::int64_t(out);
    case LayerKind::MaxPool:
        return 0;
    }
    return 0;
}

namespace {

template<typename T>
std::int64_t sumMacs(const T &layers)
{
    return std::accumulate(layers.begin(), layers.end(), std::int64_t(0),
                           [](std::int64_t s, const LayerSpec &l) { return s + l.macs(); });
}

template<typename T>
std::int64_t sumParams(const T &layers)
{
    return std::accumulate(layers.begin(), layers.end(), std::int64_t(0),
                           [](std::int64_t s, const LayerSpec &l) { return s + l.params(); });
}

LayerSpec conv(const std::string &name, int in, int out, int k, int stride, int groups, bool bias, int h)
{
    LayerSpec l;
    l.kind = LayerKind::Conv;
    l.name = name;
    l.in = in;
    l.out = out;
    l.kernel = k;
    l.stride = stride;
    l.groups = groups;
    l.bias = bias;
    l.inH = l.inW = h;
    l.outH = l.outW = convOut(h, k, stride);
    return l;
}

LayerSpec bn(const std::string &name, int c, int h)
{
    LayerSpec l;
    l.kind = LayerKind::BatchNorm;
    l.name = name;
    l.in = l.out = c;
    l.inH = l.inW = l.outH = l.outW = h;
    return l;
}

LayerSpec linear(const std::string &name, int in, int out)
{
    LayerSpec l;
    l.kind = LayerKind::Linear;
    l.name = name;
    l.in = in;
    l.out = out;
    l.bias = true;
    return l;
}

// MBConv: [expand 1x1 + BN] -> depthwise kxk + BN -> [SE: 1x1 reduce (bias), 1x1 expand
// (bias) on the pooled vector] -> project 1x1 + BN.
void mbconvLayers(BlockSpec &b)
{
    int h = b.inH;
    if (b.expansion != 1) {
        b.layers.push_back(conv("expand", b.inChannels, b.midChannels, 1, 1, 1, false, h));
        b.layers.push_back(bn("expand.bn", b.midChannels, h));
    }
    b.layers.push_back(conv("depthwise", b.midChannels, b.midChannels, b.kernel, b.stride, b.midChannels, false, h));
    h = convOut(h, b.kernel, b.stride);
    b.layers.push_back(bn("depthwise.bn", b.midChannels, h));
    if (b.squeezeExcite) {
        b.layers.push_back(conv("se.reduce", b.midChannels, b.squeezeChannels, 1, 1, 1, true, 1));
        b.layers.push_back(conv("se.expand", b.squeezeChannels, b.midChannels, 1, 1, 1, true, 1));
    }
    b.layers.push_back(conv("project", b.midChannels, b.outChannels, 1, 1, 1, false, h));
    b.layers.push_back(bn("project.bn", b.outChannels, h));
    b.outH = h;
}

} // namespace

std::int64_t BlockSpec::macs() const { return sumMacs(layers); }
std::int64_t BlockSpec::params() const { return sumParams(layers); }
std::int64_t ExitHeadSpec::macs() const { return sumMacs(layers); }
std::int64_t ExitHeadSpec::params() const { return sumParams(layers); }

int Architecture::blockIndex(int stage, int block) const
{
    for (std::size_t i = 0; i < blocks.size(); ++i)
        if (blocks[i].stage == stage && blocks[i].block == block)
            return int(i);
    return -1;
}

std::int64_t Architecture::macsThrough(int index) const
{
    std::int64_t s = 0;
    for (int i = 0; i <= index && i < int(blocks.size()); ++i)
        s += blocks[std::size_t(i)].macs();
    return s;
}

std::vector<int> positionMaxPools(const SearchSpace &space, const Genome &genome, const Architecture &backbone)
{
    const auto allowed = allowedExitPositions(space, genome);
    std::vector<int> pools(allowed.size(), 0);
    if (space.eecType != EecType::Nachos)
        return pools;
    const Architecture &a = backbone;
    std::int64_t nextCost = a.macsThrough(int(a.blocks.size()) - 1); // the final head's
    for (std::size_t i = allowed.size(); i-- > 0;) {
        const int index = a.blockIndex(allowed[i].first, allowed[i].second);
        const BlockSpec &after = a.blocks[std::size_t(index)];
        auto cost = [&] {
            std::int64_t c = a.macsThrough(index);
            for (const auto &l : exitLayers(space, after.outChannels, after.outH, pools[i]))
                c += l.macs();
            return c;
        };
        while (cost() >= nextCost && (after.outH >> pools[i]) > 1)
            ++pools[i];
        nextCost = cost();
    }
    return pools;
}

std::vector<int> positionMaxPools(const SearchSpace &space, const Genome &genome)
{
    Genome backbone = genome;
    backbone.exits.clear();
    return positionMaxPools(space, genome, describe(space, backbone, false));
}

std::vector<LayerSpec> exitLayers(const SearchSpace &space, int width, int h, int maxPools)
{
    std::vector<LayerSpec> layers;
    for (int p = 0; p < maxPools; ++p) {
        LayerSpec pool;
        pool.kind = LayerKind::MaxPool;
        pool.name = "pool" + std::to_string(p);
        pool.in = pool.out = width;
        pool.kernel = 2;
        pool.stride = 2;
        pool.inH = pool.inW = h;
        h = std::max(1, h / 2);
        pool.outH = pool.outW = h;
        layers.push_back(pool);
    }
    if (space.eecType == EecType::Edanas) {
        // A copy of the MobileNetV3 head at the stage width F: 1x1 F->6F (BN, h-swish),
        // global pool, 1x1 6F->8F (h-swish), linear.
        layers.push_back(conv("expand", width, 6 * width, 1, 1, 1, false, h));
        layers.push_back(bn("expand.bn", 6 * width, h));
        layers.push_back(conv("feature", 6 * width, 8 * width, 1, 1, 1, false, 1));
        layers.push_back(linear("classifier", 8 * width, space.classes));
    } else {
        // NACHOS: three 3x3 convs (32, 64, 128; BN, ReLU), global pool, linear with one
        // extra output, the learned confidence.
        int in = width;
        int i = 0;
        for (int out : {32, 64, 128}) {
            layers.push_back(conv("conv" + std::to_string(i), in, out, 3, 1, 1, false, h));
            layers.push_back(bn("conv" + std::to_string(i) + ".bn", out, h));
            in = out;
            ++i;
        }
        layers.push_back(linear("classifier", 128, space.classes + 1));
    }
    return layers;
}

Architecture describe(const SearchSpace &space, const Genome &genome, bool withExits)
{
    genome.validate(space);
    Architecture a;
    a.inputChannels = space.inputChannels;
    a.resolution = genome.resolution;
    a.classes = space.classes;
    a.eecType = space.eecType;
    int h = genome.resolution;

    BlockSpec stem;
    stem.kind = BlockSpec::Kind::Stem;
    stem.name = "stem";
    stem.inChannels = space.inputChannels;
    stem.outChannels = space.stemWidth;
    stem.kernel = space.stemKernel;
    stem.stride = space.stemStride;
    stem.activation = space.stemActivation;
    stem.inH = h;
    stem.layers.push_back(conv("conv", space.inputChannels, space.stemWidth, space.stemKernel, space.stemStride, 1,
                               false, h));
    h = convOut(h, space.stemKernel, space.stemStride);
    stem.layers.push_back(bn("bn", space.stemWidth, h));
    stem.outH = h;
    a.blocks.push_back(stem);

    BlockSpec first;
    first.kind = BlockSpec::Kind::FirstBlock;
    first.name = "first";
    first.inChannels = space.stemWidth;
    first.outChannels = space.firstBlockWidth;
    first.midChannels = space.stemWidth;
    first.kernel = space.firstBlockKernel;
    first.expansion = 1;
    first.stride = 1;
    first.activation = space.firstBlockActivation;
    first.squeezeExcite = space.firstBlockSqueezeExcite;
    first.squeezeChannels = squeezeWidth(first.midChannels);
    first.residual = first.inChannels == first.outChannels;
    first.inH = h;
    mbconvLayers(first);
    h = first.outH;
    a.blocks.push_back(first);

    for (int s = 0; s < space.stageCount(); ++s) {
        const StageSpec &st = space.stages[std::size_t(s)];
        for (int b = 0; b < genome.depth[std::size_t(s)]; ++b) {
            BlockSpec blk;
            blk.kind = BlockSpec::Kind::MBConv;
            blk.name = "stage" + std::to_string(s + 1) + ".block" + std::to_string(b + 1);
            blk.stage = s;
            blk.block = b;
            blk.inChannels = b == 0 ? space.stageInputWidth(s) : st.width;
            blk.outChannels = st.width;
            blk.kernel = genome.kernel[std::size_t(s)][std::size_t(b)];
            blk.expansion = genome.expansion[std::size_t(s)][std::size_t(b)];
            blk.midChannels = expandedWidth(blk.inChannels, blk.expansion);
            blk.stride = b == 0 ? st.stride : 1;
            blk.activation = st.activation;
            blk.squeezeExcite = st.squeezeExcite;
            blk.squeezeChannels = squeezeWidth(blk.midChannels);
            blk.residual = blk.stride == 1 && blk.inChannels == blk.outChannels;
            blk.inH = h;
            mbconvLayers(blk);
            h = blk.outH;
            a.blocks.push_back(blk);
        }
    }

    BlockSpec head;
    head.kind = BlockSpec::Kind::Head;
    head.name = "head";
    head.inChannels = space.stages.back().width;
    head.midChannels = space.headWidth;
    head.outChannels = space.classes;
    head.inH = h;
    head.outH = 1;
    head.layers.push_back(conv("expand", head.inChannels, space.headWidth, 1, 1, 1, false, h));
    head.layers.push_back(bn("expand.bn", space.headWidth, h));
    head.layers.push_back(conv("feature", space.headWidth, space.featureWidth, 1, 1, 1, false, 1));
    head.layers.push_back(linear("classifier", space.featureWidth, space.classes));
    a.blocks.push_back(head);

    if (!withExits)
        return a;
    std::vector<int> pools;
    if (space.eecType == EecType::Nachos)
        pools = positionMaxPools(space, genome, a);
    const auto allowed = allowedExitPositions(space, genome);
    for (const auto &e : genome.exits) {
        ExitHeadSpec x;
        x.stage = e.stage;
        x.block = e.block;
        x.blockIndex = a.blockIndex(e.stage, e.block);
        const auto at = std::find(allowed.begin(), allowed.end(), std::make_pair(e.stage, e.block));
        x.maxPools = pools.empty() || at == allowed.end() ? 0 : pools[std::size_t(at - allowed.begin())];
        const BlockSpec &after = a.blocks[std::size_t(x.blockIndex)];
        x.layers = exitLayers(space, after.outChannels, after.outH, x.maxPools);
        a.exits.push_back(x);
    }
    return a;
}

} // namespace edanas::space
