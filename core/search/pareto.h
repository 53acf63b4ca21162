#pragma once
// Multi-objective ranking primitives for the search: constrained non-dominated sorting,
// crowding distance, hypervolume and the feasible Pareto front. Every objective is
// minimised; a violation of 0 means feasible, larger means worse. Values must not be NaN.

#include <limits>
#include <vector>

namespace edanas::search {

/// The limits a candidate must meet to be feasible: the one rule the search engine, the
/// exit tuner, the Studio's candidate table and its Pareto plot apply.
struct Limits
{
    bool trueCost = true; ///< MACs counted as the search counts them: true average, else the paper's
    double maxMacs = std::numeric_limits<double>::infinity();
    double minAccuracy = 0.0;
    double maxParams = std::numeric_limits<double>::infinity();
    double maxSramBytes = std::numeric_limits<double>::infinity();

    /// 0 when every limit holds; else the sum of the relative MAC excess, the accuracy
    /// shortfall and the relative parameter and SRAM excesses.
    double violation(double accuracy, double macsTrue, double macsPaper, double params = 0.0,
                     double sramBytes = 0.0) const;
    bool feasible(double accuracy, double macsTrue, double macsPaper, double params = 0.0,
                  double sramBytes = 0.0) const
    {
        return violation(accuracy, macsTrue, macsPaper, params, sramBytes) == 0.0;
    }
};

/// Indices of the points that no other included point dominates (higher or equal
/// accuracy at lower or equal cost, one of them strictly), among those with
/// include[i] != 0, sorted by cost and then index. Equal points are all kept, as
/// nonDominatedIndices does. O(n log n), for interactive re-ranking.
std::vector<int> paretoFront(const std::vector<double> &cost, const std::vector<double> &accuracy,
                             const std::vector<char> &include);

/// Non-dominated rank of every point under Deb's constrained domination (rank 0 = first
/// front): a feasible point beats an infeasible one, of two infeasible points the smaller
/// violation wins, two feasible points compare by Pareto domination. Hence all feasible
/// fronts come first, then the infeasible points, one front per distinct violation.
/// Throws std::invalid_argument if the sizes disagree or the points differ in dimension.
std::vector<int> constrainedRanks(const std::vector<std::vector<double>> &f,
                                  const std::vector<double> &violation);

/// NSGA-II crowding distance of the points of one front: per objective, the two extreme
/// points (ties broken by index) get infinity and the others the normalised gap between
/// their neighbours, summed over objectives. An objective with zero range adds nothing to
/// inner points. Any number of points (0, 1 and 2 give all-infinite results).
std::vector<double> crowdingDistance(const std::vector<std::vector<double>> &f);

/// Exact hypervolume dominated by the points and bounded by the reference (minimisation).
/// Points not strictly better than the reference in every objective are ignored; no
/// remaining point gives 0. Throws std::invalid_argument on dimension mismatch.
double hypervolume(const std::vector<std::vector<double>> &points,
                   const std::vector<double> &reference);

/// Indices (ascending) of the feasible points that no feasible point dominates: the
/// first constrained front if any point is feasible, otherwise empty.
std::vector<int> nonDominatedIndices(const std::vector<std::vector<double>> &f,
                                     const std::vector<double> &violation);

/// One point of a static front matched by the early-exit front at equal accuracy.
struct EqualAccuracyCost
{
    double accuracy = 0.0;      ///< the static network's
    double staticCost = 0.0;    ///< its cost
    double earlyExitCost = 0.0; ///< the fewest cost of an early-exit point at least as accurate
};

/// The early-exit front against the static front at equal accuracy. For every point of
/// the static front (the (cost, accuracy) pairs no other static pair dominates, cheapest
/// first) that some early-exit point reaches, i.e. is at least as accurate, the fewest
/// cost among those early-exit points. Static points more accurate than every early-exit
/// point are left out (nothing to compare). Costs must be positive, accuracies finite;
/// throws std::invalid_argument otherwise or if a pair of vectors differs in size.
std::vector<EqualAccuracyCost> costAtEqualAccuracy(const std::vector<double> &earlyExitCost,
                                                   const std::vector<double> &earlyExitAccuracy,
                                                   const std::vector<double> &staticCost,
                                                   const std::vector<double> &staticAccuracy);

/// Several (cost, accuracy) fronts compared over one reference: their hypervolumes, and
/// the fewest cost each needs for every accuracy the union of the fronts reaches.
struct FrontComparison
{
    double referenceCost = 0.0;     ///< the reference point: no front is credited beyond it
    double referenceAccuracy = 0.0;
    double idealCost = 0.0;         ///< the union front's cheapest cost and best accuracy
    double idealAccuracy = 0.0;
    /// Per front, the area it dominates between the reference and the ideal point, as a
    /// share of that box (0 to 1); 0 for a front with no point inside it.
    std::vector<double> hypervolume;
    double unionHypervolume = 0.0; ///< the same share for all fronts together
    struct Level
    {
        double accuracy = 0.0;             ///< a union-front point's accuracy
        std::vector<double> fewestCost;    ///< per front; infinity where it never reaches it
    };
    std::vector<Level> levels; ///< one per union-front point, cheapest (least accurate) first
};

/// Compares fronts given as (cost, accuracy) points (any points: each front is taken as
/// its non-dominated subset). The reference is `referenceCost` / `referenceAccuracy` when
/// given (not NaN), else the union front's nadir moved a tenth of the union's range
/// outwards (most cost, least accuracy), so that the extreme points count. Costs must be
/// positive, accuracies finite, and at least one front non-empty; throws
/// std::invalid_argument otherwise.
FrontComparison compareFronts(const std::vector<std::vector<std::pair<double, double>>> &fronts,
                              double referenceCost, double referenceAccuracy);

} // namespace edanas::search
