#include "searchcontroller.h"

#include "searchsteering.h"

#include <QThread>

namespace edanas::ui {

SearchController::SearchController(QObject *parent)
    : QObject(parent)
    , m_steering(std::make_shared<SearchSteering>(std::numeric_limits<double>::infinity(), 0.0))
{
    registerSearchMetaTypes();
    qRegisterMetaType<SearchWorker::Outcome>();
    qRegisterMetaType<SearchController::State>();
}

SearchController::~SearchController()
{
    shutdown();
}

bool SearchController::start(const search::SearchEngine::Launch &launch)
{
    if (isActive())
        return false;
    m_studyPath = QString::fromStdString(launch.studyPath);
    m_steering = std::make_shared<SearchSteering>(launch.config.maxMacs, launch.config.minAccuracy);

    auto *thread = new QThread(this);
    thread->setObjectName(QStringLiteral("search"));
    auto *worker = new SearchWorker(launch, m_steering);
    worker->moveToThread(thread);

    // Worker -> GUI: queued (the worker lives in `thread`, this in the GUI thread).
    connect(thread, &QThread::started, worker, &SearchWorker::run);
    connect(worker, &SearchWorker::opened, this, [this](const search::SearchConfig &c, double ref, qint64 n) {
        if (m_state == State::Starting)
            setState(m_steering->isPaused() ? State::Paused : State::Running);
        Q_EMIT opened(c, ref, n);
    });
    connect(worker, &SearchWorker::candidateReady, this, &SearchController::candidateEvaluated);
    connect(worker, &SearchWorker::generationReady, this, &SearchController::generationDone);
    connect(worker, &SearchWorker::logMessage, this, &SearchController::message);
    connect(worker, &SearchWorker::failed, this, &SearchController::failed);
    connect(worker, &SearchWorker::finished, thread, &QThread::quit);
    connect(worker, &SearchWorker::finished, this, &SearchController::onFinished);
    connect(thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);

    m_thread = thread;
    setState(State::Starting);
    thread->start();
    return true;
}

void SearchController::pause()
{
    if (m_state != State::Running && m_state != State::Starting)
        return;
    m_steering->pause();
    if (m_state == State::Running)
        setState(State::Paused);
}

void SearchController::resume()
{
    if (m_state != State::Paused && m_state != State::Starting)
        return;
    m_steering->resume();
    if (m_state == State::Paused)
        setState(State::Running);
}

void SearchController::stop()
{
    if (!isActive() || m_state == State::Stopping)
        return;
    m_steering->stop();
    setState(State::Stopping);
}

void SearchController::shutdown()
{
    if (!m_thread)
        return;
    m_steering->stop();
    m_thread->requestInterruption();
    m_thread->quit();
    m_thread->wait();
    // the worker's last queued signals are dropped with the window that would show them
}

void SearchController::setConstraints(double maxMacs, double minAccuracy)
{
    m_steering->setConstraints(maxMacs, minAccuracy);
}

QString SearchController::pin(const space::Genome &genome)
{
    return m_steering->pin(genome);
}

QString SearchController::ban(const space::Genome &genome)
{
    return m_steering->ban(genome);
}

QString SearchController::unpin(const space::Genome &genome)
{
    return m_steering->unpin(genome);
}

QString SearchController::unban(const space::Genome &genome)
{
    return m_steering->unban(genome);
}

QString SearchController::inject(const space::Genome &genome)
{
    return m_steering->inject(genome);
}

QString SearchController::keep(const space::Genome &genome)
{
    return m_steering->keep(genome);
}

std::shared_ptr<const eenn::ExitProfile> SearchController::cachedProfile(const space::Genome &genome) const
{
    return m_steering ? m_steering->cachedProfile(genome) : nullptr;
}

double SearchController::maxMacs() const
{
    return m_steering->maxMacs();
}

double SearchController::minAccuracy() const
{
    return m_steering->minAccuracy();
}

void SearchController::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SearchController::onFinished(SearchWorker::Outcome outcome)
{
    setState(State::Idle);
    Q_EMIT finished(outcome);
}

} // namespace edanas::ui
