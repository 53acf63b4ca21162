#include "searchtypes.h"

#include "search/measure.h"
#include "study/records.h"
#include "study/study.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edanas::ui {

StudyContents readStudy(const QString &path, const StudyCursor &after)
{
    const std::string file = path.toStdString();
    const study::Study s = study::Study::open(file, /*readOnly=*/true);
    const study::StudyInfo info = s.info();
    StudyContents out;
    out.path = path;
    out.config = search::SearchConfig::fromJson(info.configJson, file);
    out.spaceName = QString::fromStdString(info.spaceName);
    out.datasetPath = QString::fromStdString(info.datasetPath);
    out.checkpointPath = QString::fromStdString(info.checkpointPath);

    // constraints changed while it ran (a drag on the plot): the last ones hold
    if (const auto c = study::lastConstraints(s)) {
        out.config.maxMacs = c->maxMacs;
        out.config.minAccuracy = c->minAccuracy;
    }

    const auto records = s.candidates(after.lastCandidate);
    out.candidates.reserve(records.size());
    out.flags.reserve(records.size());
    for (const study::CandidateRecord &r : records) {
        out.candidates.push_back(search::snapshotFromRecord(r, file + ": candidate " + std::to_string(r.id)));
        out.flags.push_back({r.pinned, r.banned, false, QString::fromStdString(r.note)});
    }
    for (const std::int64_t id : study::readFineTuneLater(s)) {
        const auto it = std::find_if(out.candidates.begin(), out.candidates.end(),
                                     [id](const auto &c) { return c.id == id; });
        if (it != out.candidates.end())
            out.flags[std::size_t(it - out.candidates.begin())].fineTune = true;
    }

    for (const study::GenerationRecord &g : s.generations()) {
        if (g.generation <= after.lastGeneration)
            continue;
        search::GenerationSnapshot snap;
        snap.generation = g.generation;
        snap.hypervolume = g.hypervolume;
        snap.front = g.front;
        const auto stats = study::GenerationStats::fromJson(g.statsJson, file + ": generation "
                                                                              + std::to_string(g.generation));
        snap.evaluated = stats.evaluated;
        snap.candidatesPerMinute = stats.candidatesPerMinute;
        out.generations.push_back(std::move(snap));
    }
    if (const auto status = s.state(study::kCoordinatorState))
        out.coordinatorStatus = QString::fromStdString(study::CoordinatorStatus::fromJson(*status, file).status);
    return out;
}

StudyCursor cursorAfter(const StudyContents &contents, StudyCursor cursor)
{
    for (const auto &c : contents.candidates)
        cursor.lastCandidate = std::max(cursor.lastCandidate, c.id);
    for (const auto &g : contents.generations)
        cursor.lastGeneration = std::max(cursor.lastGeneration, g.generation);
    return cursor;
}

std::vector<const search::CandidateSnapshot *> lastFront(const StudyContents &contents)
{
    std::vector<const search::CandidateSnapshot *> out;
    if (contents.generations.empty())
        return out;
    const auto &ids = contents.generations.back().front;
    for (const auto &c : contents.candidates)
        if (std::find(ids.begin(), ids.end(), c.id) != ids.end())
            out.push_back(&c);
    return out;
}

void registerSearchMetaTypes()
{
    qRegisterMetaType<search::CandidateSnapshot>();
    qRegisterMetaType<search::GenerationSnapshot>();
    qRegisterMetaType<search::SearchConfig>();
    qRegisterMetaType<StudyContents>();
}

QString formatMacs(double macs)
{
    if (!std::isfinite(macs))
        return QStringLiteral("none");
    return QStringLiteral("%1 M").arg(macs / 1e6, 0, 'f', macs < 1e7 ? 3 : 2);
}

QString formatDuration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return QStringLiteral("?");
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0'));
    if (s >= 60)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 s").arg(s);
}

} // namespace edanas::ui
