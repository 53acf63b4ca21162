#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace edanas::ui {

class Job;

/// What a job's work sees on its thread: whether the user cancelled it, the flag core
/// functions poll (deploy::ExportRequest::cancel), and a way to report progress.
class JobContext
{
public:
    bool isCancelled() const { return m_cancel->load(); }
    const std::atomic<bool> *cancelFlag() const { return m_cancel.get(); }
    /// One line of progress; Job::progress delivers it on the GUI thread.
    void progress(const QString &text) const;

private:
    friend class JobRunner;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    Job *m_job = nullptr; ///< lives until after the work's thread has finished
};

/// One piece of work running off the GUI thread. Lives in the GUI thread; deleted
/// (deleteLater) once it has finished and its result was delivered.
class Job : public QObject
{
    Q_OBJECT

public:
    enum class Outcome { Done, Failed, Cancelled };
    Q_ENUM(Outcome)

    QString title() const { return m_title; }
    /// Whether the user can cancel it (the work polls JobContext::isCancelled).
    bool isCancellable() const { return m_cancellable; }
    bool isCancelRequested() const { return m_cancel->load(); }
    QString lastProgress() const { return m_lastProgress; }
    /// Asks the work to stop at its next check; finished(Cancelled) follows.
    void cancel();

Q_SIGNALS:
    void progress(const QString &text);
    void finished(edanas::ui::Job::Outcome outcome, const QString &error);

private:
    friend class JobRunner;
    friend class JobContext;
    Job(const QString &title, bool cancellable, QObject *parent);

    QString m_title;
    bool m_cancellable;
    bool m_superseded = false;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QString m_lastProgress;
    QThread *m_thread = nullptr;
};

/// The Studio's one way of running work off the GUI thread: loading data sets, studies
/// and exit profiles, model export, fine-tuning, inference timing. Each job runs on its
/// own thread; its result comes back to the GUI thread through `done`, with the error
/// of an exception the work threw (the work catches nothing itself). A job of a
/// `group` supersedes the group's earlier one: that one is asked to cancel and its
/// `done` is never called (a newer load won). Closing the window asks when cancellable
/// jobs run, then cancels them (MainWindow).
class JobRunner : public QObject
{
    Q_OBJECT

public:
    using Work = std::function<void(const JobContext &context)>;
    /// On the GUI thread after the work: outcome, and the exception's message (Failed).
    using Done = std::function<void(Job::Outcome outcome, const QString &error)>;

    struct Options
    {
        bool cancellable = true;
        QString group; ///< non-empty: a new job of the group supersedes the older one
        bool lowPriority = false; ///< a measurement that should not slow the window down
    };

    explicit JobRunner(QObject *parent = nullptr);
    /// Cancels what runs and waits for it; no `done` is called after that.
    ~JobRunner() override;

    Job *start(const QString &title, Work work, Done done, const Options &options);
    Job *start(const QString &title, Work work, Done done) { return start(title, std::move(work), std::move(done), Options{}); }

    /// The jobs running now, oldest first.
    QList<Job *> jobs() const;
    /// Running jobs the user can cancel (the ones closing the window asks about).
    QList<Job *> cancellableJobs() const;
    bool isIdle() const { return m_jobs.isEmpty(); }
    void cancelAll();
    /// The running jobs of `group` are no longer wanted: cancelled, their `done` not called.
    void supersede(const QString &group);
    /// Blocks until every running job's work has returned (tests, shutdown).
    void waitForAll();

Q_SIGNALS:
    void jobStarted(edanas::ui::Job *job);
    /// After the job's `done`; the job is deleted later.
    void jobFinished(edanas::ui::Job *job, edanas::ui::Job::Outcome outcome, const QString &error);
    /// The set of running jobs changed (started, finished).
    void changed();

private:
    QList<QPointer<Job>> m_jobs;
};

} // namespace edanas::ui
