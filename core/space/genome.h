#pragma once

#include "searchspace.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace edanas::space {

/// How an exit decides that an input may leave.
enum class ExitRule {
    Margin,     ///< EDANAS: p_top1 - p_top2 >= threshold
    MaxSoftmax, ///< p_top1 >= threshold
    Entropy,    ///< entropy of the softmax <= threshold
    Confidence  ///< NACHOS: cumulative learned exit probability >= threshold
};

std::string exitRuleName(ExitRule rule);
/// Throws std::invalid_argument for an unknown name.
ExitRule parseExitRule(const std::string &name);

/// An early exit after block `block` (0-based) of stage `stage` (0-based).
struct ExitSpec
{
    int stage = 0;
    int block = 0;
    double threshold = 0.0;

    bool operator==(const ExitSpec &o) const
    {
        return stage == o.stage && block == o.block && threshold == o.threshold;
    }
};

/// One candidate early-exit network: the backbone choices (depth per stage, kernel and
/// expansion per block, resolution) and its exits (positions, rule, thresholds).
/// Genes of blocks beyond a stage's depth are kept but have no effect.
struct Genome
{
    std::vector<int> depth;                  ///< per stage
    std::vector<std::vector<int>> kernel;    ///< per stage, maxDepth entries
    std::vector<std::vector<int>> expansion; ///< per stage, maxDepth entries
    int resolution = 32;
    std::vector<ExitSpec> exits; ///< sorted by position
    ExitRule rule = ExitRule::Margin;

    /// Every choice at its largest / smallest (no exits).
    static Genome largest(const SearchSpace &space);
    static Genome smallest(const SearchSpace &space);
    /// Uniformly random backbone (no exits), deterministic for a given generator state.
    static Genome random(const SearchSpace &space, std::mt19937_64 &rng);

    /// What is wrong with this genome in this space; empty when it is valid.
    std::vector<std::string> problems(const SearchSpace &space) const;
    /// Throws SpaceError naming `source` with the first problem.
    void validate(const SearchSpace &space, const std::string &source = "genome") const;

    /// Canonical text of the backbone: active genes only, plus the resolution.
    std::string backboneKey() const;
    /// Stable 64-bit hashes (FNV-1a of canonical text): backbone alone, and everything.
    std::uint64_t backboneHash() const;
    std::uint64_t hash() const;
    std::string hashHex() const;

    /// A short readable form, e.g. "d2,3,4,2,2 k3/5.. e6/4.. r32 | exits 1:1@0.20".
    std::string summary() const;

    std::string toJson() const;
    /// Parses a genome; throws SpaceError naming `source` and the place of a problem.
    static Genome fromJson(const std::string &json, const std::string &source);

    bool operator==(const Genome &o) const;
    bool operator!=(const Genome &o) const { return !(*this == o); }
};

/// Where exits may sit for a backbone: (stage, block) pairs, in order, as the
/// space's placement and the genome's depths allow.
std::vector<std::pair<int, int>> allowedExitPositions(const SearchSpace &space, const Genome &genome);

/// 64-bit FNV-1a of a string, for stable hashes.
std::uint64_t fnv1a64(const std::string &text);

} // namespace edanas::space
