#include "engine.h"

#include "measure.h"
#include "pareto.h"

#include "cost/cost.h"
#include "data/bytes.h"
#include "export/mcumemory.h"
#include "eenn/evaluator.h"
#include "supernet/checkpoint.h"
#include "eenn/profilestore.h"
#include "eenn/tuning.h"
#include "study/records.h"
#include "study/study.h"

#include "edanas/version.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

namespace edanas::search {

eenn::EvaluatorOptions SearchConfig::evaluatorOptions() const
{
    return evaluatorOptions(validationImages);
}

eenn::EvaluatorOptions SearchConfig::evaluatorOptions(std::int64_t images) const
{
    eenn::EvaluatorOptions o;
    o.validationImages = images;
    o.recalibrationImages = recalibrationImages;
    o.validationShare = validationShare;
    return o;
}

std::string SearchConfig::toJson() const
{
    QJsonObject o{{"format", "edanas-search"},
                  {"encoding", QString::fromStdString(encodingName(encoding))},
                  {"population", population},
                  {"generations", generations},
                  {"seed", QString::number(seed)},
                  {"true_cost", trueCost},
                  {"max_macs", std::isfinite(maxMacs) ? QJsonValue(maxMacs) : QJsonValue()},
                  {"min_accuracy", minAccuracy},
                  {"stall_generations", stallGenerations},
                  {"validation_images", double(validationImages)},
                  {"recalibration_images", double(recalibrationImages)},
                  {"final_validation_images", double(finalValidationImages)},
                  {"validation_share", validationShare},
                  {"crossover", crossover == Crossover::TwoPoint ? "two-point" : "uniform"},
                  {"mutation", mutation == Mutation::Polynomial ? "polynomial" : "uniform"},
                  {"crossover_probability", crossoverProbability},
                  {"mutation_rate", mutationRate},
                  {"exit_search_budget", exitSearchBudget},
                  {"objective_params", objectiveParams},
                  {"objective_sram", objectiveSram},
                  {"max_params", std::isfinite(maxParams) ? QJsonValue(maxParams) : QJsonValue()},
                  {"max_sram_bytes", std::isfinite(maxSramBytes) ? QJsonValue(maxSramBytes) : QJsonValue()}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

SearchConfig SearchConfig::fromJson(const std::string &json, const std::string &source)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw std::invalid_argument(source + ": the search configuration is not a JSON object");
    const auto o = doc.object();
    auto bad = [&](const char *key, const std::string &what) {
        return std::invalid_argument(source + ": search configuration \"" + key + "\": " + what);
    };
    SearchConfig c;
    try {
        c.encoding = parseEncoding(o.value("encoding").toString().toStdString());
    } catch (const std::invalid_argument &e) {
        throw bad("encoding", e.what());
    }
    auto integer = [&](const char *key, int lo, int hi) {
        const double v = o.value(key).toDouble(-1e300);
        if (v != std::floor(v) || v < lo || v > hi)
            throw bad(key, "expected a whole number in " + std::to_string(lo) + ".." + std::to_string(hi));
        return int(v);
    };
    c.population = integer("population", 2, 100000);
    c.generations = integer("generations", 1, 1000000);
    bool ok = false;
    c.seed = o.value("seed").toString().toULongLong(&ok);
    if (!ok)
        throw bad("seed", "expected an unsigned integer in a string");
    c.trueCost = o.value("true_cost").toBool(true);
    c.maxMacs = o.value("max_macs").isNull() ? std::numeric_limits<double>::infinity() : o.value("max_macs").toDouble(-1);
    if (!(c.maxMacs > 0))
        throw bad("max_macs", "expected a positive number or null");
    c.minAccuracy = o.value("min_accuracy").toDouble(-1);
    if (c.minAccuracy < 0 || c.minAccuracy > 1)
        throw bad("min_accuracy", "expected a number in 0..1");
    c.stallGenerations = integer("stall_generations", 0, 1000000);
    c.validationImages = integer("validation_images", 0, 100000000);
    c.recalibrationImages = integer("recalibration_images", 1, 100000000);
    c.finalValidationImages = integer("final_validation_images", -1, 100000000);
    c.validationShare = o.value("validation_share").toDouble(-1);
    if (c.validationShare <= 0 || c.validationShare >= 1)
        throw bad("validation_share", "expected a number between 0 and 1");
    const auto cross = o.value("crossover").toString();
    if (cross != "two-point" && cross != "uniform")
        throw bad("crossover", "expected two-point or uniform");
    c.crossover = cross == "uniform" ? Crossover::Uniform : Crossover::TwoPoint;
    const auto mut = o.value("mutation").toString();
    if (mut != "polynomial" && mut != "uniform")
        throw bad("mutation", "expected polynomial or uniform");
    c.mutation = mut == "uniform" ? Mutation::Uniform : Mutation::Polynomial;
    c.crossoverProbability = o.value("crossover_probability").toDouble(-1);
    if (c.crossoverProbability < 0 || c.crossoverProbability > 1)
        throw bad("crossover_probability", "expected a number in 0..1");
    c.mutationRate = o.value("mutation_rate").toDouble(-1);
    if (c.mutationRate > 1)
        throw bad("mutation_rate", "expected at most 1 (negative: 1 / genes)");
    c.exitSearchBudget = integer("exit_search_budget", 1, 100000000);
    c.objectiveParams = o.value("objective_params").toBool(false);
    // before the microcontroller SRAM arena, peak memory was another figure: never read it as this one
    for (const char *old : {"objective_peak_memory", "max_peak_bytes"})
        if (o.contains(old))
            throw bad(old, "is the older peak-memory figure, not the microcontroller SRAM arena this EDANAS "
                           "searches with (objective_sram, max_sram_bytes)");
    c.objectiveSram = o.value("objective_sram").toBool(false);
    for (auto [key, field] : {std::pair{"max_params", &c.maxParams}, std::pair{"max_sram_bytes", &c.maxSramBytes}}) {
        *field = o.value(key).isNull() || o.value(key).isUndefined() ? std::numeric_limits<double>::infinity()
                                                                      : o.value(key).toDouble(-1);
        if (!(*field > 0))
            throw bad(key, "expected a positive number or null");
    }
    return c;
}

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string jsonText(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString(); }


} // namespace

struct SearchEngine::Private
{
    std::shared_ptr<const data::Dataset> dataset; ///< kept alive for the evaluator when open() loaded it
    std::shared_ptr<eenn::ProfileEvaluator> evaluator;
    study::Study study;
    std::unique_ptr<Nsga2> nsga;

    std::vector<CandidateSnapshot> archive;
    std::vector<IntGenome> genes; ///< per archive entry
    std::map<IntGenome, std::size_t> byGenes;
    std::map<std::uint64_t, std::size_t> byHash;
    std::map<std::int64_t, std::size_t> byId;
    std::set<IntGenome> injected;
    std::deque<space::Genome> kept; ///< variants to add to the archive (engine thread only)

    std::mutex mutex; ///< guards `commands`
    std::vector<std::function<void()>> commands;

    int generation = 0;
    double bestHypervolume = -1.0;
    int stall = 0;
    double recalSeconds = 0, forwardSeconds = 0, otherSeconds = 0;

    explicit Private(study::Study s)
        : study(std::move(s))
    {
    }

    double violation(const CandidateSnapshot &s, const SearchConfig &c) const { return constraintViolation(s, c); }
    std::vector<double> objectives(const CandidateSnapshot &s, const SearchConfig &c) const
    {
        return searchObjectives(s, c);
    }

    /// Puts a stored candidate into the archive; `asked` (when given) is the optimizer's
    /// vector that led to it, before its exits were tuned.
    std::size_t adopt(CandidateSnapshot s, const IntGenome &genes, const IntGenome *asked = nullptr)
    {
        const std::size_t i = archive.size();
        byHash[s.genome.hash()] = i;
        byId[s.id] = i;
        byGenes[genes] = i;
        if (asked)
            byGenes[*asked] = i;
        archive.push_back(std::move(s));
        this->genes.push_back(genes);
        return i;
    }
};

SearchEngine::SearchEngine(std::shared_ptr<eenn::ProfileEvaluator> evaluator, std::string checkpointPath,
                           std::string checkpointHash, std::string datasetHash, SearchConfig config,
                           std::string studyPath, bool resume)
    : m_config(config)
    , m_encoding(evaluator->space(), config.encoding)
{
    const auto &space = evaluator->space();
    // NACHOS tunes thresholds of a learned confidence: without it the search would quietly
    // fall back to the score margin, which is not NACHOS
    auto requireConfidence = [&](EncodingKind kind) {
        if (kind == EncodingKind::Nachos && space.eecType != space::EecType::Nachos)
            throw std::invalid_argument(
                "the nachos encoding needs NACHOS exit classifiers (each learns a confidence), but the supernet "
                + checkpointPath + " (space '" + space.name + "') has " + space::eecTypeName(space.eecType)
                + " classifiers: train a supernet of a space with \"classifier\": \"nachos\" (edanas supernet train "
                  "--space SPACE.json), or search this one with the edanas or studio encoding");
    };
    if (resume) {
        auto s = study::Study::open(studyPath);
        const auto info = s.info();
        auto refuse = [&](const std::string &what) {
            return study::StudyError(s.path(), "cannot resume: " + what);
        };
        if (info.datasetHash != datasetHash)
            throw refuse("it was made on another data set");
        if (info.checkpointHash != checkpointHash)
            throw refuse("it was made with another supernet");
        const auto stored = SearchConfig::fromJson(info.configJson, s.path());
        // the stored search goes on as it was configured; only more generations may be asked for
        const int generations = std::max(stored.generations, config.generations);
        m_config = stored;
        m_config.generations = generations;
        requireConfidence(m_config.encoding);
        m_encoding = Encoding(space, m_config.encoding);
        d = std::make_unique<Private>(std::move(s));
    } else {
        requireConfidence(config.encoding);
        study::StudyInfo info;
        info.configJson = config.toJson();
        info.datasetPath = evaluator->dataset().ref.path;
        info.datasetHash = datasetHash;
        info.checkpointPath = checkpointPath;
        info.checkpointHash = checkpointHash;
        info.spaceName = space.name;
        info.encoding = encodingName(config.encoding);
        info.seed = config.seed;
        info.appVersion = std::string("edanas ") + kVersion;
        d = std::make_unique<Private>(study::Study::create(studyPath, info));
    }
    d->evaluator = std::move(evaluator);

    Nsga2Options o;
    o.populationSize = m_config.population;
    o.seed = m_config.seed;
    o.crossover = m_config.crossover;
    o.mutation = m_config.mutation;
    o.crossoverProbability = m_config.crossoverProbability;
    o.mutationRate = m_config.mutationRate;
    d->nsga = std::make_unique<Nsga2>(m_encoding.lower(), m_encoding.upper(), o);
    const Encoding &enc = m_encoding;
    d->nsga->setRepair([&enc](IntGenome &x, std::mt19937_64 &) { enc.repair(x); });

    // The hypervolume's reference: error 1, and the largest subnet with an exit at every
    // position it allows, run to the end (every classifier counted).
    space::Genome largest = space::Genome::largest(space);
    const auto c = cost::computeCost(space, largest);
    m_referenceMacs = double(c.positions.back().cumulativeMacs());
    for (std::size_t i = 0; i + 1 < c.positions.size(); ++i)
        m_referenceMacs += double(c.positions[i].exitMacs);

    if (resume) {
        // Everything evaluated comes back; the population is the last recorded one plus
        // whatever was evaluated after it.
        for (auto &r : d->study.candidates()) {
            d->adopt(snapshotFromRecord(r, d->study.path()), r.genes);
            d->byHash[r.genomeHash] = d->archive.size() - 1;
            d->nsga->markSeen(r.genes);
        }
        const auto gens = d->study.generations();
        int last = -1;
        std::vector<std::int64_t> ids;
        if (!gens.empty()) {
            last = gens.back().generation;
            ids = gens.back().population;
            d->bestHypervolume = gens.back().hypervolume;
        }
        for (const auto &s : d->archive)
            if (s.generation > last)
                ids.push_back(s.id);
        std::vector<Evaluated> population;
        for (auto id : ids)
            if (const auto it = d->byId.find(id); it != d->byId.end())
                population.push_back({d->genes[it->second], {}, 0.0});
        d->generation = last + 1;
        std::vector<Evaluated> ranked;
        for (auto &p : population) {
            const auto &s = d->archive[d->byGenes[p.x]];
            ranked.push_back({p.x, d->objectives(s, m_config), d->violation(s, m_config)});
        }
        if (!ranked.empty())
            d->nsga->setPopulation(ranked);
        d->study.addEvent(d->generation, "resume",
                          jsonText({{"candidates", double(d->archive.size())}, {"generation", d->generation}}));
    }
}

SearchEngine::~SearchEngine() = default;

std::string SearchEngine::fileHash(const std::string &path)
{
    const auto bytes = data::readFile(path);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(space::fnv1a64(std::string(bytes.begin(), bytes.end()))));
    return buf;
}

std::unique_ptr<SearchEngine> SearchEngine::open(const Launch &l)
{
    supernet::CheckpointInfo info;
    auto net = supernet::loadCheckpoint(l.checkpointPath, &info);
    auto dataset = l.loaded ? l.loaded : std::make_shared<const data::Dataset>(data::loadDataset(l.dataset));
    const std::string datasetHash = data::contentHash(*dataset);
    supernet::checkCompatible(l.checkpointPath, info, net->space(), datasetHash);
    auto evaluator = std::make_shared<eenn::ProfileEvaluator>(net, *dataset, info.mean, info.std,
                                                              l.config.evaluatorOptions());
    auto engine = std::make_unique<SearchEngine>(evaluator, l.checkpointPath, fileHash(l.checkpointPath), datasetHash,
                                                 l.config, l.studyPath, l.resume);
    engine->d->dataset = std::move(dataset);
    return engine;
}

std::shared_ptr<const eenn::ExitProfile> SearchEngine::cachedProfile(const space::Genome &genome) const
{
    return d->evaluator->cache().find(genome.backboneHash(), d->evaluator->samplesTag());
}

std::int64_t SearchEngine::validationImages() const
{
    return std::int64_t(d->evaluator->validationIndices().size());
}

void SearchEngine::pause()
{
    m_paused = true;
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this] {
        d->study.addEvent(d->generation, "pause", "{}");
        if (!m_status.empty())
            publishCoordinator("paused");
    });
}

void SearchEngine::resume()
{
    m_paused = false;
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this] {
        d->study.addEvent(d->generation, "resume", "{}");
        if (!m_status.empty())
            publishCoordinator("running");
    });
}

void SearchEngine::stop()
{
    m_stop = true;
}

void SearchEngine::setConstraints(double maxMacs, double minAccuracy)
{
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, maxMacs, minAccuracy] {
        m_config.maxMacs = maxMacs;
        m_config.minAccuracy = minAccuracy;
        if (!m_status.empty())
            publishCoordinator(m_status); // workers tune exits under the new constraints
        // re-rank the population at once under the new constraints
        std::vector<Evaluated> ranked;
        for (const auto &p : d->nsga->population()) {
            const auto &s = d->archive[d->byGenes.at(p.x)];
            ranked.push_back({p.x, p.f, d->violation(s, m_config)});
        }
        if (!ranked.empty())
            d->nsga->setPopulation(ranked);
        d->study.addEvent(d->generation, study::kConstraintsEvent, study::Constraints{maxMacs, minAccuracy}.toJson());
    });
}

void SearchEngine::pin(const space::Genome &g)
{
    const auto x = m_encoding.encode(g);
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, x, g] {
        d->nsga->pin(x);
        d->study.addEvent(d->generation, "pin", g.toJson());
    });
}

void SearchEngine::ban(const space::Genome &g)
{
    const auto x = m_encoding.encode(g);
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, x, g] {
        d->nsga->ban(x);
        d->study.addEvent(d->generation, "ban", g.toJson());
    });
}

void SearchEngine::inject(const space::Genome &g)
{
    const auto x = m_encoding.encode(g);
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, x, g] {
        d->nsga->inject(x);
        d->injected.insert(x);
        d->study.addEvent(d->generation, "inject", g.toJson());
    });
}

void SearchEngine::keep(const space::Genome &g)
{
    g.validate(d->evaluator->space(), "variant");
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, g] {
        d->kept.push_back(g);
        d->study.addEvent(d->generation, "keep", g.toJson());
    });
}

void SearchEngine::freeze(int gene, int value)
{
    if (gene < 0 || gene >= m_encoding.size() || value < m_encoding.lower()[std::size_t(gene)]
        || value > m_encoding.upper()[std::size_t(gene)])
        throw std::invalid_argument("cannot freeze gene " + std::to_string(gene) + " at " + std::to_string(value));
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, gene, value] {
        d->nsga->freeze(gene, value);
        d->study.addEvent(d->generation, "freeze",
                          jsonText({{"gene", QString::fromStdString(m_encoding.geneName(gene))}, {"value", value}}));
    });
}

void SearchEngine::unfreeze(int gene)
{
    if (gene < 0 || gene >= m_encoding.size())
        throw std::invalid_argument("no gene " + std::to_string(gene));
    std::lock_guard lock(d->mutex);
    d->commands.push_back([this, gene] {
        d->nsga->unfreeze(gene);
        d->study.addEvent(d->generation, "unfreeze",
                          jsonText({{"gene", QString::fromStdString(m_encoding.geneName(gene))}}));
    });
}

void SearchEngine::distribute(bool evaluateHere, double leaseSeconds)
{
    if (!(leaseSeconds > 0.0))
        throw std::invalid_argument("the lease of a task must be positive");
    m_distributed = true;
    m_evaluateHere = evaluateHere;
    m_leaseSeconds = leaseSeconds;
}

SearchEngine::Result SearchEngine::run(SearchObserver &observer)
{
    const auto start = Clock::now();
    std::int64_t evaluatedHere = 0;
    auto applyCommands = [&] {
        std::vector<std::function<void()>> todo;
        {
            std::lock_guard lock(d->mutex);
            todo.swap(d->commands);
        }
        for (auto &c : todo)
            c();
    };
    // Between candidates: steering, then wait while paused. False when stopped.
    // Measures genome `g` (its exits as given unless `tune`) and stores it; `asked` is
    // the optimizer's vector for it. Returns what the optimizer is told.
    auto evaluateGenome = [&](space::Genome g, IntGenome asked, const std::string &origin, bool tune) -> Evaluated {
        const auto t0 = Clock::now();
        Measurement m = measureCandidate(*d->evaluator, m_encoding, m_config, std::move(g), asked, origin, tune,
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
    };
    auto evaluate = [&](const IntGenome &x, const std::string &origin) -> Evaluated {
        if (const auto it = d->byGenes.find(x); it != d->byGenes.end()) {
            const auto &s = d->archive[it->second];
            return Evaluated{x, d->objectives(s, m_config), s.violation};
        }
        return evaluateGenome(m_encoding.decode(x), x, origin, true);
    };
    // Steering requests another process (the Studio following this study) wrote into it.
    std::int64_t lastRequest = 0;
    if (const auto applied = d->study.state(kSteeringApplied))
        lastRequest = std::max<std::int64_t>(0, std::atoll(applied->c_str()));
    auto lastPoll = Clock::now() - std::chrono::seconds(1);
    auto pollRequests = [&] {
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
                applyRequest(what, e.json, d->study.path() + ": steering request " + std::to_string(e.id),
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
    };
    // Between candidates: steering, kept variants, then wait while paused. False when stopped.
    auto checkpoint = [&] {
        pollRequests();
        applyCommands();
        while (!d->kept.empty()) {
            // a variant a user edited joins the archive with its exits exactly as edited;
            // the optimizer does not see it (inject does that)
            const space::Genome g = d->kept.front();
            d->kept.pop_front();
            if (!d->byHash.count(g.hash()))
                evaluateGenome(g, m_encoding.encode(g), "variant", false);
        }
        while (m_paused && !m_stop) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            pollRequests();
            applyCommands();
        }
        return !m_stop;
    };

    const std::string workerName = workerIdentity("coordinator");
    // Distributed: the generation's new candidates become tasks; workers, and this
    // process when it evaluates too, claim and measure them. The generation is complete
    // when every task has its candidate. `told` gets what the optimizer is told. False
    // when stopped (the tasks stay in the study for a resumed coordinator).
    auto evaluateByTasks = [&](const std::vector<IntGenome> &batch, std::vector<Evaluated> &told) -> bool {
        const int gen = d->generation;
        std::set<IntGenome> tasked;
        for (const auto &t : d->study.tasks(gen)) // left by a coordinator killed in this generation
            tasked.insert(t.genes);
        for (const auto &x : batch) {
            if (d->byGenes.count(x) || tasked.count(x))
                continue;
            const std::string origin = d->injected.count(x) ? "injected" : gen == 0 ? "random" : "offspring";
            d->study.addTask(gen, m_encoding.decode(x).toJson(), x, origin);
            tasked.insert(x);
        }
        std::vector<study::TaskRecord> tasks;
        for (;;) {
            if (!checkpoint())
                return false;
            bool worked = false;
            if (m_evaluateHere) {
                if (const auto task = d->study.claimTask(workerName, m_leaseSeconds)) {
                    worked = true;
                    const auto g = space::Genome::fromJson(task->genomeJson, d->study.path());
                    Measurement m = measureCandidate(*d->evaluator, m_encoding, m_config, g, task->genes, task->origin,
                                                     true, task->generation);
                    const study::ProfileBlob blob{g.backboneHash(), g.resolution, eenn::serializeProfile(*m.profile)};
                    d->study.completeTask(task->id, workerName, m.record, &blob);
                    d->recalSeconds += m.snapshot.recalibrationSeconds;
                    d->forwardSeconds += m.snapshot.forwardSeconds;
                }
            }
            tasks = d->study.tasks(gen);
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
                d->archive[i].violation = d->violation(d->archive[i], m_config);
                ++evaluatedHere;
                observer.candidateEvaluated(d->archive[i]);
            }
            if (complete)
                break;
            if (!worked)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        auto tell = [&](const IntGenome &x) {
            const std::size_t i = d->byGenes.at(x);
            const auto &s = d->archive[i];
            told.push_back({d->genes[i], d->objectives(s, m_config), d->violation(s, m_config)});
        };
        std::set<IntGenome> done;
        for (const auto &x : batch)
            if (done.insert(x).second)
                tell(x);
        for (const auto &t : tasks)
            if (done.insert(t.genes).second)
                tell(t.genes);
        return true;
    };

    // whoever follows the study (the Studio, workers) sees that a search writes it
    publishCoordinator(m_paused ? "paused" : "running");
    Result result = Result::Finished;
    while (d->generation < m_config.generations) {
        if (!checkpoint()) {
            publishCoordinator("stopped");
            return Result::Stopped;
        }
        const auto batch = d->nsga->ask();
        if (batch.empty()) {
            observer.message("the search space is exhausted: no new candidate to evaluate");
            break;
        }
        std::vector<Evaluated> told;
        if (m_distributed && !evaluateByTasks(batch, told)) {
            publishCoordinator("stopped");
            return Result::Stopped;
        }
        for (std::size_t k = 0; !m_distributed && k < batch.size(); ++k) {
            const auto &x = batch[k];
            if (!checkpoint()) {
                if (!told.empty())
                    d->nsga->tell(told);
                publishCoordinator("stopped");
                return Result::Stopped;
            }
            const std::string origin = d->injected.count(x) ? "injected" : d->generation == 0 ? "random" : "offspring";
            told.push_back(evaluate(x, origin));
        }
        d->nsga->tell(told);

        // the generation's record: the archive's feasible front and its hypervolume
        std::vector<std::vector<double>> f;
        std::vector<double> v;
        for (const auto &s : d->archive) {
            f.push_back(d->objectives(s, m_config));
            v.push_back(d->violation(s, m_config));
        }
        GenerationSnapshot g;
        g.generation = d->generation;
        std::vector<std::vector<double>> frontPoints;
        g.fewestMacs = std::numeric_limits<double>::infinity();
        for (int i : nonDominatedIndices(f, v)) {
            const auto &s = d->archive[std::size_t(i)];
            g.front.push_back(s.id);
            // the hypervolume is over (error, MACs / reference) whatever else is optimised
            frontPoints.push_back({f[std::size_t(i)][0], f[std::size_t(i)][1] / m_referenceMacs});
            g.bestAccuracy = std::max(g.bestAccuracy, s.accuracy);
            g.fewestMacs = std::min(g.fewestMacs, m_config.trueCost ? s.macsTrue : s.macsPaper);
        }
        if (g.front.empty())
            g.fewestMacs = 0.0;
        g.hypervolume = hypervolume(frontPoints, {1.0, 1.0});
        g.evaluated = std::int64_t(d->archive.size());
        const double elapsed = since(start);
        g.candidatesPerMinute = elapsed > 0 ? 60.0 * double(evaluatedHere) / elapsed : 0.0;
        const double perGeneration = elapsed / double(std::max<std::int64_t>(1, evaluatedHere)) * m_config.population;
        g.secondsLeft = perGeneration * double(m_config.generations - d->generation - 1);
        g.recalibrationSeconds = d->recalSeconds;
        g.forwardSeconds = d->forwardSeconds;
        g.otherSeconds = d->otherSeconds;

        study::GenerationRecord rec;
        rec.generation = g.generation;
        rec.hypervolume = g.hypervolume;
        rec.front = g.front;
        for (const auto &p : d->nsga->population())
            if (const auto it = d->byGenes.find(p.x); it != d->byGenes.end())
                rec.population.push_back(d->archive[it->second].id);
        rec.statsJson = study::GenerationStats{g.evaluated,         g.candidatesPerMinute, g.recalibrationSeconds,
                                               g.forwardSeconds,    g.otherSeconds,        m_referenceMacs}
                            .toJson();
        d->study.addGeneration(rec);
        // the front's profiles, so that the Studio can re-evaluate their exits offline
        for (auto id : g.front) {
            const auto &s = d->archive[d->byId[id]];
            const auto profile = d->evaluator->cache().find(s.genome.backboneHash(), d->evaluator->samplesTag());
            if (profile && !d->study.profile(s.genome.backboneHash(), s.genome.resolution))
                d->study.putProfile(s.genome.backboneHash(), s.genome.resolution, eenn::serializeProfile(*profile));
        }
        observer.generationDone(g);

        ++d->generation;
        if (g.hypervolume > d->bestHypervolume + 1e-12) {
            d->bestHypervolume = g.hypervolume;
            d->stall = 0;
        } else if (m_config.stallGenerations > 0 && ++d->stall >= m_config.stallGenerations) {
            observer.message("no better hypervolume for " + std::to_string(d->stall) + " generations: stopping");
            result = Result::Stalled;
            break;
        }
    }
    // the workers may go: what is left (the final front) the coordinator measures itself
    publishCoordinator(m_stop ? "stopped" : "finished");
    if (m_config.finalValidationImages >= 0 && !m_stop)
        measureFinalFront(observer);
    return result;
}

void SearchEngine::publishCoordinator(std::string status)
{
    m_status = status;
    d->study.setState(study::kCoordinatorState,
                      study::CoordinatorStatus{status, {m_config.maxMacs, m_config.minAccuracy}, m_leaseSeconds}.toJson());
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
    std::vector<FinalFigures> out;
    std::vector<study::FinalFrontRow> rows;
    for (auto id : gens.back().front) {
        if (m_stop)
            return;
        const auto &s = d->archive[d->byId.at(id)];
        const auto profile = final.profile(s.genome);
        const auto e = eenn::evaluate(*profile, eenn::configFromGenome(*profile, s.genome));
        FinalFigures f{id, profile->samples, e.accuracy, e.averageMacsTrue, e.averageMacsPaper, e.share, e.exitAccuracy};
        rows.push_back({id, f.images, f.accuracy, f.macsTrue, f.macsPaper, f.share, f.exitAccuracy});
        out.push_back(std::move(f));
    }
    study::writeFinalFront(d->study, rows);
    observer.finalFront(out);
}

} // namespace edanas::search
