#pragma once

#include <QWidget>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;

namespace edanas::supernet {
struct BatchProgress;
struct EpochReport;
}

namespace edanas::ui {

class TrainingJob;

/// The Training dock's contents: a progress bar with the rate and the time left, the
/// phase, the loss per step and the validation accuracy per epoch at every exit of the
/// largest and the smallest subnet (live QCustomPlot curves, phase boundaries marked),
/// and Pause / Resume / Cancel for the job it shows.
class TrainingView : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingView(TrainingJob *job, QWidget *parent = nullptr);

    QCustomPlot *lossPlot() const { return m_loss; }
    QCustomPlot *accuracyPlot() const { return m_accuracy; }
    QProgressBar *progressBar() const { return m_progress; }
    QString statusText() const;
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *resumeButton() const { return m_resume; }
    QPushButton *cancelButton() const { return m_cancel; }

private:
    void onStarted(int startEpoch, int totalEpochs);
    void onBatch(const supernet::BatchProgress &b);
    void onEpoch(const supernet::EpochReport &r);
    void onFinished(bool completed, const QString &error);
    void updateButtons();
    void markPhase(double x, QCustomPlot *plot, const QString &name);

    TrainingJob *m_job;
    QProgressBar *m_progress;
    QLabel *m_status;
    QCustomPlot *m_loss, *m_accuracy;
    QPushButton *m_pause, *m_resume, *m_cancel;
    int m_totalEpochs = 0;
    double m_step = 0;      ///< steps seen, for the loss plot's axis (epochs)
    int m_lastPhase = -1;   ///< for the loss plot's phase marks
    int m_lastEpochPhase = -1;
};

} // namespace edanas::ui
