#pragma once

#include "nsga2.h"

#include "space/genome.h"

#include <string>
#include <vector>

namespace edanas::search {

/// How exits are searched (METHOD.md):
/// - Edanas: one gene per exit slot from {none, 0.1, 0.2}, score-margin rule;
/// - Nachos: one binary gene per slot, thresholds tuned per candidate;
/// - Studio: one gene per slot, none or a threshold from a fine grid, improved by a
///   local search on the candidate's profile after evaluation;
/// - Static: the backbone alone, no exit genes: the standalone networks an early-exit
///   front is measured against (same supernet, same search, same budget).
enum class EncodingKind { Edanas, Nachos, Studio, Static };
std::string encodingName(EncodingKind k);
/// Throws std::invalid_argument for an unknown name.
EncodingKind parseEncoding(const std::string &name);

/// Genomes as the optimizer's integer vectors: per stage a depth gene, then a kernel
/// and an expansion gene per block (indices into the space's choices; 45 genes for
/// ofa-mbv3), a resolution gene when the space has several, then the exit genes: one
/// per stage end, or one per block of the exit stages when exits may follow any block
/// (none for Static).
/// Genes without effect (blocks beyond a stage's depth, exits after them) are kept at
/// 0 by repair(), so that different vectors mean different networks.
class Encoding
{
public:
    Encoding(const space::SearchSpace &space, EncodingKind kind);

    EncodingKind kind() const { return m_kind; }
    int size() const { return int(m_lower.size()); }
    const std::vector<int> &lower() const { return m_lower; }
    const std::vector<int> &upper() const { return m_upper; }
    /// The exit rule candidates use: NACHOS confidence when the space's exit
    /// classifiers learn one, else the score margin.
    space::ExitRule rule() const { return m_rule; }
    /// Thresholds a studio exit gene chooses from (gene value v > 0 -> grid[v - 1]).
    const std::vector<double> &thresholdGrid() const { return m_grid; }
    int firstExitGene() const { return m_firstExit; }

    space::Genome decode(const IntGenome &x) const;
    /// The nearest vector (thresholds to the nearest allowed value). Throws SpaceError
    /// when the genome does not fit the space.
    IntGenome encode(const space::Genome &g) const;
    /// Zeroes genes without effect; for Nachos, makes sure one exit is present.
    void repair(IntGenome &x) const;
    /// A readable name per gene, e.g. "s2.depth", "s2.b3.kernel", "exit.s1".
    std::string geneName(int gene) const;

private:
    struct Slot
    {
        int stage, block; ///< block -1: the stage's end, wherever its depth puts it
    };
    space::SearchSpace m_space;
    EncodingKind m_kind;
    space::ExitRule m_rule;
    std::vector<double> m_grid;
    std::vector<Slot> m_slots;
    std::vector<int> m_lower, m_upper;
    int m_resolutionGene = -1;
    int m_firstExit = 0;
};

} // namespace edanas::search
