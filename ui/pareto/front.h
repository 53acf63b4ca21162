#pragma once

#include <vector>

namespace edanas::ui {

/// Indices of the points that no other included point dominates (higher or equal
/// accuracy at lower or equal cost, one of them strictly), among those with
/// include[i] != 0, sorted by cost and then index. Equal points are all kept, as
/// search::nonDominatedIndices does. O(n log n), for interactive re-ranking.
std::vector<int> paretoFront(const std::vector<double> &cost, const std::vector<double> &accuracy,
                             const std::vector<char> &include);

} // namespace edanas::ui
