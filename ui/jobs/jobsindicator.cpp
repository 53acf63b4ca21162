#include "jobsindicator.h"

#include "ui/jobs/jobrunner.h"
#include "ui/widgets/elidedlabel.h"

#include <QHBoxLayout>
#include <QToolButton>

namespace edanas::ui {

JobsIndicator::JobsIndicator(JobRunner *jobs, QWidget *parent)
    : QWidget(parent)
    , m_jobs(jobs)
    , m_label(new ElidedLabel(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("jobsIndicator"));
    m_cancel->setObjectName(QStringLiteral("cancelJobsButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Cancel the running exports, fine-tunings and timings"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_cancel);
    m_label->setMinimumWidth(120);
    setMaximumWidth(480);
    connect(m_cancel, &QToolButton::clicked, m_jobs, &JobRunner::cancelAll);
    connect(m_jobs, &JobRunner::changed, this, &JobsIndicator::refresh);
    connect(m_jobs, &JobRunner::jobStarted, this, [this](Job *job) {
        connect(job, &Job::progress, this, &JobsIndicator::refresh);
    });
    refresh();
}

QString JobsIndicator::text() const
{
    return m_label->text();
}

void JobsIndicator::refresh()
{
    const QList<Job *> jobs = m_jobs->jobs();
    setVisible(!jobs.isEmpty());
    if (jobs.isEmpty()) {
        m_label->setText({});
        return;
    }
    const Job *first = jobs.first();
    QString text = first->lastProgress().isEmpty() ? first->title() : first->title() + QStringLiteral(": ") + first->lastProgress();
    if (first->isCancelRequested())
        text += tr(" (cancelling)");
    if (jobs.size() > 1)
        text += tr(" and %n more", nullptr, int(jobs.size() - 1));
    m_label->setText(text);
    m_cancel->setEnabled(!m_jobs->cancellableJobs().isEmpty());
}

} // namespace edanas::ui
