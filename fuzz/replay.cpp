// A main() for the fuzz targets without libFuzzer: feeds every file named on the
// command line (or found, not recursively, in a folder named there) to
// LLVMFuzzerTestOneInput once, in name order. Built with any compiler, so that the
// seeds and the regression inputs of every target run under the `asan` presets'
// AddressSanitizer and UndefinedBehaviorSanitizer as ordinary tests (fuzz/CMakeLists.txt).
// A finding aborts (FUZZ_CHECK, FUZZ_FAIL, a sanitizer report) after the input's name
// was printed; exit status 0 means every input passed.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
// defined by the targets that set something up once (fuzz_space, fuzz_study)
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

namespace fs = std::filesystem;

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path p(argv[i]);
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> files;
            for (const auto &e : fs::directory_iterator(p, ec))
                if (e.is_regular_file())
                    files.push_back(e.path());
            if (ec) {
                std::fprintf(stderr, "%s: cannot list the folder: %s\n", argv[i], ec.message().c_str());
                return 2;
            }
            std::sort(files.begin(), files.end());
            inputs.insert(inputs.end(), files.begin(), files.end());
        } else if (fs::is_regular_file(p, ec)) {
            inputs.push_back(p);
        } else {
            std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
    }
    if (inputs.empty()) {
        std::fprintf(stderr, "%s: no input found\n", argv[0]);
        return 2;
    }
    for (const auto &p : inputs) {
        std::ifstream in(p, std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in && !in.eof()) {
            std::fprintf(stderr, "%s: cannot be read\n", p.c_str());
            return 2;
        }
        std::fprintf(stderr, "%s (%zu bytes)\n", p.c_str(), bytes.size());
        // the same pointer for an empty input as libFuzzer gives: not null
        static const std::uint8_t empty = 0;
        LLVMFuzzerTestOneInput(bytes.empty() ? &empty : reinterpret_cast<const std::uint8_t *>(bytes.data()),
                               bytes.size());
    }
    std::printf("%zu inputs passed\n", inputs.size());
    return 0;
}
