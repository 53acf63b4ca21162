#include "curves.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace edanas::eenn {

std::vector<ExitAlonePoint> exitsAlone(const ExitProfile &p, const ExitConfig &c, bool allPositions)
{
    evaluate(p, c); // validates the configuration
    std::vector<int> positions;
    if (allPositions) {
        for (int q = 0; q < p.positions; ++q)
            positions.push_back(q);
    } else {
        positions = c.exits;
        positions.push_back(p.positions - 1);
    }
    std::vector<ExitAlonePoint> out;
    for (int q : positions) {
        ExitAlonePoint e;
        e.position = q;
        const std::uint8_t *ok = p.correct.data() + p.at(0, q);
        std::int64_t right = 0;
        for (int s = 0; s < p.samples; ++s)
            right += ok[s];
        e.accuracy = p.samples ? double(right) / double(p.samples) : 0.0;
        e.macs = double(p.backboneMacs[std::size_t(q)] + p.exitMacs[std::size_t(q)]);
        e.macsWithEarlier = e.macs;
        for (int x : c.exits)
            if (x < q)
                e.macsWithEarlier += double(p.exitMacs[std::size_t(x)]);
        out.push_back(e);
    }
    return out;
}

ThresholdRange thresholdRange(const ExitProfile &p, space::ExitRule rule)
{
    if (rule != space::ExitRule::Entropy)
        return {0.0, std::nextafter(1.0, 2.0)}; // scores in [0, 1]; 1 itself may occur
    // Entropy: leaving needs entropy <= t; the largest possible is ln(classes).
    double top = 0.0;
    if (p.classes > 1) {
        top = std::log(double(p.classes));
    } else {
        for (float v : p.entropy)
            top = std::max(top, double(v));
    }
    return {std::nextafter(top, std::numeric_limits<double>::infinity()), -1e-9};
}

namespace {

std::vector<double> linspace(double a, double b, int steps)
{
    if (steps < 2)
        throw std::invalid_argument("a sweep needs at least 2 steps");
    std::vector<double> v(static_cast<std::size_t>(steps));
    for (int i = 0; i < steps; ++i)
        v[std::size_t(i)] = a + (b - a) * double(i) / double(steps - 1);
    return v;
}

} // namespace

ThresholdSweep sweepThreshold(const ExitProfile &p, const ExitConfig &c, int exit, int steps)
{
    if (exit < 0 || exit >= int(c.exits.size()))
        throw std::invalid_argument("exit " + std::to_string(exit) + " outside 0.." + std::to_string(int(c.exits.size()) - 1));
    const auto range = thresholdRange(p, c.rule);
    ThresholdSweep s;
    s.exit = exit;
    s.threshold = linspace(std::min(range.acceptAll, range.acceptNone), std::max(range.acceptAll, range.acceptNone), steps);
    ExitConfig v = c;
    for (double t : s.threshold) {
        v.thresholds[std::size_t(exit)] = t;
        const auto e = evaluate(p, v);
        s.accuracy.push_back(e.accuracy);
        s.averageMacsTrue.push_back(e.averageMacsTrue);
        s.averageMacsPaper.push_back(e.averageMacsPaper);
        s.share.push_back(e.share[std::size_t(exit)]);
        s.exitAccuracy.push_back(e.exitAccuracy[std::size_t(exit)]);
    }
    return s;
}

TradeoffCurve tradeoffCurve(const ExitProfile &p, const ExitConfig &c, int steps)
{
    if (steps < 3 || steps % 2 == 0)
        throw std::invalid_argument("a trade-off curve needs an odd number of steps, at least 3");
    const auto range = thresholdRange(p, c.rule);
    TradeoffCurve t;
    t.parameter = linspace(0.0, 1.0, steps);
    t.current = steps / 2;
    ExitConfig v = c;
    for (int i = 0; i < steps; ++i) {
        const double a = t.parameter[std::size_t(i)];
        for (std::size_t k = 0; k < c.exits.size(); ++k) {
            const double now = c.thresholds[k];
            v.thresholds[k] = i == t.current ? now
                              : i < t.current ? range.acceptAll + (now - range.acceptAll) * (a / 0.5)
                                              : now + (range.acceptNone - now) * ((a - 0.5) / 0.5);
        }
        const auto e = evaluate(p, v);
        t.accuracy.push_back(e.accuracy);
        t.averageMacsTrue.push_back(e.averageMacsTrue);
        t.averageMacsPaper.push_back(e.averageMacsPaper);
    }
    return t;
}

} // namespace edanas::eenn
