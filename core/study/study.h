#pragma once

#include "study/studyerror.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edanas::study {

/// The study file layout this build writes and the only one it reads.
/// Version 2: candidates store the int8 microcontroller SRAM and flash of
/// export/mcumemory.h (version 1 stored an older peak-activation figure and is refused).
inline constexpr int kSchemaVersion = 2;

/// What a search was started with; written once when the study is created.
struct StudyInfo
{
    std::string configJson; ///< the search configuration (opaque JSON text to the store)
    std::string datasetPath, datasetHash, checkpointPath, checkpointHash, spaceName, encoding, appVersion;
    std::uint64_t seed = 0;
    std::string created; ///< ISO 8601 UTC; filled by create() when empty
};

/// One evaluated candidate, as the search saw it.
struct CandidateRecord
{
    std::int64_t id = 0; ///< assigned by addCandidate() when 0; ids grow in commit order
    int generation = 0;
    std::string genomeJson;       ///< readable genome (opaque JSON text)
    std::uint64_t genomeHash = 0; ///< unique within a study
    std::vector<int> genes;       ///< the optimizer's integer encoding
    std::vector<double> objectives; ///< minimised values in the study's objective order
    double violation = 0.0; ///< this and the scalar figures below must not be NaN
    double accuracy = 0.0, macsTrue = 0.0, macsPaper = 0.0, staticMacs = 0.0, params = 0.0;
    /// int8 on a microcontroller, bytes (export/mcumemory.h): the SRAM tensor arena and the flash
    double sramBytes = 0.0, flashBytes = 0.0;
    std::string figuresJson; ///< per-exit shares, accuracies etc. (opaque JSON)
    std::string origin;      ///< "random", "offspring", "injected", "variant", "baseline"
    double evalSeconds = 0.0;
    bool pinned = false, banned = false;
    std::string note;
};

/// The end of one generation: its hypervolume, its front and its population.
struct GenerationRecord
{
    int generation = 0;
    double hypervolume = 0.0;
    std::vector<std::int64_t> front;      ///< candidate ids on the front, in the caller's order
    std::vector<std::int64_t> population; ///< candidate ids that survive into the next generation
    std::string statsJson;
    std::string time; ///< ISO 8601 UTC; filled by addGeneration() when empty
};

/// A steering event (pause, injection, re-weighting, ...) or a note, in time order.
struct EventRecord
{
    std::int64_t id = 0;
    std::string time; ///< ISO 8601 UTC
    int generation = 0;
    std::string type;
    std::string json;
};

/// Everything about one search in one SQLite file, written as the search goes so that
/// a search killed at any moment resumes from it with nothing evaluated lost, and read
/// by the Studio while a headless search writes it.
///
/// Durability: every write method is one transaction (WAL journal, synchronous=FULL:
/// each commit is on disk when the call returns, so neither a killed process nor a
/// power cut loses an evaluated candidate). Readers and writers in different processes
/// or threads coexist: each waits up to 5 s for a lock before giving up.
///
/// Thread affinity: a Study owns one database connection, opened in the thread that
/// created it, and must only be used from that thread. A reader in another thread
/// opens its own Study on the same file. Needs a QCoreApplication (the SQLite driver
/// is a Qt plugin). A moved-from Study may only be destroyed or assigned to.
///
/// Every failure throws StudyError naming the file; a failed write leaves the study as
/// it was before the call.
class Study
{
public:
    /// Creates a new study file with `info`. Refuses when anything exists at `path`.
    static Study create(const std::string &path, const StudyInfo &info);
    /// Opens an existing study. Refuses a missing file, a file that is not SQLite, an
    /// SQLite database that is not a study and a study of another schema version,
    /// without changing a byte of such a file. A read-only Study refuses every write.
    static Study open(const std::string &path, bool readOnly = false);

    ~Study();
    Study(Study &&) noexcept;
    Study &operator=(Study &&) noexcept;
    Study(const Study &) = delete;
    Study &operator=(const Study &) = delete;

    const std::string &path() const;
    bool isReadOnly() const;
    StudyInfo info() const;

    /// Stores `c` (its id when non-zero, else the next one) and returns its id. Refuses
    /// a genome hash the study already holds.
    std::int64_t addCandidate(CandidateRecord c);
    void updateCandidateFlags(std::int64_t id, bool pinned, bool banned, const std::string &note);
    /// Candidates with id > `afterId`, in id order: a reader polls with the last id it saw.
    std::vector<CandidateRecord> candidates(std::int64_t afterId = 0) const;
    std::optional<CandidateRecord> candidateByHash(std::uint64_t hash) const;

    /// Stores a generation and its front membership. Refuses a generation number the
    /// study already holds and ids of candidates it does not hold.
    void addGeneration(const GenerationRecord &g);
    /// All generations in order, with their fronts as given to addGeneration().
    std::vector<GenerationRecord> generations() const;

    /// Appends an event stamped with the current time; returns its id.
    std::int64_t addEvent(int generation, const std::string &type, const std::string &json);
    std::vector<EventRecord> events() const;

    /// Stores an exit profile (opaque bytes) for a backbone at a resolution, replacing
    /// one stored before.
    void putProfile(std::uint64_t backboneHash, int resolution, const std::string &bytes);
    std::optional<std::string> profile(std::uint64_t backboneHash, int resolution) const;

    /// Small key/value state for resuming (e.g. the optimizer's state); bytes are kept exactly.
    void setState(const std::string &key, const std::string &value);
    std::optional<std::string> state(const std::string &key) const;

private:
    class Impl;
    explicit Study(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace edanas::study
