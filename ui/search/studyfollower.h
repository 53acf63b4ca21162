#pragma once
// Following a study that another process is writing (a headless `edanas search`, a
// distributed search's coordinator and workers, on SQLite or PostgreSQL): it is polled
// off the GUI thread with a read-only connection of its own, and what is new arrives as
// a signal on the GUI thread.

#include "searchtypes.h"

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace edanas::ui {

class StudyFollower : public QObject
{
    Q_OBJECT

public:
    explicit StudyFollower(QObject *parent = nullptr);
    /// Waits for a poll in flight (its connection is closed before it returns).
    ~StudyFollower() override;

    /// Polls `path` every interval from now on, for what comes after `from`.
    void follow(const QString &path, const StudyCursor &from);
    /// No more polls; a poll in flight is discarded.
    void stop();
    bool isFollowing() const { return m_timer.isActive(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    QString path() const { return m_path; }

Q_SIGNALS:
    /// Candidates and generations added since the last report, and the coordinator's
    /// status; sent only when something changed.
    void arrived(const edanas::ui::StudyContents &update);
    /// The study could not be read (it is polled again at the next interval).
    void failed(const QString &message);

private:
    void poll();

    QTimer m_timer;
    QString m_path;
    StudyCursor m_cursor;
    QString m_status;
    QString m_lastError;
    QPointer<QThread> m_inFlight;
    int m_session = 0; ///< results of earlier follow() calls are dropped
};

} // namespace edanas::ui
