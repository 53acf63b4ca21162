#include "studyfigures.h"

#include "ui/architecture/architectureview.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/exits/varianteditor.h"
#include "ui/pareto/paretoview.h"

#include "search/measure.h"

#include "eenn/profilestore.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"

#include <qcustomplot.h>

#include <stdexcept>

namespace edanas::ui {

QString figureKindName(FigureKind kind)
{
    switch (kind) {
    case FigureKind::Front:
        return QStringLiteral("front");
    case FigureKind::Hypervolume:
        return QStringLiteral("hypervolume");
    case FigureKind::ExitCurves:
        return QStringLiteral("exits");
    case FigureKind::Architecture:
        return QStringLiteral("architecture");
    }
    return {};
}

std::optional<FigureKind> figureKindFromName(const QString &name)
{
    for (FigureKind k : figureKinds())
        if (figureKindName(k) == name)
            return k;
    return std::nullopt;
}

std::vector<FigureKind> figureKinds()
{
    return {FigureKind::Front, FigureKind::Hypervolume, FigureKind::ExitCurves, FigureKind::Architecture};
}

FigureSize defaultFigureSize(FigureKind kind)
{
    switch (kind) {
    case FigureKind::Front:
        return {QSize(1600, 1000), 150};
    case FigureKind::Hypervolume:
        return {QSize(1600, 600), 150};
    case FigureKind::ExitCurves:
        return {QSize(1800, 1100), 150};
    case FigureKind::Architecture:
        return {QSize(2000, 520), 150};
    }
    return {};
}

bool figureNeedsCandidate(FigureKind kind)
{
    return kind == FigureKind::ExitCurves || kind == FigureKind::Architecture;
}

Figure figureOf(FigureKind kind, ParetoView *pareto, ExitCurvesView *curves, ArchitectureView *architecture)
{
    Figure f;
    switch (kind) {
    case FigureKind::Front:
        f.add(pareto->plot());
        break;
    case FigureKind::Hypervolume:
        f.add(pareto->hypervolumePlot());
        break;
    case FigureKind::ExitCurves:
        f.add(curves->tradeoffPlot(), QRectF(0, 0, 0.5, 1));
        f.add(curves->thresholdPlot(), QRectF(0.5, 0, 0.5, 0.5));
        f.add(curves->sharesPlot(), QRectF(0.5, 0.5, 0.5, 0.5));
        break;
    case FigureKind::Architecture:
        f.add(architecture);
        break;
    }
    return f;
}

space::SearchSpace studySpace(const StudyContents &contents)
{
    try {
        const auto info = supernet::readCheckpointInfo(contents.checkpointPath.toStdString());
        return space::SearchSpace::fromJson(info.spaceJson, contents.checkpointPath.toStdString());
    } catch (const std::exception &) {
        // the checkpoint moved away: the preset the study names draws the same blocks
        return space::SearchSpace::load(contents.spaceName.toStdString());
    }
}

std::vector<qint64> profiledFront(const StudyContents &contents)
{
    auto front = lastFront(contents);
    std::sort(front.begin(), front.end(), [](auto *a, auto *b) { return a->accuracy > b->accuracy; });
    const auto s = study::Study::open(contents.path.toStdString(), true);
    std::vector<qint64> out;
    for (const auto *c : front)
        if (s.profile(c->genome.backboneHash(), c->genome.resolution))
            out.push_back(c->id);
    return out;
}

StudyFigures::StudyFigures(const StudyContents &contents)
    : m_contents(contents)
    , m_host(std::make_unique<QWidget>())
    , m_pareto(new ParetoView(m_host.get()))
    , m_editor(new VariantEditor(m_host.get()))
    , m_architecture(new ArchitectureView(m_editor, m_host.get()))
    , m_curves(new ExitCurvesView(m_editor, m_host.get()))
{
    const auto &c = contents.config;
    m_pareto->setLimits(search::limitsOf(c));
    m_pareto->setPlannedGenerations(c.generations);
    m_pareto->setCost(c.trueCost ? ParetoView::Cost::True : ParetoView::Cost::Paper);
    for (const auto &candidate : contents.candidates)
        m_pareto->addCandidate(candidate);
    for (const auto &g : contents.generations)
        m_pareto->addGeneration(g);
    m_pareto->resize(1000, 700);
    m_pareto->replotNow();
    m_architecture->setSpace(studySpace(contents));
}

StudyFigures::~StudyFigures() = default;

void StudyFigures::showCandidate(qint64 id)
{
    const std::string path = m_contents.path.toStdString();
    for (const auto &c : m_contents.candidates) {
        if (c.id != id)
            continue;
        const auto s = study::Study::open(path, true);
        const auto bytes = s.profile(c.genome.backboneHash(), c.genome.resolution);
        if (!bytes)
            throw std::runtime_error(path + ": no exit profile of candidate " + std::to_string(id)
                                     + " is stored (a study keeps those of each generation's front)");
        m_editor->setCandidate(id, c.genome,
                               std::make_shared<const eenn::ExitProfile>(eenn::deserializeProfile(*bytes, path)));
        m_pareto->selectCandidate(id);
        m_pareto->replotNow();
        return;
    }
    throw std::runtime_error(path + ": no candidate " + std::to_string(id));
}

Figure StudyFigures::figure(FigureKind kind) const
{
    if (figureNeedsCandidate(kind) && !m_editor->isActive())
        throw std::runtime_error("the " + figureKindName(kind).toStdString() + " figure needs a candidate");
    return figureOf(kind, m_pareto, m_curves, m_architecture);
}

} // namespace edanas::ui
