// Fuzz target: study files (core/study, SQLite through Qt Sql). The input is written
// to a scratch file (in /dev/shm when it exists) and opened as a study, read-only, the
// way the Studio opens a study it is given; then everything in it is read.
//
// Properties: a refused file gets a StudyError naming it; an accepted one yields its
// info, candidates (ids ascending), generations, events and state without another
// exception; the input file is left byte for byte as it was.
#include "fuzz_common.h"

#include "study/study.h"

#include <QCoreApplication>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace edanas::study;

namespace {

std::string g_path;

std::string readBack(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv); // the SQLite driver is a Qt plugin
    std::error_code ec;
    std::string dir = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
    if (const char *t = std::getenv("TMPDIR"); t && !std::filesystem::is_directory("/dev/shm", ec))
        dir = t;
    g_path = dir + "/fuzz-study-" + std::to_string(getpid()) + ".edanas";
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        std::remove((g_path + suffix).c_str());
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    std::ofstream(g_path, std::ios::binary).write(bytes.data(), std::streamsize(size));
    try {
        const Study s = Study::open(g_path, true);
        (void)s.info();
        std::int64_t last = 0;
        for (const auto &c : s.candidates()) {
            FUZZ_CHECK(c.id > last);
            last = c.id;
            (void)s.candidateByHash(c.genomeHash);
            (void)s.profile(c.genomeHash, 32);
        }
        (void)s.generations();
        (void)s.events();
        (void)s.state("optimizer");
    } catch (const StudyError &e) {
        FUZZ_CHECK(std::strncmp(e.what(), g_path.c_str(), g_path.size()) == 0);
    }
    FUZZ_CHECK(readBack(g_path) == bytes);
    return 0;
}
