// What a study records as a search goes besides its candidates: generations with their
// fronts, steering events, exit profiles and key/value state.
#include "study/studyimpl.h"

#include <map>
#include <utility>

namespace edanas::study {

using namespace detail;

void Study::addGeneration(const GenerationRecord &g)
{
    const std::string what = "store generation " + std::to_string(g.generation);
    m_impl->requireWritable(what);
    Impl::Transaction t(*m_impl, what);
    m_impl->run(what,
                QStringLiteral("INSERT INTO generations (generation, hypervolume, population, stats_json, time)"
                               " VALUES (?, ?, ?, ?, ?)"),
                {g.generation, g.hypervolume, joinList(g.population), text(g.statsJson),
                 g.time.empty() ? now() : text(g.time)});
    for (std::size_t i = 0; i < g.front.size(); ++i)
        m_impl->run(what,
                    QStringLiteral("INSERT INTO front_membership (generation, candidate_id, position) VALUES (?, ?, ?)"),
                    {g.generation, QVariant::fromValue(qint64(g.front[i])), QVariant::fromValue(qint64(i))});
    t.commit();
}

std::vector<GenerationRecord> Study::generations() const
{
    std::vector<GenerationRecord> out;
    std::map<int, std::size_t> index;
    Impl::Transaction snapshot(*m_impl, "read the generations", false);
    QSqlQuery q = m_impl->run("read the generations",
                              QStringLiteral("SELECT generation, hypervolume, population, stats_json, time"
                                             " FROM generations ORDER BY generation"));
    while (q.next()) {
        GenerationRecord g;
        g.generation = q.value(0).toInt();
        g.hypervolume = q.value(1).toDouble();
        if (!splitList(q.value(2), g.population))
            m_impl->fail("is damaged: generation " + std::to_string(g.generation) + " has an unreadable population");
        g.statsJson = stdText(q.value(3));
        g.time = stdText(q.value(4));
        index[g.generation] = out.size();
        out.push_back(std::move(g));
    }
    QSqlQuery f = m_impl->run("read the fronts",
                              QStringLiteral("SELECT generation, candidate_id FROM front_membership"
                                             " ORDER BY generation, position"));
    while (f.next()) {
        const auto at = index.find(f.value(0).toInt());
        if (at == index.end())
            m_impl->fail("is damaged: a front names generation " + f.value(0).toString().toStdString()
                         + ", which it does not hold");
        out[at->second].front.push_back(f.value(1).toLongLong());
    }
    snapshot.commit();
    return out;
}

std::int64_t Study::addEvent(int generation, const std::string &type, const std::string &json)
{
    const std::string what = "store a " + type + " event";
    m_impl->requireWritable(what);
    Impl::Transaction t(*m_impl, what);
    const std::int64_t id = m_impl->nextId(what, "events");
    m_impl->run(what, QStringLiteral("INSERT INTO events (id, time, generation, type, json) VALUES (?, ?, ?, ?, ?)"),
                {QVariant::fromValue(qint64(id)), now(), generation, text(type), text(json)});
    t.commit();
    return id;
}

std::vector<EventRecord> Study::events(std::int64_t afterId) const
{
    QSqlQuery q = m_impl->run(
        "read the events",
        QStringLiteral("SELECT id, time, generation, type, json FROM events WHERE id > ? ORDER BY id"),
        {QVariant::fromValue(qint64(afterId))});
    std::vector<EventRecord> out;
    while (q.next())
        out.push_back({q.value(0).toLongLong(), stdText(q.value(1)), q.value(2).toInt(), stdText(q.value(3)),
                       stdText(q.value(4))});
    return out;
}

void Study::putProfile(std::uint64_t backboneHash, int resolution, const std::string &bytes)
{
    const std::string what = "store an exit profile";
    m_impl->requireWritable(what);
    m_impl->run(what,
                QStringLiteral("INSERT INTO profiles (backbone_hash, resolution, bytes) VALUES (?, ?, ?)"
                               " ON CONFLICT (backbone_hash, resolution) DO UPDATE SET bytes = excluded.bytes"),
                {hashValue(backboneHash), resolution, blob(bytes)});
}

std::optional<std::string> Study::profile(std::uint64_t backboneHash, int resolution) const
{
    QSqlQuery q = m_impl->run("read an exit profile",
                              QStringLiteral("SELECT bytes FROM profiles WHERE backbone_hash = ? AND resolution = ?"),
                              {hashValue(backboneHash), resolution});
    if (!q.next())
        return std::nullopt;
    return stdBlob(q.value(0));
}

void Study::setState(const std::string &key, const std::string &value)
{
    const std::string what = "store state '" + key + "'";
    m_impl->requireWritable(what);
    m_impl->run(what,
                QStringLiteral("INSERT INTO state (key, value) VALUES (?, ?)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                {text(key), blob(value)});
}

std::optional<std::string> Study::state(const std::string &key) const
{
    QSqlQuery q = m_impl->run("read state '" + key + "'", QStringLiteral("SELECT value FROM state WHERE key = ?"),
                              {text(key)});
    if (!q.next())
        return std::nullopt;
    return stdBlob(q.value(0));
}

} // namespace edanas::study
