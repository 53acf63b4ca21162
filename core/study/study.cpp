// A study's connection (an SQLite file or a PostgreSQL schema), and creating, opening
// and copying a study; the schema is in studyschema.cpp, the records in the other study*.cpp.
#include "study/studyimpl.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QUrl>

#include <atomic>

namespace edanas::study {

using namespace detail;

namespace {

std::atomic<unsigned> g_connectionCount{0};

// SQLite's own words for a failed statement, or what a lock timeout means for the user.
std::string sqliteProblem(const QSqlError &error)
{
    if ((error.nativeErrorCode().toInt() & 0xff) == 5) // SQLITE_BUSY and its extended codes
        return "another program kept the study locked for more than 5 seconds";
    return (error.databaseText().isEmpty() ? error.text() : error.databaseText()).toStdString();
}

} // namespace

Study::Impl::Impl(const std::string &location, bool readOnly)
    : m_location(parseLocation(location))
    , m_path(m_location.shown)
    , m_readOnly(readOnly)
    , m_server(m_location.server)
    , m_connection(QStringLiteral("edanas-study-%1").arg(g_connectionCount.fetch_add(1)))
{
    m_db = QSqlDatabase::addDatabase(m_server ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), m_connection);
}

Study::Impl::~Impl()
{
    m_db.close();
    m_db = QSqlDatabase(); // the last handle must be gone before the connection is removed
    QSqlDatabase::removeDatabase(m_connection);
}

void Study::Impl::openServer()
{
    if (!m_db.isValid())
        fail("cannot be opened: the Qt PostgreSQL driver is missing (install libqt6sql6-psql)");
    m_db.close();
    m_db.setHostName(m_location.host);
    m_db.setPort(m_location.port);
    m_db.setUserName(m_location.user);
    m_db.setPassword(m_location.password); // kept in memory only; libpq's PGPASSWORD and ~/.pgpass otherwise
    m_db.setDatabaseName(m_location.database);
    m_db.setConnectOptions(m_location.options);
    if (!m_db.open())
        fail("cannot be reached: " + sqlProblem(m_db.lastError()));
    run("set up the connection", QStringLiteral("SET client_min_messages = warning"));
    run("set up the connection", QStringLiteral("SET lock_timeout = '5s'"));
    run("set up the connection", QStringLiteral("SET search_path TO ") + m_location.quotedSchema());
    if (m_readOnly)
        run("set up the connection", QStringLiteral("SET default_transaction_read_only = on"));
}

bool Study::Impl::schemaExists() const
{
    QSqlQuery q = run("look for the study", QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname = ?"),
                      {m_location.schema()});
    return q.next() && q.value(0).toInt() > 0;
}

void Study::Impl::openConnection(Access access)
{
    if (m_server)
        return openServer();
    if (!m_db.isValid())
        fail("cannot be opened: the Qt SQLite driver is missing (install libqt6sql6-sqlite)");
    m_db.close();
    const QString file = QFileInfo(QString::fromStdString(m_path)).absoluteFilePath();
    // Waiting for locks lets a reader and a writer in different processes coexist.
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000");
    if (access != Access::Write)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    if (access == Access::Inspect)
        options += QStringLiteral(";QSQLITE_OPEN_URI");
    m_db.setConnectOptions(options);
    m_db.setDatabaseName(access == Access::Inspect
                             ? QUrl::fromLocalFile(file).toString(QUrl::FullyEncoded) + QStringLiteral("?immutable=1")
                             : file);
    if (!m_db.open())
        fail("cannot be opened: " + sqlProblem(m_db.lastError()));
    // FULL: each commit is synced to disk, so an evaluated candidate (which cost
    // seconds) survives a power cut as well as a killed process; the sync costs far
    // less than an evaluation.
    run("set up the connection", "PRAGMA foreign_keys = ON");
    run("set up the connection", "PRAGMA synchronous = FULL");
}

void Study::Impl::useWal()
{
    QSqlQuery q = run("switch to the write-ahead log", "PRAGMA journal_mode = WAL");
    const QString mode = q.next() ? q.value(0).toString() : QString();
    if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        fail("cannot use a write-ahead log in this folder (journal mode stays '" + mode.toStdString()
             + "'); put the study on a local disk");
}

std::string Study::Impl::sqlProblem(const QSqlError &error) const
{
    if (m_server) {
        if (error.nativeErrorCode() == QLatin1String("55P03"))
            return "another program kept the study locked for more than 5 seconds";
        // libpq's messages span lines ("...failed: ...\n\tIs the server running..."): one line
        return (error.databaseText().isEmpty() ? error.text() : error.databaseText()).simplified().toStdString();
    }
    return sqliteProblem(error);
}

QSqlQuery Study::Impl::run(const std::string &what, const QString &sql, const QVariantList &binds) const
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (binds.isEmpty()) {
        if (!q.exec(sql))
            fail("cannot " + what + ": " + sqlProblem(q.lastError()));
        return q;
    }
    if (!q.prepare(sql))
        fail("cannot " + what + ": " + sqlProblem(q.lastError()));
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec())
        fail("cannot " + what + ": " + sqlProblem(q.lastError()));
    return q;
}

std::int64_t Study::Impl::nextId(const std::string &what, const char *table) const
{
    if (m_server)
        run(what, QStringLiteral("LOCK TABLE %1 IN SHARE ROW EXCLUSIVE MODE").arg(QLatin1String(table)));
    QSqlQuery q = run(what, QStringLiteral("SELECT COALESCE(MAX(id), 0) + 1 FROM %1").arg(QLatin1String(table)));
    return q.next() ? q.value(0).toLongLong() : 1;
}

Study::Study(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}

Study::~Study() = default;
Study::Study(Study &&) noexcept = default;
Study &Study::operator=(Study &&) noexcept = default;

Study Study::create(const std::string &path, const StudyInfo &info)
{
    return Study(createImpl(path, info, [](Impl &) {}));
}

template <class Fill>
std::unique_ptr<Study::Impl> Study::createImpl(const std::string &path, const StudyInfo &info, Fill fill)
{
    if (isServerLocation(path)) {
        auto impl = std::make_unique<Impl>(path, false);
        impl->m_info = info;
        if (impl->m_info.created.empty())
            impl->m_info.created = now().toStdString();
        impl->openConnection(Impl::Access::Write);
        Impl::Transaction t(*impl, "write the new study");
        if (impl->schemaExists())
            impl->fail("already exists; a new study needs a new name (open it to resume instead)");
        impl->writeSchema();
        fill(*impl);
        t.commit();
        return impl;
    }
    const QString file = QString::fromStdString(path);
    if (QFileInfo::exists(file))
        throw StudyError(path, "already exists; a new study needs a new file (open it to resume instead)");
    // A log left by another database would be replayed into the new file.
    for (const char *suffix : {"-wal", "-journal"})
        if (QFileInfo::exists(file + QLatin1String(suffix)))
            throw StudyError(path, "cannot be created: a leftover " + path + suffix
                                       + " from another database lies next to it; move it away first");
    QFile claim(file);
    if (!claim.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        throw StudyError(path, "cannot be created: " + claim.errorString().toStdString());
    claim.close();

    auto impl = std::make_unique<Impl>(path, false);
    try {
        impl->m_info = info;
        if (impl->m_info.created.empty())
            impl->m_info.created = now().toStdString();
        impl->openConnection(Impl::Access::Write);
        impl->useWal();
        Impl::Transaction t(*impl, "write the new study");
        impl->writeSchema();
        fill(*impl);
        t.commit();
    } catch (...) {
        impl.reset();
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(file + QLatin1String(suffix));
        throw;
    }
    return impl;
}

Study Study::open(const std::string &path, bool readOnly)
{
    if (isServerLocation(path)) {
        auto impl = std::make_unique<Impl>(path, readOnly);
        impl->openConnection(Impl::Access::Read);
        impl->load(); // only reads: a refused study is left untouched
        return Study(std::move(impl));
    }
    const QFileInfo fileInfo(QString::fromStdString(path));
    if (!fileInfo.exists())
        throw StudyError(path, "no such file");
    if (!fileInfo.isFile())
        throw StudyError(path, "is not a file");
    {
        QFile f(fileInfo.filePath());
        if (!f.open(QIODevice::ReadOnly))
            throw StudyError(path, "cannot be read: " + f.errorString().toStdString());
        if (f.size() == 0)
            throw StudyError(path, "is empty, not an EDANAS study");
        if (f.read(16) != QByteArray("SQLite format 3\0", 16))
            throw StudyError(path, "is not an SQLite database, so not an EDANAS study");
    }
    // Checked over a read-only connection (closing a read-write one could checkpoint a
    // foreign database's log into it), and an immutable one when no log lies beside the
    // file, so that refusing a file creates no -wal/-shm next to it either. With a log,
    // SQLite must read it: the file may be a study being written.
    const QString file = fileInfo.filePath();
    const bool noLog = !QFileInfo::exists(file + QLatin1String("-wal"))
        && !QFileInfo::exists(file + QLatin1String("-journal"));
    auto impl = std::make_unique<Impl>(path, readOnly);
    impl->openConnection(noLog ? Impl::Access::Inspect : Impl::Access::Read);
    impl->load();
    if (!readOnly) {
        impl->openConnection(Impl::Access::Write);
        impl->useWal();
    } else if (noLog) {
        impl->openConnection(Impl::Access::Read); // sees what writers commit from now on
    }
    return Study(std::move(impl));
}

const std::string &Study::path() const { return m_impl->m_path; }
bool Study::isReadOnly() const { return m_impl->m_readOnly; }
StudyInfo Study::info() const { return m_impl->m_info; }

Study Study::copy(const Study &from, const std::string &to)
{
    const Impl &src = *from.m_impl;
    // one snapshot of the source, read while the new study is written
    Impl::Transaction snapshot(src, "read the study to copy", false);
    return Study(createImpl(to, src.m_info, [&](Impl &dst) {
        const std::string what = "copy the study";
        for (const CandidateRecord &c : from.candidates())
            dst.run(what, insertCandidateSql(), candidateValues(c));
        for (const GenerationRecord &g : from.generations()) {
            dst.run(what,
                    QStringLiteral("INSERT INTO generations (generation, hypervolume, population, stats_json, time)"
                                   " VALUES (?, ?, ?, ?, ?)"),
                    {g.generation, g.hypervolume, joinList(g.population), text(g.statsJson), text(g.time)});
            for (std::size_t i = 0; i < g.front.size(); ++i)
                dst.run(what,
                        QStringLiteral("INSERT INTO front_membership (generation, candidate_id, position)"
                                       " VALUES (?, ?, ?)"),
                        {g.generation, QVariant::fromValue(qint64(g.front[i])), QVariant::fromValue(qint64(i))});
        }
        for (const EventRecord &e : from.events())
            dst.run(what,
                    QStringLiteral("INSERT INTO events (id, time, generation, type, json) VALUES (?, ?, ?, ?, ?)"),
                    {QVariant::fromValue(qint64(e.id)), text(e.time), e.generation, text(e.type), text(e.json)});
        // profiles one at a time: each may be megabytes
        std::vector<std::pair<QVariant, int>> keys;
        QSqlQuery k = src.run("read the profiles", QStringLiteral("SELECT backbone_hash, resolution FROM profiles"));
        while (k.next())
            keys.emplace_back(k.value(0), k.value(1).toInt());
        for (const auto &[hash, resolution] : keys)
            if (const auto bytes = from.profile(hashFrom(hash), resolution))
                dst.run(what, QStringLiteral("INSERT INTO profiles (backbone_hash, resolution, bytes) VALUES (?, ?, ?)"),
                        {hash, resolution, blob(*bytes)});
        QSqlQuery tq = src.run("read the tasks",
                               QStringLiteral("SELECT id, generation, genome_json, genes, origin, state, worker,"
                                              " lease_until, claims, candidate_id FROM tasks ORDER BY id"));
        while (tq.next()) {
            QVariantList row;
            for (int i = 0; i < 10; ++i)
                row << tq.value(i);
            row[2] = text(stdText(row[2]));
            row[3] = text(stdText(row[3]));
            row[4] = text(stdText(row[4]));
            row[6] = text(stdText(row[6]));
            dst.run(what,
                    QStringLiteral("INSERT INTO tasks (id, generation, genome_json, genes, origin, state, worker,"
                                   " lease_until, claims, candidate_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    row);
        }
        QSqlQuery st = src.run("read the state", QStringLiteral("SELECT key, value FROM state"));
        while (st.next())
            dst.run(what, QStringLiteral("INSERT INTO state (key, value) VALUES (?, ?)"),
                    {text(stdText(st.value(0))), blob(stdBlob(st.value(1)))});
    }));
}

} // namespace edanas::study
