#pragma once

#include "space/genome.h"

#include <cstdint>
#include <vector>

namespace edanas::eenn {

/// For one backbone: what every exit position says about every validation sample, so
/// that any exit configuration can be evaluated without running the network. Stored
/// position-major ([position * samples + sample]): evaluation walks one position's
/// column at a time. The last position is the final head.
struct ExitProfile
{
    int samples = 0;
    int positions = 0; ///< exit positions including the final head
    int classes = 0;   ///< of the data set; 0 when unknown
    std::vector<std::pair<int, int>> position; ///< (stage, block); (-1, -1) for the final head
    std::vector<std::int64_t> backboneMacs;    ///< B_i per position
    std::vector<std::int64_t> exitMacs;        ///< C_i per position (the head for the final one)

    std::vector<std::uint8_t> correct;
    std::vector<std::int16_t> predicted;
    std::vector<float> maxSoftmax, margin, entropy, confidence;

    /// Allocates storage for `n` samples at `p` positions.
    void resize(int n, int p);
    std::size_t at(int sample, int pos) const { return std::size_t(pos) * std::size_t(samples) + std::size_t(sample); }
    /// Bytes held by the per-sample arrays.
    std::size_t bytes() const;
};

/// An exit configuration over a profile: which early positions hold an exit (indices
/// into the profile's positions, ascending, never the final head), the rule and one
/// threshold per exit. The final head always accepts.
struct ExitConfig
{
    std::vector<int> exits;
    space::ExitRule rule = space::ExitRule::Margin;
    std::vector<double> thresholds;
};

/// What a configuration does on the profile's samples.
struct ExitEvaluation
{
    double accuracy = 0.0;
    double averageMacsPaper = 0.0; ///< sum_i w_i (B_i + C_i), as EDANAS counts
    double averageMacsTrue = 0.0;  ///< also counts every exit an input passed through
    std::vector<double> share;     ///< per exit, then the final head
    std::vector<double> exitAccuracy; ///< accuracy of the inputs leaving there (0 when none)
};

/// Evaluates `config` from the profile alone. Throws std::invalid_argument for
/// positions out of order or out of range, or a threshold count that does not match.
ExitEvaluation evaluate(const ExitProfile &profile, const ExitConfig &config);

/// Whether `rule` lets an input leave with these scores and threshold; for the
/// confidence rule `value` is the cumulative exit probability so far.
bool accepts(space::ExitRule rule, float value, double threshold);

} // namespace edanas::eenn

namespace edanas::eenn {

/// The exit configuration a genome describes, as indices into `profile`'s positions.
/// Throws std::invalid_argument when an exit sits where the profile has no position.
ExitConfig configFromGenome(const ExitProfile &profile, const space::Genome &genome);
/// `genome` with its exits (positions, thresholds, rule) replaced by `config`'s.
space::Genome genomeWithConfig(const ExitProfile &profile, space::Genome genome, const ExitConfig &config);

} // namespace edanas::eenn
