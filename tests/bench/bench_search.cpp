// Candidates per minute of the EENN search on the shipped supernet and Fashion-MNIST
// with the default settings (2,000 validation images and 500 recalibration images per
// candidate), and where the time goes: batch-norm recalibration, the profiling forward
// pass, and everything else (exit tuning, cost model, study writes).
// Usage: bench_search [ENCODING [POPULATION [GENERATIONS]]]   (default: studio 20 2)
#include "search/engine.h"

#include "runtime.h"
#include "supernet/checkpointinfo.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <chrono>
#include <cstdio>

using namespace edanas;

namespace {

class Printer : public search::SearchObserver
{
public:
    void generationDone(const search::GenerationSnapshot &g) override
    {
        const double total = g.recalibrationSeconds + g.forwardSeconds + g.otherSeconds;
        std::printf("generation %d: %lld candidates, %.1f candidates/min, hypervolume %.4f, front %zu; time: "
                    "recalibration %.0f %%, forward %.0f %%, other %.0f %% of %.0f s\n",
                    g.generation, static_cast<long long>(g.evaluated), g.candidatesPerMinute, g.hypervolume,
                    g.front.size(), 100 * g.recalibrationSeconds / total, 100 * g.forwardSeconds / total,
                    100 * g.otherSeconds / total, total);
        std::fflush(stdout);
    }
};

} // namespace

int main(int argc, char **argv)
{
    edanas::ensurePassiveWaitPolicy(argv);
    QCoreApplication app(argc, argv);
    initTorchThreads();
    QTemporaryDir dir;
    search::SearchEngine::Launch l;
    l.dataset.path = data::defaultDatasetPath();
    l.checkpointPath = supernet::defaultSupernetPath();
    l.config.encoding = search::parseEncoding(argc > 1 ? argv[1] : "studio");
    l.config.population = argc > 2 ? std::atoi(argv[2]) : 20;
    l.config.generations = argc > 3 ? std::atoi(argv[3]) : 2;
    l.config.finalValidationImages = -1; // the search alone
    l.studyPath = dir.filePath(QStringLiteral("bench.edanas")).toStdString();
    auto engine = search::SearchEngine::open(l);
    std::printf("threads %d, %s encoding, population %d, %d generations, %lld validation images, %lld "
                "recalibration images\n",
                threadCount(), search::encodingName(l.config.encoding).c_str(), l.config.population,
                l.config.generations, static_cast<long long>(engine->validationImages()),
                static_cast<long long>(l.config.recalibrationImages));
    Printer p;
    const auto t0 = std::chrono::steady_clock::now();
    engine->run(p);
    std::printf("wall time %.0f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}
