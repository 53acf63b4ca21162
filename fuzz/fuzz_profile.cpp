// Fuzz target: exit profiles as a study stores them (deserializeProfile in
// core/eenn/profilestore.cpp).
//
// Properties: an accepted profile has arrays of samples x positions entries, one
// position per exit with MACs >= 0 and correctness flags of 0 or 1; serialising it and
// reading it back gives the same profile.
#include "fuzz_common.h"

#include "eenn/profilestore.h"

#include <cstdint>
#include <cstring>
#include <string>

using edanas::eenn::ExitProfile;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    ExitProfile p;
    try {
        p = edanas::eenn::deserializeProfile(bytes, "fuzz.edanas");
    } catch (const edanas::eenn::ProfileError &e) {
        FUZZ_CHECK(std::strncmp(e.what(), "fuzz.edanas: ", 13) == 0);
        return 0;
    }
    const std::size_t cells = std::size_t(p.samples) * std::size_t(p.positions);
    FUZZ_CHECK(p.samples >= 0 && p.positions >= 1);
    FUZZ_CHECK(p.position.size() == std::size_t(p.positions) && p.backboneMacs.size() == std::size_t(p.positions)
               && p.exitMacs.size() == std::size_t(p.positions));
    FUZZ_CHECK(p.correct.size() == cells && p.predicted.size() == cells && p.maxSoftmax.size() == cells
               && p.margin.size() == cells && p.entropy.size() == cells && p.confidence.size() == cells);
    for (std::size_t q = 0; q < std::size_t(p.positions); ++q)
        FUZZ_CHECK(p.backboneMacs[q] >= 0 && p.exitMacs[q] >= 0);
    for (const auto c : p.correct)
        FUZZ_CHECK(c <= 1);
    const ExitProfile back = edanas::eenn::deserializeProfile(edanas::eenn::serializeProfile(p), "again");
    FUZZ_CHECK(back.samples == p.samples && back.positions == p.positions && back.classes == p.classes);
    FUZZ_CHECK(back.position == p.position && back.backboneMacs == p.backboneMacs && back.exitMacs == p.exitMacs);
    FUZZ_CHECK(back.correct == p.correct && back.predicted == p.predicted);
    // float arrays compared as bytes: NaNs are kept exactly
    auto sameBytes = [](const std::vector<float> &a, const std::vector<float> &b) {
        return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    };
    FUZZ_CHECK(sameBytes(back.maxSoftmax, p.maxSoftmax) && sameBytes(back.margin, p.margin)
               && sameBytes(back.entropy, p.entropy) && sameBytes(back.confidence, p.confidence));
    return 0;
}
