#pragma once

#include "ui/figures/figureexport.h"
#include "ui/figures/studyfigures.h"

#include "export/modelexport.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QMenu;
class QWidget;

namespace edanas::ui {

class ArchitectureView;
class ExitCurvesView;
class Job;
class JobRunner;
class ParetoView;

/// The Studio's exports: figures of the live views (PNG at a chosen size and dpi, SVG,
/// PDF), the candidates as CSV or JSON, the report (HTML or PDF) and the deployable
/// model of a candidate. Interactive entry points ask for a file with a dialog; the
/// *To() ones take it, for tests and scripts. Long work (inference timing for the
/// report, the model export, fine-tuning) runs as a cancellable job of the window's
/// JobRunner, one at a time; the GUI never waits for it. Lives in the GUI thread.
class ExportController : public QObject
{
    Q_OBJECT

public:
    /// `studyPath` and `selected` are asked when an export starts: the study shown
    /// (empty: none) and the selected candidate (-1: none).
    ExportController(QWidget *window, JobRunner *jobs, ParetoView *pareto, ExitCurvesView *curves,
                     ArchitectureView *architecture, std::function<QString()> studyPath,
                     std::function<qint64()> selected);
    ~ExportController() override;

    /// The Export submenu (figures, data, report, model) for the File menu.
    void populateMenu(QMenu *menu);
    /// Adds "Export figure..." to the context menu of the views that make up `kind`.
    void installContextMenu(QWidget *view, FigureKind kind);

    /// A figure of the live views; empty when written, else the message.
    QString exportFigureTo(FigureKind kind, const QString &path, const FigureSize &size);
    /// Asks for size, dpi and file, then writes.
    void exportFigure(FigureKind kind);

    /// The study's candidates (or its front) as CSV or JSON, read and written as a job;
    /// finished() follows. Returns at once the reason it cannot start ("" when started).
    QString exportCandidatesTo(const QString &path, bool frontOnly);
    void exportCandidates(bool frontOnly);

    /// Writes the report of the shown study (the selected candidate first, then a
    /// spread of the front): the study read, and inference timed unless `measureSpeed`
    /// is false, as a job; the file written when it is done; finished() follows.
    void exportReportTo(const QString &path, bool measureSpeed = true, int speedImages = 2000);
    void exportReport();

    /// Exports the deployable model of a candidate (LibTorch archive, JSON, ONNX,
    /// checked with OpenCV on `testImages` test images, 0: all) into `dir` in a worker
    /// thread, with progress lines as message(); finished() follows. With one model per
    /// segment; `int8`: also the int8 network (model-int8.onnx, int8 segments) with its
    /// accuracy next to float, `int8Retune`: model.json's int8 thresholds re-tuned.
    void exportModelTo(qint64 candidate, const QString &dir, qint64 testImages = 0, bool int8 = false,
                       bool int8Retune = false);
    void exportModel(qint64 candidate);
    /// As exportModelTo, after fine-tuning the candidate alone (EDANAS-style, joint loss
    /// over its exits) and measuring its exits again; the log shows the progress and
    /// the figures before and after. The study is not changed.
    void fineTuneAndExportTo(qint64 candidate, const QString &dir, const deploy::FineTuneOptions &options,
                             qint64 testImages = 0);
    /// Asks whether to add the int8 network, then for a folder.
    void exportModelWithOptions(qint64 candidate);
    /// Asks for epochs, training images and learning rate, then a folder.
    void fineTuneAndExport(qint64 candidate);

    bool isBusy() const { return !m_job.isNull(); }
    /// The running export's job (null: none): cancel() stops it at its next check.
    Job *job() const;
    /// Waits for a running export's work to return.
    void waitForWorker();

Q_SIGNALS:
    void message(const QString &text);
    /// An export that ran in the background ended; `error` empty when it worked
    /// ("cancelled" when the user cancelled it).
    void finished(const QString &what, const QString &error);

private:
    Figure liveFigure(FigureKind kind, std::unique_ptr<ArchitectureView> &copy) const;
    bool refuseWhenBusy();
    void runModelExport(qint64 candidate, const QString &dir, qint64 testImages,
                        std::optional<deploy::FineTuneOptions> fineTune, bool int8 = false, bool int8Retune = false);

    QWidget *m_window;
    ParetoView *m_pareto;
    ExitCurvesView *m_curves;
    ArchitectureView *m_architecture;
    std::function<QString()> m_studyPath;
    std::function<qint64()> m_selected;
    JobRunner *m_jobs;
    QPointer<Job> m_job; ///< the running export's
};

} // namespace edanas::ui
