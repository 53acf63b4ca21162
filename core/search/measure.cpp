#include "measure.h"

#include "cost/cost.h"
#include "eenn/evaluator.h"
#include "eenn/tuning.h"
#include "export/mcumemory.h"

#include <QCoreApplication>
#include <QSysInfo>

#include <chrono>
#include <cmath>

namespace edanas::search {

namespace {

eenn::ExitObjective exitObjective(const SearchConfig &c) { return {c.trueCost, c.maxMacs, c.minAccuracy}; }

} // namespace

std::string workerIdentity(const std::string &role)
{
    return role + "@" + QSysInfo::machineHostName().toStdString() + ":"
           + std::to_string(QCoreApplication::applicationPid());
}

Limits limitsOf(const SearchConfig &c)
{
    return {c.trueCost, c.maxMacs, c.minAccuracy, c.maxParams, c.maxSramBytes};
}

double constraintViolation(const CandidateSnapshot &s, const SearchConfig &c)
{
    return limitsOf(c).violation(s.accuracy, s.macsTrue, s.macsPaper, s.params, s.sramBytes);
}

std::vector<double> searchObjectives(const CandidateSnapshot &s, const SearchConfig &c)
{
    std::vector<double> f{1.0 - s.accuracy, c.trueCost ? s.macsTrue : s.macsPaper};
    if (c.objectiveParams)
        f.push_back(s.params);
    if (c.objectiveSram)
        f.push_back(s.sramBytes);
    return f;
}

Measurement measureCandidate(eenn::ProfileEvaluator &evaluator, const Encoding &encoding, const SearchConfig &config,
                             space::Genome g, const IntGenome &asked, const std::string &origin, bool tune,
                             int generation)
{
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const eenn::ExitObjective objective = exitObjective(config);
    eenn::EvaluationTiming timing;
    Measurement m;
    m.profile = evaluator.profile(g, &timing);
    const eenn::ExitProfile &profile = *m.profile;
    eenn::ExitConfig exits = eenn::configFromGenome(profile, g);
    if (tune && encoding.kind() == EncodingKind::Nachos) {
        exits = eenn::tuneNachosThresholds(profile, exits.exits, exits.rule, objective).config;
    } else if (tune && encoding.kind() == EncodingKind::Studio) {
        eenn::PlacementOptions o;
        o.rule = exits.rule;
        o.thresholds = encoding.thresholdGrid();
        o.objective = objective;
        exits = eenn::improveExits(profile, exits, o, config.exitSearchBudget).config;
    }
    g = eenn::genomeWithConfig(profile, g, exits);
    m.genes = asked;
    if (tune && encoding.kind() == EncodingKind::Studio)
        m.genes = encoding.encode(g); // the improvement is written back into the genome
    const auto e = eenn::evaluate(profile, exits);
    const auto arch = space::describe(evaluator.space(), g);
    const auto cost = cost::computeCost(arch, evaluator.space(), g);
    const auto mcu = deploy::mcuMemory(arch); // the int8 network with its exits, on a microcontroller
    // the same backbone without exits: the static network it is compared with
    const auto alone = eenn::evaluate(profile, {{}, exits.rule, {}});

    CandidateSnapshot &s = m.snapshot;
    s.generation = generation;
    s.genome = g;
    s.origin = origin;
    s.accuracy = e.accuracy;
    s.macsTrue = e.averageMacsTrue;
    s.macsPaper = e.averageMacsPaper;
    s.staticMacs = double(cost.staticMacs);
    s.staticAccuracy = alone.accuracy;
    s.params = double(cost.params);
    s.sramBytes = double(mcu.arena);
    s.flashBytes = double(mcu.flash);
    s.share = e.share;
    s.exitAccuracy = e.exitAccuracy;
    s.violation = constraintViolation(s, config);
    s.recalibrationSeconds = timing.recalibrationSeconds;
    s.forwardSeconds = timing.forwardSeconds;
    s.cachedProfile = timing.cached;

    study::CandidateRecord &r = m.record;
    r.generation = s.generation;
    r.genomeJson = g.toJson();
    r.genomeHash = g.hash();
    r.genes = m.genes;
    r.objectives = searchObjectives(s, config);
    r.violation = s.violation;
    r.accuracy = s.accuracy;
    r.macsTrue = s.macsTrue;
    r.macsPaper = s.macsPaper;
    r.staticMacs = s.staticMacs;
    r.params = s.params;
    r.sramBytes = s.sramBytes;
    r.flashBytes = s.flashBytes;
    study::CandidateFigures figures;
    figures.share = s.share;
    figures.exitAccuracy = s.exitAccuracy;
    figures.staticAccuracy = s.staticAccuracy;
    figures.rule = space::exitRuleName(exits.rule);
    figures.recalibrationSeconds = s.recalibrationSeconds;
    figures.forwardSeconds = s.forwardSeconds;
    figures.cachedProfile = s.cachedProfile;
    r.figuresJson = figures.toJson();
    r.origin = origin;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.evalSeconds = s.seconds;
    return m;
}

CandidateSnapshot snapshotFromRecord(const study::CandidateRecord &r, const std::string &source)
{
    CandidateSnapshot s;
    s.id = r.id;
    s.generation = r.generation;
    s.genome = space::Genome::fromJson(r.genomeJson, source);
    s.origin = r.origin;
    s.accuracy = r.accuracy;
    s.macsTrue = r.macsTrue;
    s.macsPaper = r.macsPaper;
    s.staticMacs = r.staticMacs;
    s.params = r.params;
    s.sramBytes = r.sramBytes;
    s.flashBytes = r.flashBytes;
    s.violation = r.violation;
    s.seconds = r.evalSeconds;
    const auto figures = study::CandidateFigures::fromJson(r.figuresJson, source);
    s.share = figures.share;
    s.exitAccuracy = figures.exitAccuracy;
    s.staticAccuracy = figures.staticAccuracy;
    s.recalibrationSeconds = figures.recalibrationSeconds;
    s.forwardSeconds = figures.forwardSeconds;
    s.cachedProfile = figures.cachedProfile;
    return s;
}

} // namespace edanas::search
