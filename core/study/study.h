#pragma once

#include "study/studyerror.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edanas::study {

/// The study file layout this build writes and the only one it reads. Version 2: the
/// task table of distributed evaluation, and candidates store the int8 microcontroller
/// SRAM and flash of export/mcumemory.h (version 1 stored an older peak-activation
/// figure and is refused).
inline constexpr int kSchemaVersion = 2;

/// True when `location` names a study on a PostgreSQL server rather than an SQLite file:
/// `postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME?study=NAME[&libpq parameters]`
/// (also `postgres://`). `host=` may name a Unix socket folder; without a password in
/// the URL, libpq's conventions apply (PGPASSWORD, ~/.pgpass).
bool isServerLocation(const std::string &location);
/// `location` without its password, if any: what is shown in messages and titles.
/// Malformed URLs are returned with everything between "://" and "@" removed.
std::string redactedLocation(const std::string &location);

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

/// An exit profile to store (eenn::serializeProfile()), keyed by its backbone.
struct ProfileBlob
{
    std::uint64_t backboneHash = 0;
    int resolution = 0;
    std::string bytes;
};

/// A candidate to evaluate, put in the study by a coordinator and claimed by a worker.
struct TaskRecord
{
    std::int64_t id = 0;
    int generation = 0;
    std::string genomeJson;  ///< the genome the optimizer asked for (opaque JSON text)
    std::vector<int> genes;  ///< the optimizer's integer encoding of it
    std::string origin;
    enum class State { Pending, Claimed, Done };
    State state = State::Pending;
    std::string worker;           ///< who holds or held the claim ("" while pending)
    int claims = 0;               ///< how often it was claimed (more than 1: a lease ran out)
    std::int64_t candidateId = 0; ///< the stored candidate once done
};

/// Everything about one search in one SQLite file or one PostgreSQL schema (see
/// isServerLocation()), through the same code and records, written as the search goes so that
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
/// On PostgreSQL a study is the schema `edanas_NAME` of the database; writes that give
/// out ids lock their table, so that ids grow in commit order there too, and every
/// write waits up to 5 s for a lock. The password is never stored: path() and every
/// message carry the redacted URL.
///
/// Every failure throws StudyError naming the file (or redacted URL); a failed write
/// leaves the study as it was before the call.
class Study
{
public:
    /// Creates a new study file with `info`. Refuses when anything exists at `path`.
    static Study create(const std::string &path, const StudyInfo &info);
    /// Opens an existing study. Refuses a missing file, a file that is not SQLite, an
    /// SQLite database that is not a study and a study of another schema version,
    /// without changing a byte of such a file. A read-only Study refuses every write.
    static Study open(const std::string &path, bool readOnly = false);
    /// Creates a new study at `to` (a file or a URL) holding everything `from` holds
    /// (header, candidates with their ids, generations, events with their times,
    /// profiles, state), in one transaction: on failure nothing is left at `to`.
    static Study copy(const Study &from, const std::string &to);

    ~Study();
    Study(Study &&) noexcept;
    Study &operator=(Study &&) noexcept;
    Study(const Study &) = delete;
    Study &operator=(const Study &) = delete;

    /// The file, or the URL without its password.
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
    std::optional<CandidateRecord> candidate(std::int64_t id) const;

    /// Stores a generation and its front membership. Refuses a generation number the
    /// study already holds and ids of candidates it does not hold.
    void addGeneration(const GenerationRecord &g);
    /// All generations in order, with their fronts as given to addGeneration().
    std::vector<GenerationRecord> generations() const;

    /// Appends an event stamped with the current time; returns its id.
    std::int64_t addEvent(int generation, const std::string &type, const std::string &json);
    /// Events in id order; with `afterId`, only those added after it.
    std::vector<EventRecord> events(std::int64_t afterId = 0) const;

    /// Stores an exit profile (opaque bytes) for a backbone at a resolution, replacing
    /// one stored before.
    void putProfile(std::uint64_t backboneHash, int resolution, const std::string &bytes);
    std::optional<std::string> profile(std::uint64_t backboneHash, int resolution) const;

    /// Distributed evaluation. A coordinator adds tasks; workers (any process, any
    /// machine) claim them with a lease of `leaseSeconds`, renew it while evaluating (a
    /// heartbeat), and complete them. A claim whose lease ran out (its worker died) can
    /// be claimed again; on PostgreSQL claims skip rows other workers hold locked (FOR
    /// UPDATE SKIP LOCKED), on SQLite the write lock serialises them. Lease times are
    /// the database's clock, so workers' clocks need not agree.
    ///
    /// Adds a pending task and returns its id.
    std::int64_t addTask(int generation, const std::string &genomeJson, const std::vector<int> &genes,
                         const std::string &origin);
    /// Claims the oldest pending task, or a claimed one whose lease ran out, for
    /// `worker` (a name unique to the claiming process); nothing when there is none.
    std::optional<TaskRecord> claimTask(const std::string &worker, double leaseSeconds);
    /// The heartbeat: extends `worker`'s lease on task `id`. False when the claim was
    /// lost (it ran out and another worker claimed the task, or the task is done).
    bool renewLease(std::int64_t id, const std::string &worker, double leaseSeconds);
    /// Stores the evaluated candidate `c` and marks task `id` done, in one transaction,
    /// and returns the candidate's id. When the study already holds `c`'s genome (tuned
    /// exits can lead to a known candidate), the task is done with that candidate and
    /// nothing is added. Returns nothing, and stores nothing, when `worker` no longer
    /// holds the claim: whoever claimed the task again completes it, so no candidate is
    /// counted twice.
    /// With `profile`, the backbone's exit profile is stored in the same transaction.
    std::optional<std::int64_t> completeTask(std::int64_t id, const std::string &worker, CandidateRecord c,
                                             const ProfileBlob *profile = nullptr);
    /// Tasks of `generation` (all when < 0), in id order.
    std::vector<TaskRecord> tasks(int generation = -1) const;

    /// Small key/value state for resuming (e.g. the optimizer's state); bytes are kept exactly.
    void setState(const std::string &key, const std::string &value);
    std::optional<std::string> state(const std::string &key) const;

private:
    class Impl;
    template <class Fill>
    static std::unique_ptr<Impl> createImpl(const std::string &location, const StudyInfo &info, Fill fill);
    explicit Study(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace edanas::study
