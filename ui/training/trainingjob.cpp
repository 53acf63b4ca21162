#include "trainingjob.h"

#include "space/searchspace.h"

#include <QThread>

namespace edanas::ui {

TrainingJob::TrainingJob(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<supernet::BatchProgress>();
    qRegisterMetaType<supernet::EpochReport>();
}

TrainingJob::~TrainingJob()
{
    if (m_thread) {
        cancel();
        m_thread->wait();
        delete m_thread.data();
    }
}

bool TrainingJob::start(const Request &request)
{
    if (m_thread)
        return false;
    m_cancel.store(false);
    m_paused.store(false);
    m_outPath = request.outPath;
    m_thread = QThread::create([this, request] {
        QString error;
        bool completed = false;
        try {
            const auto space = space::SearchSpace::load(request.space.toStdString());
            supernet::Trainer trainer(*request.dataset, space, request.config, request.outPath.toStdString());
            const int total = [&] {
                int n = 0;
                for (int e : request.config.phaseEpochs)
                    n += e;
                return n;
            }();
            QMetaObject::invokeMethod(this, [this, start = trainer.startEpoch(), total] { Q_EMIT started(start, total); },
                                      Qt::QueuedConnection);
            auto onBatch = [this](const supernet::BatchProgress &b) {
                QMetaObject::invokeMethod(this, [this, b] { Q_EMIT batchDone(b); }, Qt::QueuedConnection);
                // a pause holds the trainer between two batches
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return !m_paused.load() || m_cancel.load(); });
            };
            auto onEpoch = [this](const supernet::EpochReport &r) {
                QMetaObject::invokeMethod(this, [this, r] { Q_EMIT epochDone(r); }, Qt::QueuedConnection);
            };
            completed = trainer.run(m_cancel, onBatch, onEpoch) == supernet::Trainer::Result::Completed;
        } catch (const std::exception &e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(this, [this, completed, error] {
            if (m_thread) { // this lambda is the thread's last act: it ends at once
                m_thread->wait();
                delete m_thread.data(); // not left to a deleteLater the ended event loop may never run
            }
            m_paused.store(false);
            Q_EMIT finished(completed, error);
        }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("supernetTraining"));
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
    return true;
}

void TrainingJob::pause()
{
    if (!m_thread || m_paused.exchange(true))
        return;
    Q_EMIT pausedChanged(true);
}

void TrainingJob::resume()
{
    if (!m_paused.exchange(false))
        return;
    {
        std::lock_guard lock(m_mutex);
    }
    m_wake.notify_all();
    Q_EMIT pausedChanged(false);
}

void TrainingJob::cancel()
{
    m_cancel.store(true);
    {
        std::lock_guard lock(m_mutex);
    }
    m_wake.notify_all();
}

} // namespace edanas::ui
