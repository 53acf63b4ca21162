#include "study/study.h"

#include "study/location.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <QVariant>

#include <atomic>
#include <cmath>
#include <cstring>
#include <map>

namespace edanas::study {

namespace {

// The meta table's "format" value: tells a study from any other SQLite database.
const QString kFormat = QStringLiteral("edanas-study");

// Tables of schema version 2: the task table of distributed evaluation, and candidates
// store the int8 microcontroller memory of export/mcumemory.h (sram_bytes, flash_bytes;
// version 1 stored, in peak_activation, the largest live input + output pair of one
// layer, and had no task table). Conventions (they are the file format, on SQLite;
// PostgreSQL has the same tables with BIGINT, DOUBLE PRECISION and BYTEA for INTEGER,
// REAL and BLOB):
// - 64-bit hashes are stored bit-cast into SQLite's signed INTEGER, so values >= 2^63
//   read back as negative numbers in other tools but round-trip exactly here;
// - integer and double lists are comma-separated text, doubles in their shortest exact
//   form ("inf", "-inf" and "nan" included; -0 reads back as 0);
// - scalar REAL columns are NOT NULL, and SQLite stores NaN as NULL: a NaN figure is refused;
// - candidate and event ids only grow, in commit order (max + 1 under the write lock), which lets a
//   reader poll with candidates(afterId) without missing any.
const char *const kSchema[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE candidates ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " generation INTEGER NOT NULL,"
    " genome_hash INTEGER NOT NULL UNIQUE,"
    " genome_json TEXT NOT NULL,"
    " genes TEXT NOT NULL,"
    " objectives TEXT NOT NULL,"
    " violation REAL NOT NULL,"
    " accuracy REAL NOT NULL, macs_true REAL NOT NULL, macs_paper REAL NOT NULL,"
    " static_macs REAL NOT NULL, params REAL NOT NULL,"
    " sram_bytes REAL NOT NULL, flash_bytes REAL NOT NULL,"
    " figures_json TEXT NOT NULL,"
    " origin TEXT NOT NULL,"
    " eval_seconds REAL NOT NULL,"
    " pinned INTEGER NOT NULL, banned INTEGER NOT NULL, note TEXT NOT NULL)",
    "CREATE TABLE generations ("
    " generation INTEGER PRIMARY KEY, hypervolume REAL NOT NULL, population TEXT NOT NULL,"
    " stats_json TEXT NOT NULL, time TEXT NOT NULL)",
    // One row per (generation, candidate on its front); position keeps the caller's order.
    "CREATE TABLE front_membership ("
    " generation INTEGER NOT NULL REFERENCES generations(generation),"
    " candidate_id INTEGER NOT NULL REFERENCES candidates(id),"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (generation, candidate_id)) WITHOUT ROWID",
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL,"
    " generation INTEGER NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL)",
    "CREATE TABLE profiles (backbone_hash INTEGER NOT NULL, resolution INTEGER NOT NULL,"
    " bytes BLOB NOT NULL, PRIMARY KEY (backbone_hash, resolution))",
    "CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    // Schema version 2: candidates to evaluate, claimed by workers with leases.
    // state: 0 pending, 1 claimed (until lease_until, ms since 1970 by the database's
    // clock), 2 done (candidate_id the stored candidate).
    "CREATE TABLE tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, generation INTEGER NOT NULL,"
    " genome_json TEXT NOT NULL, genes TEXT NOT NULL, origin TEXT NOT NULL, state INTEGER NOT NULL,"
    " worker TEXT NOT NULL, lease_until INTEGER NOT NULL, claims INTEGER NOT NULL,"
    " candidate_id INTEGER REFERENCES candidates(id))",
    "CREATE INDEX tasks_open ON tasks (state, id)",
};

const char *const kTaskColumns = "id, generation, genome_json, genes, origin, state, worker, claims, candidate_id";

const char *const kCandidateColumns =
    "id, generation, genome_hash, genome_json, genes, objectives, violation, accuracy, macs_true,"
    " macs_paper, static_macs, params, sram_bytes, flash_bytes, figures_json, origin, eval_seconds,"
    " pinned, banned, note";

std::atomic<unsigned> g_connectionCount{0};

QVariant hashValue(std::uint64_t hash)
{
    qint64 v;
    std::memcpy(&v, &hash, sizeof v);
    return QVariant::fromValue(v);
}

std::uint64_t hashFrom(const QVariant &value)
{
    const qint64 v = value.toLongLong();
    std::uint64_t hash;
    std::memcpy(&hash, &v, sizeof hash);
    return hash;
}

// Qt binds a null QString as SQL NULL; empty values must stay empty strings.
QVariant text(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }
QVariant text(const std::string &s) { return text(QString::fromStdString(s)); }
QVariant blob(const std::string &s) { return QByteArray(s.data(), qsizetype(s.size())); }
std::string stdText(const QVariant &v) { return v.toString().toStdString(); }

std::string stdBlob(const QVariant &v)
{
    const QByteArray b = v.toByteArray();
    return std::string(b.constData(), std::size_t(b.size()));
}

// SQLite's own words for a failed statement, or what a lock timeout means for the user.
std::string sqliteProblem(const QSqlError &error)
{
    if ((error.nativeErrorCode().toInt() & 0xff) == 5) // SQLITE_BUSY and its extended codes
        return "another program kept the study locked for more than 5 seconds";
    return (error.databaseText().isEmpty() ? error.text() : error.databaseText()).toStdString();
}

QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

template <class T>
QVariant joinList(const std::vector<T> &values)
{
    QByteArray out;
    for (const T &v : values) {
        if (!out.isEmpty())
            out += ',';
        if constexpr (std::is_floating_point_v<T>)
            out += QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
        else
            out += QByteArray::number(qint64(v));
    }
    return text(QString::fromLatin1(out));
}

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

// Parses a list written by joinList(); false when any element is not a number.
template <class T>
bool splitList(const QVariant &value, std::vector<T> &out)
{
    out.clear();
    const QByteArray s = value.toString().toLatin1();
    if (s.isEmpty())
        return true;
    for (const QByteArray &part : s.split(',')) {
        bool ok = false;
        if constexpr (std::is_floating_point_v<T>) {
            out.push_back(part.toDouble(&ok));
        } else {
            const qint64 v = part.toLongLong(&ok);
            out.push_back(T(v));
            ok = ok && qint64(out.back()) == v;
        }
        if (!ok)
            return false;
    }
    return true;
}

// The SQLite schema written for PostgreSQL: the same tables, columns and constraints.
QString serverSql(const char *sqliteSql)
{
    QString sql = QString::fromLatin1(sqliteSql);
    sql.replace(QLatin1String("INTEGER PRIMARY KEY AUTOINCREMENT"), QLatin1String("BIGINT PRIMARY KEY"));
    sql.replace(QLatin1String("INTEGER"), QLatin1String("BIGINT"));
    sql.replace(QLatin1String("REAL"), QLatin1String("DOUBLE PRECISION"));
    sql.replace(QLatin1String("BLOB"), QLatin1String("BYTEA"));
    sql.replace(QLatin1String(" WITHOUT ROWID"), QString());
    return sql;
}

} // namespace


/// One database connection to one study; see the thread affinity note on Study.
class Study::Impl
{
public:
    Impl(const std::string &location, bool readOnly)
        : m_location(parseLocation(location))
        , m_path(m_location.shown)
        , m_readOnly(readOnly)
        , m_server(m_location.server)
        , m_connection(QStringLiteral("edanas-study-%1").arg(g_connectionCount.fetch_add(1)))
    {
        m_db = QSqlDatabase::addDatabase(m_server ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), m_connection);
    }

    ~Impl()
    {
        m_db.close();
        m_db = QSqlDatabase(); // the last handle must be gone before the connection is removed
        QSqlDatabase::removeDatabase(m_connection);
    }

    [[noreturn]] void fail(const std::string &problem) const { throw StudyError(m_path, problem); }

    enum class Access
    {
        Inspect, ///< read-only and immutable: no locks, no -wal/-shm created beside the file
        Read,
        Write,
    };

    // Connects to the server with the session set up for this study: its schema first
    // in the search path, lock waits bounded as SQLite's, and read-only enforced by the
    // server as well when asked.
    void openServer()
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

    bool schemaExists() const
    {
        QSqlQuery q = run("look for the study", QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname = ?"),
                          {m_location.schema()});
        return q.next() && q.value(0).toInt() > 0;
    }

    void openConnection(Access access)
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

    // Switches the file to the write-ahead log (persistent in the file), which lets
    // readers read while a writer commits.
    void useWal()
    {
        QSqlQuery q = run("switch to the write-ahead log", "PRAGMA journal_mode = WAL");
        const QString mode = q.next() ? q.value(0).toString() : QString();
        if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            fail("cannot use a write-ahead log in this folder (journal mode stays '" + mode.toStdString()
                 + "'); put the study on a local disk");
    }

    // SQLite's or the server's words for a failed statement, or what a lock timeout
    // means for the user.
    std::string sqlProblem(const QSqlError &error) const
    {
        if (m_server) {
            if (error.nativeErrorCode() == QLatin1String("55P03"))
                return "another program kept the study locked for more than 5 seconds";
            // libpq's messages span lines ("...failed: ...\n\tIs the server running..."): one line
            return (error.databaseText().isEmpty() ? error.text() : error.databaseText()).simplified().toStdString();
        }
        return sqliteProblem(error);
    }

    // Statements without values run as they are: PostgreSQL prepares only queries, not
    // BEGIN, SET, LOCK or CREATE.
    QSqlQuery run(const std::string &what, const QString &sql, const QVariantList &binds = {}) const
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

    // The database's clock in ms since 1970, as an SQL expression: leases do not
    // depend on the workers' clocks.
    QString nowMs() const
    {
        return m_server ? QStringLiteral("(extract(epoch from clock_timestamp()) * 1000)::bigint")
                        : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)");
    }

    TaskRecord readTask(const QSqlQuery &q) const
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

    // The next id of `table` (candidates or events), with the table locked against other
    // writers until the transaction ends, so that ids grow in commit order: a reader that
    // polls with the last id it saw misses none. SQLite's write transaction locks already.
    std::int64_t nextId(const std::string &what, const char *table) const
    {
        if (m_server)
            run(what, QStringLiteral("LOCK TABLE %1 IN SHARE ROW EXCLUSIVE MODE").arg(QLatin1String(table)));
        QSqlQuery q = run(what, QStringLiteral("SELECT COALESCE(MAX(id), 0) + 1 FROM %1").arg(QLatin1String(table)));
        return q.next() ? q.value(0).toLongLong() : 1;
    }

    void requireWritable(const std::string &what) const
    {
        if (m_readOnly)
            fail("cannot " + what + ": the study was opened read-only");
    }

    // Checks that the open database is a study of this schema version and reads its
    // info. Only reads: a refused file is left exactly as it was.
    void load()
    {
        const std::string kind = m_server ? "a PostgreSQL schema" : "an SQLite database";
        if (m_server) {
            if (!schemaExists())
                fail("no such study: database '" + m_location.database.toStdString() + "' holds no study named '"
                     + m_location.study.toStdString() + "'");
            QSqlQuery has = run("read the study",
                                QStringLiteral("SELECT count(*) FROM information_schema.tables"
                                               " WHERE table_schema = ? AND table_name = 'meta'"),
                                {m_location.schema()});
            if (!has.next() || has.value(0).toInt() != 1)
                fail("is " + kind + " but not an EDANAS study (it has no meta table)");
        } else {
            QSqlQuery has = run("read the file as SQLite",
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
            if (!has.next() || has.value(0).toInt() != 1)
                fail("is an SQLite database but not an EDANAS study (it has no meta table)");
        }
        std::map<QString, QString> meta;
        QSqlQuery q(m_db);
        if (q.exec(QStringLiteral("SELECT key, value FROM meta")))
            while (q.next())
                meta[q.value(0).toString()] = q.value(1).toString();
        if (meta[QStringLiteral("format")] != kFormat)
            fail("is " + kind + " but not an EDANAS study (its meta table does not say "
                 + kFormat.toStdString() + ")");
        bool ok = false;
        const int version = meta[QStringLiteral("schema_version")].toInt(&ok);
        if (!ok)
            fail("is damaged: its study schema version is missing or not a number");
        if (version == 1)
            fail("is a study of schema version 1, written by an older EDANAS, whose peak memory is not the "
                 "microcontroller SRAM this EDANAS searches with (docs/DEPLOY.md); this EDANAS reads only schema "
                 "version " + std::to_string(kSchemaVersion) + ": open it with the EDANAS that wrote it (its "
                 "app_version), or run the search again; it was left untouched");
        if (version != kSchemaVersion)
            fail("is a study of schema version " + std::to_string(version) + ", but this EDANAS reads only "
                 "schema version " + std::to_string(kSchemaVersion) + "; it was left untouched");
        const auto get = [&](const char *key) { return meta[QString::fromLatin1(key)].toStdString(); };
        m_info.configJson = get("config_json");
        m_info.datasetPath = get("dataset_path");
        m_info.datasetHash = get("dataset_hash");
        m_info.checkpointPath = get("checkpoint_path");
        m_info.checkpointHash = get("checkpoint_hash");
        m_info.spaceName = get("space_name");
        m_info.encoding = get("encoding");
        m_info.appVersion = get("app_version");
        m_info.created = get("created");
        m_info.seed = meta[QStringLiteral("seed")].toULongLong(&ok);
        if (!ok)
            fail("is damaged: its seed is not a number");
    }

    void writeSchema()
    {
        if (m_server) {
            run("create the study", QStringLiteral("CREATE SCHEMA ") + m_location.quotedSchema());
            run("create the study", QStringLiteral("SET search_path TO ") + m_location.quotedSchema());
        }
        for (const char *sql : kSchema)
            run("create the study tables", m_server ? serverSql(sql) : QString::fromLatin1(sql));
        const std::pair<const char *, std::string> meta[] = {
            {"format", kFormat.toStdString()},
            {"schema_version", std::to_string(kSchemaVersion)},
            {"config_json", m_info.configJson},
            {"dataset_path", m_info.datasetPath},
            {"dataset_hash", m_info.datasetHash},
            {"checkpoint_path", m_info.checkpointPath},
            {"checkpoint_hash", m_info.checkpointHash},
            {"space_name", m_info.spaceName},
            {"encoding", m_info.encoding},
            {"app_version", m_info.appVersion},
            {"seed", std::to_string(m_info.seed)},
            {"created", m_info.created},
        };
        for (const auto &[key, value] : meta)
            run("write the study header", QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"),
                {QString::fromLatin1(key), text(value)});
    }

    CandidateRecord readCandidate(const QSqlQuery &q) const
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

    // A writing transaction takes the write lock up front (BEGIN IMMEDIATE, waiting up
    // to the busy timeout), so it never fails half-way for lack of it; a reading one
    // makes several SELECTs see one snapshot. Rolled back unless committed.
    class Transaction
    {
    public:
        // Inside another transaction of the same study (copy() fills a new study in one)
        // it is part of that one.
        Transaction(const Impl &study, std::string what, bool write = true)
            : m_study(study)
            , m_what(std::move(what))
            , m_outer(study.m_depth++ == 0)
        {
            if (!m_outer)
                return;
            try {
                if (m_study.m_server)
                    m_study.run(m_what, write ? QStringLiteral("BEGIN")
                                              : QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
                else
                    m_study.run(m_what, write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN"));
            } catch (...) {
                --m_study.m_depth;
                throw;
            }
        }
        ~Transaction()
        {
            --m_study.m_depth;
            if (m_outer && !m_committed)
                QSqlQuery(m_study.m_db).exec(QStringLiteral("ROLLBACK"));
        }
        void commit()
        {
            if (m_outer)
                m_study.run(m_what, QStringLiteral("COMMIT"));
            m_committed = true;
        }

    private:
        const Impl &m_study;
        std::string m_what;
        bool m_outer;
        bool m_committed = false;
    };

    Location m_location; // holds the password, if the URL gave one: never shown, never stored
    std::string m_path;
    bool m_readOnly;
    bool m_server;
    mutable int m_depth = 0; // open Transaction objects
    QString m_connection;
    QSqlDatabase m_db;
    StudyInfo m_info; // immutable after create/open
};

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
