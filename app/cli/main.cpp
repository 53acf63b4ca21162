#include "commands.h"

#include "edanas/version.h"
#include "runtime.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace {

const char *const kUsage =
    "Usage: edanas <command> [options]\n"
    "\n"
    "Design early-exit neural networks by multi-objective architecture search,\n"
    "headless. The Studio (edanas-studio) runs the same engine with a window.\n"
    "\n"
    "Commands:\n"
    "  dataset info [PATH]       classes, counts per class and split, image shape,\n"
    "                            pixel statistics and content hash of a data set\n"
    "  dataset preview [PATH]    a PNG grid of sample images with their labels\n"
    "  supernet train            train the multi-exit supernet (progressive shrinking)\n"
    "  supernet info CKPT        what a supernet checkpoint holds, with its training log\n"
    "  supernet eval [CKPT]      top-1 of subnets at every exit, validation and test\n"
    "  supernet exits [CKPT]     the best exit configurations for one backbone\n"
    "  search --study FILE|URL   search early-exit networks (NSGA-II), into a study\n"
    "                            (an SQLite file or postgresql://...?study=NAME)\n"
    "  worker --study URL        measure a distributed search's candidates (with search --local-workers)\n"
    "  study show FILE           a study's configuration, generations and front\n"
    "  study steer STUDY REQ     pause, resume, stop, constraints, pin, ban, inject: a running search\n"
    "  study copy FROM TO        copy a study between SQLite and PostgreSQL\n"
    "  study export FILE         the archive or front as CSV or JSON\n"
    "  study plot FILE           a figure (front, hypervolume, exit curves, architecture)\n"
    "                            as PNG, SVG or PDF\n"
    "  study report FILE         a self-contained HTML or PDF report of a study\n"
    "  study compare A B ...     several studies' fronts on one data set: hypervolume\n"
    "                            over one reference, MACs at equal accuracy, a plot\n"
    "  export-model FILE         a candidate as a standalone early-exit network\n"
    "                            (LibTorch, ONNX, JSON), checked with OpenCV\n"
    "\n"
    "PATH defaults to the installed Fashion-MNIST. Run 'edanas <command> --help'\n"
    "for a command's options.\n"
    "\n"
    "Options:\n"
    "  -h, --help     this text\n"
    "  -v, --version  the version\n";

// `study plot`, `study report` and `study compare` draw with the Studio's widgets: they need a
// QApplication, off screen unless a display is at hand.
bool drawsFigures(int argc, char *argv[])
{
    return argc > 2 && std::strcmp(argv[1], "study") == 0
           && (std::strcmp(argv[2], "plot") == 0 || std::strcmp(argv[2], "report") == 0
               || std::strcmp(argv[2], "compare") == 0);
}

} // namespace

int main(int argc, char *argv[])
{
    edanas::ensurePassiveWaitPolicy(argv);
    std::unique_ptr<QCoreApplication> application;
    if (drawsFigures(argc, argv)) {
        if (!std::getenv("QT_QPA_PLATFORM") && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY"))
            setenv("QT_QPA_PLATFORM", "offscreen", 1);
        application = std::make_unique<QApplication>(argc, argv);
    } else {
        application = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("edanas"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(edanas::kVersion));

    const QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command.isEmpty()) {
        std::fputs(kUsage, stderr);
        return edanas::cli::Usage;
    }
    if (command == QLatin1String("-h") || command == QLatin1String("--help") || command == QLatin1String("help")) {
        std::fputs(kUsage, stdout);
        return edanas::cli::Ok;
    }
    if (command == QLatin1String("-v") || command == QLatin1String("--version")) {
        std::printf("edanas %s\n", edanas::kVersion);
        return edanas::cli::Ok;
    }
    edanas::initTorchThreads();
    if (command == QLatin1String("dataset"))
        return edanas::cli::datasetCommand(args);
    if (command == QLatin1String("supernet"))
        return edanas::cli::supernetCommand(args);
    if (command == QLatin1String("search"))
        return edanas::cli::searchCommand(args);
    if (command == QLatin1String("worker"))
        return edanas::cli::workerCommand(args);
    if (command == QLatin1String("study"))
        return edanas::cli::studyCommand(args);
    if (command == QLatin1String("export-model"))
        return edanas::cli::exportModelCommand(args);

    std::fprintf(stderr, "edanas: unknown command '%s'\n\n%s", qPrintable(command), kUsage);
    return edanas::cli::Usage;
}
