// `edanas worker`: measures the candidates a distributed search's coordinator puts in a
// study (search/worker.h).
#include <torch/torch.h> // before any Qt header

#include "search/worker.h"

#include "commands.h"
#include "options.h"

#include "study/study.h"

#include <QCommandLineParser>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace edanas::cli {

namespace {

std::atomic<search::Worker *> g_worker{nullptr};

extern "C" void onWorkerSignal(int)
{
    if (auto *w = g_worker.load())
        w->stop(); // an atomic store: safe in a signal handler
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

int runWorker(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Measures the candidates of a distributed search: claims the tasks its coordinator (edanas search "
        "--local-workers N) puts in the study, each with a lease kept alive by a heartbeat, and stores every "
        "candidate's figures and exit profile with the task, in one transaction. Refuses a supernet or data set "
        "other than the study's. Exits when the search has finished or stopped; Ctrl-C stops after the current "
        "candidate, a killed worker's candidate goes to another when its lease runs out."));
    p.addHelpOption();
    const QCommandLineOption studyOpt(
        QStringLiteral("study"),
        QStringLiteral("The study (required): a file, or postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME?study=NAME."),
        QStringLiteral("file|url"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("LibTorch intra-op threads (default: EDANAS_THREADS or the cores)."),
                                     QStringLiteral("n"));
    const QCommandLineOption supernetOpt(QStringLiteral("supernet"),
                                         QStringLiteral("Supernet checkpoint (default: the file the study names)."),
                                         QStringLiteral("file"));
    const QCommandLineOption dataOpt(QStringLiteral("data"),
                                     QStringLiteral("Data set (default: the path the study names)."),
                                     QStringLiteral("path"));
    QCommandLineOption poll(QStringLiteral("poll-seconds"), QStringLiteral("How often an idle worker looks for tasks."),
                            QStringLiteral("s"), QStringLiteral("0.5"));
    poll.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOptions({studyOpt, threads, supernetOpt, dataOpt, poll});
    p.process(args);
    if (!p.positionalArguments().isEmpty())
        throw UsageError("unexpected argument '" + p.positionalArguments().constFirst().toStdString() + "'");
    if (!p.isSet(studyOpt))
        throw UsageError("--study is required");
    if (p.isSet(threads))
        torch::set_num_threads(intValue(p, threads, 1, 1024));
    search::WorkerOptions o;
    o.study = p.value(studyOpt).toStdString();
    o.checkpointPath = p.value(supernetOpt).toStdString();
    o.datasetPath = p.value(dataOpt).toStdString();
    o.pollSeconds = doubleValue(p, poll, 0.01, 60.0);
    search::Worker worker(o);
    std::printf("worker %s on %s, %d threads\n", worker.name().c_str(), study::redactedLocation(o.study).c_str(),
                torch::get_num_threads());
    std::fflush(stdout);
    g_worker.store(&worker);
    std::signal(SIGINT, onWorkerSignal);
    std::signal(SIGTERM, onWorkerSignal);
    const auto n = worker.run([](const std::string &line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    });
    g_worker.store(nullptr);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::printf("worker done: %lld candidates\n", static_cast<long long>(n));
    return Ok;
}

} // namespace

int workerCommand(const QStringList &args)
{
    QStringList rest = args.mid(2);
    rest.prepend(QStringLiteral("edanas worker"));
    try {
        return runWorker(rest);
    } catch (const UsageError &e) {
        std::fprintf(stderr, "edanas worker: %s\n", e.what());
        return Usage;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "edanas: %s\n", e.what());
        return Failed;
    }
}

} // namespace edanas::cli
