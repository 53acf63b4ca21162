// Steering a running search from any thread: each call queues a command that the
// engine's loop applies between two candidates and records as a study event.
#include "engineprivate.h"

#include "eenn/evaluator.h"
#include "study/records.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace edanas::search {

std::string jsonText(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString(); }

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

void SearchEngine::Private::queueGenomeCommand(IntGenome x, const char *event, std::string json,
                                               void (Nsga2::*apply)(const IntGenome &))
{
    std::lock_guard lock(mutex);
    commands.push_back([this, x = std::move(x), event, json = std::move(json), apply] {
        (nsga.get()->*apply)(x);
        study.addEvent(generation, event, json);
    });
}

void SearchEngine::pin(const space::Genome &g)
{
    d->queueGenomeCommand(m_encoding.encode(g), "pin", g.toJson(), &Nsga2::pin);
}

void SearchEngine::ban(const space::Genome &g)
{
    d->queueGenomeCommand(m_encoding.encode(g), "ban", g.toJson(), &Nsga2::ban);
}

void SearchEngine::unpin(const space::Genome &g)
{
    d->queueGenomeCommand(m_encoding.encode(g), "unpin", g.toJson(), &Nsga2::unpin);
}

void SearchEngine::unban(const space::Genome &g)
{
    d->queueGenomeCommand(m_encoding.encode(g), "unban", g.toJson(), &Nsga2::unban);
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

// Whoever follows the study (the Studio, workers) reads the search's status and its
// current constraints from this state.
void SearchEngine::publishCoordinator(std::string status)
{
    m_status = status;
    d->study.setState(study::kCoordinatorState,
                      study::CoordinatorStatus{status, {m_config.maxMacs, m_config.minAccuracy}, m_leaseSeconds}.toJson());
}

} // namespace edanas::search
