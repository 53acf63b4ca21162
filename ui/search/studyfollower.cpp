#include "studyfollower.h"

#include <memory>

namespace edanas::ui {

StudyFollower::StudyFollower(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &StudyFollower::poll);
}

StudyFollower::~StudyFollower()
{
    m_timer.stop();
    ++m_session;
    if (m_inFlight) {
        m_inFlight->wait();
        // its deleteLater may never run (the event loop has ended): LeakSanitizer saw the
        // QThread of a loader left this way at exit
        delete m_inFlight.data();
    }
}

void StudyFollower::follow(const QString &path, const StudyCursor &from)
{
    ++m_session;
    m_path = path;
    m_cursor = from;
    m_status.clear();
    m_lastError.clear();
    m_timer.start();
}

void StudyFollower::stop()
{
    ++m_session;
    m_timer.stop();
}

void StudyFollower::poll()
{
    if (m_inFlight)
        return; // the last poll is still reading (a slow server, a long lock wait)
    const int session = m_session;
    const QString path = m_path;
    const StudyCursor cursor = m_cursor;
    QThread *thread = QThread::create([this, path, cursor, session] {
        try {
            auto update = std::make_shared<const StudyContents>(readStudy(path, cursor));
            QMetaObject::invokeMethod(this, [this, update, session] {
                if (session != m_session)
                    return;
                m_lastError.clear();
                const bool changed = !update->candidates.empty() || !update->generations.empty()
                                     || update->coordinatorStatus != m_status;
                m_cursor = cursorAfter(*update, m_cursor);
                m_status = update->coordinatorStatus;
                if (changed)
                    Q_EMIT arrived(*update);
            }, Qt::QueuedConnection);
        } catch (const std::exception &e) {
            const QString message = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(this, [this, message, session] {
                if (session != m_session || message == m_lastError)
                    return; // one report per problem, not one per second
                m_lastError = message;
                Q_EMIT failed(message);
            }, Qt::QueuedConnection);
        }
    });
    thread->setObjectName(QStringLiteral("studyFollower"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_inFlight = thread;
    thread->start();
}

} // namespace edanas::ui
