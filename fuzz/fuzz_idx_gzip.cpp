// libFuzzer target: gzip decompression (gunzip, gunzipPrefix) and gzip-compressed IDX
// files (readIdxFile).
//
// The input is a gzip stream (or, when it does not start with the gzip magic, a raw
// IDX file, which readIdxFile also accepts). Checked:
//  - gunzip with a 120 KiB cap, then parseIdx on the result;
//  - gunzipPrefix returns exactly the first bytes of what gunzip returns, and refuses
//    a stream that is bad within those bytes exactly as gunzip does;
//  - gunzip with a cap of exactly the inflated size succeeds ("never past maxOutput");
//  - readIdxFile, which inflates a header-sized prefix first and then no more than the
//    header declares, agrees with inflating everything and parsing it.
// DataError is the parsers' documented way to refuse input; any other exception, a
// sanitizer report or a failed FUZZ_CHECK / FUZZ_FAIL is a finding.
//
// Speed: under AddressSanitizer every buffer past 128 KiB is a fresh mapping, and its
// page faults, not the inflating, cost the time: a stream that inflates to 1.25 MiB
// took about 60 ms per execution (gunzip's growing buffer, the file way's second
// inflation, two copies into IdxArrays), and the corpus's descendants of such streams
// held the target to about 100 executions per second. So nothing is inflated past
// kCap = 120 KiB (+1): a longer stream is checked to be refused with gunzip's "more
// than" message and goes no further (readIdxFile would inflate it all again; its code
// path is the same as for a short stream). Each input is first inflated up to 64 KiB +
// 1 bytes; a stream refused within those bytes is then refused by gunzip with that cap
// (same message required), and by gunzip with kCap for one input in 16.

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

// 120 KiB: gunzip's buffers (64 KiB, 96 KiB, 120 KiB + 1) and their redzones stay within
// AddressSanitizer's size classes (128 KiB at most), which it reuses, instead of fresh mappings.
constexpr std::size_t kCap = std::size_t(120) << 10;
constexpr std::size_t kProbe = (std::size_t(64) << 10) + 1; // 64 KiB + 1

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
            // Longer than kCap: refused for its length, and not inflated again.
            if (std::string(e.what()).find("decompresses to more than") != std::string::npos)
                return 0;
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
        // Streams longer than kCap returned above, so the direct way saw the whole
        // stream; readIdxFile must refuse what it refused.
        FUZZ_FAIL("readIdxFile accepted an input that inflating and parsing refuse (gzip: %d)", int(gzip));
    }
    return 0;
}
