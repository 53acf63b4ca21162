// A study's tasks for distributed evaluation: added by a coordinator, claimed with a
// lease, renewed and completed by workers.
#include "study/studyimpl.h"

#include <utility>

namespace edanas::study {

using namespace detail;

namespace {

const char *const kTaskColumns = "id, generation, genome_json, genes, origin, state, worker, claims, candidate_id";

} // namespace

QString Study::Impl::nowMs() const
{
    return m_server ? QStringLiteral("(extract(epoch from clock_timestamp()) * 1000)::bigint")
                    : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)");
}

TaskRecord Study::Impl::readTask(const QSqlQuery &q) const
{
    TaskRecord t;
    t.id = q.value(0).toLongLong();
    t.generation = q.value(1).toInt();
    t.genomeJson = stdText(q.value(2));
    if (!splitList(q.value(3), t.genes))
        fail("is damaged: task " + std::to_string(t.id) + " has an unreadable gene list");
    t.origin = stdText(q.value(4));
    const int state = q.value(5).toInt();
    if (state < 0 || state > 2)
        fail("is damaged: task " + std::to_string(t.id) + " has an unknown state");
    t.state = TaskRecord::State(state);
    t.worker = stdText(q.value(6));
    t.claims = q.value(7).toInt();
    t.candidateId = q.value(8).toLongLong();
    return t;
}

std::int64_t Study::addTask(int generation, const std::string &genomeJson, const std::vector<int> &genes,
                            const std::string &origin)
{
    const std::string what = "store a task";
    m_impl->requireWritable(what);
    Impl::Transaction t(*m_impl, what);
    const std::int64_t id = m_impl->nextId(what, "tasks");
    m_impl->run(what,
                QStringLiteral("INSERT INTO tasks (id, generation, genome_json, genes, origin, state, worker,"
                               " lease_until, claims, candidate_id) VALUES (?, ?, ?, ?, ?, 0, '', 0, 0, NULL)"),
                {QVariant::fromValue(qint64(id)), generation, text(genomeJson), joinList(genes), text(origin)});
    t.commit();
    return id;
}

std::optional<TaskRecord> Study::claimTask(const std::string &worker, double leaseSeconds)
{
    const std::string what = "claim a task";
    m_impl->requireWritable(what);
    Impl::Transaction t(*m_impl, what);
    // on the server, rows other workers are claiming are skipped rather than waited for
    QSqlQuery q = m_impl->run(what,
                              QStringLiteral("SELECT id FROM tasks WHERE state = 0 OR (state = 1 AND lease_until < %1)"
                                             " ORDER BY id LIMIT 1%2")
                                  .arg(m_impl->nowMs(),
                                       m_impl->m_server ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString()));
    if (!q.next())
        return std::nullopt;
    const qint64 id = q.value(0).toLongLong();
    m_impl->run(what,
                QStringLiteral("UPDATE tasks SET state = 1, worker = ?, lease_until = %1 + ?, claims = claims + 1"
                               " WHERE id = ?")
                    .arg(m_impl->nowMs()),
                {text(worker), QVariant::fromValue(qint64(leaseSeconds * 1000.0)), QVariant::fromValue(id)});
    QSqlQuery r = m_impl->run(what, QStringLiteral("SELECT %1 FROM tasks WHERE id = ?").arg(QLatin1String(kTaskColumns)),
                              {QVariant::fromValue(id)});
    if (!r.next())
        m_impl->fail("cannot " + what + ": task " + std::to_string(id) + " vanished");
    TaskRecord task = m_impl->readTask(r);
    t.commit();
    return task;
}

bool Study::renewLease(std::int64_t id, const std::string &worker, double leaseSeconds)
{
    const std::string what = "renew the lease on task " + std::to_string(id);
    m_impl->requireWritable(what);
    QSqlQuery q = m_impl->run(
        what,
        QStringLiteral("UPDATE tasks SET lease_until = %1 + ? WHERE id = ? AND state = 1 AND worker = ?").arg(m_impl->nowMs()),
        {QVariant::fromValue(qint64(leaseSeconds * 1000.0)), QVariant::fromValue(qint64(id)), text(worker)});
    return q.numRowsAffected() == 1;
}

std::optional<std::int64_t> Study::completeTask(std::int64_t id, const std::string &worker, CandidateRecord c,
                                                const ProfileBlob *profile)
{
    const std::string what = "complete task " + std::to_string(id);
    m_impl->requireWritable(what);
    Impl::Transaction t(*m_impl, what);
    QSqlQuery q = m_impl->run(what,
                              QStringLiteral("SELECT state, worker FROM tasks WHERE id = ?%1")
                                  .arg(m_impl->m_server ? QStringLiteral(" FOR UPDATE") : QString()),
                              {QVariant::fromValue(qint64(id))});
    if (!q.next())
        m_impl->fail("cannot " + what + ": the study holds no such task");
    if (q.value(0).toInt() != 1 || stdText(q.value(1)) != worker)
        return std::nullopt; // the claim was lost: whoever holds it completes the task
    std::int64_t candidate = 0;
    if (const auto known = candidateByHash(c.genomeHash))
        candidate = known->id;
    else
        candidate = addCandidate(std::move(c)); // part of this transaction
    if (profile)
        putProfile(profile->backboneHash, profile->resolution, profile->bytes); // so is this
    m_impl->run(what, QStringLiteral("UPDATE tasks SET state = 2, candidate_id = ? WHERE id = ?"),
                {QVariant::fromValue(qint64(candidate)), QVariant::fromValue(qint64(id))});
    t.commit();
    return candidate;
}

std::vector<TaskRecord> Study::tasks(int generation) const
{
    QSqlQuery q = m_impl->run(
        "read the tasks",
        QStringLiteral("SELECT %1 FROM tasks WHERE ? < 0 OR generation = ? ORDER BY id").arg(QLatin1String(kTaskColumns)),
        {generation, generation});
    std::vector<TaskRecord> out;
    while (q.next())
        out.push_back(m_impl->readTask(q));
    return out;
}

} // namespace edanas::study
