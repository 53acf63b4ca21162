#pragma once

#include "profile.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace edanas::eenn {

/// What "better" means for exit configurations: higher accuracy and lower average MACs
/// (the true cost, or the paper's), under an optional MAC ceiling and accuracy floor.
struct ExitObjective
{
    bool trueCost = true;
    double maxMacs = std::numeric_limits<double>::infinity();
    double minAccuracy = 0.0;

    double macs(const ExitEvaluation &e) const { return trueCost ? e.averageMacsTrue : e.averageMacsPaper; }
    /// 0 when both constraints hold; else the relative MAC excess plus the accuracy shortfall.
    double violation(const ExitEvaluation &e) const;
    /// Deb's constrained domination: feasible beats infeasible, less violation beats
    /// more, and between feasible ones Pareto domination in (accuracy, MACs).
    bool dominates(const ExitEvaluation &a, const ExitEvaluation &b) const;
};

/// An exit configuration with what it does on the profile.
struct TunedExits
{
    ExitConfig config;
    ExitEvaluation evaluation;
    bool feasible = true;
};

/// NACHOS's threshold grid {0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8}.
const std::vector<double> &nachosThresholdGrid();

/// NACHOS's threshold tuning for exits at `exits` (METHOD.md): every combination of
/// the grid with the first exit at least 0.7; the one with the highest accuracy within
/// the MAC ceiling is kept (the highest accuracy overall when none is within it; ties
/// go to fewer MACs); then, while the accuracy meets its floor but the average MACs
/// exceed the ceiling, thresholds are lowered by 0.1, from the last early exit (the
/// second-to-last exit of the network) backwards, round after round, none below 0.1.
/// A step that would break the accuracy floor is not taken.
TunedExits tuneNachosThresholds(const ExitProfile &profile, const std::vector<int> &exits, space::ExitRule rule,
                                const ExitObjective &objective);

/// Where the best exits for one backbone may go, and with which thresholds.
struct PlacementOptions
{
    space::ExitRule rule = space::ExitRule::Margin;
    /// Thresholds an exit may take; empty: fineThresholdGrid(rule).
    std::vector<double> thresholds;
    /// Profile positions that may hold an exit; empty: every early position.
    std::vector<int> positions;
    int maxExits = -1; ///< -1: no limit
    ExitObjective objective;
    /// Enumerate every configuration when there are at most this many, else search locally.
    std::int64_t exhaustiveLimit = 200000;
    int trialBudget = 20000; ///< evaluations allowed to the local search
};

/// A fine threshold grid for a rule: steps of 0.02 in (0, 1) for margin, max-softmax
/// and confidence; for entropy the same fractions of ln(classes).
std::vector<double> fineThresholdGrid(space::ExitRule rule, int classes = 10);

/// The best exit configurations for a backbone, from its profile alone: the
/// non-dominated ones in accuracy and average MACs that meet the constraints (or,
/// when none does, the one that comes closest), sorted by MACs. Exhaustive when the
/// space is small (the EDANAS encoding: 3^4 = 81), otherwise a Pareto local search
/// (add, remove and move exits, step thresholds) seeded with every single-exit
/// configuration. `trials`, when given, receives the number of evaluations.
std::vector<TunedExits> bestExitPlacements(const ExitProfile &profile, const PlacementOptions &options,
                                           std::int64_t *trials = nullptr);

/// Hill-climbs one configuration: moves to the first neighbour that dominates it
/// (constrained domination), until none does or the budget is spent. Thresholds are
/// snapped to the options' grid first. Deterministic.
TunedExits improveExits(const ExitProfile &profile, const ExitConfig &start, const PlacementOptions &options,
                        int budget = 2000);

} // namespace edanas::eenn
