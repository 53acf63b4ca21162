#pragma once

#include "searchcontroller.h"
#include "searchtypes.h"

#include <QElapsedTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QToolButton;

namespace edanas::ui {

/// The search dock: what to search with (encoding, population, generations, images,
/// cost measure, study file), the start/pause/resume/stop buttons, and the progress of
/// the running search with its rate and time left. Shows state; the main window acts.
class SearchPanel : public QWidget
{
    Q_OBJECT

public:
    explicit SearchPanel(QWidget *parent = nullptr);

    /// The configuration the fields describe (constraints are not in the panel: they
    /// are the plot's lines).
    search::SearchConfig config() const;
    void setConfig(const search::SearchConfig &config);
    QString studyPath() const;
    void setStudyPath(const QString &path);
    /// A fresh file name in the default study folder (when the user has not typed one).
    void proposeNewStudyPath();

    void setConstraints(double maxMacs, double minAccuracy);
    void setState(SearchController::State state);

    // progress of the running search
    void searchOpened(const search::SearchConfig &config, qint64 validationImages);
    void addCandidate(const search::CandidateSnapshot &candidate);
    void addGeneration(const search::GenerationSnapshot &generation);
    void searchFinished(SearchWorker::Outcome outcome);

    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

    QPushButton *startButton() const { return m_start; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *resumeButton() const { return m_resume; }
    QPushButton *stopButton() const { return m_stop; }
    QProgressBar *progressBar() const { return m_progress; }
    QString progressText() const;

    /// Where studies go by default.
    static QString defaultStudyFolder();

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();

private:
    void chooseStudyPath();
    void updateProgress();

    QComboBox *m_encoding;
    QSpinBox *m_population;
    QSpinBox *m_generations;
    QSpinBox *m_validationImages;
    QSpinBox *m_recalibrationImages;
    QComboBox *m_cost;
    QSpinBox *m_seed;
    QLineEdit *m_studyPath;
    QToolButton *m_browse;
    QLabel *m_constraints;
    QPushButton *m_start, *m_pause, *m_resume, *m_stop;
    QProgressBar *m_progress;
    QLabel *m_rate;
    QLabel *m_status;

    bool m_autoPath = true; ///< the study path was proposed, not typed
    SearchController::State m_state = SearchController::State::Idle;
    // progress bookkeeping for the running search
    int m_totalGenerations = 0, m_populationSize = 0;
    int m_generationsDone = 0, m_inGeneration = 0;
    qint64 m_evaluated = 0;
    double m_hypervolume = 0.0;
    QElapsedTimer m_clock;
    qint64 m_pausedMs = 0, m_pauseStarted = -1;
};

} // namespace edanas::ui
