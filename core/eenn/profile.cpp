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
    for (int s = 0; s < p.samples; ++s) {
        const std::size_t row = std::size_t(s) * std::size_t(p.positions);
        std::size_t leave = k;
        double stay = 1.0; // NACHOS: probability of not having left so far
        for (std::size_t i = 0; i < k; ++i) {
            const float v = score[row + std::size_t(c.exits[i])];
            bool ok;
            if (c.rule == space::ExitRule::Confidence) {
                stay *= 1.0 - double(v);
                ok = 1.0 - stay >= c.thresholds[i]; // sum of p_j = 1 - prod (1 - c_j)
            } else {
                ok = accepts(c.rule, v, c.thresholds[i]);
            }
            if (ok) {
                leave = i;
                break;
            }
        }
        const int pos = leave < k ? c.exits[leave] : finalPos;
        ++count[leave];
        right[leave] += p.correct[row + std::size_t(pos)];
    }
    ExitEvaluation e;
    const double n = p.samples > 0 ? double(p.samples) : 1.0;
    std::int64_t totalRight = 0;
    for (std::size_t i = 0; i <= k; ++i) {
        const double w = double(count[i]) / n;
        e.share.push_back(w);
        e.exitAccuracy.push_back(count[i] ? double(right[i]) / double(count[i]) : 0.0);
        e.averageMacsPaper += w * paper[i];
        e.averageMacsTrue += w * truth[i];
        totalRight += right[i];
    }
    e.accuracy = double(totalRight) / n;
    return e;
}

} // namespace edanas::eenn
