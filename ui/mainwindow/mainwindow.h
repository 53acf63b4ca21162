#pragma once

#include "ui/search/searchcontroller.h"
#include "ui/search/searchtypes.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QMenu;
class QMessageBox;
class QPlainTextEdit;
class QThread;

namespace edanas::data {
struct Dataset;
}
namespace edanas::supernet {
struct TrainConfig;
}

namespace edanas::ui {

class ArchitectureView;
class CandidateModel;
class ExitCurvesView;
class VariantEditor;
class CandidateTable;
class DatasetPanel;
class ExportController;
class JobRunner;
class JobsIndicator;
class ParetoView;
class StudyDocument;
class SearchPanel;
class StudyFollower;
class RecentList;
class TrainingJob;
class TrainingView;

/// The Studio's main window: the Pareto view in the centre; docks for the search
/// settings and progress, the candidate table, the data set and the log; the menus.
/// Runs searches through a SearchController (one worker thread per search); the
/// study shown, its constraints, flags and undo history are the StudyDocument's; every
/// other long job (loading, export, fine-tuning, timing) runs on the JobRunner. Never
/// blocks its event loop on the engine or on a study file.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Shows what a supernet checkpoint says about itself (no weights are loaded) and
    /// makes it the supernet the next search uses.
    void showSupernet(const QString &path);
    /// Makes the checkpoint at `path` the supernet in use, unless it cannot be read or
    /// does not fit the open data set (then it says why, in the log and a message box,
    /// emits supernetRefused, and returns false). Supernet > Open Supernet...
    bool openSupernet(const QString &path);
    QString supernetPath() const { return m_supernetPath; }
    /// Why the supernet in use cannot be searched on the open data set ("" when it can,
    /// or when no data set is open).
    QString supernetMismatch() const;
    QStringList recentSupernets() const;
    /// Trains a supernet of `space` on the open data set into `outPath`, in the
    /// background (the Training dock shows it); an unfinished training there with the
    /// same settings resumes. When it completes, it becomes the supernet in use. False
    /// when no data set is open or a training runs.
    bool startTraining(const QString &space, const supernet::TrainConfig &config, const QString &outPath);
    /// Supernet > Resume Training: goes on with the last training started in the Studio
    /// (also after a restart), with its own settings, after its last complete epoch. False,
    /// with the reason in the log, when there is none, it is complete, a training runs, or
    /// the open data set is not the one it trains on.
    bool resumeTraining();
    /// The last training started here, when its checkpoint is unfinished; else empty.
    QString unfinishedTraining() const;
    TrainingJob *trainingJob() const { return m_training; }
    TrainingView *trainingView() const { return m_trainingView; }

    /// Loads a data set in a background thread; datasetLoaded or datasetFailed follows.
    void openDataset(const QString &path, const QString &format = QStringLiteral("auto"));

    /// Starts a search with the search panel's settings, the plot's constraints, the
    /// open data set and supernet, into the panel's study file. False when one runs or
    /// the study file exists (searchFailed is emitted with the reason).
    bool startSearch();
    /// Opens a study read-only (in the background) and shows its candidates;
    /// studyLoaded or studyFailed follows.
    void openStudy(const QString &path);
    /// Clears the view for a new search (refused while one runs).
    void newStudy();

    /// Selects a candidate in the plot and the table (-1: none).
    void selectCandidate(qint64 id);
    /// Steering of the running search from the table's context menu.
    void pinCandidate(qint64 id);
    void banCandidate(qint64 id);
    void injectCandidate(qint64 id);

    QStringList recentStudies() const;

    std::shared_ptr<const data::Dataset> dataset() const { return m_dataset; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    ParetoView *paretoView() const { return m_pareto; }
    CandidateModel *candidateModel() const { return m_candidates; }
    CandidateTable *candidateTable() const { return m_table; }
    SearchPanel *searchPanel() const { return m_searchPanel; }
    SearchController *searchController() const { return m_search; }
    VariantEditor *variantEditor() const { return m_editor; }
    ArchitectureView *architectureView() const { return m_architecture; }
    ExitCurvesView *exitCurvesView() const { return m_exitCurves; }
    ExportController *exports() const { return m_exports; }
    StudyDocument *document() const { return m_document; }
    JobRunner *jobs() const { return m_jobs; }

Q_SIGNALS:
    void datasetLoaded();
    void datasetFailed(const QString &message);
    void studyLoaded(int candidates);
    /// Another process added to the shown study: how many candidates and generations.
    void studyFollowed(int candidates, int generations);
    void studyFailed(const QString &message);
    void searchFailed(const QString &message);
    /// Supernet > Open Supernet refused a checkpoint (unreadable, or for another data set).
    void supernetRefused(const QString &message);
    /// A data set was opened for which no supernet at hand fits.
    void supernetMismatched(const QString &message);
    /// A training started from the Studio ended (completed, or cancelled/failed).
    void trainingFinished(bool completed, const QString &error);
    /// The selected candidate changed (from the plot or the table); -1: none. For the
    /// views that show one candidate (architecture, per-exit curves).
    void selectionChanged(qint64 candidateId);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void createDocks();
    void connectSearch();
    void chooseDataset();
    void chooseStudy();
    void showAbout();
    void showSearchSettings();
    void log(const QString &message);
    void onDatasetReady(std::shared_ptr<const data::Dataset> dataset, double seconds, const QString &hash,
                        const QString &fittingSupernet, const QString &supernetProblem);
    // supernetactions.cpp
    void createSupernetMenu();
    void chooseSupernet();
    void showSupernetLog();
    QStringList supernetsToTry() const;
    void applySupernetFit(const QString &fitting, const QString &problem);
    /// Supernet > Open Shipped Supernet: one entry per checkpoint beside the default one.
    void fillShippedSupernets(QMenu *menu);
    void showSupernetProblem(const QString &title, const QString &text);
    // trainingactions.cpp
    void createTraining(QMenu *supernetMenu);
    void chooseTraining();
    void askToStopTraining();
    void onStateChanged(SearchController::State state);
    void onCandidate(const search::CandidateSnapshot &candidate);
    void onGeneration(const search::GenerationSnapshot &generation);
    void onFinished(SearchWorker::Outcome outcome);
    void reportSearchFailure(const QString &message);
    /// The document's constraints settled (a drag released, an undo): the search takes them.
    void onConstraintsSettled(double maxMacs, double minAccuracy);
    /// An undo or redo changed a candidate's pin or ban: the running search follows.
    void onFlagsRestored(qint64 id, const CandidateFlags &from, const CandidateFlags &to);
    /// Closing while cancellable jobs run: asks, then cancels them and closes after.
    void askToCancelJobs();
    void onFollowed(const StudyContents &update);
    /// The shown study's search status as another process published it ("" none):
    /// while it runs, the controls steer it through the study.
    void setRemoteSearch(const QString &status);
    void steerRun(const QString &what); ///< pause, resume, stop: this process's search or the remote one
    QString steerGenome(const QString &what, const space::Genome &genome);
    /// Pins, bans or injects (`what`) candidate `id`'s genome; false (and said in the log) when refused.
    bool steerCandidate(qint64 id, const QString &what);
    void requestRemote(const QString &what, const std::string &json = "{}");
    /// Starts a loading job of `group` ("dataset", "study", "profile"): a newer one of the
    /// same group supersedes it.
    void startLoad(const QString &group, const QString &title, std::function<void()> work,
                   std::function<void(const QString &error)> done);
    void showStudy(const StudyContents &contents);
    void addRecentStudy(const QString &path);
    void updateTitle();
    void saveSettings();
    /// Loads the selected candidate's profile (the running search's cache, else the
    /// study) into the variant editor behind the inspector and the exit curves.
    void showCandidateExits(qint64 id);

    ParetoView *m_pareto;
    DatasetPanel *m_datasetPanel;
    QPlainTextEdit *m_log;
    CandidateModel *m_candidates;
    JobRunner *m_jobs;
    StudyDocument *m_document;
    CandidateTable *m_table;
    SearchPanel *m_searchPanel;
    SearchController *m_search;

    QDockWidget *m_datasetDock = nullptr;
    QDockWidget *m_logDock = nullptr;
    QDockWidget *m_tableDock = nullptr;
    QDockWidget *m_searchDock = nullptr;
    QDockWidget *m_architectureDock = nullptr;
    QDockWidget *m_exitsDock = nullptr;
    VariantEditor *m_editor;
    ArchitectureView *m_architecture;
    ExitCurvesView *m_exitCurves;
    ExportController *m_exports = nullptr;
    QAction *m_startAction = nullptr, *m_pauseAction = nullptr, *m_resumeAction = nullptr,
            *m_stopAction = nullptr;
    RecentList *m_recentStudies = nullptr;
    RecentList *m_recentSupernets = nullptr;
    QPointer<QMessageBox> m_supernetBox;
    TrainingJob *m_training = nullptr;
    TrainingView *m_trainingView = nullptr;
    QDockWidget *m_trainingDock = nullptr;
    QPointer<QMessageBox> m_stopTrainingBox;
    bool m_closeAfterTraining = false;
    JobsIndicator *m_jobsIndicator = nullptr;
    QPointer<QMessageBox> m_cancelJobsBox;
    bool m_closeAfterJobs = false;

    std::shared_ptr<const data::Dataset> m_dataset;
    QString m_datasetPath;  ///< requested last (the search loads it itself if not loaded yet)
    QString m_supernetPath; ///< the checkpoint the next search uses
    QString m_datasetHash;  ///< data::contentHash of m_dataset
    QString m_supernetLog;  ///< the supernet's training log, readable
    QString m_studyPath;    ///< the study shown (the document's too)
    bool m_studyReadOnly = false;
    bool m_closeRequested = false;
    StudyFollower *m_follower = nullptr; ///< the shown study, as other processes write it
    bool m_remoteSearch = false;         ///< another process searches the shown study
};

} // namespace edanas::ui
