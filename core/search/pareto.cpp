#include "search/pareto.h"

#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace edanas::search {

namespace {

void requireSameDimension(const std::vector<std::vector<double>> &f, std::size_t dimension)
{
    for (const auto &p : f)
        if (p.size() != dimension)
            throw std::invalid_argument("search: points differ in number of objectives");
}

} // namespace

std::vector<int> constrainedRanks(const std::vector<std::vector<double>> &f,
                                  const std::vector<double> &violation)
{
    if (f.size() != violation.size())
        throw std::invalid_argument("search: objectives and violations differ in count");
    if (f.empty())
        return {};
    requireSameDimension(f, f.front().size());

    std::vector<std::size_t> feasible;
    std::vector<double> infeasibleLevels;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (!(violation[i] >= 0.0))
            throw std::invalid_argument("search: a violation is negative or NaN");
        if (violation[i] == 0.0)
            feasible.push_back(i);
        else
            infeasibleLevels.push_back(violation[i]);
    }

    std::vector<int> rank(f.size(), 0);
    // Feasible points: plain Pareto sorting (pagmo needs at least two points).
    int feasibleFronts = feasible.empty() ? 0 : 1;
    if (feasible.size() >= 2) {
        std::vector<std::vector<double>> points;
        points.reserve(feasible.size());
        for (std::size_t i : feasible)
            points.push_back(f[i]);
        const auto sorted = pagmo::fast_non_dominated_sorting(points);
        const auto &feasibleRank = std::get<3>(sorted);
        for (std::size_t k = 0; k < feasible.size(); ++k)
            rank[feasible[k]] = int(feasibleRank[k]);
        feasibleFronts = int(std::get<0>(sorted).size());
    }
    // Infeasible points: every feasible point dominates them and among themselves only the
    // violation counts, so each distinct violation is one front after the feasible ones.
    std::sort(infeasibleLevels.begin(), infeasibleLevels.end());
    infeasibleLevels.erase(std::unique(infeasibleLevels.begin(), infeasibleLevels.end()),
                           infeasibleLevels.end());
    for (std::size_t i = 0; i < f.size(); ++i)
        if (violation[i] > 0.0) {
            const auto level = std::lower_bound(infeasibleLevels.begin(), infeasibleLevels.end(),
                                                violation[i]);
            rank[i] = feasibleFronts + int(level - infeasibleLevels.begin());
        }
    return rank;
}

// Own implementation rather than pagmo::crowding_distance: pagmo throws below two points
// or two objectives, yields NaN for an objective with zero range, and breaks ties with an
// unstable sort.
std::vector<double> crowdingDistance(const std::vector<std::vector<double>> &f)
{
    const std::size_t n = f.size();
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (n <= 2)
        return std::vector<double>(n, inf);
    const std::size_t objectives = f.front().size();
    requireSameDimension(f, objectives);

    std::vector<double> distance(n, 0.0);
    std::vector<std::size_t> order(n);
    for (std::size_t m = 0; m < objectives; ++m) {
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return f[a][m] < f[b][m]; });
        distance[order.front()] = inf;
        distance[order.back()] = inf;
        const double range = f[order.back()][m] - f[order.front()][m];
        if (range <= 0.0)
            continue;
        for (std::size_t k = 1; k + 1 < n; ++k)
            distance[order[k]] += (f[order[k + 1]][m] - f[order[k - 1]][m]) / range;
    }
    return distance;
}

double hypervolume(const std::vector<std::vector<double>> &points,
                   const std::vector<double> &reference)
{
    if (reference.empty())
        throw std::invalid_argument("search: hypervolume needs at least one objective");
    requireSameDimension(points, reference.size());

    std::vector<std::vector<double>> inside;
    for (const auto &p : points)
        if (std::equal(p.begin(), p.end(), reference.begin(), std::less<double>()))
            inside.push_back(p);
    if (inside.empty())
        return 0.0;
    if (reference.size() == 1) { // pagmo needs two dimensions or more
        double best = inside.front()[0];
        for (const auto &p : inside)
            best = std::min(best, p[0]);
        return reference[0] - best;
    }
    return pagmo::hypervolume(inside, true).compute(reference);
}

std::vector<int> nonDominatedIndices(const std::vector<std::vector<double>> &f,
                                     const std::vector<double> &violation)
{
    const std::vector<int> rank = constrainedRanks(f, violation);
    std::vector<int> front;
    for (std::size_t i = 0; i < f.size(); ++i)
        if (rank[i] == 0 && violation[i] == 0.0)
            front.push_back(int(i));
    return front;
}

std::vector<EqualAccuracyCost> costAtEqualAccuracy(const std::vector<double> &earlyExitCost,
                                                   const std::vector<double> &earlyExitAccuracy,
                                                   const std::vector<double> &staticCost,
                                                   const std::vector<double> &staticAccuracy)
{
    if (earlyExitCost.size() != earlyExitAccuracy.size() || staticCost.size() != staticAccuracy.size())
        throw std::invalid_argument("search: costs and accuracies differ in count");
    auto check = [](const std::vector<double> &cost, const std::vector<double> &accuracy) {
        for (std::size_t i = 0; i < cost.size(); ++i)
            if (!(cost[i] > 0.0) || !std::isfinite(cost[i]) || !std::isfinite(accuracy[i]))
                throw std::invalid_argument("search: a cost is not positive or an accuracy not finite");
    };
    check(earlyExitCost, earlyExitAccuracy);
    check(staticCost, staticAccuracy);

    // the static front: cheapest first, each more accurate than every cheaper one
    std::vector<std::size_t> order(staticCost.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return staticCost[a] != staticCost[b] ? staticCost[a] < staticCost[b] : staticAccuracy[a] > staticAccuracy[b];
    });
    std::vector<EqualAccuracyCost> out;
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t i : order) {
        if (!(staticAccuracy[i] > best))
            continue;
        best = staticAccuracy[i];
        double fewest = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < earlyExitCost.size(); ++j)
            if (earlyExitAccuracy[j] >= staticAccuracy[i])
                fewest = std::min(fewest, earlyExitCost[j]);
        if (std::isfinite(fewest))
            out.push_back({staticAccuracy[i], staticCost[i], fewest});
    }
    return out;
}

double Limits::violation(double accuracy, double macsTrue, double macsPaper, double params, double sramBytes) const
{
    double v = 0.0;
    const double macs = trueCost ? macsTrue : macsPaper;
    if (std::isfinite(maxMacs) && macs > maxMacs)
        v += (macs - maxMacs) / std::max(maxMacs, 1.0);
    if (accuracy < minAccuracy)
        v += minAccuracy - accuracy;
    if (std::isfinite(maxParams) && params > maxParams)
        v += (params - maxParams) / maxParams;
    if (std::isfinite(maxSramBytes) && sramBytes > maxSramBytes)
        v += (sramBytes - maxSramBytes) / maxSramBytes;
    return v;
}

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

FrontComparison compareFronts(const std::vector<std::vector<std::pair<double, double>>> &fronts,
                              double referenceCost, double referenceAccuracy)
{
    std::vector<std::pair<double, double>> all;
    for (const auto &front : fronts)
        for (const auto &[cost, accuracy] : front) {
            if (!(cost > 0.0) || !std::isfinite(cost) || !std::isfinite(accuracy))
                throw std::invalid_argument("search: a cost is not positive or an accuracy not finite");
            all.emplace_back(cost, accuracy);
        }
    if (all.empty())
        throw std::invalid_argument("search: no front has a point to compare");

    // a front as its non-dominated points, cheapest first (each more accurate than the last)
    auto frontOf = [](std::vector<std::pair<double, double>> points) {
        std::sort(points.begin(), points.end(), [](const auto &a, const auto &b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        });
        std::vector<std::pair<double, double>> out;
        for (const auto &p : points)
            if (out.empty() || p.second > out.back().second)
                out.push_back(p);
        return out;
    };
    const auto united = frontOf(all);

    FrontComparison c;
    c.idealCost = united.front().first;
    c.idealAccuracy = united.back().second;
    const double nadirCost = united.back().first;
    const double nadirAccuracy = united.front().second;
    c.referenceCost = std::isnan(referenceCost) ? nadirCost + 0.1 * (nadirCost - c.idealCost) : referenceCost;
    c.referenceAccuracy = std::isnan(referenceAccuracy)
                              ? nadirAccuracy - 0.1 * (c.idealAccuracy - nadirAccuracy)
                              : referenceAccuracy;
    if (!std::isfinite(c.referenceCost) || !std::isfinite(c.referenceAccuracy))
        throw std::invalid_argument("search: the reference point is not finite");

    // (error, cost) minimised; the box between the ideal point and the reference
    const double box = (c.referenceCost - c.idealCost) * (c.referenceAccuracy < c.idealAccuracy
                                                              ? c.idealAccuracy - c.referenceAccuracy
                                                              : 0.0);
    auto share = [&](const std::vector<std::pair<double, double>> &points) {
        if (!(box > 0.0))
            return 0.0;
        std::vector<std::vector<double>> f;
        for (const auto &[cost, accuracy] : points)
            f.push_back({-accuracy, cost});
        return hypervolume(f, {-c.referenceAccuracy, c.referenceCost}) / box;
    };
    std::vector<std::vector<std::pair<double, double>>> own;
    for (const auto &front : fronts) {
        own.push_back(frontOf(front));
        c.hypervolume.push_back(share(own.back()));
    }
    c.unionHypervolume = share(united);
    for (const auto &[cost, accuracy] : united) {
        FrontComparison::Level level{accuracy, {}};
        for (const auto &front : own) {
            double fewest = std::numeric_limits<double>::infinity();
            for (const auto &p : front)
                if (p.second >= accuracy)
                    fewest = std::min(fewest, p.first);
            level.fewestCost.push_back(fewest);
        }
        c.levels.push_back(std::move(level));
    }
    return c;
}

} // namespace edanas::search
