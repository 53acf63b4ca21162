#pragma once
// The search engine's private state (SearchEngine's `d`), shared by the files that
// implement it: engine.cpp (the loop), enginesetup.cpp, archive.cpp, steering.cpp.
// Internal to core/search.

#include "engine.h"
#include "measure.h"
#include "nsga2.h"

#include "study/study.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

// no Qt header here: this header is included before LibTorch's
class QJsonObject;

namespace edanas::search {

/// `o` as compact JSON text, as events carry it.
std::string jsonText(const QJsonObject &o);

struct SearchEngine::Private
{
    std::shared_ptr<const data::Dataset> dataset; ///< kept alive for the evaluator when open() loaded it
    std::shared_ptr<eenn::ProfileEvaluator> evaluator;
    study::Study study;
    std::unique_ptr<Nsga2> nsga;

    std::vector<CandidateSnapshot> archive;
    std::vector<IntGenome> genes; ///< per archive entry
    std::map<IntGenome, std::size_t> byGenes;
    std::map<std::uint64_t, std::size_t> byHash;
    std::map<std::int64_t, std::size_t> byId;
    std::set<IntGenome> injected;
    std::deque<space::Genome> kept; ///< variants to add to the archive (engine thread only)

    std::mutex mutex; ///< guards `commands`
    std::vector<std::function<void()>> commands;

    int generation = 0;
    double bestHypervolume = -1.0;
    int stall = 0;
    double recalSeconds = 0, forwardSeconds = 0, otherSeconds = 0;

    explicit Private(study::Study s)
        : study(std::move(s))
    {
    }

    double violation(const CandidateSnapshot &s, const SearchConfig &c) const { return constraintViolation(s, c); }
    std::vector<double> objectives(const CandidateSnapshot &s, const SearchConfig &c) const
    {
        return searchObjectives(s, c);
    }

    // The archive (archive.cpp).

    /// Puts a stored candidate into the archive; `asked` (when given) is the optimizer's
    /// vector that led to it, before its exits were tuned.
    std::size_t adopt(CandidateSnapshot s, const IntGenome &genes, const IntGenome *asked = nullptr);
    /// On resume: everything the study holds comes back into the archive, and the
    /// optimizer's population is the last recorded one plus whatever was evaluated after
    /// it, ranked under `config`. Records a "resume" event.
    void restore(const SearchConfig &config);
    /// The end of the current generation as the archive has it: the feasible front
    /// (ids, best accuracy, fewest MACs) and its hypervolume over (error, MACs /
    /// `referenceMacs`); the other fields are left as they are.
    GenerationSnapshot front(const SearchConfig &config, double referenceMacs) const;
    /// Stores the front's exit profiles in the study (those it does not hold yet), so
    /// that the Studio can re-evaluate their exits offline.
    void storeFrontProfiles(const std::vector<std::int64_t> &front);

    /// Queues a steering command on one genome (steering.cpp): `apply` (Nsga2::pin,
    /// ban, unpin, unban) to its vector between two candidates, then the `event` with
    /// the genome's JSON into the study.
    void queueGenomeCommand(IntGenome x, const char *event, std::string json, void (Nsga2::*apply)(const IntGenome &));

    /// One run() of the engine (engine.cpp). A member, so that it reaches the engine's
    /// private members as the steering commands do.
    class Run;
};

} // namespace edanas::search
