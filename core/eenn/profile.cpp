#include "profile.h"

#include <cmath>
#include <limits>
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

namespace {

/// The float f such that, for every float v, (v >= f) == (double(v) >= t), or with
/// `below`, (v <= f) == (double(v) <= t): the profile's scores are floats.
float floatThreshold(double t, bool below)
{
    if (std::isnan(t))
        return std::numeric_limits<float>::quiet_NaN();
    float f = float(t);
    if (below) {
        if (double(f) > t)
            f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    } else if (double(f) < t) {
        f = std::nextafter(f, std::numeric_limits<float>::infinity());
    }
    return f;
}

} // namespace

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
    // Column by column over contiguous arrays, with no branch on the data: `alive`
    // marks the inputs still in the network; for the confidence rule `stay` is each
    // input's probability of not having left so far (in float, as inference computes
    // it). Work per exit is the same whatever share of inputs leaves there, and the
    // loops vectorise.
    thread_local std::vector<std::uint8_t> alive;
    thread_local std::vector<float> stay;
    const int n = p.samples;
    alive.assign(std::size_t(n), 1);
    const bool cumulative = c.rule == space::ExitRule::Confidence;
    const bool below = c.rule == space::ExitRule::Entropy;
    if (cumulative)
        stay.assign(std::size_t(n), 1.0f);
    std::int64_t stillIn = n;
    std::uint8_t *__restrict al = alive.data();
    for (std::size_t i = 0; i < k && stillIn > 0; ++i) {
        const std::size_t column = std::size_t(c.exits[i]) * std::size_t(n);
        const float *__restrict col = score + column;
        const std::uint8_t *__restrict ok = p.correct.data() + column;
        std::uint32_t left = 0, leftRight = 0;
        if (cumulative) {
            const float t = floatThreshold(c.thresholds[i], false);
            float *__restrict st = stay.data();
            for (int s = 0; s < n; ++s) {
                st[s] *= 1.0f - col[s];
                // sum of p_j = 1 - prod (1 - c_j)
                const std::uint8_t accept = al[s] & std::uint8_t(1.0f - st[s] >= t);
                left += accept;
                leftRight += accept & ok[s];
                al[s] ^= accept;
            }
        } else if (below) {
            const float t = floatThreshold(c.thresholds[i], true);
            for (int s = 0; s < n; ++s) {
                const std::uint8_t accept = al[s] & std::uint8_t(col[s] <= t);
                left += accept;
                leftRight += accept & ok[s];
                al[s] ^= accept;
            }
        } else {
            // One float comparison that decides exactly as accepts() does in double.
            const float t = floatThreshold(c.thresholds[i], false);
            for (int s = 0; s < n; ++s) {
                const std::uint8_t accept = al[s] & std::uint8_t(col[s] >= t);
                left += accept;
                leftRight += accept & ok[s];
                al[s] ^= accept;
            }
        }
        count[i] = left;
        right[i] = leftRight;
        stillIn -= left;
    }
    count[k] = stillIn;
    if (stillIn > 0) {
        const std::uint8_t *finalOk = p.correct.data() + std::size_t(finalPos) * std::size_t(n);
        std::uint32_t r = 0;
        for (int s = 0; s < n; ++s)
            r += al[s] & finalOk[s];
        right[k] = r;
    }
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

namespace edanas::eenn {

ExitConfig configFromGenome(const ExitProfile &p, const space::Genome &g)
{
    ExitConfig c;
    c.rule = g.rule;
    for (const auto &e : g.exits) {
        int found = -1;
        for (int q = 0; q + 1 < p.positions; ++q)
            if (p.position[std::size_t(q)] == std::make_pair(e.stage, e.block))
                found = q;
        if (found < 0)
            throw std::invalid_argument("no exit position after stage " + std::to_string(e.stage + 1) + " block "
                                        + std::to_string(e.block + 1) + " in this backbone's profile");
        c.exits.push_back(found);
        c.thresholds.push_back(e.threshold);
    }
    return c;
}

space::Genome genomeWithConfig(const ExitProfile &p, space::Genome g, const ExitConfig &c)
{
    g.exits.clear();
    g.rule = c.rule;
    for (std::size_t i = 0; i < c.exits.size(); ++i) {
        const auto &pos = p.position.at(std::size_t(c.exits[i]));
        g.exits.push_back({pos.first, pos.second, c.thresholds.at(i)});
    }
    return g;
}

} // namespace edanas::eenn
