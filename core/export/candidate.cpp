#include "candidate.h"

#include "fileerror.h"
#include "study/records.h"

#include <algorithm>
#include <filesystem>

namespace edanas::deploy {

data::Preprocess PreparedCandidate::preprocess() const
{
    data::Preprocess pp;
    pp.mean = checkpoint.mean;
    pp.std = checkpoint.std;
    pp.resolution = genome.resolution;
    return pp;
}

namespace {

/// The most accurate candidate of the last recorded front (the fewest MACs on a tie).
std::int64_t bestOnFront(const study::Study &s, const std::vector<study::CandidateRecord> &all, bool trueCost)
{
    const auto gens = s.generations();
    if (gens.empty() || gens.back().front.empty())
        throw study::StudyError(s.path(), "has no front yet: name the candidate to export by its id");
    const study::CandidateRecord *best = nullptr;
    for (const auto id : gens.back().front) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const auto &c) { return c.id == id; });
        if (it == all.end())
            continue;
        const double macs = trueCost ? it->macsTrue : it->macsPaper;
        const double bestMacs = best ? (trueCost ? best->macsTrue : best->macsPaper) : 0.0;
        if (!best || it->accuracy > best->accuracy || (it->accuracy == best->accuracy && macs < bestMacs))
            best = &*it;
    }
    if (!best)
        throw study::StudyError(s.path(), "its last front names no stored candidate");
    return best->id;
}

} // namespace

PreparedCandidate prepareCandidate(const CandidateSource &source, const Steps &steps)
{
    if (source.studyPath.empty())
        throw std::invalid_argument("no study file named");
    PreparedCandidate p;
    p.studyPath = source.studyPath;
    steps.say("opening the study " + p.studyPath);
    {
        const auto s = study::Study::open(p.studyPath, /*readOnly=*/true);
        p.info = s.info();
        try {
            p.config = search::SearchConfig::fromJson(p.info.configJson, p.studyPath);
        } catch (const std::invalid_argument &e) {
            throw study::StudyError(p.studyPath, std::string("its search configuration is unreadable (") + e.what() + ")");
        }
        const auto all = s.candidates();
        if (all.empty())
            throw study::StudyError(p.studyPath, "holds no candidate yet");
        p.candidateId = source.candidateId != 0 ? source.candidateId : bestOnFront(s, all, p.config.trueCost);
        const auto it = std::find_if(all.begin(), all.end(), [&](const auto &c) { return c.id == p.candidateId; });
        if (it == all.end())
            throw study::StudyError(p.studyPath, "has no candidate " + std::to_string(p.candidateId) + " (its ids are "
                                                     + std::to_string(all.front().id) + " to "
                                                     + std::to_string(all.back().id) + ")");
        p.record = *it;
        p.storedGenome = space::Genome::fromJson(p.record.genomeJson,
                                                 p.studyPath + " (candidate " + std::to_string(p.candidateId) + ")");
        p.genome = source.genome ? *source.genome : p.storedGenome;
        p.edited = p.genome != p.storedGenome;
        if (const auto final = study::readFinalFront(s))
            for (const auto &row : *final)
                if (row.id == p.candidateId)
                    p.finalFront = std::make_pair(row.accuracy, row.images);
    }
    steps.check();

    // The supernet: the very file the search used.
    p.checkpointPath = source.checkpointPath.empty() ? p.info.checkpointPath : source.checkpointPath;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p.checkpointPath, ec))
        throw FileError(p.checkpointPath, "no such file (the supernet the study " + p.studyPath + " was made with)");
    steps.say("loading the supernet " + p.checkpointPath);
    p.checkpointHash = search::SearchEngine::fileHash(p.checkpointPath);
    if (p.checkpointHash != p.info.checkpointHash)
        throw FileError(p.checkpointPath, "is not the supernet the study " + p.studyPath + " was made with (file hash "
                                              + p.checkpointHash + ", the study records " + p.info.checkpointHash
                                              + ")");
    auto net = supernet::loadCheckpoint(p.checkpointPath, &p.checkpoint);
    steps.check();

    // The data set, with the content the search saw.
    p.datasetPath = source.datasetPath.empty() ? p.info.datasetPath : source.datasetPath;
    steps.say("loading the data set " + p.datasetPath);
    data::DatasetRef ref;
    ref.path = p.datasetPath;
    p.dataset = std::make_shared<const data::Dataset>(data::loadDataset(ref));
    p.datasetHash = data::contentHash(*p.dataset);
    if (p.datasetHash != p.info.datasetHash)
        throw FileError(p.datasetPath, "is not the data set the study " + p.studyPath + " was made on (content hash "
                                           + p.datasetHash.substr(0, 16) + "..., the study records "
                                           + p.info.datasetHash.substr(0, 16) + "...)");
    supernet::checkCompatible(p.checkpointPath, p.checkpoint, net->space(), p.datasetHash);
    p.genome.validate(net->space(), p.edited ? "the edited variant of candidate " + std::to_string(p.candidateId)
                                             : p.studyPath + " (candidate " + std::to_string(p.candidateId) + ")");
    p.evaluator = std::make_shared<eenn::ProfileEvaluator>(net, *p.dataset, p.checkpoint.mean, p.checkpoint.std,
                                                           p.config.evaluatorOptions());
    steps.check();
    return p;
}

supernet::StaticEenn extractNetwork(PreparedCandidate &candidate, const space::Genome &genome, bool fuse,
                                    bool recalibrated)
{
    if (!recalibrated)
        candidate.evaluator->recalibrate(genome);
    supernet::StaticEenn net(*candidate.evaluator->net(), genome);
    net->eval();
    if (fuse)
        net->fuseBatchNorm();
    return net;
}

} // namespace edanas::deploy
