#include "encoding.h"

#include "eenn/tuning.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace edanas::search {

std::string encodingName(EncodingKind k)
{
    switch (k) {
    case EncodingKind::Edanas: return "edanas";
    case EncodingKind::Nachos: return "nachos";
    case EncodingKind::Studio: return "studio";
    case EncodingKind::Static: return "static";
    }
    return "?";
}

EncodingKind parseEncoding(const std::string &name)
{
    for (auto k : {EncodingKind::Edanas, EncodingKind::Nachos, EncodingKind::Studio, EncodingKind::Static})
        if (encodingName(k) == name)
            return k;
    throw std::invalid_argument("unknown encoding '" + name + "' (expected edanas, nachos, studio or static)");
}

namespace {

constexpr double kEdanasThresholds[2] = {0.1, 0.2};

int indexOf(const std::vector<int> &choices, int value, const std::string &what)
{
    const auto it = std::find(choices.begin(), choices.end(), value);
    if (it == choices.end())
        throw space::SpaceError("genome: " + what + " " + std::to_string(value) + " is not one of the space's choices");
    return int(it - choices.begin());
}

} // namespace

Encoding::Encoding(const space::SearchSpace &space, EncodingKind kind)
    : m_space(space)
    , m_kind(kind)
    , m_rule(space.eecType == space::EecType::Nachos ? space::ExitRule::Confidence : space::ExitRule::Margin)
{
    m_grid = eenn::fineThresholdGrid(m_rule, space.classes);
    const int n = space.maxDepth();
    for (int s = 0; s < space.stageCount(); ++s) {
        m_lower.push_back(0);
        m_upper.push_back(int(space.depths.size()) - 1);
        for (int b = 0; b < n; ++b) {
            m_lower.push_back(0);
            m_upper.push_back(int(space.kernels.size()) - 1);
        }
        for (int b = 0; b < n; ++b) {
            m_lower.push_back(0);
            m_upper.push_back(int(space.expansions.size()) - 1);
        }
    }
    if (space.resolutions.size() > 1) {
        m_resolutionGene = int(m_lower.size());
        m_lower.push_back(0);
        m_upper.push_back(int(space.resolutions.size()) - 1);
    }
    m_firstExit = int(m_lower.size());
    if (kind == EncodingKind::Static)
        return; // the backbone alone
    for (int s : space.exitStages) {
        if (space.exitPlacement == space::ExitPlacement::StageEnds)
            m_slots.push_back({s, -1});
        else
            for (int b = 0; b < n; ++b)
                m_slots.push_back({s, b});
    }
    const int top = kind == EncodingKind::Edanas ? 2 : kind == EncodingKind::Nachos ? 1 : int(m_grid.size());
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        m_lower.push_back(0);
        m_upper.push_back(top);
    }
}

space::Genome Encoding::decode(const IntGenome &x) const
{
    if (int(x.size()) != size())
        throw std::invalid_argument("a genome of " + std::to_string(x.size()) + " genes; the encoding has "
                                    + std::to_string(size()));
    space::Genome g = space::Genome::smallest(m_space);
    const int n = m_space.maxDepth();
    int i = 0;
    for (int s = 0; s < m_space.stageCount(); ++s) {
        g.depth[std::size_t(s)] = m_space.depths[std::size_t(x[std::size_t(i++)])];
        for (int b = 0; b < n; ++b)
            g.kernel[std::size_t(s)][std::size_t(b)] = m_space.kernels[std::size_t(x[std::size_t(i++)])];
        for (int b = 0; b < n; ++b)
            g.expansion[std::size_t(s)][std::size_t(b)] = m_space.expansions[std::size_t(x[std::size_t(i++)])];
    }
    g.resolution = m_resolutionGene >= 0 ? m_space.resolutions[std::size_t(x[std::size_t(m_resolutionGene)])]
                                         : m_space.resolutions.front();
    g.rule = m_rule;
    for (std::size_t k = 0; k < m_slots.size(); ++k) {
        const int v = x[std::size_t(m_firstExit) + k];
        const auto &slot = m_slots[k];
        const int depth = g.depth[std::size_t(slot.stage)];
        const int block = slot.block < 0 ? depth - 1 : slot.block;
        if (v == 0 || block >= depth)
            continue;
        const double t = m_kind == EncodingKind::Edanas   ? kEdanasThresholds[v - 1]
                         : m_kind == EncodingKind::Nachos ? 0.5 // tuned after evaluation
                                                          : m_grid[std::size_t(v - 1)];
        g.exits.push_back({slot.stage, block, t});
    }
    return g;
}

IntGenome Encoding::encode(const space::Genome &g) const
{
    g.validate(m_space);
    IntGenome x(std::size_t(size()), 0);
    const int n = m_space.maxDepth();
    int i = 0;
    for (int s = 0; s < m_space.stageCount(); ++s) {
        x[std::size_t(i++)] = indexOf(m_space.depths, g.depth[std::size_t(s)], "depth");
        for (int b = 0; b < n; ++b)
            x[std::size_t(i++)] = indexOf(m_space.kernels, g.kernel[std::size_t(s)][std::size_t(b)], "kernel");
        for (int b = 0; b < n; ++b)
            x[std::size_t(i++)] = indexOf(m_space.expansions, g.expansion[std::size_t(s)][std::size_t(b)], "expansion");
    }
    if (m_resolutionGene >= 0)
        x[std::size_t(m_resolutionGene)] = indexOf(m_space.resolutions, g.resolution, "resolution");
    for (const auto &e : g.exits) {
        for (std::size_t k = 0; k < m_slots.size(); ++k) {
            const auto &slot = m_slots[k];
            const int block = slot.block < 0 ? g.depth[std::size_t(slot.stage)] - 1 : slot.block;
            if (slot.stage != e.stage || block != e.block)
                continue;
            int v = 1;
            if (m_kind == EncodingKind::Edanas) {
                v = std::abs(e.threshold - kEdanasThresholds[0]) <= std::abs(e.threshold - kEdanasThresholds[1]) ? 1 : 2;
            } else if (m_kind == EncodingKind::Studio) {
                std::size_t best = 0;
                for (std::size_t j = 1; j < m_grid.size(); ++j)
                    if (std::abs(m_grid[j] - e.threshold) < std::abs(m_grid[best] - e.threshold))
                        best = j;
                v = int(best) + 1;
            }
            x[std::size_t(m_firstExit) + k] = v;
        }
    }
    repair(x);
    return x;
}

void Encoding::repair(IntGenome &x) const
{
    const int n = m_space.maxDepth();
    int i = 0;
    std::vector<int> depth;
    for (int s = 0; s < m_space.stageCount(); ++s) {
        const int d = m_space.depths[std::size_t(std::clamp(x[std::size_t(i)], 0, int(m_space.depths.size()) - 1))];
        depth.push_back(d);
        ++i;
        for (int b = 0; b < n; ++b, ++i)
            if (b >= d)
                x[std::size_t(i)] = 0;
        for (int b = 0; b < n; ++b, ++i)
            if (b >= d)
                x[std::size_t(i)] = 0;
    }
    bool any = false;
    for (std::size_t k = 0; k < m_slots.size(); ++k) {
        auto &v = x[std::size_t(m_firstExit) + k];
        if (m_slots[k].block >= depth[std::size_t(m_slots[k].stage)])
            v = 0;
        any |= v != 0;
    }
    if (m_kind == EncodingKind::Nachos && !any && !m_slots.empty()) {
        // a NACHOS genome without exits is invalid: keep the deepest possible one
        for (std::size_t k = m_slots.size(); k-- > 0;)
            if (m_slots[k].block < depth[std::size_t(m_slots[k].stage)]) {
                x[std::size_t(m_firstExit) + k] = 1;
                break;
            }
    }
}

std::string Encoding::geneName(int gene) const
{
    const int n = m_space.maxDepth();
    const int perStage = 1 + 2 * n;
    if (gene < m_space.stageCount() * perStage) {
        const int s = gene / perStage, r = gene % perStage;
        const std::string stage = "s" + std::to_string(s + 1);
        if (r == 0)
            return stage + ".depth";
        if (r <= n)
            return stage + ".b" + std::to_string(r) + ".kernel";
        return stage + ".b" + std::to_string(r - n) + ".expansion";
    }
    if (gene == m_resolutionGene)
        return "resolution";
    const auto &slot = m_slots.at(std::size_t(gene - m_firstExit));
    return "exit.s" + std::to_string(slot.stage + 1) + (slot.block < 0 ? "" : ".b" + std::to_string(slot.block + 1));
}

} // namespace edanas::search
