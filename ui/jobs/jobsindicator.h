#pragma once

#include <QWidget>

class QToolButton;

namespace edanas::ui {

class ElidedLabel;
class JobRunner;

/// The status bar's view of the running jobs: the oldest one's title and last
/// progress line ("and N more" when several run) and a Cancel button that cancels
/// every cancellable job. Hidden while nothing runs.
class JobsIndicator : public QWidget
{
    Q_OBJECT

public:
    JobsIndicator(JobRunner *jobs, QWidget *parent = nullptr);

    QString text() const;

private:
    void refresh();

    JobRunner *m_jobs;
    ElidedLabel *m_label;
    QToolButton *m_cancel;
};

} // namespace edanas::ui
