#include "jobrunner.h"

#include <QThread>

#include <exception>

namespace edanas::ui {

void JobContext::progress(const QString &text) const
{
    Job *job = m_job;
    QMetaObject::invokeMethod(job, [job, text] {
        job->m_lastProgress = text;
        Q_EMIT job->progress(text);
    }, Qt::QueuedConnection);
}

Job::Job(const QString &title, bool cancellable, QObject *parent)
    : QObject(parent)
    , m_title(title)
    , m_cancellable(cancellable)
    , m_cancel(std::make_shared<std::atomic<bool>>(false))
{
}

void Job::cancel()
{
    m_cancel->store(true);
}

JobRunner::JobRunner(QObject *parent)
    : QObject(parent)
{
}

JobRunner::~JobRunner()
{
    cancelAll();
    waitForAll();
}

Job *JobRunner::start(const QString &title, Work work, Done done, const Options &options)
{
    if (!options.group.isEmpty())
        supersede(options.group);
    auto *job = new Job(title, options.cancellable, this);
    job->setProperty("group", options.group);
    JobContext context;
    context.m_cancel = job->m_cancel;
    context.m_job = job;
    auto error = std::make_shared<QString>();
    auto failed = std::make_shared<bool>(false);
    job->m_thread = QThread::create([work = std::move(work), context, error, failed] {
        try {
            work(context);
        } catch (const std::exception &e) {
            *failed = true;
            *error = QString::fromUtf8(e.what());
        } catch (...) {
            *failed = true;
            *error = QStringLiteral("unknown error");
        }
    });
    job->m_thread->setObjectName(title.left(15));
    job->m_thread->setParent(job);
    connect(job->m_thread, &QThread::finished, this, [this, job, done = std::move(done), error, failed] {
        job->m_thread->deleteLater();
        job->m_thread = nullptr;
        m_jobs.removeAll(job);
        const Job::Outcome outcome = !*failed ? Job::Outcome::Done
                                     : job->isCancelRequested() ? Job::Outcome::Cancelled
                                                                : Job::Outcome::Failed;
        if (!job->m_superseded && done)
            done(outcome, outcome == Job::Outcome::Failed ? *error : QString());
        Q_EMIT job->finished(outcome, *error);
        Q_EMIT jobFinished(job, outcome, *error);
        Q_EMIT changed();
        job->deleteLater();
    });
    m_jobs.append(job);
    job->m_thread->start(options.lowPriority ? QThread::LowPriority : QThread::InheritPriority);
    Q_EMIT jobStarted(job);
    Q_EMIT changed();
    return job;
}

QList<Job *> JobRunner::jobs() const
{
    QList<Job *> out;
    for (const QPointer<Job> &job : m_jobs)
        if (job)
            out.append(job);
    return out;
}

QList<Job *> JobRunner::cancellableJobs() const
{
    QList<Job *> out;
    for (Job *job : jobs())
        if (job->isCancellable() && !job->m_superseded)
            out.append(job);
    return out;
}

void JobRunner::supersede(const QString &group)
{
    for (Job *job : jobs()) {
        if (!job->m_superseded && job->property("group").toString() == group) {
            job->m_superseded = true;
            job->cancel();
        }
    }
}

void JobRunner::cancelAll()
{
    for (Job *job : jobs())
        job->cancel();
}

void JobRunner::waitForAll()
{
    for (Job *job : jobs())
        if (job->m_thread)
            job->m_thread->wait();
}

} // namespace edanas::ui
