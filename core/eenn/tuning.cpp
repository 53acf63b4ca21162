#include "tuning.h"

#include "search/pareto.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace edanas::eenn {

double ExitObjective::violation(const ExitEvaluation &e) const
{
    return search::Limits{trueCost, maxMacs, minAccuracy}.violation(e.accuracy, e.averageMacsTrue, e.averageMacsPaper);
}

bool ExitObjective::dominates(const ExitEvaluation &a, const ExitEvaluation &b) const
{
    const double va = violation(a), vb = violation(b);
    if (va > 0.0 || vb > 0.0)
        return va < vb;
    const double ma = macs(a), mb = macs(b);
    return a.accuracy >= b.accuracy && ma <= mb && (a.accuracy > b.accuracy || ma < mb);
}

const std::vector<double> &nachosThresholdGrid()
{
    static const std::vector<double> grid{0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8};
    return grid;
}

namespace {

TunedExits tuned(const ExitProfile &p, ExitConfig c, const ExitObjective &o)
{
    TunedExits t;
    t.evaluation = evaluate(p, c);
    t.config = std::move(c);
    t.feasible = o.violation(t.evaluation) == 0.0;
    return t;
}

} // namespace

TunedExits tuneNachosThresholds(const ExitProfile &p, const std::vector<int> &exits, space::ExitRule rule,
                                const ExitObjective &o)
{
    const auto &grid = nachosThresholdGrid();
    const std::size_t k = exits.size();
    ExitConfig c{exits, rule, std::vector<double>(k, 0.0)};
    if (k == 0)
        return tuned(p, c, o);
    double combinations = 2.0 * std::pow(double(grid.size()), double(k - 1));
    if (combinations > 1e6)
        throw std::invalid_argument(std::to_string(k) + " exits: too many threshold combinations for a grid");
    // Grid: the first exit takes 0.7 or 0.8 (index 5 or 6), the others any value.
    std::vector<std::size_t> index(k, 0);
    index[0] = 5;
    bool haveBest = false, bestWithin = false;
    ExitConfig best;
    ExitEvaluation bestEval;
    for (;;) {
        for (std::size_t i = 0; i < k; ++i)
            c.thresholds[i] = grid[index[i]];
        const auto e = evaluate(p, c);
        const bool within = o.macs(e) <= o.maxMacs;
        const bool better = !haveBest || (within && !bestWithin)
                            || (within == bestWithin
                                && (e.accuracy > bestEval.accuracy
                                    || (e.accuracy == bestEval.accuracy && o.macs(e) < o.macs(bestEval))));
        if (better) {
            haveBest = true;
            bestWithin = within;
            best = c;
            bestEval = e;
        }
        // next combination, last exit fastest
        std::size_t i = k;
        while (i > 0) {
            --i;
            if (++index[i] < grid.size())
                break;
            index[i] = i == 0 ? grid.size() : 0;
        }
        if (index[0] >= grid.size())
            break;
    }
    // Repair: trade accuracy above the floor for MACs under the ceiling.
    c = best;
    ExitEvaluation now = bestEval;
    std::size_t j = k; // the exit to lower next: from the last early exit backwards, in rounds
    int stuck = 0;
    while (now.accuracy >= o.minAccuracy && o.macs(now) > o.maxMacs && stuck < int(k)) {
        j = j == 0 ? k - 1 : j - 1;
        const double lowered = std::round((c.thresholds[j] - 0.1) * 10.0) / 10.0;
        if (lowered < 0.1 - 1e-9) {
            ++stuck;
            continue;
        }
        ExitConfig trial = c;
        trial.thresholds[j] = lowered;
        const auto e = evaluate(p, trial);
        if (e.accuracy < o.minAccuracy)
            break;
        stuck = 0;
        c = std::move(trial);
        now = e;
    }
    return tuned(p, c, o);
}

std::vector<double> fineThresholdGrid(space::ExitRule rule, int classes)
{
    const double scale = rule == space::ExitRule::Entropy ? std::log(double(std::max(classes, 2))) : 1.0;
    std::vector<double> g;
    for (int i = 1; i < 50; ++i)
        g.push_back(scale * double(i) / 50.0);
    return g;
}

namespace {

/// A configuration as one slot per allowed position: -1 for no exit, else an index
/// into the threshold grid.
using Slots = std::vector<int>;

struct Placement
{
    const ExitProfile &profile;
    const PlacementOptions &options;
    std::vector<int> positions;
    std::vector<double> grid;
    std::int64_t trials = 0;

    Placement(const ExitProfile &p, const PlacementOptions &o)
        : profile(p)
        , options(o)
        , positions(o.positions)
        , grid(o.thresholds.empty() ? fineThresholdGrid(o.rule, p.classes) : o.thresholds)
    {
        if (positions.empty())
            for (int q = 0; q + 1 < p.positions; ++q)
                positions.push_back(q);
        std::sort(positions.begin(), positions.end());
        positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
        for (int q : positions)
            if (q < 0 || q + 1 >= p.positions)
                throw std::invalid_argument("exit position " + std::to_string(q) + " outside 0.."
                                            + std::to_string(p.positions - 2));
        if (grid.empty())
            throw std::invalid_argument("no thresholds to choose from");
    }

    ExitConfig config(const Slots &s) const
    {
        ExitConfig c;
        c.rule = options.rule;
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i] >= 0) {
                c.exits.push_back(positions[i]);
                c.thresholds.push_back(grid[std::size_t(s[i])]);
            }
        return c;
    }

    int exitCount(const Slots &s) const { return int(std::count_if(s.begin(), s.end(), [](int v) { return v >= 0; })); }
    bool allowed(const Slots &s) const { return options.maxExits < 0 || exitCount(s) <= options.maxExits; }

    TunedExits run(const Slots &s)
    {
        ++trials;
        return tuned(profile, config(s), options.objective);
    }

    /// The grid index nearest to each threshold of `c`, at the slot of its position.
    Slots snap(const ExitConfig &c) const
    {
        Slots s(positions.size(), -1);
        for (std::size_t i = 0; i < c.exits.size(); ++i) {
            const auto it = std::find(positions.begin(), positions.end(), c.exits[i]);
            if (it == positions.end())
                throw std::invalid_argument("exit position " + std::to_string(c.exits[i]) + " is not allowed");
            std::size_t best = 0;
            for (std::size_t g = 1; g < grid.size(); ++g)
                if (std::abs(grid[g] - c.thresholds[i]) < std::abs(grid[best] - c.thresholds[i]))
                    best = g;
            s[std::size_t(it - positions.begin())] = int(best);
        }
        return s;
    }

    /// Remove, move to the nearest free slot either side, step the threshold; add an
    /// exit at a free slot with a low, middle or high threshold.
    std::vector<Slots> neighbours(const Slots &s) const
    {
        std::vector<Slots> out;
        const int n = int(s.size()), g = int(grid.size());
        const bool canAdd = options.maxExits < 0 || exitCount(s) < options.maxExits;
        for (int i = 0; i < n; ++i) {
            if (s[std::size_t(i)] >= 0) {
                Slots r = s;
                r[std::size_t(i)] = -1;
                out.push_back(r);
                for (int d : {-1, 1}) {
                    int j = i + d;
                    if (j >= 0 && j < n && s[std::size_t(j)] < 0) {
                        Slots m = s;
                        std::swap(m[std::size_t(i)], m[std::size_t(j)]);
                        out.push_back(m);
                    }
                }
                for (int d : {-1, 1, -5, 5}) {
                    const int t = s[std::size_t(i)] + d;
                    if (t >= 0 && t < g) {
                        Slots m = s;
                        m[std::size_t(i)] = t;
                        out.push_back(m);
                    }
                }
            } else if (canAdd) {
                for (int t : {g / 4, g / 2, (3 * g) / 4}) {
                    Slots a = s;
                    a[std::size_t(i)] = t;
                    out.push_back(a);
                }
            }
        }
        return out;
    }
};

std::string key(const Slots &s)
{
    return std::string(reinterpret_cast<const char *>(s.data()), s.size() * sizeof(int));
}

/// Keeps `archive` mutually non-dominated; returns whether `t` was added.
bool offer(std::vector<TunedExits> &archive, std::vector<Slots> &slots, TunedExits t, const Slots &s,
           const ExitObjective &o)
{
    for (const auto &a : archive) {
        if (o.dominates(a.evaluation, t.evaluation))
            return false;
        if (a.evaluation.accuracy == t.evaluation.accuracy && o.macs(a.evaluation) == o.macs(t.evaluation)
            && o.violation(a.evaluation) == o.violation(t.evaluation))
            return false; // an equal one is already kept
    }
    for (std::size_t i = archive.size(); i-- > 0;)
        if (o.dominates(t.evaluation, archive[i].evaluation)) {
            archive.erase(archive.begin() + std::ptrdiff_t(i));
            slots.erase(slots.begin() + std::ptrdiff_t(i));
        }
    archive.push_back(std::move(t));
    slots.push_back(s);
    return true;
}

} // namespace

std::vector<TunedExits> bestExitPlacements(const ExitProfile &profile, const PlacementOptions &options,
                                           std::int64_t *trials)
{
    Placement pl(profile, options);
    const ExitObjective &o = options.objective;
    std::vector<TunedExits> archive;
    std::vector<Slots> archiveSlots;
    const std::size_t n = pl.positions.size();
    const int radix = int(pl.grid.size()) + 1;
    double space = std::pow(double(radix), double(n));
    if (space <= double(options.exhaustiveLimit)) {
        Slots s(n, -1);
        for (;;) {
            if (pl.allowed(s))
                offer(archive, archiveSlots, pl.run(s), s, o);
            std::size_t i = 0;
            while (i < n && ++s[i] == radix - 1) {
                s[i] = -1;
                ++i;
            }
            if (i == n)
                break;
        }
    } else {
        // Pareto local search: seeds are no exit and every single exit; each archive
        // member's neighbourhood is explored once.
        std::unordered_set<std::string> seen;
        std::unordered_set<std::string> explored;
        auto trial = [&](const Slots &s) {
            if (!pl.allowed(s) || !seen.insert(key(s)).second)
                return;
            offer(archive, archiveSlots, pl.run(s), s, o);
        };
        Slots empty(n, -1);
        trial(empty);
        if (options.maxExits != 0)
            for (std::size_t i = 0; i < n; ++i)
                for (int t = 0; t < int(pl.grid.size()); ++t) {
                    Slots s = empty;
                    s[i] = t;
                    trial(s);
                }
        while (pl.trials < options.trialBudget) {
            std::size_t pick = archive.size();
            for (std::size_t i = 0; i < archiveSlots.size(); ++i)
                if (!explored.count(key(archiveSlots[i]))) {
                    pick = i;
                    break;
                }
            if (pick == archive.size())
                break; // a local optimum: every member's neighbours were tried
            const Slots s = archiveSlots[pick];
            explored.insert(key(s));
            for (const auto &m : pl.neighbours(s)) {
                if (pl.trials >= options.trialBudget)
                    break;
                trial(m);
            }
        }
    }
    if (trials)
        *trials = pl.trials;
    std::sort(archive.begin(), archive.end(), [&](const TunedExits &a, const TunedExits &b) {
        return o.macs(a.evaluation) < o.macs(b.evaluation);
    });
    return archive;
}

TunedExits improveExits(const ExitProfile &profile, const ExitConfig &start, const PlacementOptions &options, int budget)
{
    Placement pl(profile, options);
    Slots s = pl.snap(start);
    TunedExits now = pl.run(s);
    bool moved = true;
    while (moved && pl.trials < budget) {
        moved = false;
        for (const auto &m : pl.neighbours(s)) {
            if (pl.trials >= budget)
                break;
            if (!pl.allowed(m))
                continue;
            auto t = pl.run(m);
            if (options.objective.dominates(t.evaluation, now.evaluation)) {
                s = m;
                now = std::move(t);
                moved = true;
                break;
            }
        }
    }
    return now;
}

} // namespace edanas::eenn
