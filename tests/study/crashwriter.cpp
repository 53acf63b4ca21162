// Helper for tst_study: opens (or creates) a study and adds candidates in a loop,
// printing "ready" once the study is open and then each committed id, flushed, so that
// the test can kill it at any moment and know what was committed.
//
// Usage: crashwriter STUDY [COUNT]   (STUDY a file or URL; COUNT 0 or absent: until killed)
//        crashwriter worker STUDY NAME LEASE-SECONDS
//          claims the study's tasks as worker NAME, "evaluates" each for about 0.6 s while
//          renewing its lease, completes it with taskCandidate(task id), printing
//          "claimed ID", then "done ID CANDIDATE" or "lost ID"; exits when every task is done.
#include "study/study.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <QThread>

#include <cstdio>
#include <cstdlib>
#include <cstring>

using edanas::study::CandidateRecord;
using edanas::study::Study;

// Candidate n of the study: a pure function of n, so a reader can tell a complete row
// from anything else. tst_study.cpp checks rows against the same rule.
static CandidateRecord crashCandidate(std::int64_t n)
{
    CandidateRecord c;
    c.generation = int(n / 10);
    c.genomeHash = std::uint64_t(n) * 0x9E3779B97F4A7C15ull;
    c.genomeJson = "{\"n\":" + std::to_string(n) + "}";
    for (int k = 0; k < 12; ++k)
        c.genes.push_back(int((n + k) % 5));
    c.objectives = {1.0 / double(n), double(n) * 1e6};
    c.accuracy = double(n) / 1000.0;
    // Large enough that a kill often lands while a commit is being written.
    c.figuresJson = "{\"pad\":\"" + std::string(16000, char('a' + n % 26)) + "\",\"n\":" + std::to_string(n) + "}";
    c.origin = "offspring";
    c.note = std::to_string(n);
    return c;
}

// What a worker stores for task `id`: tst_study.cpp checks it with the same rule.
static CandidateRecord taskCandidate(std::int64_t id)
{
    CandidateRecord c = crashCandidate(1000 + id);
    c.id = 0;
    return c;
}

static int work(const std::string &path, const std::string &name, double lease)
{
    Study study = Study::open(path);
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
        const auto task = study.claimTask(name, lease);
        if (!task) {
            const auto all = study.tasks();
            bool open = false;
            for (const auto &t : all)
                open = open || t.state != edanas::study::TaskRecord::State::Done;
            if (!open)
                return 0;
            QThread::msleep(50);
            continue;
        }
        std::printf("claimed %lld\n", static_cast<long long>(task->id));
        std::fflush(stdout);
        bool held = true;
        for (int step = 0; step < 6 && held; ++step) { // the evaluation, with its heartbeat
            QThread::msleep(100);
            held = study.renewLease(task->id, name, lease);
        }
        const auto candidate = study.completeTask(task->id, name, taskCandidate(task->id));
        if (candidate)
            std::printf("done %lld %lld\n", static_cast<long long>(task->id), static_cast<long long>(*candidate));
        else
            std::printf("lost %lld\n", static_cast<long long>(task->id));
        std::fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 5 && std::strcmp(argv[1], "worker") == 0) {
        try {
            return work(argv[2], argv[3], std::atof(argv[4]));
        } catch (const std::exception &e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 1;
        }
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: crashwriter STUDY [COUNT]\n");
        return 2;
    }
    const std::string path = argv[1];
    const long count = argc > 2 ? std::atol(argv[2]) : 0;
    try {
        const edanas::study::StudyInfo info{"{}", "data", "d0", "ckpt", "c0", "space", "genes", "test", 1, ""};
        Study study = [&] {
            if (!edanas::study::isServerLocation(path))
                return QFileInfo::exists(QString::fromStdString(path)) ? Study::open(path) : Study::create(path, info);
            try {
                return Study::open(path);
            } catch (const edanas::study::StudyError &e) {
                if (e.problem().find("no such study") == std::string::npos)
                    throw;
                return Study::create(path, info);
            }
        }();
        const auto existing = study.candidates();
        std::int64_t next = existing.empty() ? 1 : existing.back().id + 1;
        std::printf("ready\n");
        std::fflush(stdout);
        for (long i = 0; count == 0 || i < count; ++i, ++next) {
            std::printf("%lld\n", static_cast<long long>(study.addCandidate(crashCandidate(next))));
            std::fflush(stdout);
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
