// LibTorch before Qt: Qt's `slots` keyword breaks LibTorch's headers.
#include "search/engine.h"
#include "search/measure.h"
#include "search/pareto.h"
#include "supernet/checkpoint.h"

#include "commands.h"
#include "options.h"

#include "data/dataset.h"
#include "study/records.h"
#include "study/study.h"
#include "study/studyexport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QProcess>
#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <limits>

namespace edanas::cli {

namespace {

std::atomic<search::SearchEngine *> g_engine{nullptr};

extern "C" void onSearchInterrupt(int)
{
    if (auto *e = g_engine.load())
        e->stop(); // an atomic store: safe in a signal handler
    std::signal(SIGINT, SIG_DFL);
}

std::string minutes(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "?";
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, s >= 3600 ? "%lldh%02lldm" : "%lldm%02llds", s >= 3600 ? s / 3600 : s / 60,
                  s >= 3600 ? (s / 60) % 60 : s % 60);
    return buf;
}

class ProgressPrinter : public search::SearchObserver
{
public:
    void generationDone(const search::GenerationSnapshot &g) override
    {
        std::printf("generation %3d  front %3zu  hypervolume %.5f  best accuracy %.2f %%  fewest MACs %.3f M  "
                    "%5.1f candidates/min  %s left\n",
                    g.generation, g.front.size(), g.hypervolume, 100.0 * g.bestAccuracy, g.fewestMacs / 1e6,
                    g.candidatesPerMinute, minutes(g.secondsLeft).c_str());
        std::fflush(stdout);
    }
    void finalFront(const std::vector<search::FinalFigures> &front) override
    {
        std::printf("final front on %lld validation images:\n", front.empty() ? 0LL : static_cast<long long>(front[0].images));
        for (const auto &f : front)
            std::printf("  candidate %5lld  accuracy %.2f %%  average MACs %.3f M (paper %.3f M)\n",
                        static_cast<long long>(f.id), 100.0 * f.accuracy, f.macsTrue / 1e6, f.macsPaper / 1e6);
        std::fflush(stdout);
    }
    void message(const std::string &m) override
    {
        std::printf("%s\n", m.c_str());
        std::fflush(stdout);
    }
};

int runSearch(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Searches early-exit networks (backbone, exit placement, thresholds) with NSGA-II on the supernet, "
        "for accuracy and average MACs, writing every candidate to a study file as it goes. Ctrl-C stops "
        "after the current candidate; --resume continues a stopped or killed search."));
    p.addHelpOption();
    DatasetOptions data;
    data.addTo(p);
    const QCommandLineOption supernetOpt(QStringLiteral("supernet"),
                                         QStringLiteral("Supernet checkpoint (default: the shipped one)."),
                                         QStringLiteral("file"));
    const QCommandLineOption encoding(QStringLiteral("encoding"), QStringLiteral("edanas, nachos, studio, or static (the backbone alone, no exits: the baseline an early-exit front is measured against)."),
                                      QStringLiteral("name"), QStringLiteral("studio"));
    const QCommandLineOption population(QStringLiteral("population"), QStringLiteral("Population size."),
                                        QStringLiteral("n"), QStringLiteral("50"));
    const QCommandLineOption generations(QStringLiteral("generations"), QStringLiteral("Generations."),
                                         QStringLiteral("n"), QStringLiteral("30"));
    const QCommandLineOption studyOpt(
        QStringLiteral("study"),
        QStringLiteral("Study to write (required): a file, or postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME"
                       "?study=NAME (libpq parameters such as host=SOCKET-DIR or sslmode=... pass through; "
                       "without a password in the URL, PGPASSWORD and ~/.pgpass apply)."),
        QStringLiteral("file|url"));
    const QCommandLineOption resume(QStringLiteral("resume"), QStringLiteral("Continue the search in --study."));
    const QCommandLineOption maxMacs(QStringLiteral("max-macs"),
                                     QStringLiteral("Ceiling on average MACs, in millions (e.g. 2.7)."),
                                     QStringLiteral("M"));
    const QCommandLineOption minAcc(QStringLiteral("min-accuracy"),
                                    QStringLiteral("Floor on top-1 accuracy, in percent (e.g. 65)."),
                                    QStringLiteral("A"));
    const QCommandLineOption seed(QStringLiteral("search-seed"), QStringLiteral("Seed of the search."), QStringLiteral("n"),
                                  QStringLiteral("1"));
    const QCommandLineOption validation(QStringLiteral("validation-images"),
                                        QStringLiteral("Validation images profiled per candidate (0: all)."),
                                        QStringLiteral("n"), QStringLiteral("2000"));
    const QCommandLineOption recal(QStringLiteral("recalibration-images"),
                                   QStringLiteral("Training images for batch-norm recalibration per candidate."),
                                   QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption finalImages(QStringLiteral("final-validation-images"),
                                         QStringLiteral("The final front is measured again on this many validation "
                                                        "images (0: all; -1: skip)."),
                                         QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption stall(QStringLiteral("stall"),
                                   QStringLiteral("Stop after this many generations without a better "
                                                  "hypervolume (0: never)."),
                                   QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption maxParams(QStringLiteral("max-params"),
                                       QStringLiteral("Ceiling on parameters, in millions."), QStringLiteral("M"));
    const QCommandLineOption maxSram(
        QStringLiteral("max-sram-kib"),
        QStringLiteral("Ceiling on the SRAM a microcontroller needs, in KiB: the int8 tensor arena of the "
                       "early-exit network as docs/DEPLOY.md defines it (--max-peak-kib: its old name)."),
        QStringLiteral("K"));
    QCommandLineOption maxPeak(QStringLiteral("max-peak-kib"), QStringLiteral("Old name of --max-sram-kib."),
                               QStringLiteral("K"));
    maxPeak.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption alsoParams(QStringLiteral("objective-params"),
                                        QStringLiteral("Also minimise parameters (a third objective)."));
    const QCommandLineOption alsoSram(
        QStringLiteral("objective-sram"),
        QStringLiteral("Also minimise that SRAM (the int8 tensor arena of docs/DEPLOY.md; a third or fourth "
                       "objective; --objective-peak-memory: its old name)."));
    QCommandLineOption alsoPeak(QStringLiteral("objective-peak-memory"),
                                QStringLiteral("Old name of --objective-sram."));
    alsoPeak.setFlags(QCommandLineOption::HiddenFromHelp);
    const QCommandLineOption paperCost(QStringLiteral("paper-cost"),
                                       QStringLiteral("Average MACs as EDANAS counts them (without the exits "
                                                      "an input passed through)."));
    const QCommandLineOption localWorkers(
        QStringLiteral("local-workers"),
        QStringLiteral("Distribute the search (this process becomes its coordinator): each generation's candidates "
                       "are put in the study as tasks, which `edanas worker --study ...` processes on any machine "
                       "claim and measure; N of them run here (this process and N-1 workers it starts, the cores "
                       "shared among them; 0: this process measures nothing). Default: 1 for a PostgreSQL study; "
                       "a study file is searched by this process alone unless N is given."),
        QStringLiteral("N"));
    QCommandLineOption lease(QStringLiteral("lease-seconds"),
                             QStringLiteral("How long a claimed task stays a worker's without a heartbeat."),
                             QStringLiteral("s"), QStringLiteral("60"));
    lease.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOptions({supernetOpt, encoding, population, generations, studyOpt, resume, maxMacs, minAcc, seed,
                  validation, recal, finalImages, stall, maxParams, maxSram, maxPeak, alsoParams, alsoSram, alsoPeak,
                  paperCost, localWorkers, lease});
    p.process(args);
    if (!p.positionalArguments().isEmpty())
        throw UsageError("unexpected argument '" + p.positionalArguments().constFirst().toStdString() + "'");
    if (!p.isSet(studyOpt))
        throw UsageError("--study is required");
    const std::string studyPath = p.value(studyOpt).toStdString();
    const std::string shownPath = study::redactedLocation(studyPath); // never the password
    if (!p.isSet(resume) && !study::isServerLocation(studyPath) && QFileInfo::exists(p.value(studyOpt)))
        throw UsageError(studyPath + " exists: use --resume to continue it, or name a new file");

    search::SearchConfig c;
    try {
        c.encoding = search::parseEncoding(p.value(encoding).toStdString());
    } catch (const std::invalid_argument &e) {
        throw UsageError(std::string("--encoding: ") + e.what());
    }
    c.population = intValue(p, population, 2, 100000);
    c.generations = intValue(p, generations, 1, 1000000);
    c.seed = std::uint64_t(intValue(p, seed, 0, 1 << 30));
    c.validationImages = intValue(p, validation, 0, 100000000);
    c.recalibrationImages = intValue(p, recal, 1, 100000000);
    c.stallGenerations = intValue(p, stall, 0, 1000000);
    c.finalValidationImages = intValue(p, finalImages, -1, 100000000);
    c.trueCost = !p.isSet(paperCost);
    if (p.isSet(maxMacs))
        c.maxMacs = doubleValue(p, maxMacs, 1e-6, 1e9) * 1e6;
    if (p.isSet(maxParams))
        c.maxParams = doubleValue(p, maxParams, 1e-6, 1e9) * 1e6;
    if (p.isSet(maxSram) && p.isSet(maxPeak))
        throw UsageError("--max-sram-kib and --max-peak-kib are one option: give it once");
    for (const QCommandLineOption *o : {&maxSram, static_cast<const QCommandLineOption *>(&maxPeak)})
        if (p.isSet(*o))
            c.maxSramBytes = doubleValue(p, *o, 1e-3, 1e9) * 1024.0;
    c.objectiveParams = p.isSet(alsoParams);
    c.objectiveSram = p.isSet(alsoSram) || p.isSet(alsoPeak);
    if (p.isSet(minAcc))
        c.minAccuracy = doubleValue(p, minAcc, 0.0, 100.0) / 100.0;

    search::SearchEngine::Launch launch;
    launch.checkpointPath = p.isSet(supernetOpt) ? p.value(supernetOpt).toStdString() : supernet::defaultSupernetPath();
    if (launch.checkpointPath.empty())
        throw UsageError("no --supernet given and none shipped in resources/supernet");
    launch.dataset = data.refWithoutPositional(p);
    launch.config = c;
    launch.studyPath = studyPath;
    launch.resume = p.isSet(resume);
    const bool distributed = p.isSet(localWorkers) || study::isServerLocation(studyPath);
    const int here = p.isSet(localWorkers) ? intValue(p, localWorkers, 0, 256) : 1;
    const double leaseSeconds = doubleValue(p, lease, 0.5, 86400.0);
    // the cores are shared among the processes measuring here
    const int cores = std::max(1, torch::get_num_threads());
    const int threadsEach = std::max(1, cores / std::max(1, here));
    if (distributed)
        torch::set_num_threads(threadsEach);
    const auto opened = search::SearchEngine::open(launch);
    search::SearchEngine &engine = *opened;
    if (distributed)
        engine.distribute(here > 0, leaseSeconds);
    // the other local workers, started once the study exists; they leave when the search ends
    std::vector<std::unique_ptr<QProcess>> workers;
    for (int i = 1; distributed && i < here; ++i) {
        auto w = std::make_unique<QProcess>();
        w->setProcessChannelMode(QProcess::ForwardedChannels);
        QStringList wargs{QStringLiteral("worker"), QStringLiteral("--study"), QString::fromStdString(studyPath),
                          QStringLiteral("--threads"), QString::number(threadsEach), QStringLiteral("--supernet"),
                          QString::fromStdString(launch.checkpointPath)};
        w->start(QCoreApplication::applicationFilePath(), wargs);
        if (!w->waitForStarted(10000))
            throw std::runtime_error("cannot start a local worker: " + w->errorString().toStdString());
        workers.push_back(std::move(w));
    }
    auto waitForWorkers = [&] {
        for (auto &w : workers)
            if (!w->waitForFinished(120000)) {
                w->kill();
                w->waitForFinished(5000);
            }
    };
    const auto &cfg = engine.config();
    std::printf("search: %s encoding, population %d, %d generations, %lld validation images, supernet %s\n"
                "hypervolume of (error, average MACs / %.3f M) against the reference point (1, 1)\n",
                search::encodingName(cfg.encoding).c_str(), cfg.population, cfg.generations,
                static_cast<long long>(engine.validationImages()), launch.checkpointPath.c_str(),
                engine.referenceMacs() / 1e6);
    std::fflush(stdout);
    ProgressPrinter printer;
    g_engine.store(&engine);
    std::signal(SIGINT, onSearchInterrupt);
    const auto result = engine.run(printer);
    std::signal(SIGINT, SIG_DFL);
    g_engine.store(nullptr);
    waitForWorkers(); // they saw the coordinator's "finished" or "stopped" in the study
    if (result == search::SearchEngine::Result::Stopped) {
        std::printf("stopped: everything evaluated is in %s; --resume continues it\n", shownPath.c_str());
        return Interrupted;
    }
    std::printf("done: %s\n", shownPath.c_str());
    return Ok;
}

std::string studyPathFrom(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1)
        throw UsageError("expected one study (a file or a postgresql:// URL)");
    return p.positionalArguments().constFirst().toStdString();
}

std::vector<std::int64_t> lastFront(const study::Study &s)
{
    const auto gens = s.generations();
    return gens.empty() ? std::vector<std::int64_t>{} : gens.back().front;
}

// The early-exit front against the static front of the same candidates' backbones (each
// with its final head alone), and of the candidates of `baselines` (studies of the same
// supernet and data set, e.g. a search with --encoding static), at equal accuracy, in true
// average MACs.
void printEqualAccuracy(const std::vector<study::CandidateRecord> &candidates,
                        const std::vector<std::vector<study::CandidateRecord>> &baselines = {})
{
    std::vector<double> eeCost, eeAccuracy, staticCost, staticAccuracy;
    auto addStatic = [&](const study::CandidateRecord &r) {
        const double acc = study::CandidateFigures::fromJson(r.figuresJson, "candidate " + std::to_string(r.id)).staticAccuracy;
        if (acc > 0.0 && r.staticMacs > 0.0) {
            staticCost.push_back(r.staticMacs);
            staticAccuracy.push_back(acc);
        }
    };
    for (const auto &r : candidates) {
        if (r.violation == 0.0 && r.macsTrue > 0.0) {
            eeCost.push_back(r.macsTrue);
            eeAccuracy.push_back(r.accuracy);
        }
        addStatic(r);
    }
    for (const auto &b : baselines)
        for (const auto &r : b)
            addStatic(r);
    const auto rows = search::costAtEqualAccuracy(eeCost, eeAccuracy, staticCost, staticAccuracy);
    if (rows.empty())
        return;
    std::printf("early exits against static networks at equal accuracy (static: the candidates' backbones, final "
                "head alone%s):\n  %9s %13s %17s %7s\n",
                baselines.empty() ? "" : ", and the baseline studies' candidates", "accuracy", "static MMACs",
                "early-exit MMACs", "ratio");
    std::vector<double> ratios;
    for (const auto &row : rows) {
        ratios.push_back(row.earlyExitCost / row.staticCost);
        std::printf("  %8.2f%% %13.3f %17.3f %6.1f%%\n", 100.0 * row.accuracy, row.staticCost / 1e6,
                    row.earlyExitCost / 1e6, 100.0 * ratios.back());
    }
    std::sort(ratios.begin(), ratios.end());
    const std::size_t n = ratios.size();
    const double median = n % 2 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
    std::printf("  median %.1f%% of the static MACs over %zu static points (%.1f%% to %.1f%%)\n", 100.0 * median, n,
                100.0 * ratios.front(), 100.0 * ratios.back());
}

int show(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("What a study holds: its configuration, generations and front."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study file."));
    const QCommandLineOption baseline(
        QStringLiteral("static"),
        QStringLiteral("A study of static networks on the same supernet and data set (a search with --encoding "
                       "static) whose candidates join the static front the early exits are compared with "
                       "(repeatable)."),
        QStringLiteral("study"));
    p.addOption(baseline);
    p.process(args);
    const auto path = studyPathFrom(p);
    const auto s = study::Study::open(path, true);
    const auto info = s.info();
    const auto candidates = s.candidates();
    std::vector<std::vector<study::CandidateRecord>> baselines;
    for (const QString &other : p.values(baseline)) {
        const auto b = study::Study::open(other.toStdString(), true);
        const auto bi = b.info();
        if (bi.checkpointHash != info.checkpointHash)
            throw UsageError(b.path() + ": searched another supernet (" + bi.checkpointPath + ") than " + s.path()
                             + " (" + info.checkpointPath + "): its networks are no baseline for it");
        if (bi.datasetHash != info.datasetHash)
            throw UsageError(b.path() + ": measured on another data set (" + bi.datasetPath + ") than " + s.path()
                             + " (" + info.datasetPath + ")");
        baselines.push_back(b.candidates());
    }
    const auto gens = s.generations();
    std::printf("study %s\n  created %s by %s\n  data set %s (%s)\n  supernet %s (%s)\n  space %s, encoding %s, seed "
                "%llu\n  configuration %s\n  %zu candidates, %zu generations, %zu events\n",
                s.path().c_str(), info.created.c_str(), info.appVersion.c_str(), info.datasetPath.c_str(),
                info.datasetHash.c_str(), info.checkpointPath.c_str(), info.checkpointHash.c_str(),
                info.spaceName.c_str(), info.encoding.c_str(), static_cast<unsigned long long>(info.seed),
                info.configJson.c_str(), candidates.size(), gens.size(), s.events().size());
    for (const auto &g : gens)
        std::printf("  generation %3d: hypervolume %.5f, front %zu\n", g.generation, g.hypervolume, g.front.size());
    if (const auto final = study::readFinalFront(s)) {
        std::printf("front measured again at the end:\n");
        for (const auto &row : *final)
            std::printf("  %6lld %8.2f%% %12.3f  (%lld images)\n", static_cast<long long>(row.id),
                        100.0 * row.accuracy, row.macsTrue / 1e6, static_cast<long long>(row.images));
    }
    const auto front = lastFront(s);
    std::printf("front (%zu):\n  %6s %9s %12s %12s %12s %10s %10s  %s\n", front.size(), "id", "accuracy",
                "avg MMACs", "paper MMACs", "static MMACs", "SRAM KiB", "flash KiB", "exit shares");
    for (const auto &r : candidates) {
        if (std::find(front.begin(), front.end(), r.id) == front.end())
            continue;
        std::string shares;
        for (double v : study::CandidateFigures::fromJson(r.figuresJson, s.path() + ": candidate " + std::to_string(r.id)).share)
            shares += (shares.empty() ? "" : " ") + QString::number(100.0 * v, 'f', 1).toStdString();
        std::printf("  %6lld %8.2f%% %12.3f %12.3f %12.3f %10.1f %10.1f  %s\n", static_cast<long long>(r.id),
                    100.0 * r.accuracy, r.macsTrue / 1e6, r.macsPaper / 1e6, r.staticMacs / 1e6, r.sramBytes / 1024.0,
                    r.flashBytes / 1024.0, shares.c_str());
    }
    printEqualAccuracy(candidates, baselines);
    return Ok;
}

int exportStudy(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Writes the archive (every candidate) or only the final front as CSV or JSON, with every figure."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study file."));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("File to write (.csv or .json; required)."),
                                 QStringLiteral("file"));
    const QCommandLineOption frontOnly(QStringLiteral("front"), QStringLiteral("Only the final front."));
    p.addOptions({out, frontOnly});
    p.process(args);
    const auto path = studyPathFrom(p);
    if (!p.isSet(out))
        throw UsageError("--out is required");
    const QString target = p.value(out);
    const bool csv = target.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    if (!csv && !target.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        throw UsageError("--out must end in .csv or .json");
    const auto s = study::Study::open(path, true);
    const auto exported = study::exportCandidates(s, p.isSet(frontOnly),
                                                  csv ? study::ExportFormat::Csv : study::ExportFormat::Json);
    study::writeFileAtomically(target.toStdString(), exported.text);
    std::printf("%d candidates -> %s\n", exported.rows, qPrintable(target));
    return Ok;
}

int copyStudy(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Copies a study, with everything it holds, to a new file or PostgreSQL study (postgresql://...?study=NAME): "
        "between SQLite and PostgreSQL either way. The copy is written in one transaction; nothing is replaced."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("from"), QStringLiteral("The study to copy (file or URL)."));
    p.addPositionalArgument(QStringLiteral("to"), QStringLiteral("The new study (file or URL)."));
    p.process(args);
    if (p.positionalArguments().size() != 2)
        throw UsageError("expected the study to copy and the new study");
    const std::string from = p.positionalArguments().at(0).toStdString();
    const std::string to = p.positionalArguments().at(1).toStdString();
    const auto source = study::Study::open(from, true);
    const auto copied = study::Study::copy(source, to);
    std::printf("%zu candidates, %zu generations: %s -> %s\n", copied.candidates().size(),
                copied.generations().size(), source.path().c_str(), copied.path().c_str());
    return Ok;
}

int steerStudy(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Steers the search that is writing a study from another process (a headless edanas search, a distributed "
        "search's coordinator): pause, resume, stop, constraints, or pin/ban/inject a candidate. The request is "
        "written into the study; the search applies it within a second, between two candidates, and records it "
        "among its events (study show)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study (a file or a postgresql:// URL)."));
    p.addPositionalArgument(QStringLiteral("request"),
                            QStringLiteral("pause, resume, stop, constraints, pin, ban, unpin, unban or inject."));
    const QCommandLineOption maxMacs(QStringLiteral("max-macs"),
                                     QStringLiteral("constraints: ceiling on average MACs, in millions (0: none)."),
                                     QStringLiteral("M"));
    const QCommandLineOption minAcc(QStringLiteral("min-accuracy"),
                                    QStringLiteral("constraints: floor on top-1 accuracy, in percent."),
                                    QStringLiteral("A"));
    const QCommandLineOption candidate(QStringLiteral("candidate"),
                                       QStringLiteral("pin, ban, unpin, unban, inject: the study's candidate with this id."),
                                       QStringLiteral("id"));
    const QCommandLineOption genome(QStringLiteral("genome"),
                                    QStringLiteral("pin, ban, unpin, unban, inject: a genome as JSON (instead of --candidate)."),
                                    QStringLiteral("json"));
    p.addOptions({maxMacs, minAcc, candidate, genome});
    p.process(args);
    if (p.positionalArguments().size() != 2)
        throw UsageError("expected the study and the request");
    const std::string path = p.positionalArguments().at(0).toStdString();
    const std::string what = p.positionalArguments().at(1).toStdString();
    auto s = study::Study::open(path);
    std::string json = "{}";
    if (what == "constraints") {
        if (!p.isSet(maxMacs) && !p.isSet(minAcc))
            throw UsageError("constraints: give --max-macs, --min-accuracy or both");
        const auto stored = search::SearchConfig::fromJson(s.info().configJson, s.path());
        study::Constraints c{stored.maxMacs, stored.minAccuracy};
        if (const auto last = study::lastConstraints(s)) // the constraints the search last took
            c = *last;
        if (p.isSet(maxMacs)) {
            const double m = doubleValue(p, maxMacs, 0.0, 1e9);
            c.maxMacs = m > 0 ? m * 1e6 : std::numeric_limits<double>::infinity();
        }
        if (p.isSet(minAcc))
            c.minAccuracy = doubleValue(p, minAcc, 0.0, 100.0) / 100.0;
        json = c.toJson();
    } else if (what == "pin" || what == "ban" || what == "unpin" || what == "unban" || what == "inject") {
        if (p.isSet(candidate) == p.isSet(genome))
            throw UsageError(what + ": give --candidate or --genome");
        if (p.isSet(candidate)) {
            const auto id = std::int64_t(intValue(p, candidate, 1, 1 << 30));
            const auto r = s.candidate(id);
            if (!r)
                throw UsageError(s.path() + " holds no candidate " + std::to_string(id));
            json = r->genomeJson;
        } else {
            json = space::Genome::fromJson(p.value(genome).toStdString(), "--genome").toJson();
        }
    } else if (what != "pause" && what != "resume" && what != "stop") {
        throw UsageError("unknown request '" + what + "': pause, resume, stop, constraints, pin, ban, unpin, unban or inject");
    }
    const auto gens = s.generations();
    const auto id = s.addEvent(gens.empty() ? 0 : gens.back().generation + 1,
                               std::string(search::kSteeringRequest) + what, json);
    std::printf("request %lld (%s) written to %s\n", static_cast<long long>(id), what.c_str(), s.path().c_str());
    return Ok;
}

} // namespace

int searchCommand(const QStringList &args)
{
    QStringList rest = args.mid(2);
    rest.prepend(QStringLiteral("edanas search"));
    try {
        return runSearch(rest);
    } catch (const UsageError &e) {
        std::fprintf(stderr, "edanas search: %s\n", e.what());
        return Usage;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "edanas: %s\n", e.what());
        return Failed;
    }
}

int studyCommand(const QStringList &args)
{
    return runSubcommand(args, "study",
                         {{"show", show},
                          {"export", exportStudy},
                          {"copy", copyStudy},
                          {"steer", steerStudy},
                          {"plot", studyPlot},
                          {"report", studyReport},
                          {"compare", studyCompare}});
}

} // namespace edanas::cli
