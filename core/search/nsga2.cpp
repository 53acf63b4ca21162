#include "search/nsga2.h"

#include "search/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace edanas::search {

namespace {

// The standard distributions are implementation-defined; these are not.

/// Uniform integer in [lo, hi] by rejection, so no value is favoured.
int uniformInt(std::mt19937_64 &rng, int lo, int hi)
{
    const std::uint64_t span = std::uint64_t(std::int64_t(hi) - std::int64_t(lo)) + 1;
    // Largest multiple of span representable; draws at or above it are redrawn.
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() / span * span;
    std::uint64_t r = rng();
    while (r >= limit)
        r = rng();
    return int(std::int64_t(lo) + std::int64_t(r % span));
}

/// Uniform double in [0, 1) from the top 53 bits.
double uniform01(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

void invalid(const std::string &what)
{
    throw std::invalid_argument("Nsga2: " + what);
}

} // namespace

Nsga2::Nsga2(std::vector<int> lower, std::vector<int> upper, Nsga2Options options)
    : m_lower(std::move(lower)), m_upper(std::move(upper)), m_options(options),
      m_rng(options.seed)
{
    if (m_lower.size() != m_upper.size())
        invalid("lower and upper bounds differ in size");
    if (m_lower.empty())
        invalid("no genes");
    for (std::size_t g = 0; g < m_lower.size(); ++g)
        if (m_lower[g] > m_upper[g])
            invalid("lower bound above upper bound at gene " + std::to_string(g));
    if (options.populationSize < 1)
        invalid("populationSize must be at least 1");
    if (!(options.crossoverProbability >= 0.0 && options.crossoverProbability <= 1.0))
        invalid("crossoverProbability must be in [0, 1]");
    if (!(options.mutationRate <= 1.0)) // NaN included
        invalid("mutationRate must be at most 1");
    if (!(options.eta >= 0.0))
        invalid("eta must be non-negative");
    if (options.maxAttempts < 1)
        invalid("maxAttempts must be at least 1");
    m_mutationRate = options.mutationRate < 0.0 ? 1.0 / double(m_lower.size()) : options.mutationRate;
}

void Nsga2::setRepair(std::function<void(IntGenome &, std::mt19937_64 &)> repair)
{
    m_repair = std::move(repair);
}

void Nsga2::freeze(int gene, int value)
{
    if (gene < 0 || std::size_t(gene) >= m_lower.size())
        invalid("no gene " + std::to_string(gene));
    if (value < m_lower[std::size_t(gene)] || value > m_upper[std::size_t(gene)])
        invalid("frozen value outside the bounds of gene " + std::to_string(gene));
    m_frozen[gene] = value;
}

void Nsga2::unfreeze(int gene)
{
    if (gene < 0 || std::size_t(gene) >= m_lower.size())
        invalid("no gene " + std::to_string(gene));
    m_frozen.erase(gene);
}

void Nsga2::ban(const IntGenome &x)
{
    requireGenome(x);
    m_banned.insert(x);
}

void Nsga2::unban(const IntGenome &x)
{
    m_banned.erase(x);
}

void Nsga2::pin(const IntGenome &x)
{
    requireGenome(x);
    m_pinned.insert(x);
}

void Nsga2::unpin(const IntGenome &x)
{
    m_pinned.erase(x);
}

void Nsga2::inject(const IntGenome &x)
{
    requireGenome(x);
    m_injected.push_back(x);
}

void Nsga2::markSeen(const IntGenome &x)
{
    requireGenome(x);
    m_seen.insert(x);
}

int Nsga2::lowerBound(int gene) const
{
    const auto frozen = m_frozen.find(gene);
    return frozen != m_frozen.end() ? frozen->second : m_lower[std::size_t(gene)];
}

int Nsga2::upperBound(int gene) const
{
    const auto frozen = m_frozen.find(gene);
    return frozen != m_frozen.end() ? frozen->second : m_upper[std::size_t(gene)];
}

void Nsga2::requireGenome(const IntGenome &x) const
{
    if (x.size() != m_lower.size())
        invalid("genome has " + std::to_string(x.size()) + " genes, expected "
                + std::to_string(m_lower.size()));
}

// Repair, then clamp to the (possibly frozen) bounds: the clamp has the last word.
void Nsga2::finish(IntGenome &x)
{
    if (m_repair) {
        m_repair(x, m_rng);
        requireGenome(x);
    }
    for (std::size_t g = 0; g < x.size(); ++g)
        x[g] = std::clamp(x[g], lowerBound(int(g)), upperBound(int(g)));
}

// Adds x to the batch unless banned or (with duplicate elimination) seen before; every
// accepted genome is marked seen, which also covers duplicates within the batch.
bool Nsga2::accept(IntGenome x, std::vector<IntGenome> &batch)
{
    if (m_banned.count(x) || (m_options.eliminateDuplicates && m_seen.count(x)))
        return false;
    m_seen.insert(x);
    batch.push_back(std::move(x));
    return true;
}

IntGenome Nsga2::randomGenome()
{
    IntGenome x(m_lower.size());
    for (std::size_t g = 0; g < x.size(); ++g)
        x[g] = uniformInt(m_rng, lowerBound(int(g)), upperBound(int(g)));
    return x;
}

// Binary tournament: lower constrained rank wins, then larger crowding, then the first.
std::size_t Nsga2::tournament()
{
    const int last = int(m_population.size()) - 1;
    const auto a = std::size_t(uniformInt(m_rng, 0, last));
    const auto b = std::size_t(uniformInt(m_rng, 0, last));
    if (m_rank[b] != m_rank[a])
        return m_rank[b] < m_rank[a] ? b : a;
    return m_crowding[b] > m_crowding[a] ? b : a;
}

void Nsga2::mutate(IntGenome &x)
{
    for (std::size_t g = 0; g < x.size(); ++g) {
        const int lo = lowerBound(int(g)), hi = upperBound(int(g));
        if (lo == hi || uniform01(m_rng) >= m_mutationRate)
            continue;
        if (m_options.mutation == Mutation::Uniform) {
            // Any other value of the range, so the gene really changes.
            const int v = uniformInt(m_rng, lo, hi - 1);
            x[g] = v >= x[g] ? v + 1 : v;
            continue;
        }
        // Polynomial mutation (Deb & Agrawal) on the real line, rounded: pymoo's integer variant.
        // (A told genome may lie outside the current bounds: start from inside them.)
        const double range = double(hi) - double(lo);
        const double value = std::clamp(x[g], lo, hi);
        const double power = 1.0 / (m_options.eta + 1.0);
        const double r = uniform01(m_rng);
        double shift;
        if (r <= 0.5) {
            const double xy = 1.0 - (value - lo) / range;
            const double val = 2.0 * r + (1.0 - 2.0 * r) * std::pow(xy, m_options.eta + 1.0);
            shift = std::pow(val, power) - 1.0;
        } else {
            const double xy = 1.0 - (hi - value) / range;
            const double val = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * std::pow(xy, m_options.eta + 1.0);
            shift = 1.0 - std::pow(val, power);
        }
        x[g] = int(std::lround(std::clamp(value + shift * range, double(lo), double(hi))));
    }
}

std::pair<IntGenome, IntGenome> Nsga2::mate()
{
    IntGenome a = m_population[tournament()].x;
    IntGenome b = m_population[tournament()].x;
    if (uniform01(m_rng) < m_options.crossoverProbability) {
        if (m_options.crossover == Crossover::TwoPoint) {
            // Swap the segment between two cut points.
            int from = uniformInt(m_rng, 0, int(a.size()) - 1);
            int to = uniformInt(m_rng, 0, int(a.size()) - 1);
            if (from > to)
                std::swap(from, to);
            std::swap_ranges(a.begin() + from, a.begin() + to + 1, b.begin() + from);
        } else {
            for (std::size_t g = 0; g < a.size(); ++g)
                if (uniform01(m_rng) < 0.5)
                    std::swap(a[g], b[g]);
        }
    }
    mutate(a);
    mutate(b);
    return {std::move(a), std::move(b)};
}

std::vector<IntGenome> Nsga2::ask()
{
    const auto size = std::size_t(m_options.populationSize);
    std::vector<IntGenome> batch;
    while (!m_injected.empty() && batch.size() < size) {
        IntGenome x = std::move(m_injected.front());
        m_injected.pop_front();
        finish(x);
        accept(std::move(x), batch);
    }

    std::vector<IntGenome> pending; // the other child of the last mating, taken next
    while (batch.size() < size) {
        bool found = false;
        for (int attempt = 0; attempt < m_options.maxAttempts && !found; ++attempt) {
            IntGenome x;
            if (m_population.empty()) {
                x = randomGenome();
            } else {
                if (pending.empty()) {
                    auto children = mate();
                    pending = {std::move(children.second), std::move(children.first)};
                }
                x = std::move(pending.back());
                pending.pop_back();
            }
            finish(x);
            found = accept(std::move(x), batch);
        }
        if (!found) // nothing new within maxAttempts: return fewer rather than loop on
            break;
    }
    return batch;
}

void Nsga2::tell(const std::vector<Evaluated> &evaluated)
{
    std::vector<Evaluated> candidates = m_population;
    candidates.insert(candidates.end(), evaluated.begin(), evaluated.end());
    survive(std::move(candidates));
    ++m_generation;
}

void Nsga2::setPopulation(std::vector<Evaluated> population)
{
    survive(std::move(population));
}

void Nsga2::survive(std::vector<Evaluated> candidates)
{
    // Validate everything first so that a throwing call changes nothing.
    for (const auto &e : candidates) {
        requireGenome(e.x);
        if (e.f.size() != candidates.front().f.size())
            invalid("genomes differ in number of objectives");
        if (e.f.empty() || std::any_of(e.f.begin(), e.f.end(), [](double v) { return std::isnan(v); }))
            invalid("objectives missing or NaN");
        if (!(e.violation >= 0.0))
            invalid("violation negative or NaN");
    }
    // Drop banned genomes, and let a later entry replace an earlier one.
    std::map<IntGenome, std::size_t> where;
    std::vector<Evaluated> pool;
    for (auto &e : candidates) {
        m_seen.insert(e.x);
        if (m_banned.count(e.x))
            continue;
        const auto [it, added] = where.emplace(e.x, pool.size());
        if (added)
            pool.push_back(std::move(e));
        else
            pool[it->second] = std::move(e);
    }

    std::vector<std::vector<double>> f;
    std::vector<double> violation;
    for (const auto &e : pool) {
        f.push_back(e.f);
        violation.push_back(e.violation);
    }
    const std::vector<int> rank = constrainedRanks(f, violation);
    const int fronts = rank.empty() ? 0 : *std::max_element(rank.begin(), rank.end()) + 1;
    auto members = std::vector<std::vector<std::size_t>>(std::size_t(fronts));
    for (std::size_t i = 0; i < pool.size(); ++i)
        members[std::size_t(rank[i])].push_back(i);

    // Pinned genomes take their places first; the rest fill front by front and the front
    // that does not fit keeps its least crowded members.
    const auto pinnedCount = std::size_t(std::count_if(pool.begin(), pool.end(),
                                                       [&](const Evaluated &e) { return m_pinned.count(e.x) != 0; }));
    const auto size = std::size_t(m_options.populationSize);
    std::size_t slots = size > pinnedCount ? size - pinnedCount : 0;
    std::vector<double> crowding(pool.size());
    std::vector<std::size_t> kept;
    for (const auto &front : members) {
        std::vector<std::vector<double>> frontF;
        for (std::size_t i : front)
            frontF.push_back(pool[i].f);
        const std::vector<double> distance = crowdingDistance(frontF);
        std::vector<std::size_t> others;
        for (std::size_t k = 0; k < front.size(); ++k) {
            crowding[front[k]] = distance[k];
            if (m_pinned.count(pool[front[k]].x))
                kept.push_back(front[k]);
            else
                others.push_back(front[k]);
        }
        if (others.size() > slots) {
            std::stable_sort(others.begin(), others.end(),
                             [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
            others.resize(slots);
        }
        slots -= others.size();
        kept.insert(kept.end(), others.begin(), others.end());
    }

    std::stable_sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) {
        return rank[a] != rank[b] ? rank[a] < rank[b] : crowding[a] > crowding[b];
    });
    m_population.clear();
    m_rank.clear();
    m_crowding.clear();
    for (std::size_t i : kept) {
        m_population.push_back(std::move(pool[i]));
        m_rank.push_back(rank[i]);
        m_crowding.push_back(crowding[i]);
    }
}

} // namespace edanas::search
