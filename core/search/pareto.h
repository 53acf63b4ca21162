#pragma once
// Multi-objective ranking primitives for the search: constrained non-dominated sorting,
// crowding distance, hypervolume and the feasible Pareto front. Every objective is
// minimised; a violation of 0 means feasible, larger means worse. Values must not be NaN.

#include <vector>

namespace edanas::search {

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

} // namespace edanas::search
