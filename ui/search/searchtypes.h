#pragma once
// The value types that cross from the search thread to the GUI thread, declared as
// metatypes so that queued signals can carry them, and what a study file holds as the
// Studio shows it.

#include "search/engine.h"

#include <QMetaType>
#include <QString>

#include <vector>

namespace edanas::ui {

/// What the user added to a candidate (kept in the study's candidate row).
struct CandidateFlags
{
    bool pinned = false;
    bool banned = false;
    bool fineTune = false; ///< marked "fine-tune later" (study/records.h: readFineTuneLater)
    QString note;
};

/// A study read from its file: its configuration, every candidate with the user's
/// flags, every generation. Built on a worker thread, then moved to the GUI thread.
struct StudyContents
{
    QString path;
    search::SearchConfig config;
    QString spaceName, datasetPath, checkpointPath;
    std::vector<search::CandidateSnapshot> candidates;
    std::vector<CandidateFlags> flags; ///< parallel to `candidates`
    std::vector<search::GenerationSnapshot> generations;
    /// A distributed search's coordinator, as it last said: "running", "finished",
    /// "stopped"; empty for a study searched in one process.
    QString coordinatorStatus;
};

/// How far a reader of a study that another process is writing has read.
struct StudyCursor
{
    std::int64_t lastCandidate = 0; ///< candidates with larger ids are new
    int lastGeneration = -1;        ///< generations after this one are new
};

/// Reads a study (opening it read-only); its configuration carries the constraints the
/// search last ran with. Throws std::exception with a message naming
/// the file. Needs a QCoreApplication; may run on any thread (the connection it opens
/// is closed before it returns).
/// With `after`, only what was added since (candidates with larger ids, later
/// generations; their flags as stored).
StudyContents readStudy(const QString &path, const StudyCursor &after = {});
/// `cursor` moved past everything `contents` holds.
StudyCursor cursorAfter(const StudyContents &contents, StudyCursor cursor = {});

/// The candidates on the last generation's front (empty before the first generation),
/// in the study's order.
std::vector<const search::CandidateSnapshot *> lastFront(const StudyContents &contents);

/// Registers the metatypes above; called once by whoever starts a search.
void registerSearchMetaTypes();

/// "1.23 M" style figures used in tables, tooltips and logs.
QString formatMacs(double macs);
QString formatDuration(double seconds);

} // namespace edanas::ui

Q_DECLARE_METATYPE(edanas::search::CandidateSnapshot)
Q_DECLARE_METATYPE(edanas::search::GenerationSnapshot)
Q_DECLARE_METATYPE(edanas::search::SearchConfig)
Q_DECLARE_METATYPE(edanas::ui::StudyContents)
Q_DECLARE_METATYPE(edanas::ui::CandidateFlags)
