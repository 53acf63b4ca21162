#pragma once

#include "searchtypes.h"

#include <QObject>

#include <memory>

namespace edanas::ui {

class SearchSteering;

/// Runs one search: opens the engine (data set, supernet, study) and runs it, in the
/// thread it was moved to, and reports through queued signals carrying immutable value
/// snapshots. Lives in its worker thread from construction to deleteLater; the GUI
/// never calls it directly, it steers through the shared SearchSteering.
class SearchWorker : public QObject, private search::SearchObserver
{
    Q_OBJECT

public:
    enum class Outcome { Finished, Stalled, Stopped, Failed };
    Q_ENUM(Outcome)

    SearchWorker(search::SearchEngine::Launch launch, std::shared_ptr<SearchSteering> steering);
    ~SearchWorker() override;

    /// Opens and runs the engine; returns when the search ends. Connected to
    /// QThread::started, so it runs in the worker thread; the engine (and the study
    /// connection it owns) is created and destroyed there.
    void run();

Q_SIGNALS:
    /// The engine is open: the configuration it runs with (a resumed study's own).
    void opened(const edanas::search::SearchConfig &config, double referenceMacs, qint64 validationImages);
    void candidateReady(const edanas::search::CandidateSnapshot &candidate);
    void generationReady(const edanas::search::GenerationSnapshot &generation);
    void logMessage(const QString &text);
    /// Opening or running failed (bad checkpoint, study exists, disk full...).
    void failed(const QString &message);
    /// Always the last signal, after the engine is destroyed.
    void finished(edanas::ui::SearchWorker::Outcome outcome);

private:
    // SearchObserver, called on the engine's (this worker's) thread
    void candidateEvaluated(const search::CandidateSnapshot &c) override;
    void generationDone(const search::GenerationSnapshot &g) override;
    void message(const std::string &m) override;

    search::SearchEngine::Launch m_launch;
    std::shared_ptr<SearchSteering> m_steering;
};

} // namespace edanas::ui
