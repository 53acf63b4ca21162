#pragma once

#include "searchtypes.h"
#include "searchworker.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QThread;

namespace edanas::ui {

class SearchSteering;

/// Starts, steers and ends searches for the GUI: one SearchWorker in its own QThread
/// per search, its queued signals forwarded here (in the GUI thread). Lives in the
/// GUI thread; every method is called there.
class SearchController : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Starting, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit SearchController(QObject *parent = nullptr);
    /// Stops a running search and waits for its thread.
    ~SearchController() override;

    /// Starts a search in a new thread; false (and nothing started) while one runs.
    bool start(const search::SearchEngine::Launch &launch);
    void pause();
    void resume();
    /// Asks the search to stop after the candidate being evaluated; finished() follows.
    void stop();
    /// Stops and blocks until the worker thread has ended (closing, destruction).
    void shutdown();

    /// New constraints for the running search (maxMacs in MACs, infinity: none;
    /// minAccuracy 0..1). Kept for the next start when none runs.
    void setConstraints(double maxMacs, double minAccuracy);
    /// Empty when done, else why not.
    QString pin(const space::Genome &genome);
    QString ban(const space::Genome &genome);
    QString unpin(const space::Genome &genome);
    QString unban(const space::Genome &genome);
    QString inject(const space::Genome &genome);
    QString keep(const space::Genome &genome);

    /// The running search's cached exit profile of a candidate's backbone, or null.
    std::shared_ptr<const eenn::ExitProfile> cachedProfile(const space::Genome &genome) const;

    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle; }
    /// The study the current (or last) search writes.
    QString studyPath() const { return m_studyPath; }
    /// The running search's constraints as last requested.
    double maxMacs() const;
    double minAccuracy() const;

Q_SIGNALS:
    void stateChanged(edanas::ui::SearchController::State state);
    void opened(const edanas::search::SearchConfig &config, double referenceMacs, qint64 validationImages);
    void candidateEvaluated(const edanas::search::CandidateSnapshot &candidate);
    void generationDone(const edanas::search::GenerationSnapshot &generation);
    void message(const QString &text);
    void failed(const QString &message);
    void finished(edanas::ui::SearchWorker::Outcome outcome);

private:
    void setState(State state);
    void onFinished(SearchWorker::Outcome outcome);

    State m_state = State::Idle;
    QPointer<QThread> m_thread;
    std::shared_ptr<SearchSteering> m_steering;
    QString m_studyPath;
};

} // namespace edanas::ui
