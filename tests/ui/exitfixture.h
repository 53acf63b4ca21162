#pragma once
// An exit profile with random margins and correctness (80 % right) over five positions,
// an exit at each stage end of ofa-mbv3's smallest backbone, and a genome with exits at
// positions 0 and 2: what the exit-editing tests edit (the maths under test is the
// editor's, not the network's).
#include "eenn/profile.h"
#include "space/genome.h"
#include "space/searchspace.h"

#include <memory>
#include <random>

namespace edanas::test {

inline std::shared_ptr<const eenn::ExitProfile> randomExitProfile(int samples, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    auto p = std::make_shared<eenn::ExitProfile>();
    p->resize(samples, 5);
    p->classes = 10;
    p->position = {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {-1, -1}};
    for (int q = 0; q < 5; ++q) {
        p->backboneMacs[std::size_t(q)] = 1000 * (q + 1);
        p->exitMacs[std::size_t(q)] = 100;
    }
    for (std::size_t i = 0; i < p->margin.size(); ++i) {
        p->margin[i] = u(rng);
        p->correct[i] = u(rng) < 0.8f;
    }
    return p;
}

inline space::Genome twoExitGenome()
{
    auto g = space::Genome::smallest(space::SearchSpace::load("ofa-mbv3"));
    g.exits = {{0, 1, 0.5}, {2, 1, 0.3}};
    return g;
}

} // namespace edanas::test
