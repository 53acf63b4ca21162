#pragma once

#include "encoding.h"

#include "data/dataset.h"
#include "eenn/profile.h"
#include "study/records.h"

#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edanas::eenn {
class ProfileEvaluator;
struct EvaluatorOptions;
}

namespace edanas::search {

/// Everything a search is started with; stored in the study as JSON.
struct SearchConfig
{
    EncodingKind encoding = EncodingKind::Studio;
    int population = 50;
    int generations = 30;
    std::uint64_t seed = 1;
    bool trueCost = true; ///< average MACs counting every exit passed through; else the paper's
    double maxMacs = std::numeric_limits<double>::infinity();
    double minAccuracy = 0.0;
    bool objectiveParams = false;      ///< also minimise parameters
    /// Also minimise the SRAM a microcontroller needs: the int8 tensor arena of the
    /// candidate's early-exit network, deploy::mcuMemory().arena (export/mcumemory.h), bytes.
    bool objectiveSram = false;
    double maxParams = std::numeric_limits<double>::infinity();
    double maxSramBytes = std::numeric_limits<double>::infinity(); ///< ceiling on that arena, bytes
    int stallGenerations = 10; ///< stop after this many generations without a better hypervolume; 0: never
    std::int64_t validationImages = 2000;   ///< profiled per candidate (0: the whole validation split)
    std::int64_t recalibrationImages = 500;
    /// The final front is measured again on this many validation images (0: the whole
    /// validation split; -1: not at all).
    std::int64_t finalValidationImages = 0;
    double validationShare = 0.1;
    Crossover crossover = Crossover::TwoPoint;
    Mutation mutation = Mutation::Polynomial;
    double crossoverProbability = 0.9;
    double mutationRate = -1.0; ///< per gene; < 0: 1 / genes
    int exitSearchBudget = 300; ///< studio: profile evaluations for each candidate's exit local search

    /// How the search's evaluator measures candidates (validation and recalibration
    /// images, split); with `validationImages` the final front's (see finalValidationImages).
    eenn::EvaluatorOptions evaluatorOptions() const;
    eenn::EvaluatorOptions evaluatorOptions(std::int64_t validationImages) const;

    std::string toJson() const;
    /// Throws std::invalid_argument naming `source` for malformed JSON or out-of-range values.
    static SearchConfig fromJson(const std::string &json, const std::string &source);
};

/// One evaluated candidate, as the engine reports it (immutable value).
struct CandidateSnapshot
{
    std::int64_t id = 0;
    int generation = 0;
    space::Genome genome;
    std::string origin;
    double accuracy = 0.0, macsTrue = 0.0, macsPaper = 0.0;
    double staticMacs = 0.0, params = 0.0;
    /// int8 on a microcontroller (export/mcumemory.h), bytes: the SRAM tensor arena of
    /// the network with its exits, and its flash (weights, biases, scales)
    double sramBytes = 0.0, flashBytes = 0.0;
    double staticAccuracy = 0.0; ///< the same backbone without exits (its final head alone)
    std::vector<double> share, exitAccuracy; ///< per exit, then the final head
    double violation = 0.0;
    double seconds = 0.0, recalibrationSeconds = 0.0, forwardSeconds = 0.0;
    bool cachedProfile = false;
};

/// The end of a generation (immutable value).
struct GenerationSnapshot
{
    int generation = 0;
    double hypervolume = 0.0;
    std::vector<std::int64_t> front; ///< ids of the feasible non-dominated candidates
    double bestAccuracy = 0.0;       ///< on the front
    double fewestMacs = 0.0;         ///< on the front
    std::int64_t evaluated = 0;      ///< candidates in the archive
    double candidatesPerMinute = 0.0;
    double secondsLeft = 0.0;        ///< to the last generation at the current rate
    double recalibrationSeconds = 0.0, forwardSeconds = 0.0, otherSeconds = 0.0; ///< totals so far
};

/// A front candidate measured again at the end on the final validation images: the
/// study's final-front row (study/records.h), as the engine reports it.
using FinalFigures = study::FinalFrontRow;

/// Receives the engine's reports, on the engine's thread.
class SearchObserver
{
public:
    virtual ~SearchObserver() = default;
    virtual void candidateEvaluated(const CandidateSnapshot &) {}
    virtual void generationDone(const GenerationSnapshot &) {}
    virtual void finalFront(const std::vector<FinalFigures> &) {}
    virtual void message(const std::string &) {}
};

/// The EENN search: NSGA-II over the chosen encoding, candidates measured on the
/// supernet through their exit profiles, everything written to a study as it goes.
/// run() blocks in the calling thread; the steering methods may be called from any
/// other thread and take effect between two candidates, each recorded as an event.
class SearchEngine
{
public:
    enum class Result { Finished, Stalled, Stopped };

    /// Creates the study at `studyPath`, or with `resume` continues the search it holds
    /// (refusing one made for another data set, supernet or encoding).
    SearchEngine(std::shared_ptr<eenn::ProfileEvaluator> evaluator, std::string checkpointPath,
                 std::string checkpointHash, std::string datasetHash, SearchConfig config, std::string studyPath,
                 bool resume);
    ~SearchEngine();

    /// Everything from files: loads the data set and the supernet checkpoint (checking
    /// they belong together), then constructs the engine. For callers that must not
    /// see LibTorch (the Studio). Throws with a message naming the file at fault.
    struct Launch
    {
        data::DatasetRef dataset;
        std::shared_ptr<const data::Dataset> loaded; ///< used instead of loading `dataset` when set
        std::string checkpointPath;
        SearchConfig config;
        std::string studyPath;
        bool resume = false;
    };
    static std::unique_ptr<SearchEngine> open(const Launch &launch);
    /// Hash of a file's bytes, as studies record checkpoints.
    static std::string fileHash(const std::string &path);
    /// The exit profile of an evaluated candidate's backbone from the engine's cache, or
    /// null. Thread-safe: the Studio re-evaluates edited exits from it while the search runs.
    std::shared_ptr<const eenn::ExitProfile> cachedProfile(const space::Genome &genome) const;
    /// Validation images each candidate is profiled on.
    std::int64_t validationImages() const;

    Result run(SearchObserver &observer);

    // Steering, thread-safe.
    void pause();
    void resume();
    void stop();
    bool isPaused() const { return m_paused.load(); }
    /// New constraints; the archive is re-ranked at once.
    void setConstraints(double maxMacs, double minAccuracy);
    void pin(const space::Genome &g);
    void ban(const space::Genome &g);
    /// Take back a pin or a ban (Nsga2::unpin, Nsga2::unban, recorded as "unpin" and
    /// "unban" events). A genome the ban dropped from the population is not restored.
    void unpin(const space::Genome &g);
    void unban(const space::Genome &g);
    void inject(const space::Genome &g);
    /// Adds a variant (a candidate with edited exits) to the archive as it is, without
    /// giving it to the optimizer; it is measured between two candidates.
    void keep(const space::Genome &g);
    void freeze(int gene, int value);
    void unfreeze(int gene);

    /// Distributed evaluation (the coordinator): each generation's new candidates become
    /// tasks in the study, which workers (search/worker.h, `edanas worker`) on any machine
    /// claim and measure; this process measures some too when `evaluateHere`. A generation
    /// ends when every one of its tasks has its candidate. Call before run(). (Every
    /// search publishes its status and current constraints in the study,
    /// kCoordinatorState, and takes steering requests from it: search/measure.h.)
    void distribute(bool evaluateHere, double leaseSeconds = 60.0);

    const SearchConfig &config() const { return m_config; }
    const Encoding &encoding() const { return m_encoding; }
    /// Reference point of the hypervolume: error 1 and this many average MACs.
    double referenceMacs() const { return m_referenceMacs; }

private:
    void measureFinalFront(SearchObserver &observer);
    void publishCoordinator(std::string status);
    /// Applies one steering request from the study (search/measure.h) as the steering
    /// methods would; throws std::invalid_argument naming `source` when it is malformed.
    void applyRequest(const std::string &what, const std::string &json, const std::string &source,
                      const space::SearchSpace &space);

    struct Private;
    std::unique_ptr<Private> d;
    SearchConfig m_config;
    Encoding m_encoding;
    double m_referenceMacs = 0.0;
    std::atomic<bool> m_paused{false}, m_stop{false};
    bool m_distributed = false, m_evaluateHere = true;
    double m_leaseSeconds = 60.0;
    std::string m_status; ///< last published coordinator status ("" before run())
};

} // namespace edanas::search
