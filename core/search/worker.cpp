#include "worker.h"

#include "engine.h"
#include "measure.h"

#include "eenn/evaluator.h"
#include "eenn/profilestore.h"
#include "study/records.h"
#include "study/study.h"
#include "supernet/checkpoint.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

namespace edanas::search {

struct Worker::Private
{
    WorkerOptions options;
    std::string name;
    std::optional<study::Study> study;
    std::shared_ptr<const data::Dataset> dataset;
    std::shared_ptr<eenn::ProfileEvaluator> evaluator;
    SearchConfig config;
    std::optional<Encoding> encoding;

    /// The coordinator's published status and constraints (none yet: "").
    std::string coordinatorStatus()
    {
        const auto s = study->state(study::kCoordinatorState);
        if (!s)
            return {};
        const auto c = study::CoordinatorStatus::fromJson(*s, study->path());
        config.maxMacs = c.constraints.maxMacs;
        config.minAccuracy = c.constraints.minAccuracy;
        leaseSeconds = c.leaseSeconds;
        return c.status;
    }
    double leaseSeconds = 60.0;
};

Worker::Worker(WorkerOptions options)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->name = d->options.name.empty() ? workerIdentity("worker") : d->options.name;
    d->study.emplace(study::Study::open(d->options.study));
    const study::StudyInfo info = d->study->info();
    const std::string where = d->study->path();
    d->config = SearchConfig::fromJson(info.configJson, where);

    const std::string checkpoint = d->options.checkpointPath.empty() ? info.checkpointPath : d->options.checkpointPath;
    if (SearchEngine::fileHash(checkpoint) != info.checkpointHash)
        throw study::StudyError(where, "was made with another supernet than " + checkpoint + " (hash "
                                           + SearchEngine::fileHash(checkpoint) + ", the study names "
                                           + info.checkpointHash + "): give this worker the study's supernet with "
                                           "--checkpoint");
    supernet::CheckpointInfo ckpt;
    auto net = supernet::loadCheckpoint(checkpoint, &ckpt);
    data::DatasetRef ref;
    ref.path = d->options.datasetPath.empty() ? info.datasetPath : d->options.datasetPath;
    d->dataset = std::make_shared<const data::Dataset>(data::loadDataset(ref));
    const std::string datasetHash = data::contentHash(*d->dataset);
    if (datasetHash != info.datasetHash)
        throw study::StudyError(where, "was made on another data set than " + ref.path
                                           + ": give this worker the study's data set with --data");
    supernet::checkCompatible(checkpoint, ckpt, net->space(), datasetHash);
    d->evaluator = std::make_shared<eenn::ProfileEvaluator>(net, *d->dataset, ckpt.mean, ckpt.std,
                                                            d->config.evaluatorOptions());
    d->encoding.emplace(net->space(), d->config.encoding);
}

Worker::~Worker() = default;

const std::string &Worker::name() const { return d->name; }

std::int64_t Worker::run(const std::function<void(const std::string &)> &log)
{
    using Clock = std::chrono::steady_clock;
    std::int64_t stored = 0;
    bool waiting = false;
    while (!m_stop) {
        const std::string status = d->coordinatorStatus();
        const auto task = d->study->claimTask(d->name, d->leaseSeconds);
        if (!task) {
            if (status == "finished" || status == "stopped") {
                log("the search has " + status + ": " + std::to_string(stored) + " candidates measured here");
                break;
            }
            if (!waiting)
                log("waiting for tasks");
            waiting = true;
            std::this_thread::sleep_for(std::chrono::duration<double>(d->options.pollSeconds));
            continue;
        }
        waiting = false;
        const auto t0 = Clock::now();
        // the heartbeat: a second connection renews the lease while the candidate is measured
        std::mutex mutex;
        std::condition_variable done;
        bool finished = false;
        std::atomic<bool> lost{false};
        std::string heartbeatError;
        std::thread heartbeat([&] {
            try {
                auto own = study::Study::open(d->options.study);
                std::unique_lock lock(mutex);
                const auto period = std::chrono::duration<double>(d->leaseSeconds / 4.0);
                while (!done.wait_for(lock, period, [&] { return finished; }))
                    if (!own.renewLease(task->id, d->name, d->leaseSeconds))
                        lost = true;
            } catch (const std::exception &e) {
                heartbeatError = e.what();
            }
        });
        try {
            const auto g = space::Genome::fromJson(task->genomeJson, d->study->path());
            Measurement m = measureCandidate(*d->evaluator, *d->encoding, d->config, g, task->genes, task->origin,
                                             true, task->generation);
            const study::ProfileBlob blob{g.backboneHash(), g.resolution, eenn::serializeProfile(*m.profile)};
            {
                std::lock_guard lock(mutex);
                finished = true;
            }
            done.notify_all();
            heartbeat.join();
            const auto id = d->study->completeTask(task->id, d->name, m.record, &blob);
            const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            char line[200];
            if (id) {
                ++stored;
                std::snprintf(line, sizeof line, "task %lld (generation %d): candidate %lld, accuracy %.2f %%, %.3f M MACs, %.2f s",
                              static_cast<long long>(task->id), task->generation, static_cast<long long>(*id),
                              100.0 * m.record.accuracy, m.record.macsTrue / 1e6, seconds);
            } else {
                std::snprintf(line, sizeof line, "task %lld: the lease ran out and another worker took it over",
                              static_cast<long long>(task->id));
            }
            log(line);
            if (!heartbeatError.empty())
                log("the heartbeat failed: " + heartbeatError);
        } catch (...) {
            {
                std::lock_guard lock(mutex);
                finished = true;
            }
            done.notify_all();
            if (heartbeat.joinable())
                heartbeat.join();
            throw;
        }
    }
    return stored;
}

} // namespace edanas::search
