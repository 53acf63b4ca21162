// libFuzzer target: gzip decompression (gunzip, gunzipPrefix) and gzip-compressed IDX
// files (readIdxFile).
//
// The input is a gzip stream (or, when it does not start with the gzip magic, a raw
// IDX file, which readIdxFile also accepts). Checked:
//  - gunzip with a 64 MiB cap, then parseIdx on the result;
//  - gunzipPrefix returns exactly the first bytes of what gunzip returns, and refuses
//    a stream that is bad within those bytes exactly as gunzip does;
//  - gunzip with a cap of exactly the inflated size succeeds ("never past maxOutput");
//  - readIdxFile, which inflates a header-sized prefix first and then no more than the
//    header declares, agrees with inflating everything and parsing it.
// DataError is the parsers' documented way to refuse input; any other exception, a
// sanitizer report or a failed FUZZ_CHECK / FUZZ_FAIL is a finding.
//
// Speed: gunzip starts with an output buffer of min(maxOutput, 64 KiB) (it was 1 MiB:
// under AddressSanitizer a fresh 1 MiB buffer is a new mapping each time, and its page
// faults cost several ms per input on a small stream). Each input is
// first inflated up to 64 KiB + 1 bytes; a stream refused within those bytes is then
// refused by gunzip with that cap (same message required), and by gunzip with the
// 64 MiB cap only for one input in 16. Every stream that inflates past that point
// goes through gunzip with the 64 MiB cap.

#include "data/bytes.h"
#include "data/dataerror.h"
#include "data/idx.h"
#include "fuzz_common.h"

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

using edanas::data::DataError;
using edanas::data::IdxArray;

namespace {

constexpr std::size_t kCap = std::size_t(64) << 20; // 64 MiB
constexpr std::size_t kProbe = (std::size_t(64) << 10) + 1; // 64 KiB + 1
// Exact-cap and prefix re-inflation only for outputs up to this size, to keep the
// executions per second up: each re-inflation of an output past AddressSanitizer's
// largest size class (128 KiB) maps fresh memory, and its page faults cost more than the
// inflation (4 MiB here held a 1.25 MiB output to about 130 ms per execution).
constexpr std::size_t kRecheckLimit = std::size_t(256) << 10;

// One scratch file per process for readIdxFile, removed at exit.
const std::string &scratchPath()
{
    static const std::string path = [] {
        // A file system in memory when there is one: a disk's is slower.
        const char *dir = std::getenv("TMPDIR");
        std::string base = dir && *dir ? dir : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        std::string templ = base + "/fuzz_idx_gzip.XXXXXX";
        std::vector<char> buf(templ.begin(), templ.end());
        buf.push_back('\0');
        const int fd = mkstemp(buf.data());
        if (fd < 0) {
            std::perror("fuzz_idx_gzip: mkstemp");
            std::abort();
        }
        close(fd);
        std::string p(buf.data());
        static std::string forCleanup = p;
        std::atexit([] { std::remove(forCleanup.c_str()); });
        return p;
    }();
    return path;
}

void writeScratch(const std::uint8_t *data, std::size_t size)
{
    std::FILE *f = std::fopen(scratchPath().c_str(), "wb");
    if (!f || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
        std::perror("fuzz_idx_gzip: cannot write the scratch file");
        std::abort();
    }
}

void checkPrefix(const std::uint8_t *data, std::size_t size, const std::vector<std::uint8_t> &all,
                 std::size_t count)
{
    std::vector<std::uint8_t> prefix;
    try {
        prefix = edanas::data::gunzipPrefix(data, size, "input.gz", count);
    } catch (const DataError &e) {
        FUZZ_FAIL("gunzipPrefix(count=%zu) threw although gunzip inflated %zu bytes: %s", count,
                  all.size(), e.what());
    }
    FUZZ_CHECK(prefix.size() == std::min(count, all.size()));
    FUZZ_CHECK(std::equal(prefix.begin(), prefix.end(), all.begin()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const bool gzip = edanas::data::isGzip(data, size);

    // 1. Inflate the first kProbe bytes.
    std::vector<std::uint8_t> head;
    std::string headError;
    try {
        head = edanas::data::gunzipPrefix(data, size, "input.gz", kProbe);
        FUZZ_CHECK(head.size() <= kProbe);
    } catch (const DataError &e) {
        headError = e.what();
    }

    std::vector<std::uint8_t> all;
    bool inflated = false;
    if (!headError.empty()) {
        // Refused within the first kProbe bytes: gunzip must refuse it the same way.
        try {
            (void)edanas::data::gunzip(data, size, "input.gz", kProbe);
            FUZZ_FAIL("gunzip accepted a stream gunzipPrefix refused: %s", headError.c_str());
        } catch (const DataError &e) {
            FUZZ_CHECK(headError == e.what());
        }
        std::uint32_t h = 2166136261u; // FNV-1a: a fixed one input in 16
        for (std::size_t i = 0; i < size; ++i)
            h = (h ^ data[i]) * 16777619u;
        if (h % 16 == 0) {
            try {
                (void)edanas::data::gunzip(data, size, "input.gz", kCap);
                FUZZ_FAIL("gunzip accepted a stream gunzipPrefix refused: %s", headError.c_str());
            } catch (const DataError &e) {
                FUZZ_CHECK(headError == e.what());
            }
        }
    } else {
        // 2. Inflate everything, under the cap.
        try {
            all = edanas::data::gunzip(data, size, "input.gz", kCap);
            inflated = true;
        } catch (const DataError &e) {
            // A stream that ended within the first kProbe bytes inflated completely.
            if (head.size() < kProbe)
                FUZZ_FAIL("gunzip refused a stream that gunzipPrefix inflated to its end (%zu "
                          "bytes): %s",
                          head.size(), e.what());
        }
    }

    if (inflated) {
        FUZZ_CHECK(gzip); // without the magic bytes there is no gzip stream
        FUZZ_CHECK(all.size() <= kCap);
        // 3. Prefixes are the first bytes of the whole.
        FUZZ_CHECK(head.size() == std::min(kProbe, all.size()));
        FUZZ_CHECK(std::equal(head.begin(), head.end(), all.begin()));
        checkPrefix(data, size, all, 0);
        checkPrefix(data, size, all, 1);
        checkPrefix(data, size, all, 1024); // what readIdxFile asks for
        if (all.size() <= kRecheckLimit) {
            checkPrefix(data, size, all, all.size());
            checkPrefix(data, size, all, all.size() + 1);
            if (all.size() > 1)
                checkPrefix(data, size, all, all.size() - 1);
            // A cap of exactly the inflated size is not exceeded (Finding 1, fixed).
            try {
                const auto again = edanas::data::gunzip(data, size, "input.gz", all.size());
                FUZZ_CHECK(again == all);
            } catch (const DataError &e) {
                FUZZ_FAIL("gunzip with maxOutput = %zu, the stream's inflated size, threw: %s", all.size(),
                          e.what());
            }
        }
    }

    // 4. What readIdxFile should return: the IDX array in the (inflated) bytes.
    IdxArray direct;
    bool directOk = false;
    try {
        if (!gzip)
            direct = edanas::data::parseIdx(data, size, "input.idx");
        else if (inflated)
            direct = edanas::data::parseIdx(all.data(), all.size(), "input.idx");
        directOk = !gzip || inflated;
    } catch (const DataError &) {
    } catch (const std::invalid_argument &) {
    }

    writeScratch(data, size);
    IdxArray viaFile;
    bool fileOk = false;
    try {
        viaFile = edanas::data::readIdxFile(scratchPath());
        fileOk = true;
    } catch (const DataError &e) {
        if (directOk)
            FUZZ_FAIL("readIdxFile threw although the data parse: %s", e.what());
    } catch (const std::invalid_argument &) {
        FUZZ_CHECK(!directOk);
    }
    if (directOk) {
        FUZZ_CHECK(fileOk);
        FUZZ_CHECK(viaFile.dims == direct.dims);
        FUZZ_CHECK(viaFile.data == direct.data);
    } else if (fileOk) {
        // Only the 64 MiB cap of step 1 may make the direct way fail where the file
        // way, which has no such cap, succeeds.
        FUZZ_CHECK(gzip && !inflated);
        FUZZ_CHECK(4 + 4 * viaFile.dims.size() + viaFile.data.size() > kCap);
    }
    return 0;
}
