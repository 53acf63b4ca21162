#pragma once
// A steerable, deterministic NSGA-II over integer genomes, driven ask/tell style so the
// caller owns evaluation (batching, caching, cancellation) and can steer between
// generations: freeze genes, ban or pin genomes, inject candidates.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace edanas::search {

/// One candidate: one integer per gene.
using IntGenome = std::vector<int>;

/// A genome with its evaluation, as told to the optimizer.
struct Evaluated
{
    IntGenome x;
    std::vector<double> f;  ///< objectives, all minimised; none NaN
    double violation = 0.0; ///< total constraint violation; 0 = feasible, > 0 infeasible
};

enum class Crossover { TwoPoint, Uniform };
enum class Mutation { Polynomial, Uniform };

/// Settings of an Nsga2 run; fixed for its lifetime.
struct Nsga2Options
{
    int populationSize = 50;            ///< also the size of every ask() batch
    double crossoverProbability = 0.9;  ///< per pair of parents
    Crossover crossover = Crossover::TwoPoint;
    Mutation mutation = Mutation::Polynomial;
    double mutationRate = -1.0;         ///< per gene; < 0 means 1 / number of genes
    double eta = 20.0;                  ///< polynomial mutation distribution index (result rounded)
    std::uint64_t seed = 1;
    bool eliminateDuplicates = true;    ///< never propose a genome seen before or twice in a batch
    int maxAttempts = 100;              ///< candidates drawn per batch slot before giving up
};

/// NSGA-II (Deb et al. 2002) with Deb's constrained domination over inclusive integer
/// bounds. All randomness comes from one std::mt19937_64 seeded with options.seed, drawn
/// through library-independent helpers, so the same seed and the same sequence of tell()
/// values give the same ask() batches. Steering calls take effect from the next ask().
class Nsga2
{
public:
    /// Throws std::invalid_argument if the bounds differ in size, are empty, have
    /// lower > upper, or an option is out of range.
    Nsga2(std::vector<int> lower, std::vector<int> upper, Nsga2Options options);

    /// Called on every new genome (random, offspring or injected); the optimizer then
    /// clamps the genome to the bounds, frozen genes included.
    void setRepair(std::function<void(IntGenome &, std::mt19937_64 &)> repair);

    /// Narrows a gene to one value (within its bounds) for all new genomes.
    void freeze(int gene, int value);
    void unfreeze(int gene);
    /// Never proposed again; dropped from the population at the next tell/setPopulation.
    void ban(const IntGenome &x);
    /// Takes a ban back: from the next ask() x may be proposed or injected again (unless,
    /// with eliminateDuplicates, it was seen before) and survives selection as any other.
    /// A genome the ban dropped from the population is not restored: tell it again.
    void unban(const IntGenome &x);
    /// While in the population, survives every selection (even beyond populationSize).
    void pin(const IntGenome &x);
    void unpin(const IntGenome &x);
    /// Returned first by the next ask() (after repair and clamping) unless banned or, with
    /// eliminateDuplicates, already seen; beyond populationSize they wait for later batches.
    void inject(const IntGenome &x);

    /// The next batch to evaluate, at most populationSize genomes: random ones while the
    /// population is empty, otherwise offspring (binary tournament on constrained rank
    /// then crowding, crossover, mutation). Fewer when maxAttempts draws in a row find
    /// nothing new (a small or exhausted space).
    std::vector<IntGenome> ask();
    /// Environmental survival of population + evaluated down to populationSize by
    /// constrained rank then crowding distance; a genome told twice keeps its last value.
    void tell(const std::vector<Evaluated> &evaluated);
    /// Replaces the population (re-ranked after a constraint change, or restored on
    /// resume): sorted and truncated like after tell(), without counting a generation.
    void setPopulation(std::vector<Evaluated> population);

    /// Survivors, best first (constrained rank, then larger crowding distance).
    const std::vector<Evaluated> &population() const { return m_population; }
    int generation() const { return m_generation; } ///< number of tell() calls
    bool seen(const IntGenome &x) const { return m_seen.count(x) != 0; } ///< ever proposed or told
    void markSeen(const IntGenome &x); ///< for resume: never propose x

private:
    int lowerBound(int gene) const;
    int upperBound(int gene) const;
    void requireGenome(const IntGenome &x) const;
    void finish(IntGenome &x);
    bool accept(IntGenome x, std::vector<IntGenome> &batch);
    IntGenome randomGenome();
    std::size_t tournament();
    void mutate(IntGenome &x);
    std::pair<IntGenome, IntGenome> mate();
    void survive(std::vector<Evaluated> candidates);

    std::vector<int> m_lower, m_upper;
    Nsga2Options m_options;
    double m_mutationRate;
    std::mt19937_64 m_rng;
    std::function<void(IntGenome &, std::mt19937_64 &)> m_repair;
    std::map<int, int> m_frozen; // gene -> value
    std::set<IntGenome> m_banned, m_pinned, m_seen;
    std::deque<IntGenome> m_injected;
    // Sorted best first; m_rank and m_crowding run parallel to it, from the last survival.
    std::vector<Evaluated> m_population;
    std::vector<int> m_rank;
    std::vector<double> m_crowding;
    int m_generation = 0;
};

} // namespace edanas::search
