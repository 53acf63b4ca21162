// A study's candidates: storing, flagging and reading the evaluated candidates.
#include "study/studyimpl.h"

#include <QSqlRecord>

#include <cmath>
#include <utility>

namespace edanas::study {

namespace {

const char *const kCandidateColumns =
    "id, generation, genome_hash, genome_json, genes, objectives, violation, accuracy, macs_true,"
    " macs_paper, static_macs, params, sram_bytes, flash_bytes, figures_json, origin, eval_seconds,"
    " pinned, banned, note";

} // namespace

namespace detail {

// The INSERT of one candidate row and its values, in kCandidateColumns' order.
QString insertCandidateSql()
{
    return QStringLiteral("INSERT INTO candidates (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .arg(QLatin1String(kCandidateColumns));
}

QVariantList candidateValues(const CandidateRecord &c)
{
    return {QVariant::fromValue(qint64(c.id)), c.generation, hashValue(c.genomeHash), text(c.genomeJson),
            joinList(c.genes), joinList(c.objectives), c.violation, c.accuracy, c.macsTrue, c.macsPaper,
            c.staticMacs, c.params, c.sramBytes, c.flashBytes, text(c.figuresJson), text(c.origin), c.evalSeconds,
            int(c.pinned), int(c.banned), text(c.note)};
}

} // namespace detail

using namespace detail;

CandidateRecord Study::Impl::readCandidate(const QSqlQuery &q) const
{
    CandidateRecord c;
    for (int column = 0; column < 20; ++column)
        if (q.value(column).isNull()) // every column is NOT NULL in a study that is not damaged
            fail("is damaged: a candidate has no " + q.record().fieldName(column).toStdString());
    c.id = q.value(0).toLongLong();
    c.generation = q.value(1).toInt();
    c.genomeHash = hashFrom(q.value(2));
    c.genomeJson = stdText(q.value(3));
    if (!splitList(q.value(4), c.genes) || !splitList(q.value(5), c.objectives))
        fail("is damaged: candidate " + std::to_string(c.id) + " has an unreadable gene or objective list");
    c.violation = q.value(6).toDouble();
    c.accuracy = q.value(7).toDouble();
    c.macsTrue = q.value(8).toDouble();
    c.macsPaper = q.value(9).toDouble();
    c.staticMacs = q.value(10).toDouble();
    c.params = q.value(11).toDouble();
    c.sramBytes = q.value(12).toDouble();
    c.flashBytes = q.value(13).toDouble();
    c.figuresJson = stdText(q.value(14));
    c.origin = stdText(q.value(15));
    c.evalSeconds = q.value(16).toDouble();
    c.pinned = q.value(17).toBool();
    c.banned = q.value(18).toBool();
    c.note = stdText(q.value(19));
    return c;
}

std::int64_t Study::addCandidate(CandidateRecord c)
{
    const std::string what = "store a candidate";
    m_impl->requireWritable(what);
    // SQLite keeps NaN as NULL, which the NOT NULL columns refuse; the server would
    // keep it: refused the same on both
    for (const auto &[name, value] :
         {std::pair{"violation", c.violation}, {"accuracy", c.accuracy}, {"macs_true", c.macsTrue},
          {"macs_paper", c.macsPaper}, {"static_macs", c.staticMacs}, {"params", c.params},
          {"sram_bytes", c.sramBytes}, {"flash_bytes", c.flashBytes}, {"eval_seconds", c.evalSeconds}})
        if (std::isnan(value))
            m_impl->fail("cannot store a candidate: NOT NULL constraint failed: candidates." + std::string(name)
                         + " (the value is NaN)");
    Impl::Transaction t(*m_impl, what);
    if (c.id == 0)
        c.id = m_impl->nextId(what, "candidates");
    QSqlQuery dup = m_impl->run(what, QStringLiteral("SELECT id FROM candidates WHERE genome_hash = ?"),
                                {hashValue(c.genomeHash)});
    if (dup.next())
        m_impl->fail("cannot store a candidate: its genome (hash " + std::to_string(c.genomeHash)
                     + ") is already candidate " + std::to_string(dup.value(0).toLongLong()));
    m_impl->run(what, insertCandidateSql(), candidateValues(c));
    t.commit();
    return c.id;
}

void Study::updateCandidateFlags(std::int64_t id, bool pinned, bool banned, const std::string &note)
{
    const std::string what = "update candidate " + std::to_string(id);
    m_impl->requireWritable(what);
    QSqlQuery q = m_impl->run(what, QStringLiteral("UPDATE candidates SET pinned = ?, banned = ?, note = ? WHERE id = ?"),
                              {int(pinned), int(banned), text(note), QVariant::fromValue(qint64(id))});
    if (q.numRowsAffected() != 1)
        m_impl->fail("cannot " + what + ": the study holds no such candidate");
}

std::vector<CandidateRecord> Study::candidates(std::int64_t afterId) const
{
    QSqlQuery q = m_impl->run(
        "read the candidates",
        QStringLiteral("SELECT %1 FROM candidates WHERE id > ? ORDER BY id").arg(QLatin1String(kCandidateColumns)),
        {QVariant::fromValue(qint64(afterId))});
    std::vector<CandidateRecord> out;
    std::int64_t last = afterId;
    while (q.next()) {
        out.push_back(m_impl->readCandidate(q));
        // a damaged table can yield rows out of order (found by fuzz_study); a reader
        // that polls with the last id it saw would then miss candidates
        if (out.back().id <= last)
            m_impl->fail("is damaged: its candidates are out of order (candidate " + std::to_string(out.back().id)
                         + " after " + std::to_string(last) + ")");
        last = out.back().id;
    }
    return out;
}

std::optional<CandidateRecord> Study::candidateByHash(std::uint64_t hash) const
{
    QSqlQuery q = m_impl->run(
        "read a candidate",
        QStringLiteral("SELECT %1 FROM candidates WHERE genome_hash = ?").arg(QLatin1String(kCandidateColumns)),
        {hashValue(hash)});
    if (!q.next())
        return std::nullopt;
    return m_impl->readCandidate(q);
}

std::optional<CandidateRecord> Study::candidate(std::int64_t id) const
{
    QSqlQuery q = m_impl->run(
        "read candidate " + std::to_string(id),
        QStringLiteral("SELECT %1 FROM candidates WHERE id = ?").arg(QLatin1String(kCandidateColumns)),
        {QVariant::fromValue(qint64(id))});
    if (!q.next())
        return std::nullopt;
    return m_impl->readCandidate(q);
}

} // namespace edanas::study
