#pragma once
// Measuring one candidate, the same in a search's own process and in a worker that
// evaluates a study's tasks: its exit profile on the supernet, its exits tuned as the
// encoding asks, every figure the study records, and the record itself.

#include "engine.h"
#include "pareto.h"

#include "study/records.h"
#include "study/study.h"

#include <memory>
#include <string>
#include <vector>

// no Qt header here: this header is included before LibTorch's

namespace edanas::search {

/// A coordinator publishes its status ("running", "finished", "stopped") and the current
/// constraints in the study state study::kCoordinatorState (study::CoordinatorStatus);
/// workers read it.

/// Steering a search that runs in another process (a headless `edanas search`, a
/// distributed search's coordinator): a request is an event of type
/// kSteeringRequest + one of "pause", "resume", "stop", "constraints" ({"max_macs"
/// (null: none), "min_accuracy"}), "pin", "ban", "unpin", "unban", "inject" (the genome's
/// JSON; "unpin" and "unban" take back a pin or a ban, the Studio's undo). The running
/// search reads new requests about twice a second, applies them as if called in its own
/// process, and records the id of the last one it applied in the state kSteeringApplied.
inline constexpr const char *kSteeringRequest = "request.";
inline constexpr const char *kSteeringApplied = "steering_applied";

/// A name for a claiming process, unique among a study's workers: "ROLE@HOST:PID".
std::string workerIdentity(const std::string &role);

/// One measured candidate: the snapshot the engine keeps, the record the study stores,
/// the optimizer's genes of the (tuned) genome, and the backbone's exit profile.
struct Measurement
{
    CandidateSnapshot snapshot;
    study::CandidateRecord record;
    IntGenome genes;
    std::shared_ptr<const eenn::ExitProfile> profile;
};

/// The limits `c` sets on a candidate (search/pareto.h).
Limits limitsOf(const SearchConfig &c);
/// 0 when every constraint of `c` holds; else the sum of the relative shortfalls (limitsOf).
double constraintViolation(const CandidateSnapshot &s, const SearchConfig &c);
/// The minimised objectives: error, average MACs, then parameters and the
/// microcontroller SRAM arena when `c` asks for them.
std::vector<double> searchObjectives(const CandidateSnapshot &s, const SearchConfig &c);

/// Measures genome `g` (its exits improved or tuned as `encoding` does when `tune`);
/// `asked` is the optimizer's vector for it. The record's id is 0 (the study assigns it).
Measurement measureCandidate(eenn::ProfileEvaluator &evaluator, const Encoding &encoding, const SearchConfig &config,
                             space::Genome g, const IntGenome &asked, const std::string &origin, bool tune,
                             int generation);

/// The engine's snapshot of a stored candidate; `source` names the study in errors.
CandidateSnapshot snapshotFromRecord(const study::CandidateRecord &r, const std::string &source);

} // namespace edanas::search
