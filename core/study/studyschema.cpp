// A study's schema: the tables and header a new study is written with, and the check
// that an opened database is a study of this schema version (older ones are refused,
// never migrated).
#include "study/studyimpl.h"

#include <map>

namespace edanas::study {

using namespace detail;

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

void Study::Impl::load()
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

void Study::Impl::writeSchema()
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

} // namespace edanas::study
