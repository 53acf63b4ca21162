#pragma once
// The study's typed records beyond the columns of its tables: a candidate's figures, the
// statistics of a generation, search constraints, the front measured again at the end,
// and the "fine-tune later" marks. This file and records.cpp are the only code that
// knows their JSON keys; everything else reads and writes the records. No Qt header
// here: it is included before LibTorch's.

#include "study/study.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace edanas::study {

/// What a candidate's measurement found beyond the record's scalar columns
/// (CandidateRecord::figuresJson).
struct CandidateFigures
{
    std::vector<double> share;        ///< inputs leaving at each exit, the head last
    std::vector<double> exitAccuracy; ///< accuracy of the inputs each exit takes
    double staticAccuracy = 0.0;      ///< the backbone with its final head alone (0: not measured)
    std::string rule;                 ///< the exit rule's name
    double recalibrationSeconds = 0.0, forwardSeconds = 0.0;
    bool cachedProfile = false; ///< the exit profile came from the study's cache

    std::string toJson() const;
    /// Missing keys (or an empty text) keep their defaults (older studies); text that is
    /// not a JSON object throws StudyError naming `source`.
    static CandidateFigures fromJson(const std::string &json, const std::string &source);
};

/// A generation's statistics (GenerationRecord::statsJson).
struct GenerationStats
{
    std::int64_t evaluated = 0;       ///< candidates measured so far in the search
    double candidatesPerMinute = 0.0; ///< over the search so far
    double recalibrationSeconds = 0.0, forwardSeconds = 0.0, otherSeconds = 0.0; ///< where the time went
    double referenceMacs = 0.0; ///< the MACs the hypervolume's cost axis is divided by

    std::string toJson() const;
    /// Missing keys keep their defaults; text that is not a JSON object throws StudyError.
    static GenerationStats fromJson(const std::string &json, const std::string &source);
};

/// The constraints of a search as a steering request, a "constraints" event and the
/// coordinator's state carry them: a ceiling on average MACs (infinity: none, stored as
/// null) and a floor on accuracy (0..1).
struct Constraints
{
    double maxMacs = std::numeric_limits<double>::infinity();
    double minAccuracy = 0.0;

    std::string toJson() const;
    /// Throws StudyError naming `source` when the text is not a JSON object, "max_macs" is
    /// neither null nor a positive number, or "min_accuracy" is missing or outside 0..1.
    static Constraints fromJson(const std::string &json, const std::string &source);
};

/// The event type a search records when its constraints change while it runs.
inline constexpr const char *kConstraintsEvent = "constraints";
/// The constraints the study's search last took while it ran (its last constraints
/// event), if it ever changed them.
std::optional<Constraints> lastConstraints(const Study &s);

/// What a distributed search's coordinator publishes for its workers.
struct CoordinatorStatus
{
    std::string status; ///< "running", "finished" or "stopped"
    Constraints constraints;
    double leaseSeconds = 60.0; ///< a claimed task not finished in this time goes to another worker

    std::string toJson() const;
    static CoordinatorStatus fromJson(const std::string &json, const std::string &source);
};

/// The state key of the coordinator's status.
inline constexpr const char *kCoordinatorState = "coordinator";

/// One candidate of the front, measured again at the end of a search on more images.
struct FinalFrontRow
{
    std::int64_t id = 0;
    std::int64_t images = 0; ///< validation images behind the figures
    double accuracy = 0.0, macsTrue = 0.0, macsPaper = 0.0;
    std::vector<double> share, exitAccuracy;
};

/// The state key of the final front.
inline constexpr const char *kFinalFrontState = "final_front";
std::string finalFrontJson(const std::vector<FinalFrontRow> &rows);
/// Throws StudyError naming `source` when the text is not an array of objects with an
/// id, a positive number of images, an accuracy in 0..1 and positive MACs.
std::vector<FinalFrontRow> finalFrontFromJson(const std::string &json, const std::string &source);
/// The study's final front, when its search measured one.
std::optional<std::vector<FinalFrontRow>> readFinalFront(const Study &s);
void writeFinalFront(Study &s, const std::vector<FinalFrontRow> &rows);

/// The state key of the candidates marked "fine-tune later" in the Studio.
inline constexpr const char *kFineTuneLaterState = "finetune_later";
/// The marked candidates' ids, in the order they were marked (none when never set).
std::vector<std::int64_t> readFineTuneLater(const Study &s);
/// Marks or unmarks candidate `id`, keeping the others.
void setFineTuneLater(Study &s, std::int64_t id, bool marked);

} // namespace edanas::study
