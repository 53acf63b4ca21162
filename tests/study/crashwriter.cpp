// Helper for tst_study: opens (or creates) a study and adds candidates in a loop,
// printing "ready" once the study is open and then each committed id, flushed, so that
// the test can kill it at any moment and know what was committed.
//
// Usage: crashwriter STUDY [COUNT]   (COUNT 0 or absent: until killed)
#include "study/study.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>

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

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: crashwriter STUDY [COUNT]\n");
        return 2;
    }
    const std::string path = argv[1];
    const long count = argc > 2 ? std::atol(argv[2]) : 0;
    try {
        Study study = QFileInfo::exists(QString::fromStdString(path))
            ? Study::open(path)
            : Study::create(path, {"{}", "data", "d0", "ckpt", "c0", "space", "genes", "test", 1, ""});
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
