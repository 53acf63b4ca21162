// The study as a work queue: what a coordinator and the database cost per candidate
// when many workers evaluate, with evaluations that only sleep (so that what is
// measured is the queue, not the network).
//
// Usage: bench_workers [--workers 64] [--population 64] [--generations 5] [--eval-ms 1000]
//                      [--lease 30] [--study FILE|URL]
// Without --study it starts a throw-away PostgreSQL cluster of its own (as the tests
// do); with a file it measures SQLite. Prints one table row per run.
#include "study/study.h"

#include "pgcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using edanas::study::CandidateRecord;
using edanas::study::Study;
using edanas::study::TaskRecord;

namespace {

using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

CandidateRecord candidateFor(const TaskRecord &t)
{
    CandidateRecord c;
    c.generation = t.generation;
    c.genomeJson = t.genomeJson;
    c.genomeHash = std::uint64_t(t.id) * 0x9E3779B97F4A7C15ull;
    c.genes = t.genes;
    c.objectives = {0.1, 1e6};
    c.accuracy = 0.9;
    c.figuresJson = "{\"share\":[0.5,0.3,0.2],\"exit_accuracy\":[0.8,0.9,0.95]}"; // about a real one's size
    c.origin = t.origin;
    return c;
}

struct Times
{
    std::mutex mutex;
    double claimMs = 0, emptyClaimMs = 0, renewMs = 0, completeMs = 0;
    long claims = 0, emptyClaims = 0, renews = 0, completes = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int workers = 64, population = 64, generations = 5, evalMs = 1000;
    double lease = 30;
    std::string location;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--workers")
            workers = std::atoi(argv[i + 1]);
        else if (k == "--population")
            population = std::atoi(argv[i + 1]);
        else if (k == "--generations")
            generations = std::atoi(argv[i + 1]);
        else if (k == "--eval-ms")
            evalMs = std::atoi(argv[i + 1]);
        else if (k == "--lease")
            lease = std::atof(argv[i + 1]);
        else if (k == "--study")
            location = argv[i + 1];
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    std::unique_ptr<edanas::test::PgCluster> cluster;
    try {
        if (location.empty()) {
            cluster = std::make_unique<edanas::test::PgCluster>();
            qputenv("PGPASSWORD", edanas::test::PgCluster::password());
            location = cluster->url("bench");
        }
        Study coordinator = Study::create(location, {});
        Times times;
        std::atomic<bool> finished{false};
        std::vector<std::string> errors(static_cast<std::size_t>(workers));
        std::vector<std::thread> pool;
        for (int w = 0; w < workers; ++w)
            pool.emplace_back([&, w] {
                try {
                    Study s = Study::open(location);
                    const std::string name = "worker-" + std::to_string(w);
                    while (!finished) {
                        auto t0 = Clock::now();
                        const auto task = s.claimTask(name, lease);
                        auto t1 = Clock::now();
                        if (!task) {
                            std::lock_guard lock(times.mutex);
                            times.emptyClaimMs += ms(t0, t1);
                            ++times.emptyClaims;
                            std::this_thread::sleep_for(std::chrono::milliseconds(100));
                            continue;
                        }
                        double renew = 0;
                        // the evaluation, with a heartbeat halfway
                        std::this_thread::sleep_for(std::chrono::milliseconds(evalMs / 2));
                        auto r0 = Clock::now();
                        s.renewLease(task->id, name, lease);
                        renew = ms(r0, Clock::now());
                        std::this_thread::sleep_for(std::chrono::milliseconds(evalMs - evalMs / 2));
                        auto c0 = Clock::now();
                        s.completeTask(task->id, name, candidateFor(*task));
                        auto c1 = Clock::now();
                        std::lock_guard lock(times.mutex);
                        times.claimMs += ms(t0, t1);
                        ++times.claims;
                        times.renewMs += renew;
                        ++times.renews;
                        times.completeMs += ms(c0, c1);
                        ++times.completes;
                    }
                } catch (const std::exception &e) {
                    errors[std::size_t(w)] = e.what();
                }
            });

        // the coordinator: a generation's tasks, then wait for all of them (polling as
        // the engine would), then read the new candidates
        double addMs = 0, pollMs = 0, readMs = 0;
        long polls = 0;
        std::int64_t lastId = 0;
        const auto start = Clock::now();
        for (int g = 0; g < generations; ++g) {
            auto a0 = Clock::now();
            for (int n = 0; n < population; ++n)
                coordinator.addTask(g, "{\"n\":" + std::to_string(n) + "}", {g, n, 1, 2, 3, 4, 5, 6, 7, 8}, "offspring");
            addMs += ms(a0, Clock::now());
            for (;;) {
                auto p0 = Clock::now();
                const auto tasks = coordinator.tasks(g);
                pollMs += ms(p0, Clock::now());
                ++polls;
                bool open = false;
                for (const auto &t : tasks)
                    open = open || t.state != TaskRecord::State::Done;
                if (!open)
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            auto r0 = Clock::now();
            const auto fresh = coordinator.candidates(lastId);
            if (!fresh.empty())
                lastId = fresh.back().id;
            readMs += ms(r0, Clock::now());
        }
        const double wallMs = ms(start, Clock::now());
        finished = true;
        for (auto &t : pool)
            t.join();
        for (const auto &e : errors)
            if (!e.empty()) {
                std::fprintf(stderr, "worker failed: %s\n", e.c_str());
                return 1;
            }
        const long n = long(population) * generations;
        const auto stored = coordinator.candidates().size();
        // the ideal: every worker busy, generations one after the other
        const double ideal = double(generations) * double((population + workers - 1) / workers) * evalMs;
        std::printf("store %s, %d workers, population %d, %d generations, evaluation %d ms\n",
                    cluster || edanas::study::isServerLocation(location) ? "PostgreSQL" : "SQLite", workers,
                    population, generations, evalMs);
        std::printf("candidates stored %zu of %ld\n", stored, n);
        std::printf("wall %.0f ms, ideal %.0f ms: %.2f ms per candidate beyond the ideal\n", wallMs, ideal,
                    (wallMs - ideal) / double(n));
        std::printf("coordinator per candidate: add %.3f ms, polls %.3f ms (%ld polls), read %.3f ms, total %.3f ms\n",
                    addMs / double(n), pollMs / double(n), polls, readMs / double(n), (addMs + pollMs + readMs) / double(n));
        std::printf("worker calls per candidate: claim %.3f ms, heartbeat %.3f ms, complete %.3f ms, total %.3f ms;"
                    " empty claims %ld (%.3f ms each)\n",
                    times.claimMs / double(times.claims), times.renewMs / double(times.renews),
                    times.completeMs / double(times.completes),
                    (times.claimMs + times.renewMs + times.completeMs) / double(times.completes), times.emptyClaims,
                    times.emptyClaims ? times.emptyClaimMs / double(times.emptyClaims) : 0.0);
        return stored == std::size_t(n) ? 0 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
