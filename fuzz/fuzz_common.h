#pragma once

// Shared by the fuzz targets: a check that stops the run when an invariant of a
// parser's result does not hold. libFuzzer reports the abort as a crash and keeps the
// input, like a sanitizer finding.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__,   \
                         #cond);                                                         \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

#define FUZZ_FAIL(...)                                                                   \
    do {                                                                                 \
        std::fprintf(stderr, "%s:%d: FUZZ_FAIL: ", __FILE__, __LINE__);                  \
        std::fprintf(stderr, __VA_ARGS__);                                               \
        std::fputc('\n', stderr);                                                        \
        std::abort();                                                                    \
    } while (0)
