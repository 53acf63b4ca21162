// Evaluating an exit configuration from a profile of 10,000 samples x 20 positions,
// on one thread: the budget is 100 microseconds (DESIGN.md). Usage: bench_eenn
#include "eenn/profile.h"

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
    return 0;
}
