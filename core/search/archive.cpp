// The search engine's archive: every evaluated candidate, indexed by genes, genome hash
// and id; restored from the study on resume, and the front each generation ends with.
#include "engineprivate.h"

#include "pareto.h"

#include "eenn/evaluator.h"
#include "eenn/profilestore.h"

#include <QJsonObject>

#include <algorithm>
#include <limits>

namespace edanas::search {

std::size_t SearchEngine::Private::adopt(CandidateSnapshot s, const IntGenome &genes, const IntGenome *asked)
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

void SearchEngine::Private::restore(const SearchConfig &config)
{
    // Everything evaluated comes back; the population is the last recorded one plus
    // whatever was evaluated after it.
    for (auto &r : study.candidates()) {
        adopt(snapshotFromRecord(r, study.path()), r.genes);
        byHash[r.genomeHash] = archive.size() - 1;
        nsga->markSeen(r.genes);
    }
    const auto gens = study.generations();
    int last = -1;
    std::vector<std::int64_t> ids;
    if (!gens.empty()) {
        last = gens.back().generation;
        ids = gens.back().population;
        bestHypervolume = gens.back().hypervolume;
    }
    for (const auto &s : archive)
        if (s.generation > last)
            ids.push_back(s.id);
    std::vector<Evaluated> population;
    for (auto id : ids)
        if (const auto it = byId.find(id); it != byId.end())
            population.push_back({genes[it->second], {}, 0.0});
    generation = last + 1;
    std::vector<Evaluated> ranked;
    for (auto &p : population) {
        const auto &s = archive[byGenes[p.x]];
        ranked.push_back({p.x, objectives(s, config), violation(s, config)});
    }
    if (!ranked.empty())
        nsga->setPopulation(ranked);
    study.addEvent(generation, "resume",
                   jsonText({{"candidates", double(archive.size())}, {"generation", generation}}));
}

GenerationSnapshot SearchEngine::Private::front(const SearchConfig &config, double referenceMacs) const
{
    // the generation's record: the archive's feasible front and its hypervolume
    std::vector<std::vector<double>> f;
    std::vector<double> v;
    for (const auto &s : archive) {
        f.push_back(objectives(s, config));
        v.push_back(violation(s, config));
    }
    GenerationSnapshot g;
    g.generation = generation;
    std::vector<std::vector<double>> frontPoints;
    g.fewestMacs = std::numeric_limits<double>::infinity();
    for (int i : nonDominatedIndices(f, v)) {
        const auto &s = archive[std::size_t(i)];
        g.front.push_back(s.id);
        // the hypervolume is over (error, MACs / reference) whatever else is optimised
        frontPoints.push_back({f[std::size_t(i)][0], f[std::size_t(i)][1] / referenceMacs});
        g.bestAccuracy = std::max(g.bestAccuracy, s.accuracy);
        g.fewestMacs = std::min(g.fewestMacs, config.trueCost ? s.macsTrue : s.macsPaper);
    }
    if (g.front.empty())
        g.fewestMacs = 0.0;
    g.hypervolume = hypervolume(frontPoints, {1.0, 1.0});
    return g;
}

void SearchEngine::Private::storeFrontProfiles(const std::vector<std::int64_t> &front)
{
    for (auto id : front) {
        const auto &s = archive[byId[id]];
        const auto profile = evaluator->cache().find(s.genome.backboneHash(), evaluator->samplesTag());
        if (profile && !study.profile(s.genome.backboneHash(), s.genome.resolution))
            study.putProfile(s.genome.backboneHash(), s.genome.resolution, eenn::serializeProfile(*profile));
    }
}

} // namespace edanas::search
