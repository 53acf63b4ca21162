#include "mcumemory.h"

#include <algorithm>
#include <stdexcept>

namespace edanas::deploy {

namespace {

/// Appends operators to a piece, creating their output values.
class Builder
{
public:
    explicit Builder(DeployGraph &g)
        : m_g(g)
    {
    }

    int value(const std::string &name, int c, int h, bool quantized = true)
    {
        m_g.values.push_back({name, c, h, h, quantized});
        return int(m_g.values.size()) - 1;
    }

    int conv(DeployPiece &p, const std::string &name, int x, int out, int kernel, int stride, int groups, bool bias,
             bool relu, WeightRef w)
    {
        const DeployValue in = m_g.values[std::size_t(x)];
        const int h = space::convOut(in.h, kernel, stride);
        DeployOp op;
        op.kind = DeployOpKind::Conv;
        op.name = name;
        op.inputs = {x};
        op.output = value(name, out, h);
        op.outChannels = out;
        op.inPerGroup = in.c / groups;
        op.kernel = kernel;
        op.stride = stride;
        op.groups = groups;
        op.bias = bias;
        op.relu = relu;
        op.weights = w;
        p.ops.push_back(op);
        return op.output;
    }

    int linear(DeployPiece &p, const std::string &name, int x, int out, WeightRef w)
    {
        const DeployValue in = m_g.values[std::size_t(x)];
        DeployOp op;
        op.kind = DeployOpKind::Linear;
        op.name = name;
        op.inputs = {x};
        op.output = value(name, out, 1, /*quantized=*/false);
        op.outChannels = out;
        op.inPerGroup = in.c;
        op.bias = true;
        op.weights = w;
        p.ops.push_back(op);
        return op.output;
    }

    /// An operator whose output has the shape `like` has (or c x h x h).
    int simple(DeployPiece &p, DeployOpKind kind, const std::string &name, std::vector<int> inputs, int c, int h)
    {
        DeployOp op;
        op.kind = kind;
        op.name = name;
        op.inputs = std::move(inputs);
        op.output = value(name, c, h);
        p.ops.push_back(op);
        return op.output;
    }

    int unary(DeployPiece &p, DeployOpKind kind, const std::string &name, int x)
    {
        const DeployValue in = m_g.values[std::size_t(x)];
        return simple(p, kind, name, {x}, in.c, in.h);
    }

    int activate(DeployPiece &p, const std::string &name, int x, space::Activation a)
    {
        if (a == space::Activation::Relu)
            throw std::logic_error("ReLU is fused into the convolution before it");
        return unary(p, DeployOpKind::HardSwish, name, x);
    }

    /// Conv followed by the block's activation (ReLU fused, hard-swish a node).
    int convAct(DeployPiece &p, const std::string &name, int x, int out, int kernel, int stride, int groups,
                bool bias, space::Activation a, WeightRef w)
    {
        const bool relu = a == space::Activation::Relu;
        const int y = conv(p, name, x, out, kernel, stride, groups, bias, relu, w);
        return relu ? y : activate(p, name + "_act", y, a);
    }

private:
    DeployGraph &m_g;
};

using Part = WeightRef::Part;

} // namespace

DeployGraph deployGraph(const space::Architecture &a)
{
    DeployGraph g;
    Builder b(g);
    const int input = b.value("input", a.inputChannels, a.resolution);
    DeployPiece piece;
    piece.name = "backbone0";
    piece.input = input;
    const auto &stem = a.blocks.front();
    int h = b.convAct(piece, "stem/conv", input, stem.outChannels, stem.kernel, stem.stride, 1, true, stem.activation,
                      {Part::Stem});
    std::size_t nextExit = 0;
    for (std::size_t i = 1; i + 1 < a.blocks.size(); ++i) {
        const auto &blk = a.blocks[i];
        const std::string p = "block" + std::to_string(i);
        const int bi = int(i) - 1;
        const int x = h;
        if (blk.expansion != 1)
            h = b.convAct(piece, p + "/expand", h, blk.midChannels, 1, 1, 1, true, blk.activation, {Part::Expand, bi});
        h = b.convAct(piece, p + "/depthwise", h, blk.midChannels, blk.kernel, blk.stride, blk.midChannels, true,
                      blk.activation, {Part::Depthwise, bi});
        if (blk.squeezeExcite) {
            int s = b.unary(piece, DeployOpKind::GlobalAveragePool, p + "/se_pool", h);
            s = b.conv(piece, p + "/se_reduce", s, blk.squeezeChannels, 1, 1, 1, true, true, {Part::SeReduce, bi});
            s = b.conv(piece, p + "/se_expand", s, blk.midChannels, 1, 1, 1, true, false, {Part::SeExpand, bi});
            s = b.unary(piece, DeployOpKind::HardSigmoid, p + "/se_gate", s);
            const auto &hv = g.values[std::size_t(h)];
            h = b.simple(piece, DeployOpKind::Mul, p + "/se_scale", {h, s}, hv.c, hv.h);
        }
        h = b.conv(piece, p + "/project", h, blk.outChannels, 1, 1, 1, true, false, {Part::Project, bi});
        if (blk.residual) {
            const auto &hv = g.values[std::size_t(h)];
            h = b.simple(piece, DeployOpKind::Add, p + "/residual", {h, x}, hv.c, hv.h);
        }
        while (nextExit < a.exits.size() && a.exits[nextExit].blockIndex == int(i)) {
            // cut here: the backbone piece ends, exit nextExit's classifier reads h
            piece.output = h;
            g.backbone.push_back(std::move(piece));
            piece = DeployPiece{};
            piece.name = "backbone" + std::to_string(nextExit + 1);
            piece.input = h;

            const auto &x = a.exits[nextExit];
            const int e = int(nextExit);
            const std::string q = "exit" + std::to_string(nextExit);
            DeployPiece ex;
            ex.name = q;
            ex.input = h;
            int v = h;
            for (int k = 0; k < x.maxPools; ++k) {
                const auto &in = g.values[std::size_t(v)];
                v = b.simple(ex, DeployOpKind::MaxPool, q + "/pool" + std::to_string(k), {v}, in.c, in.h / 2);
            }
            const int width = g.values[std::size_t(h)].c;
            if (a.eecType == space::EecType::Edanas) {
                v = b.convAct(ex, q + "/expand", v, 6 * width, 1, 1, 1, true, space::Activation::HSwish,
                              {Part::ExitConv, e, 0});
                v = b.unary(ex, DeployOpKind::GlobalAveragePool, q + "/pool", v);
                v = b.convAct(ex, q + "/feature", v, 8 * width, 1, 1, 1, false, space::Activation::HSwish,
                              {Part::ExitConv, e, 1});
                v = b.linear(ex, q + "/classifier", v, a.classes, {Part::ExitClassifier, e});
            } else {
                int c = 0;
                for (int out : {32, 64, 128}) {
                    v = b.conv(ex, q + "/conv" + std::to_string(c), v, out, 3, 1, 1, true, true,
                               {Part::ExitConv, e, c});
                    ++c;
                }
                v = b.unary(ex, DeployOpKind::GlobalAveragePool, q + "/pool", v);
                v = b.linear(ex, q + "/classifier", v, a.classes + 1, {Part::ExitClassifier, e});
            }
            ex.output = v;
            g.exits.push_back(std::move(ex));
            ++nextExit;
        }
    }
    if (nextExit != a.exits.size())
        throw std::logic_error("deployGraph: an exit after no block of the network");
    piece.output = h;
    g.backbone.push_back(std::move(piece));

    const auto &head = a.blocks.back();
    DeployPiece hd;
    hd.name = "head";
    hd.input = h;
    int v = b.convAct(hd, "head/expand", h, head.midChannels, 1, 1, 1, true, space::Activation::HSwish,
                      {Part::HeadExpand});
    v = b.unary(hd, DeployOpKind::GlobalAveragePool, "head/pool", v);
    int feature = 0;
    for (const auto &l : head.layers)
        if (l.name == "feature")
            feature = l.out;
    v = b.convAct(hd, "head/feature", v, feature, 1, 1, 1, false, space::Activation::HSwish, {Part::HeadFeature});
    v = b.linear(hd, "head/classifier", v, a.classes, {Part::HeadClassifier});
    hd.output = v;
    g.exits.push_back(std::move(hd));
    return g;
}

std::int64_t arenaBytes(const DeployGraph &g, const DeployPiece &p, bool holdInput)
{
    const int n = int(p.ops.size());
    if (n == 0)
        return g.values[std::size_t(p.input)].bytes();
    // each value's first and last operator in the piece: alive from one to the other
    struct Life
    {
        int value, from, to;
    };
    std::vector<Life> lives;
    lives.reserve(4 * p.ops.size() + 2);
    auto life = [&](int v) -> Life & {
        for (auto &l : lives)
            if (l.value == v)
                return l;
        lives.push_back({v, n, -1});
        return lives.back();
    };
    {
        auto &in = life(p.input);
        in.from = 0;
        in.to = holdInput ? n - 1 : 0;
    }
    for (int t = 0; t < n; ++t) {
        const auto &op = p.ops[std::size_t(t)];
        for (int v : op.inputs) {
            auto &l = life(v);
            l.to = std::max(l.to, t);
            l.from = std::min(l.from, t);
        }
        auto &o = life(op.output);
        o.from = std::min(o.from, t);
        o.to = std::max(o.to, t);
    }
    life(p.output).to = n - 1; // the piece's result outlives it
    std::int64_t peak = 0;
    for (int t = 0; t < n; ++t) {
        std::int64_t live = 0;
        for (const auto &l : lives)
            if (l.from <= t && t <= l.to)
                live += g.values[std::size_t(l.value)].bytes();
        peak = std::max(peak, live);
    }
    return peak;
}

std::int64_t flashBytes(const DeployGraph &g, const DeployPiece &p, bool withInput)
{
    const std::int64_t activationParams = 4 + 1; // float scale, int8 zero point
    std::int64_t bytes = withInput && g.values[std::size_t(p.input)].quantized ? activationParams : 0;
    for (const auto &op : p.ops) {
        if (op.kind == DeployOpKind::Conv || op.kind == DeployOpKind::Linear)
            bytes += op.weightCount() + (op.bias ? 4 * op.outChannels : 0) + 4 * op.outChannels;
        if (g.values[std::size_t(op.output)].quantized)
            bytes += activationParams;
    }
    return bytes;
}

McuMemory mcuMemory(const DeployGraph &g)
{
    McuMemory m;
    std::int64_t flash = 0, arena = 0;
    for (std::size_t i = 0; i < g.segments(); ++i) {
        SegmentMemory s;
        const bool last = i + 1 == g.segments();
        s.backboneArena = arenaBytes(g, g.backbone[i], false);
        // the feature map an exit reads stays for the next backbone piece
        s.exitArena = arenaBytes(g, g.exits[i], !last);
        s.arena = std::max(s.backboneArena, s.exitArena);
        s.backboneFlash = flashBytes(g, g.backbone[i], i == 0);
        s.exitFlash = flashBytes(g, g.exits[i], false);
        flash += s.backboneFlash + s.exitFlash;
        arena = std::max(arena, s.arena);
        s.flashThrough = flash;
        s.arenaThrough = arena;
        m.segments.push_back(s);
    }
    m.arena = arena;
    m.flash = flash;
    return m;
}

McuMemory mcuMemory(const space::Architecture &a)
{
    return mcuMemory(deployGraph(a));
}

} // namespace edanas::deploy
