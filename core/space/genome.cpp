#include "genome.h"
#include "json.h"

#include "data/split.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace edanas::space {

std::string exitRuleName(ExitRule rule)
{
    switch (rule) {
    case ExitRule::Margin: return "margin";
    case ExitRule::MaxSoftmax: return "max-softmax";
    case ExitRule::Entropy: return "entropy";
    case ExitRule::Confidence: return "confidence";
    }
    return "margin";
}

ExitRule parseExitRule(const std::string &name)
{
    for (auto r : {ExitRule::Margin, ExitRule::MaxSoftmax, ExitRule::Entropy, ExitRule::Confidence})
        if (exitRuleName(r) == name)
            return r;
    throw std::invalid_argument("unknown exit rule '" + name + "' (expected margin, max-softmax, entropy or confidence)");
}

std::uint64_t fnv1a64(const std::string &text)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

namespace {

Genome filled(const SearchSpace &space, int d, int k, int e, int r)
{
    Genome g;
    const auto n = std::size_t(space.stageCount());
    g.depth.assign(n, d);
    g.kernel.assign(n, std::vector<int>(std::size_t(space.maxDepth()), k));
    g.expansion.assign(n, std::vector<int>(std::size_t(space.maxDepth()), e));
    g.resolution = r;
    return g;
}

int pick(const std::vector<int> &choices, std::mt19937_64 &rng)
{
    return choices[data::uniformIndex(rng, choices.size())];
}

bool contains(const std::vector<int> &v, int x)
{
    return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

Genome Genome::largest(const SearchSpace &s)
{
    return filled(s, s.depths.back(), s.kernels.back(), s.expansions.back(), s.resolutions.back());
}

Genome Genome::smallest(const SearchSpace &s)
{
    return filled(s, s.depths.front(), s.kernels.front(), s.expansions.front(), s.resolutions.front());
}

Genome Genome::random(const SearchSpace &s, std::mt19937_64 &rng)
{
    Genome g = smallest(s);
    for (int st = 0; st < s.stageCount(); ++st) {
        g.depth[std::size_t(st)] = pick(s.depths, rng);
        for (int b = 0; b < s.maxDepth(); ++b) {
            g.kernel[std::size_t(st)][std::size_t(b)] = pick(s.kernels, rng);
            g.expansion[std::size_t(st)][std::size_t(b)] = pick(s.expansions, rng);
        }
    }
    g.resolution = pick(s.resolutions, rng);
    return g;
}

std::vector<std::pair<int, int>> allowedExitPositions(const SearchSpace &space, const Genome &g)
{
    std::vector<std::pair<int, int>> out;
    for (int st : space.exitStages) {
        if (st >= int(g.depth.size()))
            continue;
        const int d = g.depth[std::size_t(st)];
        if (space.exitPlacement == ExitPlacement::StageEnds)
            out.emplace_back(st, d - 1);
        else
            for (int b = 0; b < d; ++b)
                out.emplace_back(st, b);
    }
    return out;
}

std::vector<std::string> Genome::problems(const SearchSpace &space) const
{
    std::vector<std::string> p;
    const auto n = std::size_t(space.stageCount());
    if (depth.size() != n || kernel.size() != n || expansion.size() != n) {
        p.push_back("expected genes for " + std::to_string(n) + " stages, got " + std::to_string(depth.size()));
        return p;
    }
    for (std::size_t st = 0; st < n; ++st) {
        const std::string where = "stage " + std::to_string(st + 1);
        if (!contains(space.depths, depth[st]))
            p.push_back(where + ": depth " + std::to_string(depth[st]) + " is not a choice of the space");
        if (kernel[st].size() != std::size_t(space.maxDepth()) || expansion[st].size() != std::size_t(space.maxDepth())) {
            p.push_back(where + ": expected " + std::to_string(space.maxDepth()) + " kernel and expansion genes");
            continue;
        }
        for (std::size_t b = 0; b < kernel[st].size(); ++b) {
            if (!contains(space.kernels, kernel[st][b]))
                p.push_back(where + " block " + std::to_string(b + 1) + ": kernel " + std::to_string(kernel[st][b])
                            + " is not a choice of the space");
            if (!contains(space.expansions, expansion[st][b]))
                p.push_back(where + " block " + std::to_string(b + 1) + ": expansion "
                            + std::to_string(expansion[st][b]) + " is not a choice of the space");
        }
    }
    if (!contains(space.resolutions, resolution))
        p.push_back("resolution " + std::to_string(resolution) + " is not a choice of the space");
    if (!p.empty())
        return p;
    const auto allowed = allowedExitPositions(space, *this);
    for (std::size_t i = 0; i < exits.size(); ++i) {
        const auto &e = exits[i];
        const std::string where = "exit after stage " + std::to_string(e.stage + 1) + " block " + std::to_string(e.block + 1);
        if (std::find(allowed.begin(), allowed.end(), std::make_pair(e.stage, e.block)) == allowed.end())
            p.push_back(where + ": not a position where this space allows an exit");
        if (i > 0 && std::make_pair(exits[i - 1].stage, exits[i - 1].block) >= std::make_pair(e.stage, e.block))
            p.push_back(where + ": exits must be in order, each position once");
        if (!std::isfinite(e.threshold))
            p.push_back(where + ": threshold is not a number");
        else if (rule != ExitRule::Entropy && (e.threshold < 0.0 || e.threshold > 1.0))
            p.push_back(where + ": threshold " + std::to_string(e.threshold) + " is outside [0, 1]");
        else if (rule == ExitRule::Entropy && e.threshold < 0.0)
            p.push_back(where + ": entropy threshold must be >= 0");
    }
    return p;
}

void Genome::validate(const SearchSpace &space, const std::string &source) const
{
    const auto p = problems(space);
    if (!p.empty())
        throw SpaceError(source + ": " + p.front());
}

std::string Genome::backboneKey() const
{
    std::ostringstream o;
    o << "r" << resolution;
    for (std::size_t st = 0; st < depth.size(); ++st) {
        o << "|d" << depth[st] << ":";
        for (int b = 0; b < depth[st] && std::size_t(b) < kernel[st].size(); ++b)
            o << (b ? "," : "") << kernel[st][std::size_t(b)] << "x" << expansion[st][std::size_t(b)];
    }
    return o.str();
}

std::uint64_t Genome::backboneHash() const
{
    return fnv1a64(backboneKey());
}

std::uint64_t Genome::hash() const
{
    std::ostringstream o;
    o << backboneKey() << "|" << exitRuleName(rule);
    char buf[64];
    for (const auto &e : exits) {
        std::snprintf(buf, sizeof buf, "|e%d.%d@%.17g", e.stage, e.block, e.threshold);
        o << buf;
    }
    return fnv1a64(o.str());
}

std::string Genome::hashHex() const
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash()));
    return buf;
}

std::string Genome::summary() const
{
    std::ostringstream o;
    o << "d";
    for (std::size_t st = 0; st < depth.size(); ++st)
        o << (st ? "," : "") << depth[st];
    o << " r" << resolution << " |";
    if (exits.empty())
        o << " no exits";
    char buf[64];
    for (const auto &e : exits) {
        std::snprintf(buf, sizeof buf, " %d.%d@%.2f", e.stage + 1, e.block + 1, e.threshold);
        o << buf;
    }
    return o.str();
}

bool Genome::operator==(const Genome &o) const
{
    return depth == o.depth && kernel == o.kernel && expansion == o.expansion && resolution == o.resolution
           && exits == o.exits && rule == o.rule;
}

std::string Genome::toJson() const
{
    auto list = [](const std::vector<int> &v) {
        QJsonArray a;
        for (int x : v)
            a.append(x);
        return a;
    };
    QJsonArray k, e, ex;
    for (const auto &v : kernel)
        k.append(list(v));
    for (const auto &v : expansion)
        e.append(list(v));
    for (const auto &x : exits)
        ex.append(QJsonObject{{"stage", x.stage + 1}, {"block", x.block + 1}, {"threshold", x.threshold}});
    QJsonObject o{{"depth", list(depth)},
                  {"kernel", k},
                  {"expansion", e},
                  {"resolution", resolution},
                  {"exits", ex},
                  {"rule", QString::fromStdString(exitRuleName(rule))}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

Genome Genome::fromJson(const std::string &json, const std::string &source)
{
    const QJsonObject o = parseJsonObject(json, source);
    auto fail = [&](const std::string &place, const std::string &what) {
        throw SpaceError(source + ": " + place + ": " + what);
    };
    auto toInt = [&](const QJsonValue &v, const std::string &place) {
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d) || std::abs(d) > 1e6)
            fail(place, "expected an integer");
        return int(d);
    };
    auto intList = [&](const QJsonValue &v, const std::string &place) {
        if (!v.isArray())
            fail(place, "expected a list of integers");
        std::vector<int> out;
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            out.push_back(toInt(a.at(i), place + "[" + std::to_string(i) + "]"));
        return out;
    };
    auto nested = [&](const char *key) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isArray())
            fail(key, "expected a list of lists of integers");
        std::vector<std::vector<int>> out;
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            out.push_back(intList(a.at(i), std::string(key) + "[" + std::to_string(i) + "]"));
        return out;
    };
    Genome g;
    g.depth = intList(o.value(QLatin1String("depth")), "depth");
    g.kernel = nested("kernel");
    g.expansion = nested("expansion");
    // one kernel and one expansion list per stage, of one length each: everything that
    // reads a genome (its hash, its summary) relies on it before validating it in a space
    if (g.kernel.size() != g.depth.size() || g.expansion.size() != g.depth.size())
        fail(g.kernel.size() != g.depth.size() ? "kernel" : "expansion",
             "expected one list per stage (" + std::to_string(g.depth.size()) + ", as in \"depth\"), found "
                 + std::to_string(g.kernel.size() != g.depth.size() ? g.kernel.size() : g.expansion.size()));
    for (std::size_t st = 0; st < g.depth.size(); ++st)
        if (g.kernel[st].size() != g.expansion[st].size())
            fail("expansion[" + std::to_string(st) + "]",
                 "expected as many entries as kernel[" + std::to_string(st) + "] ("
                     + std::to_string(g.kernel[st].size()) + "), found " + std::to_string(g.expansion[st].size()));
    g.resolution = toInt(o.value(QLatin1String("resolution")), "resolution");
    const QJsonValue rule = o.value(QLatin1String("rule"));
    if (!rule.isUndefined()) {
        try {
            g.rule = parseExitRule(rule.toString().toStdString());
        } catch (const std::invalid_argument &e) {
            fail("rule", e.what());
        }
    }
    const QJsonValue exits = o.value(QLatin1String("exits"));
    if (!exits.isUndefined()) {
        if (!exits.isArray())
            fail("exits", "expected a list");
        const QJsonArray a = exits.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const std::string place = "exits[" + std::to_string(i) + "]";
            if (!a.at(i).isObject())
                fail(place, "expected an object with stage, block and threshold");
            const QJsonObject x = a.at(i).toObject();
            ExitSpec e;
            e.stage = toInt(x.value(QLatin1String("stage")), place + ".stage") - 1;
            e.block = toInt(x.value(QLatin1String("block")), place + ".block") - 1;
            if (!x.value(QLatin1String("threshold")).isDouble())
                fail(place + ".threshold", "expected a number");
            e.threshold = x.value(QLatin1String("threshold")).toDouble();
            g.exits.push_back(e);
        }
    }
    return g;
}

} // namespace edanas::space
