#include "front.h"

#include <algorithm>
#include <numeric>

namespace edanas::ui {

std::vector<int> paretoFront(const std::vector<double> &cost, const std::vector<double> &accuracy,
                             const std::vector<char> &include)
{
    std::vector<int> order;
    order.reserve(cost.size());
    for (int i = 0; i < int(cost.size()); ++i)
        if (include[std::size_t(i)])
            order.push_back(i);
    // cheapest first; among equal costs the most accurate first
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        if (cost[std::size_t(a)] != cost[std::size_t(b)])
            return cost[std::size_t(a)] < cost[std::size_t(b)];
        if (accuracy[std::size_t(a)] != accuracy[std::size_t(b)])
            return accuracy[std::size_t(a)] > accuracy[std::size_t(b)];
        return a < b;
    });
    std::vector<int> front;
    for (int i : order) {
        if (front.empty()) {
            front.push_back(i);
            continue;
        }
        const int last = front.back();
        const double best = accuracy[std::size_t(last)];
        const bool duplicate = cost[std::size_t(i)] == cost[std::size_t(last)] && accuracy[std::size_t(i)] == best;
        if (accuracy[std::size_t(i)] > best || duplicate)
            front.push_back(i);
    }
    return front;
}

} // namespace edanas::ui
