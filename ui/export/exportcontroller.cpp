#include "exportcontroller.h"

#include "ui/architecture/architectureview.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/exits/varianteditor.h"
#include "ui/jobs/jobrunner.h"
#include "ui/pareto/paretoview.h"
#include "ui/report/report.h"

#include "export/modelexport.h"
#include "study/studyexport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSpinBox>

#include <qcustomplot.h>

#include <memory>

namespace edanas::ui {

namespace {

QString figureTitle(FigureKind kind)
{
    switch (kind) {
    case FigureKind::Front:
        return QObject::tr("Pareto front");
    case FigureKind::Hypervolume:
        return QObject::tr("Hypervolume over generations");
    case FigureKind::ExitCurves:
        return QObject::tr("Per-exit curves");
    case FigureKind::Architecture:
        return QObject::tr("Architecture");
    }
    return {};
}

/// Size and dpi of a figure, with the format chosen later by the file's suffix.
class FigureDialog : public QDialog
{
public:
    FigureDialog(FigureKind kind, QWidget *parent)
        : QDialog(parent)
    {
        setWindowTitle(tr("Export %1").arg(figureTitle(kind)));
        const FigureSize d = defaultFigureSize(kind);
        auto *form = new QFormLayout(this);
        m_width = new QSpinBox(this);
        m_width->setRange(16, 20000);
        m_width->setValue(d.pixels.width());
        m_width->setSuffix(tr(" px"));
        m_height = new QSpinBox(this);
        m_height->setRange(16, 20000);
        m_height->setValue(d.pixels.height());
        m_height->setSuffix(tr(" px"));
        m_dpi = new QSpinBox(this);
        m_dpi->setRange(36, 1200);
        m_dpi->setValue(d.dpi);
        m_dpi->setSuffix(tr(" dpi"));
        form->addRow(tr("Width"), m_width);
        form->addRow(tr("Height"), m_height);
        form->addRow(tr("Resolution"), m_dpi);
        auto *note = new QLabel(tr("PNG is drawn at this size; SVG and PDF get the same layout as vectors, "
                                   "at the same physical size. Fonts keep their point size."),
                                this);
        note->setWordWrap(true);
        form->addRow(note);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
        form->addRow(buttons);
        connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    }
    FigureSize size() const { return {QSize(m_width->value(), m_height->value()), m_dpi->value()}; }

private:
    QSpinBox *m_width, *m_height, *m_dpi;
};

} // namespace

ExportController::ExportController(QWidget *window, JobRunner *jobs, ParetoView *pareto, ExitCurvesView *curves,
                                   ArchitectureView *architecture, std::function<QString()> studyPath,
                                   std::function<qint64()> selected)
    : QObject(window)
    , m_window(window)
    , m_pareto(pareto)
    , m_curves(curves)
    , m_architecture(architecture)
    , m_studyPath(std::move(studyPath))
    , m_selected(std::move(selected))
    , m_jobs(jobs)
{
}

ExportController::~ExportController() = default; // the JobRunner waits for its jobs

Job *ExportController::job() const
{
    return m_job;
}

void ExportController::waitForWorker()
{
    m_jobs->waitForAll();
}

void ExportController::populateMenu(QMenu *menu)
{
    for (FigureKind kind : figureKinds()) {
        QAction *a = menu->addAction(tr("%1 Figure...").arg(figureTitle(kind)), this, [this, kind] { exportFigure(kind); });
        a->setObjectName(QStringLiteral("export_%1").arg(figureKindName(kind)));
    }
    menu->addSeparator();
    menu->addAction(tr("All Candidates (CSV or JSON)..."), this, [this] { exportCandidates(false); })
        ->setObjectName(QStringLiteral("export_candidates"));
    menu->addAction(tr("Front Candidates (CSV or JSON)..."), this, [this] { exportCandidates(true); })
        ->setObjectName(QStringLiteral("export_front"));
    menu->addSeparator();
    QAction *report = menu->addAction(tr("&Report (HTML or PDF)..."), this, [this] { exportReport(); });
    report->setObjectName(QStringLiteral("export_report"));
    report->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    QAction *model = menu->addAction(tr("&Model of the Selected Candidate..."), this,
                                     [this] { exportModel(m_selected()); });
    model->setObjectName(QStringLiteral("export_model"));
    model->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
}

void ExportController::installContextMenu(QWidget *view, FigureKind kind)
{
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view, kind](const QPoint &pos) {
        QMenu menu(view);
        menu.addAction(tr("Export %1 Figure...").arg(figureTitle(kind)), this, [this, kind] { exportFigure(kind); });
        menu.exec(view->mapToGlobal(pos));
    });
}

Figure ExportController::liveFigure(FigureKind kind, std::unique_ptr<ArchitectureView> &copy) const
{
    ArchitectureView *architecture = nullptr;
    if (kind == FigureKind::Architecture) {
        // drawn at the figure's size off screen, not by resizing the docked view
        copy = std::make_unique<ArchitectureView>(m_architecture->editor());
        if (m_architecture->hasSpace())
            copy->setSpace(m_architecture->space());
        architecture = copy.get();
    }
    return figureOf(kind, m_pareto, m_curves, architecture);
}

QString ExportController::exportFigureTo(FigureKind kind, const QString &path, const FigureSize &size)
{
    if (figureNeedsCandidate(kind) && !m_architecture->editor()->isActive())
        return tr("%1: select a candidate first (the %2 figure shows one candidate)").arg(path, figureKindName(kind));
    std::unique_ptr<ArchitectureView> copy;
    const QString error = liveFigure(kind, copy).write(path, size, figureTitle(kind));
    Q_EMIT message(error.isEmpty() ? tr("%1 written to %2").arg(figureTitle(kind), path) : error);
    return error;
}

void ExportController::exportFigure(FigureKind kind)
{
    FigureDialog dialog(kind, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export %1").arg(figureTitle(kind)),
                                                      figureKindName(kind) + QStringLiteral(".png"),
                                                      tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    if (const QString error = exportFigureTo(kind, path, dialog.size()); !error.isEmpty())
        QMessageBox::warning(m_window, tr("Export figure"), error);
}

QString ExportController::exportCandidatesTo(const QString &path, bool frontOnly)
{
    const QString study = m_studyPath();
    const QString suffix = QFileInfo(path).suffix().toLower();
    QString error;
    if (study.isEmpty())
        error = tr("No study to export: open one or run a search");
    else if (suffix != QLatin1String("csv") && suffix != QLatin1String("json"))
        error = tr("%1: the name must end in .csv or .json").arg(path);
    else if (isBusy())
        error = tr("An export is still running; wait for it to finish");
    if (!error.isEmpty()) {
        Q_EMIT message(error);
        return error;
    }
    // read and written as a job: the study may be locked by its writer for a moment
    const QString what = tr("Candidates %1").arg(path);
    auto rows = std::make_shared<std::size_t>(0);
    m_job = m_jobs->start(
        what,
        [study, path, frontOnly, suffix, rows](const JobContext &) {
            const auto s = study::Study::open(study.toStdString(), true);
            const auto out = study::exportCandidates(
                s, frontOnly, suffix == QLatin1String("csv") ? study::ExportFormat::Csv : study::ExportFormat::Json);
            study::writeFileAtomically(path.toStdString(), out.text);
            *rows = std::size_t(out.rows);
        },
        [this, what, path, rows](Job::Outcome, const QString &failure) {
            m_job.clear();
            Q_EMIT message(failure.isEmpty() ? tr("%1 candidates written to %2").arg(*rows).arg(path) : failure);
            Q_EMIT finished(what, failure);
        });
    return {};
}

void ExportController::exportCandidates(bool frontOnly)
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export candidates"),
                                                      frontOnly ? QStringLiteral("front.csv")
                                                                : QStringLiteral("candidates.csv"),
                                                      tr("CSV table (*.csv);;JSON (*.json)"));
    if (path.isEmpty())
        return;
    if (const QString error = exportCandidatesTo(path, frontOnly); !error.isEmpty())
        QMessageBox::warning(m_window, tr("Export candidates"), error);
}

bool ExportController::refuseWhenBusy()
{
    if (!isBusy())
        return false;
    Q_EMIT message(tr("An export is still running; wait for it to finish"));
    return true;
}

void ExportController::exportReportTo(const QString &path, bool measureSpeed, int speedImages)
{
    const QString what = tr("Report %1").arg(path);
    const QString study = m_studyPath();
    if (study.isEmpty()) {
        Q_EMIT finished(what, tr("No study to report on: open one or run a search"));
        return;
    }
    if (refuseWhenBusy())
        return;
    ReportOptions options; // the selected candidate first, then a spread of the front
    if (const qint64 id = m_selected(); id >= 0)
        options.candidates.push_back(id);
    options.addFrontSpread = true;
    // The study is read, and inference timed, as a job; the figures are drawn and the
    // file written on the GUI thread (widgets) when it is done.
    auto report = std::make_shared<std::shared_ptr<Report>>();
    auto speeds = std::make_shared<std::vector<InferenceSpeed>>();
    if (measureSpeed)
        Q_EMIT message(tr("Reading %1 and timing inference for the report...").arg(study));
    m_job = m_jobs->start(
        measureSpeed ? tr("Timing inference for the report") : tr("Reading the study for the report"),
        [study, options, measureSpeed, speedImages, report, speeds](const JobContext &job) {
            *report = std::make_shared<Report>(study, options);
            if (!measureSpeed)
                return;
            const std::vector<qint64> &ids = (*report)->detailedCandidates();
            speeds->resize(ids.size());
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (job.isCancelled())
                    throw std::runtime_error("cancelled");
                job.progress(tr("candidate %1 (%2 of %3)").arg(ids[i]).arg(i + 1).arg(ids.size()));
                (*speeds)[i] = measureInferenceSpeed(study, ids[i], speedImages);
            }
        },
        [this, report, speeds, path, what](Job::Outcome outcome, const QString &error) {
            m_job.clear(); // done: the next export may start from a handler of finished()
            if (outcome != Job::Outcome::Done) {
                const QString why = outcome == Job::Outcome::Cancelled ? tr("cancelled") : error;
                Q_EMIT message(tr("%1: %2").arg(what, why));
                Q_EMIT finished(what, why);
                return;
            }
            const auto &ids = (*report)->detailedCandidates();
            for (std::size_t i = 0; i < speeds->size() && i < ids.size(); ++i)
                (*report)->setSpeed(ids[i], (*speeds)[i]);
            const QString written = (*report)->write(path);
            Q_EMIT message(written.isEmpty() ? tr("%1 written").arg(what) : written);
            Q_EMIT finished(what, written);
        });
    connect(m_job, &Job::progress, this, &ExportController::message);
}

void ExportController::exportReport()
{
    const QString path = QFileDialog::getSaveFileName(m_window, tr("Export report"), QStringLiteral("report.html"),
                                                      tr("HTML, self-contained (*.html);;PDF document (*.pdf)"));
    if (!path.isEmpty())
        exportReportTo(path);
}

void ExportController::exportModelTo(qint64 candidate, const QString &dir, qint64 testImages, bool int8,
                                     bool int8Retune)
{
    runModelExport(candidate, dir, testImages, std::nullopt, int8, int8Retune);
}

void ExportController::fineTuneAndExportTo(qint64 candidate, const QString &dir, const deploy::FineTuneOptions &options,
                                           qint64 testImages)
{
    runModelExport(candidate, dir, testImages, options);
}

void ExportController::runModelExport(qint64 candidate, const QString &dir, qint64 testImages,
                                      std::optional<deploy::FineTuneOptions> fineTune, bool int8, bool int8Retune)
{
    const QString what = fineTune ? tr("Fine-tuned model of candidate %1").arg(candidate)
                                  : tr("Model of candidate %1").arg(candidate);
    const QString study = m_studyPath();
    if (study.isEmpty() || candidate < 0) {
        Q_EMIT finished(what, study.isEmpty() ? tr("No study: open one or run a search")
                                              : tr("Select a candidate to export"));
        return;
    }
    if (refuseWhenBusy())
        return;
    deploy::ExportRequest request;
    request.studyPath = study.toStdString();
    request.candidateId = candidate;
    request.outDir = dir.toStdString();
    request.testImages = testImages;
    request.int8 = int8;
    request.int8Retune = int8 && int8Retune;
    // the edited exits of the selected candidate, when the user changed them
    auto *editor = m_architecture->editor();
    if (editor->isActive() && editor->candidateId() == candidate && editor->isModified())
        request.genome = editor->variant();
    // progress lines go to the job (the status bar) and from there to the log
    std::function<QString(const deploy::FineTuneProgress &)> fineTuneLine;
    if (fineTune) {
        request.fineTune = fineTune;
        // every batch reports; the log gets a line every few seconds and at each epoch's end
        auto last = std::make_shared<QElapsedTimer>();
        last->start();
        fineTuneLine = [last](const deploy::FineTuneProgress &p) {
            if (p.batch != p.batches && last->elapsed() < 3000)
                return QString();
            last->restart();
            return tr("Fine-tuning: epoch %1 of %2, batch %3 of %4, loss %5 (epoch mean %6), %7 left")
                                     .arg(p.epoch)
                                     .arg(p.epochs)
                                     .arg(p.batch)
                                     .arg(p.batches)
                                     .arg(p.loss, 0, 'f', 4)
                                     .arg(p.epochLoss, 0, 'f', 4)
                                     .arg(formatDuration(p.secondsLeft));
                    };
    }
    Q_EMIT message(tr("Exporting %1 to %2 (%3extracting, writing LibTorch and ONNX, checking with OpenCV)...")
                       .arg(request.genome ? tr("the edited variant of candidate %1").arg(candidate) : what, dir,
                            fineTune ? tr("fine-tuning for %n epoch(s), ", nullptr, fineTune->epochs) : QString()));
    auto summary = std::make_shared<QString>();
    m_job = m_jobs->start(what, [request, summary, fineTuneLine](const JobContext &job) mutable {
            request.cancel = job.cancelFlag(); // polled between steps and batches
            request.progress = [&job](const std::string &line) { job.progress(QString::fromStdString(line)); };
            if (fineTuneLine)
                request.fineTuneProgress = [&job, &fineTuneLine](const deploy::FineTuneProgress &p) {
                    if (const QString line = fineTuneLine(p); !line.isEmpty())
                        job.progress(line);
                };
            const auto r = deploy::exportModel(request);
            QStringList lines;
            for (const auto &a : r.accuracies)
                lines << QStringLiteral("%1: %2 images, study %3 %, LibTorch %4 %, OpenCV %5 %")
                             .arg(QString::fromStdString(a.images))
                             .arg(a.count)
                             .arg(a.reference >= 0 ? QString::number(100 * a.reference, 'f', 2) : QStringLiteral("-"))
                             .arg(100 * a.libtorch, 0, 'f', 2)
                             .arg(a.opencv >= 0 ? QString::number(100 * a.opencv, 'f', 2) : QStringLiteral("-"));
            if (r.fineTune) {
                const auto &f = *r.fineTune;
                lines.prepend(QStringLiteral("fine-tuned on %1 training images: accuracy %2 % -> %3 %, average MACs "
                                             "%4 -> %5")
                                  .arg(f.trainImages)
                                  .arg(100 * f.before.accuracy, 0, 'f', 2)
                                  .arg(100 * f.after.accuracy, 0, 'f', 2)
                                  .arg(formatMacs(f.before.macsTrue), formatMacs(f.after.macsTrue)));
            }
            if (!r.mcu.segments.empty())
                lines << QStringLiteral("on a microcontroller (int8): flash %1 KiB, SRAM %2 KiB")
                             .arg(double(r.mcu.flash) / 1024.0, 0, 'f', 1)
                             .arg(double(r.mcu.arena) / 1024.0, 0, 'f', 1);
            if (r.int8)
                for (const auto &s : r.int8->sets)
                    lines << QStringLiteral("%1 int8: %2 % (float %3 %, int8 with re-tuned thresholds %4 %)")
                                 .arg(QString::fromStdString(s.images))
                                 .arg(100 * s.int8Accuracy, 0, 'f', 2)
                                 .arg(100 * s.floatAccuracy, 0, 'f', 2)
                                 .arg(100 * s.int8RetunedAccuracy, 0, 'f', 2);
            *summary = lines.join(QStringLiteral("; "));
        },
        [this, what, dir, summary](Job::Outcome outcome, const QString &error) {
            m_job.clear(); // done: the next export may start from a handler of finished()
            // a cancelled export leaves nothing behind (deploy::ExportCancelled)
            const QString why = outcome == Job::Outcome::Cancelled ? tr("cancelled; nothing was written") : error;
            Q_EMIT message(outcome == Job::Outcome::Done ? tr("%1 written to %2 and checked: %3").arg(what, dir, *summary)
                                                         : tr("%1: %2").arg(what, why));
            Q_EMIT finished(what, outcome == Job::Outcome::Cancelled ? tr("cancelled") : why);
        });
    connect(m_job, &Job::progress, this, &ExportController::message);
}

void ExportController::fineTuneAndExport(qint64 candidate)
{
    if (candidate < 0) {
        QMessageBox::information(m_window, tr("Fine-tune and export"), tr("Select a candidate first."));
        return;
    }
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Fine-tune candidate %1").arg(candidate));
    auto *form = new QFormLayout(&dialog);
    const deploy::FineTuneOptions defaults;
    auto *epochs = new QSpinBox(&dialog);
    epochs->setRange(1, 100);
    epochs->setValue(defaults.epochs);
    auto *images = new QSpinBox(&dialog);
    images->setRange(0, 10000000);
    images->setSpecialValueText(tr("all of the training part"));
    images->setValue(int(defaults.trainImages));
    auto *rate = new QDoubleSpinBox(&dialog);
    rate->setDecimals(4);
    rate->setRange(0.0001, 1.0);
    rate->setSingleStep(0.001);
    rate->setValue(defaults.learningRate);
    form->addRow(tr("Epochs"), epochs);
    form->addRow(tr("Training images"), images);
    form->addRow(tr("Learning rate"), rate);
    auto *note = new QLabel(tr("Trains this candidate alone (backbone, exits and head; joint loss over the exits), "
                               "measures its exits again on the study's validation images, then exports it. "
                               "The study is not changed."),
                            &dialog);
    note->setWordWrap(true);
    form->addRow(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString dir = QFileDialog::getExistingDirectory(
        m_window, tr("Folder for the fine-tuned model of candidate %1").arg(candidate));
    if (dir.isEmpty())
        return;
    deploy::FineTuneOptions options;
    options.epochs = epochs->value();
    options.trainImages = images->value();
    options.learningRate = rate->value();
    fineTuneAndExportTo(candidate, dir, options);
}

void ExportController::exportModel(qint64 candidate)
{
    if (candidate < 0) {
        QMessageBox::information(m_window, tr("Export model"), tr("Select a candidate first."));
        return;
    }
    exportModelWithOptions(candidate);
}

void ExportController::exportModelWithOptions(qint64 candidate)
{
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Export model of candidate %1").arg(candidate));
    auto *form = new QFormLayout(&dialog);
    auto *int8 = new QCheckBox(tr("Also int8, for microcontrollers (model-int8.onnx and int8 segments)"), &dialog);
    int8->setObjectName(QStringLiteral("int8"));
    auto *retune = new QCheckBox(tr("Re-tune the exit thresholds for int8"), &dialog);
    retune->setObjectName(QStringLiteral("int8Retune"));
    retune->setEnabled(false);
    connect(int8, &QCheckBox::toggled, retune, &QWidget::setEnabled);
    form->addRow(int8);
    form->addRow(retune);
    auto *note = new QLabel(tr("Writes model.pt, model.onnx, one ONNX model per segment and model.json, and checks "
                               "them with OpenCV. int8: weights per channel, activations calibrated on training "
                               "images; its accuracy per exit is measured next to float."),
                            &dialog);
    note->setWordWrap(true);
    form->addRow(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QString dir = QFileDialog::getExistingDirectory(m_window, tr("Folder for the model of candidate %1").arg(candidate));
    if (!dir.isEmpty())
        exportModelTo(candidate, dir, 0, int8->isChecked(), retune->isChecked());
}

} // namespace edanas::ui
