// Evaluating an exit configuration from a profile of 10,000 samples x 20 positions,
// on one thread: the budget is 100 microseconds (DESIGN.md). Usage: bench_eenn
#include "eenn/curves.h"
#include "eenn/profile.h"
#include "eenn/tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

using namespace edanas;

int main()
{
    const int n = 10000, positions = 20;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    eenn::ExitProfile p;
    p.resize(n, positions);
    for (int q = 0; q < positions; ++q) {
        p.backboneMacs[std::size_t(q)] = 100000 * (q + 1);
        p.exitMacs[std::size_t(q)] = 5000;
    }
    for (std::size_t i = 0; i < p.margin.size(); ++i) {
        p.margin[i] = u(rng);
        p.maxSoftmax[i] = u(rng);
        p.entropy[i] = 2.3f * u(rng);
        p.confidence[i] = u(rng);
        p.correct[i] = u(rng) < 0.8f;
    }
    std::printf("profile: %d samples x %d positions, %.1f MB\n", n, positions, double(p.bytes()) / 1e6);
    const std::pair<const char *, space::ExitRule> rules[] = {{"margin", space::ExitRule::Margin},
                                                              {"max-softmax", space::ExitRule::MaxSoftmax},
                                                              {"entropy", space::ExitRule::Entropy},
                                                              {"confidence", space::ExitRule::Confidence}};
    for (int exits : {1, 4, 19}) {
        for (const auto &[name, rule] : rules) {
            eenn::ExitConfig c;
            c.rule = rule;
            for (int i = 0; i < exits; ++i) {
                c.exits.push_back(i * (positions - 1) / exits);
                c.thresholds.push_back(rule == space::ExitRule::Entropy ? 0.5 : 0.9);
            }
            std::vector<double> us;
            double sink = 0;
            for (int r = 0; r < 201; ++r) {
                const auto t0 = std::chrono::steady_clock::now();
                sink += eenn::evaluate(p, c).accuracy;
                us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
            }
            std::sort(us.begin(), us.end());
            std::printf("%2d exits, %-11s median %7.1f us, 90th percentile %7.1f us (%g)\n", exits, name, us[100],
                        us[180], sink > 0 ? 1.0 : 0.0);
        }
    }

    // Plain data for the views and the tuning on the same profile, in milliseconds.
    auto ms = [](auto fn) {
        std::vector<double> t;
        for (int r = 0; r < 5; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            fn();
            t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(t.begin(), t.end());
        return t[2];
    };
    const eenn::ExitConfig four{{3, 7, 11, 15}, space::ExitRule::Margin, {0.9, 0.9, 0.9, 0.9}};
    std::printf("\nviews and tuning (median of 5):\n");
    std::printf("  exits alone, all 20 positions      %8.2f ms\n", ms([&] { eenn::exitsAlone(p, four, true); }));
    std::printf("  one threshold swept, 101 steps     %8.2f ms\n", ms([&] { eenn::sweepThreshold(p, four, 1); }));
    std::printf("  trade-off curve, 101 steps         %8.2f ms\n", ms([&] { eenn::tradeoffCurve(p, four); }));
    std::printf("  NACHOS tuning, 4 exits (686 combinations + repair) %8.2f ms\n",
                ms([&] { eenn::tuneNachosThresholds(p, four.exits, space::ExitRule::Confidence, {}); }));
    eenn::PlacementOptions edanas;
    edanas.thresholds = {0.1, 0.2};
    edanas.positions = {3, 7, 11, 15};
    std::printf("  best placements, EDANAS encoding (81, exhaustive) %8.2f ms\n",
                ms([&] { eenn::bestExitPlacements(p, edanas); }));
    eenn::PlacementOptions studio;
    std::int64_t trials = 0;
    const double local = ms([&] { eenn::bestExitPlacements(p, studio, &trials); });
    std::printf("  best placements, 19 positions x 49 thresholds, local search (%lld trials) %8.1f ms\n",
                static_cast<long long>(trials), local);
    std::printf("  dominance hill climb from 4 exits (budget 300) %8.2f ms\n",
                ms([&] { eenn::improveExits(p, four, studio, 300); }));
    return 0;
}
