#include "mainwindow.h"

#include "ui/architecture/architectureview.h"
#include "ui/data/datasetpanel.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/export/exportcontroller.h"
#include "ui/figures/studyfigures.h"
#include "ui/jobs/jobrunner.h"
#include "ui/jobs/jobsindicator.h"
#include "ui/document/studydocument.h"

#include <qcustomplot.h>
#include "ui/exits/varianteditor.h"
#include "ui/pareto/paretoview.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/candidatetable.h"
#include "ui/search/searchpanel.h"
#include "ui/search/studyfollower.h"
#include "ui/training/trainingjob.h"
#include "ui/mainwindow/studytext.h"
#include "ui/widgets/recentlist.h"

#include "data/dataset.h"
#include "eenn/profilestore.h"
#include "space/searchspace.h"
#include "search/measure.h"
#include "study/records.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"
#include "supernet/fit.h"
#include "edanas/version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QScreen>
#include <QScrollArea>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QHBoxLayout>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QThread>

#include <cmath>

namespace edanas::ui {

namespace {

// settings keys (defaults: nothing stored)
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kParetoKey = QStringLiteral("window/pareto");
const QString kTableHeaderKey = QStringLiteral("window/candidateHeader");

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_pareto(new ParetoView(this))
    , m_datasetPanel(new DatasetPanel(this))
    , m_log(new QPlainTextEdit(this))
    , m_candidates(new CandidateModel(this))
    , m_jobs(new JobRunner(this))
    , m_document(new StudyDocument(m_candidates, this))
    , m_table(new CandidateTable(m_candidates, this))
    , m_searchPanel(new SearchPanel(this))
    , m_search(new SearchController(this))
    , m_editor(new VariantEditor(this, m_document->undoStack()))
    , m_architecture(new ArchitectureView(m_editor, this))
    , m_exitCurves(new ExitCurvesView(m_editor, this))
    , m_supernetPath(QString::fromStdString(supernet::defaultSupernetPath()))
{
    setObjectName(QStringLiteral("mainWindow"));
    setCentralWidget(m_pareto);

    createDocks();
    m_exports = new ExportController(
        this, m_jobs, m_pareto, m_exitCurves, m_architecture,
        [this] { return !m_studyPath.isEmpty() ? m_studyPath : m_search->studyPath(); },
        [this] { return m_pareto->selectedCandidate(); });
    connect(m_exports, &ExportController::message, this, &MainWindow::log);
    m_exports->installContextMenu(m_pareto->plot(), FigureKind::Front);
    m_exports->installContextMenu(m_pareto->hypervolumePlot(), FigureKind::Hypervolume);
    m_exports->installContextMenu(m_exitCurves->tradeoffPlot(), FigureKind::ExitCurves);
    m_exports->installContextMenu(m_exitCurves->thresholdPlot(), FigureKind::ExitCurves);
    m_exports->installContextMenu(m_exitCurves->sharesPlot(), FigureKind::ExitCurves);
    m_exports->installContextMenu(m_architecture, FigureKind::Architecture);
    connect(m_table, &CandidateTable::exportModelRequested, m_exports, &ExportController::exportModel);
    connect(m_table, &CandidateTable::fineTuneRequested, m_exports, &ExportController::fineTuneAndExport);
    connect(m_table, &CandidateTable::reportRequested, this, [this](qint64 id) {
        selectCandidate(id);
        m_exports->exportReport();
    });
    m_follower = new StudyFollower(this);
    connect(m_follower, &StudyFollower::arrived, this, &MainWindow::onFollowed);
    connect(m_follower, &StudyFollower::failed, this,
            [this](const QString &message) { log(tr("Following the study: %1").arg(message)); });
    createMenus();
    connectSearch();
    connect(m_datasetPanel, &DatasetPanel::supernetLinkActivated, this, [this](const QString &link) {
        if (link == QLatin1String("log"))
            showSupernetLog();
    });
    updateTitle();
    m_jobsIndicator = new JobsIndicator(m_jobs, this);
    statusBar()->addPermanentWidget(m_jobsIndicator);
    connect(m_jobs, &JobRunner::changed, this, [this] {
        if (m_closeAfterJobs && m_jobs->cancellableJobs().isEmpty())
            close();
    });
    statusBar()->showMessage(tr("Ready"));

    QSettings settings;
    m_searchPanel->restoreSettings(settings);
    m_pareto->restoreState(settings.value(kParetoKey).toByteArray());
    m_table->view()->horizontalHeader()->restoreState(settings.value(kTableHeaderKey).toByteArray());
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1500, 950);
    // never larger than the screen it opens on (a default or a saved size from a larger one)
    if (const QScreen *s = screen()) {
        const QSize room = s->availableGeometry().size();
        if (width() > room.width() || height() > room.height())
            resize(std::min(width(), room.width()), std::min(height(), room.height()));
    }
    restoreState(settings.value(kStateKey).toByteArray());
}

MainWindow::~MainWindow()
{
    // The search thread and the jobs post to this window: let them end first (a job
    // still running is cancelled; closing asked before).
    m_search->shutdown();
    m_jobs->cancelAll();
    m_jobs->waitForAll();
    m_document->waitForWrites();
}

void MainWindow::connectSearch()
{
    // panel buttons
    connect(m_searchPanel, &SearchPanel::startRequested, this, &MainWindow::startSearch);
    connect(m_searchPanel, &SearchPanel::pauseRequested, this, [this] { steerRun(QStringLiteral("pause")); });
    connect(m_searchPanel, &SearchPanel::resumeRequested, this, [this] { steerRun(QStringLiteral("resume")); });
    connect(m_searchPanel, &SearchPanel::stopRequested, this, [this] { steerRun(QStringLiteral("stop")); });

    // the search's reports (queued from the worker thread, delivered here in the GUI thread)
    connect(m_search, &SearchController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_search, &SearchController::opened, this,
            [this](const search::SearchConfig &config, double referenceMacs, qint64 validationImages) {
                m_searchPanel->searchOpened(config, validationImages);
                m_pareto->setPlannedGenerations(config.generations);
                log(tr("Search opened: %1 encoding, population %2, %3 generations, %4 validation images; "
                       "hypervolume reference %5 MMACs")
                        .arg(QString::fromStdString(search::encodingName(config.encoding)))
                        .arg(config.population)
                        .arg(config.generations)
                        .arg(validationImages)
                        .arg(referenceMacs / 1e6, 0, 'f', 3));
            });
    connect(m_search, &SearchController::candidateEvaluated, this, &MainWindow::onCandidate);
    connect(m_search, &SearchController::generationDone, this, &MainWindow::onGeneration);
    connect(m_search, &SearchController::message, this, &MainWindow::log);
    connect(m_search, &SearchController::failed, this, &MainWindow::reportSearchFailure);
    connect(m_search, &SearchController::finished, this, &MainWindow::onFinished);

    // selection, linked both ways
    connect(m_pareto, &ParetoView::candidateSelected, this, &MainWindow::selectCandidate);
    connect(m_table, &CandidateTable::candidateSelected, this, &MainWindow::selectCandidate);

    // constraints: the plot's handles edit the document (a drag is one undo step); the
    // views follow the document; a settled change steers the search
    connect(m_pareto, &ParetoView::constraintsDragging, m_document,
            [this](double maxMacs, double minAccuracy) { m_document->editConstraints(maxMacs, minAccuracy, true); });
    connect(m_pareto, &ParetoView::constraintsEdited, m_document,
            [this](double maxMacs, double minAccuracy) { m_document->editConstraints(maxMacs, minAccuracy, false); });
    connect(m_document, &StudyDocument::limitsChanged, this, [this](const search::Limits &limits) {
        m_pareto->setLimits(limits);
        m_candidates->setLimits(limits);
        m_searchPanel->setConstraints(limits.maxMacs, limits.minAccuracy);
    });
    connect(m_document, &StudyDocument::constraintsSettled, this, &MainWindow::onConstraintsSettled);
    connect(m_document, &StudyDocument::flagsRestored, this, &MainWindow::onFlagsRestored);
    connect(m_document, &StudyDocument::message, this, &MainWindow::log);
    connect(m_document, &StudyDocument::studyChanged, m_editor, &VariantEditor::forgetEdits);
    connect(m_editor, &VariantEditor::revisitRequested, this, [this](std::int64_t id) { selectCandidate(id); });

    // the table's context menu
    connect(m_table, &CandidateTable::pinRequested, this, &MainWindow::pinCandidate);
    connect(m_table, &CandidateTable::banRequested, this, &MainWindow::banCandidate);
    connect(m_table, &CandidateTable::injectRequested, this, &MainWindow::injectCandidate);
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(QMessageBox::Information, tr("About EDANAS Studio"),
                                tr("<h3>EDANAS Studio %1</h3>"
                                   "<p>Design early-exit neural networks: search the backbone, the "
                                   "exit placement and the exit thresholds together, for accuracy "
                                   "and average MACs, and steer the search by eye.</p>"
                                   "<p>Method: EDANAS (Gambella and Roveri, IJCNN 2023) and NACHOS "
                                   "(Gambella et al., 2024), over the Once-for-All MobileNetV3 space.</p>"
                                   "<p>Built with Qt %2, QCustomPlot, LibTorch and OpenCV.</p>")
                                    .arg(QString::fromLatin1(kVersion), QString::fromLatin1(qVersion())),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::chooseDataset()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open a data set folder (IDX, CIFAR binary, or one sub-folder per class)"),
        m_dataset ? QString::fromStdString(m_dataset->ref.path) : QString());
    if (!dir.isEmpty())
        openDataset(dir);
}

void MainWindow::openDataset(const QString &path, const QString &format)
{
    m_datasetPath = path;
    m_datasetPanel->showLoading(path);
    log(tr("Opening data set %1").arg(path));
    data::DatasetRef ref;
    ref.path = path.toStdString();
    try {
        ref.format = data::parseFormat(format.toStdString());
    } catch (const std::exception &e) {
        const QString message = QString::fromStdString(e.what());
        m_datasetPanel->showError(message);
        log(message);
        Q_EMIT datasetFailed(message);
        return;
    }

    // Decoding runs as a job; with it, on the same thread: which supernet at hand fits
    // it (reading a checkpoint's info and hashing the data set take a moment each).
    struct Loaded
    {
        std::shared_ptr<const data::Dataset> dataset;
        double seconds = 0;
        QString hash, fitting, problem;
    };
    auto loaded = std::make_shared<Loaded>();
    const QStringList supernets = supernetsToTry();
    startLoad(QStringLiteral("dataset"), tr("Opening data set %1").arg(path), [ref, supernets, loaded] {
        QElapsedTimer timer;
        timer.start();
        auto ds = std::make_shared<const data::Dataset>(data::loadDataset(ref));
        loaded->seconds = timer.nsecsElapsed() / 1e9;
        const std::string hash = data::contentHash(*ds);
        for (const QString &candidate : supernets) {
            std::string why;
            try {
                why = supernet::datasetMismatch(candidate.toStdString(),
                                                supernet::readCheckpointInfo(candidate.toStdString()), *ds, hash);
            } catch (const std::exception &e) {
                why = e.what();
            }
            if (why.empty()) {
                loaded->fitting = candidate;
                break;
            }
            if (loaded->problem.isEmpty()) // the one in use comes first
                loaded->problem = QString::fromStdString(why);
        }
        if (supernets.isEmpty())
            loaded->problem = tr("No supernet is at hand.");
        loaded->dataset = std::move(ds);
        loaded->hash = QString::fromStdString(hash);
    }, [this, loaded](const QString &error) {
        if (error.isEmpty()) {
            onDatasetReady(loaded->dataset, loaded->seconds, loaded->hash, loaded->fitting, loaded->problem);
            return;
        }
        m_datasetPanel->showError(error);
        log(error);
        statusBar()->showMessage(tr("Could not open the data set"));
        Q_EMIT datasetFailed(error);
    });
}

void MainWindow::startLoad(const QString &group, const QString &title, std::function<void()> work,
                           std::function<void(const QString &error)> done)
{
    JobRunner::Options options;
    options.group = group;
    options.cancellable = false; // seconds at most; a newer load supersedes it
    m_jobs->start(title, [work = std::move(work)](const JobContext &) { work(); },
                  [done = std::move(done)](Job::Outcome, const QString &error) { done(error); }, options);
}

void MainWindow::onDatasetReady(std::shared_ptr<const data::Dataset> dataset, double seconds, const QString &hash,
                                const QString &fittingSupernet, const QString &supernetProblem)
{
    m_dataset = std::move(dataset);
    m_datasetHash = hash;
    m_datasetPanel->showDataset(m_dataset);
    const QString msg = tr("Data set %1: %2 training and %3 test images, %4 classes (loaded in %5 s)")
                            .arg(QString::fromStdString(m_dataset->name))
                            .arg(m_dataset->train.size())
                            .arg(m_dataset->test.size())
                            .arg(m_dataset->classCount())
                            .arg(seconds, 0, 'f', 2);
    log(msg);
    statusBar()->showMessage(msg);
    applySupernetFit(fittingSupernet, supernetProblem);
    Q_EMIT datasetLoaded();
}


bool MainWindow::startSearch()
{
    if (m_search->isActive())
        return false;
    const QString path = m_searchPanel->studyPath();
    if (path.isEmpty()) {
        reportSearchFailure(tr("No study file: name the file the search writes."));
        return false;
    }
    if (QFileInfo::exists(path)) {
        reportSearchFailure(tr("%1: exists; a new search needs a new study file "
                               "(File > Open Study shows an existing one)").arg(path));
        return false;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        reportSearchFailure(tr("%1: cannot create the folder").arg(QFileInfo(path).absolutePath()));
        return false;
    }

    search::SearchEngine::Launch launch;
    launch.config = m_searchPanel->config();
    launch.config.maxMacs = m_document->maxMacs();
    launch.config.minAccuracy = m_document->minAccuracy();
    launch.checkpointPath = m_supernetPath.toStdString();
    launch.studyPath = path.toStdString();
    if (m_dataset && QString::fromStdString(m_dataset->ref.path) == m_datasetPath) {
        launch.loaded = m_dataset; // decoded once, shared read-only with the search thread
    } else {
        launch.dataset.path = (m_datasetPath.isEmpty() ? QString::fromStdString(data::defaultDatasetPath())
                                                       : m_datasetPath).toStdString();
    }

    // a new study: the view starts empty
    m_follower->stop(); // this process writes it now
    m_remoteSearch = false;
    m_candidates->clear();
    m_pareto->clear();
    m_document->setStudy(path, false);
    m_document->setLimits(search::limitsOf(launch.config));
    m_pareto->setPlannedGenerations(launch.config.generations);
    m_pareto->setCost(launch.config.trueCost ? ParetoView::Cost::True : ParetoView::Cost::Paper);
    selectCandidate(-1);
    m_studyPath = path;
    m_studyReadOnly = false;
    updateTitle();

    log(tr("Starting a search into %1 (%2)").arg(path, constraintText(launch.config.maxMacs, launch.config.minAccuracy)));
    m_search->start(launch);
    addRecentStudy(path);
    return true;
}

void MainWindow::onStateChanged(SearchController::State state)
{
    using S = SearchController::State;
    m_searchPanel->setState(state);
    if (m_startAction) {
        m_startAction->setEnabled(state == S::Idle);
        m_pauseAction->setEnabled(state == S::Running || state == S::Starting);
        m_resumeAction->setEnabled(state == S::Paused);
        m_stopAction->setEnabled(state != S::Idle && state != S::Stopping);
    }
    m_table->setSteeringEnabled(state == S::Running || state == S::Paused);
    switch (state) {
    case S::Idle: break;
    case S::Starting: statusBar()->showMessage(tr("Starting the search…")); break;
    case S::Running: statusBar()->showMessage(tr("Searching")); break;
    case S::Paused: statusBar()->showMessage(tr("Search paused")); log(tr("Search paused")); break;
    case S::Stopping: statusBar()->showMessage(tr("Stopping the search after the current candidate…")); break;
    }
}

void MainWindow::onCandidate(const search::CandidateSnapshot &candidate)
{
    m_candidates->addCandidate(candidate);
    m_pareto->addCandidate(candidate);
    m_searchPanel->addCandidate(candidate);
}

void MainWindow::onGeneration(const search::GenerationSnapshot &g)
{
    m_pareto->addGeneration(g);
    m_searchPanel->addGeneration(g);
    log(tr("Generation %1: front %2, hypervolume %3, best accuracy %4 %, fewest MACs %5 M, %6 candidates/min")
            .arg(g.generation)
            .arg(g.front.size())
            .arg(g.hypervolume, 0, 'f', 5)
            .arg(100.0 * g.bestAccuracy, 0, 'f', 2)
            .arg(g.fewestMacs / 1e6, 0, 'f', 3)
            .arg(g.candidatesPerMinute, 0, 'f', 1));
}

void MainWindow::onFinished(SearchWorker::Outcome outcome)
{
    m_candidates->flush();
    m_searchPanel->searchFinished(outcome);
    switch (outcome) {
    case SearchWorker::Outcome::Finished: log(tr("Search finished: %1").arg(shownStudy(m_studyPath))); break;
    case SearchWorker::Outcome::Stalled: log(tr("Search ended: the hypervolume stalled (%1)").arg(shownStudy(m_studyPath))); break;
    case SearchWorker::Outcome::Stopped:
        log(tr("Search stopped: everything evaluated is in %1").arg(shownStudy(m_studyPath)));
        break;
    case SearchWorker::Outcome::Failed: break; // reported by reportSearchFailure
    }
    if (outcome != SearchWorker::Outcome::Failed)
        statusBar()->showMessage(tr("%1 candidates in %2").arg(m_candidates->rowCount()).arg(shownStudy(m_studyPath)));
    m_searchPanel->proposeNewStudyPath();
    if (m_closeRequested)
        close();
}

void MainWindow::reportSearchFailure(const QString &message)
{
    log(tr("Search failed: %1").arg(message));
    statusBar()->showMessage(tr("The search could not run"));
    Q_EMIT searchFailed(message);
    if (m_closeRequested)
        return;
    // window-modal, not blocking: the event loop goes on
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Search"), tr("The search could not run."),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("searchFailedBox"));
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onConstraintsSettled(double maxMacs, double minAccuracy)
{
    if (m_remoteSearch) {
        requestRemote(QStringLiteral("constraints"), study::Constraints{maxMacs, minAccuracy}.toJson());
    } else if (m_search->isActive()) {
        m_search->setConstraints(maxMacs, minAccuracy);
        log(tr("Constraints of the running search: %1; the population is re-ranked")
                .arg(constraintText(maxMacs, minAccuracy)));
    } else {
        log(tr("Constraints for the next search: %1").arg(constraintText(maxMacs, minAccuracy)));
    }
}

void MainWindow::selectCandidate(qint64 id)
{
    m_pareto->selectCandidate(id);
    m_table->selectCandidate(id);
    showCandidateExits(id);
    Q_EMIT selectionChanged(id);
}

void MainWindow::showCandidateExits(qint64 id)
{
    const int row = m_candidates->rowOf(id);
    if (row < 0) {
        m_editor->clear();
        m_jobs->supersede(QStringLiteral("profile")); // drops a load under way
        return;
    }
    const space::Genome genome = m_candidates->candidate(row).genome;
    auto setProfile = [this, id, genome](std::shared_ptr<const eenn::ExitProfile> profile) {
        if (!profile) {
            m_editor->clear();
            log(tr("Candidate %1: no exit profile at hand (a study keeps the front's; a running search all of them)")
                    .arg(id));
            return;
        }
        try {
            m_editor->setCandidate(id, genome, std::move(profile));
        } catch (const std::exception &e) {
            m_editor->clear();
            log(tr("Candidate %1: %2").arg(id).arg(QString::fromUtf8(e.what())));
        }
    };
    if (auto cached = m_search->cachedProfile(genome)) { // the running search's, in memory
        m_jobs->supersede(QStringLiteral("profile"));
        setProfile(std::move(cached));
        return;
    }
    const QString study = !m_studyPath.isEmpty() ? m_studyPath : m_search->studyPath();
    if (study.isEmpty()) {
        setProfile(nullptr);
        return;
    }
    // Read and decoded as a job (its own read-only connection): the study may be locked
    // by a writer for a moment, and the window must not wait for it. The editor shows
    // the previous candidate until then; a newer selection supersedes this load.
    auto profile = std::make_shared<std::shared_ptr<const eenn::ExitProfile>>();
    startLoad(QStringLiteral("profile"), tr("Reading the exit profile of candidate %1").arg(id),
              [study = study.toStdString(), genome, profile] {
                  const auto s = study::Study::open(study, true);
                  if (const auto bytes = s.profile(genome.backboneHash(), genome.resolution))
                      *profile = std::make_shared<const eenn::ExitProfile>(eenn::deserializeProfile(*bytes, study));
              },
              [this, id, profile, setProfile](const QString &error) {
                  if (m_pareto->selectedCandidate() != id)
                      return;
                  if (!error.isEmpty())
                      log(tr("Cannot read the exit profile of candidate %1: %2").arg(id).arg(error));
                  setProfile(*profile);
              });
}

void MainWindow::askToCancelJobs()
{
    if (m_cancelJobsBox) {
        m_cancelJobsBox->raise();
        return;
    }
    QStringList titles;
    for (const Job *job : m_jobs->cancellableJobs())
        titles << job->title();
    m_cancelJobsBox = new QMessageBox(QMessageBox::Question, tr("Work is running"),
                                      tr("Still running: %1. Cancel and close?\n\nA cancelled export writes nothing.")
                                          .arg(titles.join(QStringLiteral(", "))),
                                      QMessageBox::Yes | QMessageBox::No, this);
    m_cancelJobsBox->setObjectName(QStringLiteral("cancelJobsBox"));
    m_cancelJobsBox->setAttribute(Qt::WA_DeleteOnClose);
    m_cancelJobsBox->button(QMessageBox::Yes)->setText(tr("Cancel and Close"));
    m_cancelJobsBox->button(QMessageBox::No)->setText(tr("Keep Working"));
    connect(m_cancelJobsBox, &QMessageBox::finished, this, [this](int result) {
        if (result != QMessageBox::Yes)
            return;
        if (m_jobs->cancellableJobs().isEmpty()) { // they ended meanwhile
            close();
            return;
        }
        m_closeAfterJobs = true;
        log(tr("Closing: cancelling the running work"));
        statusBar()->showMessage(tr("Cancelling the running work before closing…"));
        m_jobs->cancelAll();
    });
    m_cancelJobsBox->open();
}

void MainWindow::updateTitle()
{
    if (m_studyPath.isEmpty())
        setWindowTitle(tr("EDANAS Studio"));
    else
        setWindowTitle(tr("%1%2 — EDANAS Studio")
                           .arg(isServerStudy(m_studyPath) ? shownStudy(m_studyPath) : QFileInfo(m_studyPath).fileName(),
                                m_studyReadOnly ? tr(" (read-only)") : QString()));
}

void MainWindow::showSearchSettings()
{
    m_searchDock->show();
    m_searchDock->raise();
    if (auto *population = m_searchPanel->findChild<QSpinBox *>(QStringLiteral("population")))
        population->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::log(const QString &message)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kParetoKey, m_pareto->saveState());
    settings.setValue(kTableHeaderKey, m_table->view()->horizontalHeader()->saveState());
    m_searchPanel->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_search->isActive()) {
        // Stop after the candidate being evaluated, then close (onFinished): the window
        // stays responsive meanwhile and the study keeps everything evaluated.
        m_closeRequested = true;
        m_search->stop();
        statusBar()->showMessage(tr("Stopping the search before closing…"));
        log(tr("Closing: stopping the search after the candidate being evaluated"));
        event->ignore();
        return;
    }
    if (m_training->isRunning()) {
        // ask (a training can take hours); stopping keeps the last complete epoch, and the
        // window closes once the trainer has let go (trainingFinished)
        event->ignore();
        askToStopTraining();
        return;
    }
    if (!m_jobs->cancellableJobs().isEmpty()) {
        // an export or a fine-tuning: ask; cancelling leaves nothing half-written, and the
        // window closes once the jobs have returned (JobRunner::changed)
        event->ignore();
        askToCancelJobs();
        return;
    }
    saveSettings();
    event->accept();
}

} // namespace edanas::ui
