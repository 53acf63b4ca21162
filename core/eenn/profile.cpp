#include "profile.h"

#include <stdexcept>
#include <string>

namespace edanas::eenn {

void ExitProfile::resize(int n, int p)
{
    samples = n;
    positions = p;
    const std::size_t size = std::size_t(n) * std::size_t(p);
    correct.assign(size, 0);
    predicted.assign(size, 0);
    maxSoftmax.assign(size, 0.f);
    margin.assign(size, 0.f);
    entropy.assign(size, 0.f);
    confidence.assign(size, 0.f);
    position.resize(std::size_t(p));
    backboneMacs.resize(std::size_t(p));
    exitMacs.resize(std::size_t(p));
}

std::size_t ExitProfile::bytes() const
{
    return correct.size() * (sizeof(std::uint8_t) + sizeof(std::int16_t) + 4 * sizeof(float));
}

bool accepts(space::ExitRule rule, float value, double threshold)
{
    switch (rule) {
    case space::ExitRule::Margin:
    case space::ExitRule::MaxSoftmax:
    case space::ExitRule::Confidence:
        return double(value) >= threshold;
    case space::ExitRule::Entropy:
        return double(value) <= threshold;
    }
    return false;
}

ExitEvaluation evaluate(const ExitProfile &p, const ExitConfig &c)
{
    const std::size_t k = c.exits.size();
    if (c.thresholds.size() != k)
        throw std::invalid_argument(std::to_string(k) + " exits but " + std::to_string(c.thresholds.size())
                                    + " thresholds");
    for (std::size_t i = 0; i < k; ++i) {
        if (c.exits[i] < 0 || c.exits[i] >= p.positions - 1)
            throw std::invalid_argument("exit position " + std::to_string(c.exits[i]) + " outside 0.."
                                        + std::to_string(p.positions - 2));
        if (i > 0 && c.exits[i] <= c.exits[i - 1])
            throw std::invalid_argument("exit positions must be ascending");
    }
    const int finalPos = p.positions - 1;
    // Cost of leaving at exit i (i == k: the final head), both accountings.
    std::vector<double> paper(k + 1), truth(k + 1);
    double passed = 0.0; // exit classifiers run before
    for (std::size_t i = 0; i <= k; ++i) {
        const int pos = i < k ? c.exits[i] : finalPos;
        paper[i] = double(p.backboneMacs[std::size_t(pos)] + p.exitMacs[std::size_t(pos)]);
        truth[i] = paper[i] + passed;
        passed += double(p.exitMacs[std::size_t(pos)]);
    }
    const float *score = c.rule == space::ExitRule::Margin       ? p.margin.data()
                         : c.rule == space::ExitRule::MaxSoftmax ? p.maxSoftmax.data()
                         : c.rule == space::ExitRule::Entropy    ? p.entropy.data()
                                                                 : p.confidence.data();
    std::vector<std::int64_t> count(k + 1, 0), right(k + 1, 0);
    // The inputs still in the network, compacted after each exit without branches;
    // for the confidence rule, each one's probability of not having left so far.
    thread_local std::vector<int> remaining;
    thread_local std::vector<double> stay;
    const int n = p.samples;
    remaining.resize(std::size_t(n));
    stay.assign(std::size_t(n), 1.0);
    for (int s = 0; s < n; ++s)
        remaining[std::size_t(s)] = s;
    std::size_t m = std::size_t(n);
    const bool cumulative = c.rule == space::ExitRule::Confidence;
    const bool below = c.rule == space::ExitRule::Entropy;
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t column = std::size_t(c.exits[i]) * std::size_t(n);
        const float *col = score + column;
        const std::uint8_t *ok = p.correct.data() + column;
        const double t = c.thresholds[i];
        std::size_t kept = 0;
        std::int64_t left = 0, leftRight = 0;
        for (std::size_t r = 0; r < m; ++r) {
            const int s = remaining[r];
            const double v = double(col[s]);
            double st = stay[r];
            bool accept;
            if (cumulative) {
                st *= 1.0 - v;
                accept = 1.0 - st >= t; // sum of p_j = 1 - prod (1 - c_j)
            } else {
                accept = below ? v <= t : v >= t;
            }
            left += accept;
            leftRight += accept & ok[s];
            remaining[kept] = s;
            stay[kept] = st;
            kept += !accept;
        }
        count[i] = left;
        right[i] = leftRight;
        m = kept;
    }
    const std::uint8_t *finalOk = p.correct.data() + std::size_t(finalPos) * std::size_t(n);
    count[k] = std::int64_t(m);
    for (std::size_t r = 0; r < m; ++r)
        right[k] += finalOk[remaining[r]];
    ExitEvaluation e;
    const double total = p.samples > 0 ? double(p.samples) : 1.0;
    std::int64_t totalRight = 0;
    for (std::size_t i = 0; i <= k; ++i) {
        const double w = double(count[i]) / total;
        e.share.push_back(w);
        e.exitAccuracy.push_back(count[i] ? double(right[i]) / double(count[i]) : 0.0);
        e.averageMacsPaper += w * paper[i];
        e.averageMacsTrue += w * truth[i];
        totalRight += right[i];
    }
    e.accuracy = double(totalRight) / total;
    return e;
}

} // namespace edanas::eenn
