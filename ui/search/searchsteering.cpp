#include "searchsteering.h"

#include "search/engine.h"

namespace edanas::ui {

SearchSteering::SearchSteering(double maxMacs, double minAccuracy)
    : m_maxMacs(maxMacs)
    , m_minAccuracy(minAccuracy)
{
}

void SearchSteering::pause()
{
    std::lock_guard lock(m_mutex);
    m_paused = true;
    if (m_engine)
        m_engine->pause();
}

void SearchSteering::resume()
{
    std::lock_guard lock(m_mutex);
    m_paused = false;
    if (m_engine)
        m_engine->resume();
}

void SearchSteering::stop()
{
    std::lock_guard lock(m_mutex);
    m_stop = true;
    if (m_engine)
        m_engine->stop();
}

std::shared_ptr<const eenn::ExitProfile> SearchSteering::cachedProfile(const space::Genome &genome) const
{
    std::lock_guard lock(m_mutex);
    return m_engine ? m_engine->cachedProfile(genome) : nullptr;
}

void SearchSteering::setConstraints(double maxMacs, double minAccuracy)
{
    std::lock_guard lock(m_mutex);
    m_maxMacs = maxMacs;
    m_minAccuracy = minAccuracy;
    if (m_engine)
        m_engine->setConstraints(maxMacs, minAccuracy);
}

double SearchSteering::maxMacs() const
{
    std::lock_guard lock(m_mutex);
    return m_maxMacs;
}

double SearchSteering::minAccuracy() const
{
    std::lock_guard lock(m_mutex);
    return m_minAccuracy;
}

template<class F>
QString SearchSteering::withEngine(F &&f)
{
    std::lock_guard lock(m_mutex);
    if (!m_engine)
        return QStringLiteral("no search is running");
    try {
        f(*m_engine);
    } catch (const std::exception &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString SearchSteering::pin(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.pin(genome); });
}

QString SearchSteering::ban(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.ban(genome); });
}

QString SearchSteering::unpin(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.unpin(genome); });
}

QString SearchSteering::unban(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.unban(genome); });
}

QString SearchSteering::inject(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.inject(genome); });
}

QString SearchSteering::keep(const space::Genome &genome)
{
    return withEngine([&](search::SearchEngine &e) { e.keep(genome); });
}

void SearchSteering::attach(search::SearchEngine *engine)
{
    std::lock_guard lock(m_mutex);
    m_engine = engine;
    // what was asked while the engine was being opened
    const auto &c = engine->config();
    if (c.maxMacs != m_maxMacs || c.minAccuracy != m_minAccuracy)
        engine->setConstraints(m_maxMacs, m_minAccuracy);
    if (m_paused)
        engine->pause();
    if (m_stop)
        engine->stop();
}

void SearchSteering::detach()
{
    std::lock_guard lock(m_mutex);
    m_engine = nullptr;
}

} // namespace edanas::ui
