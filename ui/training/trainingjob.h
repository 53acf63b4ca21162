#pragma once

#include "supernet/trainer.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

class QThread;

namespace edanas::data {
struct Dataset;
}

namespace edanas::ui {

/// A supernet training run in the background (core's supernet::Trainer on its own
/// thread), for the Studio's Training dock: progress per batch, a report per epoch,
/// pause (between two batches), resume, cancel (the last complete epoch's checkpoint
/// stays). Starting again with the same output path and settings resumes after the last
/// complete epoch, also after the Studio was closed.
class TrainingJob : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        std::shared_ptr<const data::Dataset> dataset;
        QString space;   ///< a preset name or a space file
        supernet::TrainConfig config;
        QString outPath; ///< the checkpoint written after every epoch
    };

    explicit TrainingJob(QObject *parent = nullptr);
    /// Cancels a running training and waits for it (its last complete epoch stays).
    ~TrainingJob() override;

    /// Starts `request` unless a training runs (then false). The outcome is reported by
    /// finished(); a problem found before the first batch too (an error message).
    bool start(const Request &request);
    void pause();
    void resume();
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }
    bool isPaused() const { return m_paused.load(); }
    QString outPath() const { return m_outPath; }

Q_SIGNALS:
    /// The trainer is set up: it starts at `startEpoch` (0-based; > 0 when resuming).
    void started(int startEpoch, int totalEpochs);
    void batchDone(const edanas::supernet::BatchProgress &progress);
    void epochDone(const edanas::supernet::EpochReport &report);
    void pausedChanged(bool paused);
    /// completed: the training ran to its end; else it was cancelled or failed (`error`
    /// says why; empty when cancelled).
    void finished(bool completed, const QString &error);

private:
    QPointer<QThread> m_thread;
    QString m_outPath;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_paused{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

} // namespace edanas::ui

Q_DECLARE_METATYPE(edanas::supernet::BatchProgress)
Q_DECLARE_METATYPE(edanas::supernet::EpochReport)
