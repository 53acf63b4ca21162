#pragma once

#include "figureexport.h"

#include "ui/search/searchtypes.h"

#include <memory>
#include <optional>

namespace edanas::ui {

class ArchitectureView;
class ExitCurvesView;
class ParetoView;
class VariantEditor;

/// The views a figure can be made of.
enum class FigureKind { Front, Hypervolume, ExitCurves, Architecture };

/// "front", "hypervolume", "exits", "architecture".
QString figureKindName(FigureKind kind);
std::optional<FigureKind> figureKindFromName(const QString &name);
/// Every kind, in menu order.
std::vector<FigureKind> figureKinds();
/// A size that suits the figure's shape (the architecture is a wide strip), at 150 dpi.
FigureSize defaultFigureSize(FigureKind kind);
/// Whether the figure shows one candidate (exit curves, architecture).
bool figureNeedsCandidate(FigureKind kind);

/// The search space of a study: from its supernet checkpoint, else (the checkpoint
/// moved away) the built-in preset of the study's space name. Throws when neither exists.
space::SearchSpace studySpace(const StudyContents &contents);

/// Ids of the last front's candidates whose exit profile the study stores (those the
/// one-candidate figures can show), most accurate first. Throws when the study cannot
/// be read.
std::vector<qint64> profiledFront(const StudyContents &contents);

/// Which views of the Studio make up a figure: the Pareto view's plot, the
/// hypervolume plot, the three exit-curve plots (trade-off left, threshold sweep and
/// shares right) or the architecture drawing. `architecture` is drawn as it is; give a
/// view that is not on screen (it is resized to the figure).
Figure figureOf(FigureKind kind, ParetoView *pareto, ExitCurvesView *curves, ArchitectureView *architecture);

/// A study's views, built off screen without a main window, for `edanas study plot`,
/// the report and the Studio's exports of studies that are not open. Needs a
/// QApplication (widgets); lives on the GUI thread.
class StudyFigures
{
public:
    /// Shows every candidate and generation of `contents` in a Pareto view, the study's
    /// cost on the axis. The search space (for the architecture drawing) comes from the
    /// study's supernet checkpoint, else from the preset of the study's space name.
    explicit StudyFigures(const StudyContents &contents);
    ~StudyFigures();
    StudyFigures(const StudyFigures &) = delete;
    StudyFigures &operator=(const StudyFigures &) = delete;

    const StudyContents &contents() const { return m_contents; }

    /// Loads a candidate's exits (its backbone's profile, as the study stored it) into
    /// the exit curves and the architecture drawing. Throws std::runtime_error naming
    /// the study when the id is unknown or the study holds no profile for it (a study
    /// keeps the profiles of every generation's front).
    void showCandidate(qint64 id);

    /// A figure of the current state (exit curves and architecture: the candidate shown).
    Figure figure(FigureKind kind) const;

    ParetoView *paretoView() const { return m_pareto; }
    VariantEditor *editor() const { return m_editor; }

private:
    StudyContents m_contents;
    std::unique_ptr<QWidget> m_host;
    ParetoView *m_pareto;
    VariantEditor *m_editor;
    ArchitectureView *m_architecture;
    ExitCurvesView *m_curves;
};

} // namespace edanas::ui
