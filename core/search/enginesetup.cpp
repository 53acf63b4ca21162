// Creating or resuming a search: its study (refusing one made for another data set,
// supernet or encoding), its optimizer, the hypervolume's reference, and the engine
// built from files (SearchEngine::open).
#include "engineprivate.h"

#include "cost/cost.h"
#include "data/bytes.h"
#include "eenn/evaluator.h"
#include "supernet/checkpoint.h"

#include "edanas/version.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace edanas::search {

namespace {

// NACHOS tunes thresholds of a learned confidence: without it the search would quietly
// fall back to the score margin, which is not NACHOS
void requireConfidence(EncodingKind kind, const space::SearchSpace &space, const std::string &checkpointPath)
{
    if (kind == EncodingKind::Nachos && space.eecType != space::EecType::Nachos)
        throw std::invalid_argument(
            "the nachos encoding needs NACHOS exit classifiers (each learns a confidence), but the supernet "
            + checkpointPath + " (space '" + space.name + "') has " + space::eecTypeName(space.eecType)
            + " classifiers: train a supernet of a space with \"classifier\": \"nachos\" (edanas supernet train "
              "--space SPACE.json), or search this one with the edanas or studio encoding");
}

/// The configuration a resumed search goes on with: the stored one, with more
/// generations if `asked` has more. Refuses a study made on another data set or supernet.
SearchConfig resumedConfig(const study::Study &s, const std::string &datasetHash, const std::string &checkpointHash,
                           const SearchConfig &asked)
{
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
    const int generations = std::max(stored.generations, asked.generations);
    SearchConfig config = stored;
    config.generations = generations;
    return config;
}

/// The header of a new search's study.
study::StudyInfo newStudyInfo(const SearchConfig &config, const eenn::ProfileEvaluator &evaluator,
                              const std::string &datasetHash, const std::string &checkpointPath,
                              const std::string &checkpointHash)
{
    study::StudyInfo info;
    info.configJson = config.toJson();
    info.datasetPath = evaluator.dataset().ref.path;
    info.datasetHash = datasetHash;
    info.checkpointPath = checkpointPath;
    info.checkpointHash = checkpointHash;
    info.spaceName = evaluator.space().name;
    info.encoding = encodingName(config.encoding);
    info.seed = config.seed;
    info.appVersion = std::string("edanas ") + kVersion;
    return info;
}

std::unique_ptr<Nsga2> makeOptimizer(const Encoding &encoding, const SearchConfig &config)
{
    Nsga2Options o;
    o.populationSize = config.population;
    o.seed = config.seed;
    o.crossover = config.crossover;
    o.mutation = config.mutation;
    o.crossoverProbability = config.crossoverProbability;
    o.mutationRate = config.mutationRate;
    auto nsga = std::make_unique<Nsga2>(encoding.lower(), encoding.upper(), o);
    const Encoding &enc = encoding;
    nsga->setRepair([&enc](IntGenome &x, std::mt19937_64 &) { enc.repair(x); });
    return nsga;
}

// The hypervolume's reference: error 1, and the largest subnet with an exit at every
// position it allows, run to the end (every classifier counted).
double referenceMacsOf(const space::SearchSpace &space)
{
    space::Genome largest = space::Genome::largest(space);
    const auto c = cost::computeCost(space, largest);
    double macs = double(c.positions.back().cumulativeMacs());
    for (std::size_t i = 0; i + 1 < c.positions.size(); ++i)
        macs += double(c.positions[i].exitMacs);
    return macs;
}

} // namespace

SearchEngine::SearchEngine(std::shared_ptr<eenn::ProfileEvaluator> evaluator, std::string checkpointPath,
                           std::string checkpointHash, std::string datasetHash, SearchConfig config,
                           std::string studyPath, bool resume)
    : m_config(config)
    , m_encoding(evaluator->space(), config.encoding)
{
    const auto &space = evaluator->space();
    if (resume) {
        auto s = study::Study::open(studyPath);
        m_config = resumedConfig(s, datasetHash, checkpointHash, config);
        requireConfidence(m_config.encoding, space, checkpointPath);
        m_encoding = Encoding(space, m_config.encoding);
        d = std::make_unique<Private>(std::move(s));
    } else {
        requireConfidence(config.encoding, space, checkpointPath);
        d = std::make_unique<Private>(study::Study::create(
            studyPath, newStudyInfo(config, *evaluator, datasetHash, checkpointPath, checkpointHash)));
    }
    d->evaluator = std::move(evaluator);
    d->nsga = makeOptimizer(m_encoding, m_config);
    m_referenceMacs = referenceMacsOf(space);
    if (resume)
        d->restore(m_config);
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

void SearchEngine::distribute(bool evaluateHere, double leaseSeconds)
{
    if (!(leaseSeconds > 0.0))
        throw std::invalid_argument("the lease of a task must be positive");
    m_distributed = true;
    m_evaluateHere = evaluateHere;
    m_leaseSeconds = leaseSeconds;
}

} // namespace edanas::search
