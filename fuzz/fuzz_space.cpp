// Fuzz target: search-space presets and genome JSON (core/space).
//
// The input is a search space's JSON, a NUL byte, and a genome's JSON (without a NUL
// byte: the space only). A genome is checked against the input's space when that is
// accepted, else against the shipped `tiny` preset.
//
// Properties: an accepted space writes itself out and reads back equal; its largest and
// smallest genomes are valid in it; an accepted genome writes itself out and reads back
// equal, and when it is valid in the space its architecture and exit positions can be
// described.
#include "fuzz_common.h"

#include "space/architecture.h"
#include "space/genome.h"
#include "space/searchspace.h"

#include <QCoreApplication>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

using namespace edanas::space;

namespace {

std::optional<SearchSpace> g_tiny;

void describeValid(const SearchSpace &space, const Genome &g)
{
    FUZZ_CHECK(g.problems(space).empty());
    const auto positions = allowedExitPositions(space, g);
    const auto arch = describe(space, g);
    (void)positions;
    (void)arch;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv); // resourceDir() asks it where the program lives
    g_tiny = SearchSpace::load("tiny");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const char *text = reinterpret_cast<const char *>(data);
    const auto nul = static_cast<const char *>(std::memchr(text, 0, size));
    const std::string spaceJson(text, nul ? std::size_t(nul - text) : size);
    const std::string genomeJson = nul ? std::string(nul + 1, text + size) : std::string();

    std::optional<SearchSpace> space;
    try {
        space = SearchSpace::fromJson(spaceJson, "space.json");
    } catch (const SpaceError &e) {
        FUZZ_CHECK(std::strncmp(e.what(), "space.json: ", 12) == 0);
    }
    if (space) {
        const SearchSpace again = SearchSpace::fromJson(space->toJson(), "again");
        FUZZ_CHECK(again == *space);
        // spaces that would take long to describe are not the point here
        if (space->stages.size() <= 8)
            for (const Genome &g : {Genome::largest(*space), Genome::smallest(*space)})
                describeValid(*space, g);
    }
    if (!nul)
        return 0;
    const SearchSpace &in = space ? *space : *g_tiny;
    Genome g;
    try {
        g = Genome::fromJson(genomeJson, "genome.json");
    } catch (const SpaceError &e) {
        FUZZ_CHECK(std::strncmp(e.what(), "genome.json: ", 13) == 0);
        return 0;
    }
    FUZZ_CHECK(Genome::fromJson(g.toJson(), "again") == g);
    (void)g.summary();
    (void)g.backboneKey();
    if (g.problems(in).empty() && in.stages.size() <= 8)
        describeValid(in, g);
    return 0;
}
