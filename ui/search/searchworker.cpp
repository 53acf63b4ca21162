#include "searchworker.h"

#include "searchsteering.h"

#include <QThread>

namespace edanas::ui {

SearchWorker::SearchWorker(search::SearchEngine::Launch launch, std::shared_ptr<SearchSteering> steering)
    : m_launch(std::move(launch))
    , m_steering(std::move(steering))
{
}

SearchWorker::~SearchWorker() = default;

void SearchWorker::run()
{
    Outcome outcome = Outcome::Failed;
    try {
        std::unique_ptr<search::SearchEngine> engine = search::SearchEngine::open(m_launch);
        // Declared after the engine: detaches before the engine is destroyed, also
        // when run() throws.
        struct Detach
        {
            SearchSteering &steering;
            ~Detach() { steering.detach(); }
        } detach{*m_steering};
        m_steering->attach(engine.get());
        Q_EMIT opened(engine->config(), engine->referenceMacs(), qint64(engine->validationImages()));

        search::SearchEngine::Result result = search::SearchEngine::Result::Stopped;
        if (!m_steering->isStopRequested() && !QThread::currentThread()->isInterruptionRequested())
            result = engine->run(*this);
        switch (result) {
        case search::SearchEngine::Result::Finished: outcome = Outcome::Finished; break;
        case search::SearchEngine::Result::Stalled: outcome = Outcome::Stalled; break;
        case search::SearchEngine::Result::Stopped: outcome = Outcome::Stopped; break;
        }
    } catch (const std::exception &e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        outcome = Outcome::Failed;
    }
    Q_EMIT finished(outcome);
}

void SearchWorker::candidateEvaluated(const search::CandidateSnapshot &c)
{
    Q_EMIT candidateReady(c);
}

void SearchWorker::generationDone(const search::GenerationSnapshot &g)
{
    Q_EMIT generationReady(g);
}

void SearchWorker::message(const std::string &m)
{
    Q_EMIT logMessage(QString::fromStdString(m));
}

} // namespace edanas::ui
