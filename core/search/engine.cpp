// The search engine's loop (SearchEngine::run): generation after generation, the
// optimizer's batch measured here or by workers, steering applied between two
// candidates, each generation recorded in the study; then the final front measured again.
#include "engineprivate.h"

#include "eenn/evaluator.h"
#include "eenn/profilestore.h"
#include "study/records.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>
#include <thread>

namespace edanas::search {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

} // namespace

/// One run() of the engine: its steps and what they share. `q` is the engine.
class SearchEngine::Private::Run
{
public:
    Run(SearchEngine &engine, SearchObserver &observer);
    /// Generation after generation until the last one, a stall or an exhausted space
    /// (Finished, Stalled); Stopped at once when the engine is stopped.
    Result generations();

private:
    void applyCommands();
    Evaluated evaluateGenome(space::Genome g, IntGenome asked, const std::string &origin, bool tune);
    Evaluated evaluate(const IntGenome &x, const std::string &origin);
    void pollRequests();
    bool checkpoint();
    bool evaluateLocally(const std::vector<IntGenome> &batch, std::vector<Evaluated> &told);
    bool evaluateByTasks(const std::vector<IntGenome> &batch, std::vector<Evaluated> &told);
    void addTasks(int generation, const std::vector<IntGenome> &batch);
    bool measureTask();
    bool adoptDoneTasks(const std::vector<study::TaskRecord> &tasks);
    void tellTasks(const std::vector<IntGenome> &batch, const std::vector<study::TaskRecord> &tasks,
                   std::vector<Evaluated> &told);
    GenerationSnapshot endGeneration();
    void recordGeneration(const GenerationSnapshot &g);
    bool stalled(const GenerationSnapshot &g);

    SearchEngine *const q;
    Private *const d;
    SearchObserver &observer;
    const Clock::time_point start;
    std::int64_t evaluatedHere = 0;
    // Steering requests another process (the Studio following this study) wrote into it.
    std::int64_t lastRequest = 0;
    Clock::time_point lastPoll;
    std::string workerName;
};

SearchEngine::Private::Run::Run(SearchEngine &engine, SearchObserver &observer)
    : q(&engine)
    , d(engine.d.get())
    , observer(observer)
    , start(Clock::now())
{
    if (const auto applied = d->study.state(kSteeringApplied))
        lastRequest = std::max<std::int64_t>(0, std::atoll(applied->c_str()));
    lastPoll = Clock::now() - std::chrono::seconds(1);
    workerName = workerIdentity("coordinator");
}

void SearchEngine::Private::Run::applyCommands()
{
    std::vector<std::function<void()>> todo;
    {
        std::lock_guard lock(d->mutex);
        todo.swap(d->commands);
    }
    for (auto &c : todo)
        c();
}

// Measures genome `g` (its exits as given unless `tune`) and stores it; `asked` is
// the optimizer's vector for it. Returns what the optimizer is told.
Evaluated SearchEngine::Private::Run::evaluateGenome(space::Genome g, IntGenome asked, const std::string &origin,
                                                     bool tune)
{
    const auto t0 = Clock::now();
    Measurement m = measureCandidate(*d->evaluator, q->m_encoding, q->m_config, std::move(g), asked, origin, tune,
                                     d->generation);
    const CandidateSnapshot &s = m.snapshot;
    const Evaluated result{m.genes, m.record.objectives, s.violation};
    // The improved or tuned exits may lead to a candidate already in the archive.
    std::optional<std::size_t> known;
    if (const auto it = d->byHash.find(s.genome.hash()); it != d->byHash.end())
        known = it->second;
    else if (const auto jt = d->byGenes.find(m.genes); jt != d->byGenes.end())
        known = jt->second;
    if (known) {
        d->byGenes[asked] = *known;
        return result;
    }
    m.snapshot.seconds = m.record.evalSeconds = since(t0);
    m.snapshot.id = d->study.addCandidate(m.record);
    const std::size_t i = d->adopt(m.snapshot, m.genes, &asked);
    d->recalSeconds += s.recalibrationSeconds;
    d->forwardSeconds += s.forwardSeconds;
    d->otherSeconds += std::max(0.0, since(t0) - s.recalibrationSeconds - s.forwardSeconds);
    ++evaluatedHere;
    observer.candidateEvaluated(d->archive[i]);
    return result;
}

Evaluated SearchEngine::Private::Run::evaluate(const IntGenome &x, const std::string &origin)
{
    if (const auto it = d->byGenes.find(x); it != d->byGenes.end()) {
        const auto &s = d->archive[it->second];
        return Evaluated{x, d->objectives(s, q->m_config), s.violation};
    }
    return evaluateGenome(q->m_encoding.decode(x), x, origin, true);
}

void SearchEngine::Private::Run::pollRequests()
{
    if (since(lastPoll) < 0.5)
        return;
    lastPoll = Clock::now();
    std::int64_t seen = lastRequest;
    const std::string prefix = kSteeringRequest;
    for (const auto &e : d->study.events(lastRequest)) {
        seen = e.id;
        if (e.type.rfind(prefix, 0) != 0)
            continue;
        const std::string what = e.type.substr(prefix.size());
        try {
            q->applyRequest(what, e.json, d->study.path() + ": steering request " + std::to_string(e.id),
                            d->evaluator->space());
            observer.message("steered from another process: " + what);
        } catch (const std::exception &ex) {
            observer.message(std::string("a steering request was refused: ") + ex.what());
        }
    }
    if (seen != lastRequest) {
        lastRequest = seen;
        d->study.setState(kSteeringApplied, std::to_string(seen));
    }
}

// Between candidates: steering, kept variants, then wait while paused. False when stopped.
bool SearchEngine::Private::Run::checkpoint()
{
    pollRequests();
    applyCommands();
    while (!d->kept.empty()) {
        // a variant a user edited joins the archive with its exits exactly as edited;
        // the optimizer does not see it (inject does that)
        const space::Genome g = d->kept.front();
        d->kept.pop_front();
        if (!d->byHash.count(g.hash()))
            evaluateGenome(g, q->m_encoding.encode(g), "variant", false);
    }
    while (q->m_paused && !q->m_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        pollRequests();
        applyCommands();
    }
    return !q->m_stop;
}

// This process measures the batch, one candidate after the other. `told` gets what the
// optimizer is told. False when stopped (what was measured is told first).
bool SearchEngine::Private::Run::evaluateLocally(const std::vector<IntGenome> &batch, std::vector<Evaluated> &told)
{
    for (const auto &x : batch) {
        if (!checkpoint()) {
            if (!told.empty())
                d->nsga->tell(told);
            return false;
        }
        const std::string origin = d->injected.count(x) ? "injected" : d->generation == 0 ? "random" : "offspring";
        told.push_back(evaluate(x, origin));
    }
    return true;
}

// Distributed: the generation's new candidates become tasks; workers, and this
// process when it evaluates too, claim and measure them. The generation is complete
// when every task has its candidate. `told` gets what the optimizer is told. False
// when stopped (the tasks stay in the study for a resumed coordinator).
bool SearchEngine::Private::Run::evaluateByTasks(const std::vector<IntGenome> &batch, std::vector<Evaluated> &told)
{
    const int gen = d->generation;
    addTasks(gen, batch);
    std::vector<study::TaskRecord> tasks;
    for (;;) {
        if (!checkpoint())
            return false;
        const bool worked = q->m_evaluateHere && measureTask();
        tasks = d->study.tasks(gen);
        if (adoptDoneTasks(tasks))
            break;
        if (!worked)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    tellTasks(batch, tasks, told);
    return true;
}

// The batch's genomes that are neither in the archive nor tasks yet become tasks.
void SearchEngine::Private::Run::addTasks(int generation, const std::vector<IntGenome> &batch)
{
    std::set<IntGenome> tasked;
    for (const auto &t : d->study.tasks(generation)) // left by a coordinator killed in this generation
        tasked.insert(t.genes);
    for (const auto &x : batch) {
        if (d->byGenes.count(x) || tasked.count(x))
            continue;
        const std::string origin = d->injected.count(x) ? "injected" : generation == 0 ? "random" : "offspring";
        d->study.addTask(generation, q->m_encoding.decode(x).toJson(), x, origin);
        tasked.insert(x);
    }
}

// Claims a task and measures it in this process, as a worker would; false when there
// was none to claim.
bool SearchEngine::Private::Run::measureTask()
{
    const auto task = d->study.claimTask(workerName, q->m_leaseSeconds);
    if (!task)
        return false;
    const auto g = space::Genome::fromJson(task->genomeJson, d->study.path());
    Measurement m = measureCandidate(*d->evaluator, q->m_encoding, q->m_config, g, task->genes, task->origin, true,
                                     task->generation);
    const study::ProfileBlob blob{g.backboneHash(), g.resolution, eenn::serializeProfile(*m.profile)};
    d->study.completeTask(task->id, workerName, m.record, &blob);
    d->recalSeconds += m.snapshot.recalibrationSeconds;
    d->forwardSeconds += m.snapshot.forwardSeconds;
    return true;
}

// Puts the candidates of done tasks into the archive (those it does not hold yet); true
// when every task is done.
bool SearchEngine::Private::Run::adoptDoneTasks(const std::vector<study::TaskRecord> &tasks)
{
    bool complete = true;
    for (const auto &t : tasks) {
        if (t.state != study::TaskRecord::State::Done) {
            complete = false;
            continue;
        }
        if (const auto it = d->byId.find(t.candidateId); it != d->byId.end()) {
            d->byGenes[t.genes] = it->second;
            continue;
        }
        const auto r = d->study.candidate(t.candidateId);
        if (!r)
            throw study::StudyError(d->study.path(), "task " + std::to_string(t.id) + " names candidate "
                                                         + std::to_string(t.candidateId)
                                                         + ", which the study does not hold");
        const std::size_t i = d->adopt(snapshotFromRecord(*r, d->study.path()), r->genes, &t.genes);
        d->archive[i].violation = d->violation(d->archive[i], q->m_config);
        ++evaluatedHere;
        observer.candidateEvaluated(d->archive[i]);
    }
    return complete;
}

// The optimizer is told every genome of the batch and of the generation's tasks, once.
void SearchEngine::Private::Run::tellTasks(const std::vector<IntGenome> &batch,
                                           const std::vector<study::TaskRecord> &tasks, std::vector<Evaluated> &told)
{
    auto tell = [&](const IntGenome &x) {
        const std::size_t i = d->byGenes.at(x);
        const auto &s = d->archive[i];
        told.push_back({d->genes[i], d->objectives(s, q->m_config), d->violation(s, q->m_config)});
    };
    std::set<IntGenome> done;
    for (const auto &x : batch)
        if (done.insert(x).second)
            tell(x);
    for (const auto &t : tasks)
        if (done.insert(t.genes).second)
            tell(t.genes);
}

// The generation's end: the archive's front with the run's rates, recorded in the
// study and reported.
GenerationSnapshot SearchEngine::Private::Run::endGeneration()
{
    const SearchConfig &config = q->m_config;
    GenerationSnapshot g = d->front(config, q->m_referenceMacs);
    g.evaluated = std::int64_t(d->archive.size());
    const double elapsed = since(start);
    g.candidatesPerMinute = elapsed > 0 ? 60.0 * double(evaluatedHere) / elapsed : 0.0;
    const double perGeneration = elapsed / double(std::max<std::int64_t>(1, evaluatedHere)) * config.population;
    g.secondsLeft = perGeneration * double(config.generations - d->generation - 1);
    g.recalibrationSeconds = d->recalSeconds;
    g.forwardSeconds = d->forwardSeconds;
    g.otherSeconds = d->otherSeconds;

    recordGeneration(g);
    // the front's profiles, so that the Studio can re-evaluate their exits offline
    d->storeFrontProfiles(g.front);
    observer.generationDone(g);
    return g;
}

void SearchEngine::Private::Run::recordGeneration(const GenerationSnapshot &g)
{
    study::GenerationRecord rec;
    rec.generation = g.generation;
    rec.hypervolume = g.hypervolume;
    rec.front = g.front;
    for (const auto &p : d->nsga->population())
        if (const auto it = d->byGenes.find(p.x); it != d->byGenes.end())
            rec.population.push_back(d->archive[it->second].id);
    rec.statsJson = study::GenerationStats{g.evaluated,         g.candidatesPerMinute, g.recalibrationSeconds,
                                           g.forwardSeconds,    g.otherSeconds,        q->m_referenceMacs}
                        .toJson();
    d->study.addGeneration(rec);
}

// True when the hypervolume has not improved for the configured number of generations.
bool SearchEngine::Private::Run::stalled(const GenerationSnapshot &g)
{
    if (g.hypervolume > d->bestHypervolume + 1e-12) {
        d->bestHypervolume = g.hypervolume;
        d->stall = 0;
    } else if (q->m_config.stallGenerations > 0 && ++d->stall >= q->m_config.stallGenerations) {
        observer.message("no better hypervolume for " + std::to_string(d->stall) + " generations: stopping");
        return true;
    }
    return false;
}

SearchEngine::Result SearchEngine::Private::Run::generations()
{
    while (d->generation < q->m_config.generations) {
        if (!checkpoint())
            return Result::Stopped;
        const auto batch = d->nsga->ask();
        if (batch.empty()) {
            observer.message("the search space is exhausted: no new candidate to evaluate");
            break;
        }
        std::vector<Evaluated> told;
        if (!(q->m_distributed ? evaluateByTasks(batch, told) : evaluateLocally(batch, told)))
            return Result::Stopped;
        d->nsga->tell(told);
        const GenerationSnapshot g = endGeneration();
        ++d->generation;
        if (stalled(g))
            return Result::Stalled;
    }
    return Result::Finished;
}

SearchEngine::Result SearchEngine::run(SearchObserver &observer)
{
    Private::Run run(*this, observer);
    // whoever follows the study (the Studio, workers) sees that a search writes it
    publishCoordinator(m_paused ? "paused" : "running");
    const Result result = run.generations();
    if (result == Result::Stopped) {
        publishCoordinator("stopped");
        return result;
    }
    // the workers may go: what is left (the final front) the coordinator measures itself
    publishCoordinator(m_stop ? "stopped" : "finished");
    if (m_config.finalValidationImages >= 0 && !m_stop)
        measureFinalFront(observer);
    return result;
}

void SearchEngine::measureFinalFront(SearchObserver &observer)
{
    const auto gens = d->study.generations();
    if (gens.empty())
        return;
    eenn::EvaluatorOptions o = d->evaluator->options();
    o.validationImages = m_config.finalValidationImages; // the rest as the search measured
    eenn::ProfileEvaluator final(d->evaluator->net(), d->evaluator->dataset(), d->evaluator->mean(),
                                 d->evaluator->std(), o);
    observer.message("measuring the front's " + std::to_string(gens.back().front.size()) + " candidates on "
                     + std::to_string(final.validationIndices().size()) + " validation images");
    std::vector<FinalFigures> rows;
    for (auto id : gens.back().front) {
        if (m_stop)
            return;
        const auto &s = d->archive[d->byId.at(id)];
        const auto profile = final.profile(s.genome);
        const auto e = eenn::evaluate(*profile, eenn::configFromGenome(*profile, s.genome));
        rows.push_back({id, profile->samples, e.accuracy, e.averageMacsTrue, e.averageMacsPaper, e.share, e.exitAccuracy});
    }
    study::writeFinalFront(d->study, rows);
    observer.finalFront(rows);
}

} // namespace edanas::search
