#pragma once
// The study's database connection (Study::Impl) and how values are kept in its columns,
// shared by the files of the store: study.cpp (connection, create, open, copy),
// studyschema.cpp, studycandidates.cpp, studyprogress.cpp and studytasks.cpp.
// Internal to core/study.

#include "study/location.h"
#include "study/study.h"

#include <QByteArray>
#include <QDateTime>
#include <QLocale>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

class QSqlError;

namespace edanas::study {

namespace detail {

inline QVariant hashValue(std::uint64_t hash)
{
    qint64 v;
    std::memcpy(&v, &hash, sizeof v);
    return QVariant::fromValue(v);
}

inline std::uint64_t hashFrom(const QVariant &value)
{
    const qint64 v = value.toLongLong();
    std::uint64_t hash;
    std::memcpy(&hash, &v, sizeof hash);
    return hash;
}

// Qt binds a null QString as SQL NULL; empty values must stay empty strings.
inline QVariant text(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }
inline QVariant text(const std::string &s) { return text(QString::fromStdString(s)); }
inline QVariant blob(const std::string &s) { return QByteArray(s.data(), qsizetype(s.size())); }
inline std::string stdText(const QVariant &v) { return v.toString().toStdString(); }

inline std::string stdBlob(const QVariant &v)
{
    const QByteArray b = v.toByteArray();
    return std::string(b.constData(), std::size_t(b.size()));
}

inline QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

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

// The INSERT of one candidate row and its values, in the candidate columns' order
// (studycandidates.cpp).
QString insertCandidateSql();
QVariantList candidateValues(const CandidateRecord &c);

} // namespace detail

/// One database connection to one study; see the thread affinity note on Study.
class Study::Impl
{
public:
    Impl(const std::string &location, bool readOnly);
    ~Impl();

    [[noreturn]] void fail(const std::string &problem) const { throw StudyError(m_path, problem); }

    enum class Access
    {
        Inspect, ///< read-only and immutable: no locks, no -wal/-shm created beside the file
        Read,
        Write,
    };

    // The connection (study.cpp).

    // Connects to the server with the session set up for this study: its schema first
    // in the search path, lock waits bounded as SQLite's, and read-only enforced by the
    // server as well when asked.
    void openServer();
    bool schemaExists() const;
    void openConnection(Access access);
    // Switches the file to the write-ahead log (persistent in the file), which lets
    // readers read while a writer commits.
    void useWal();
    // SQLite's or the server's words for a failed statement, or what a lock timeout
    // means for the user.
    std::string sqlProblem(const QSqlError &error) const;
    // Statements without values run as they are: PostgreSQL prepares only queries, not
    // BEGIN, SET, LOCK or CREATE.
    QSqlQuery run(const std::string &what, const QString &sql, const QVariantList &binds = {}) const;
    // The next id of `table` (candidates or events), with the table locked against other
    // writers until the transaction ends, so that ids grow in commit order: a reader that
    // polls with the last id it saw misses none. SQLite's write transaction locks already.
    std::int64_t nextId(const std::string &what, const char *table) const;

    void requireWritable(const std::string &what) const
    {
        if (m_readOnly)
            fail("cannot " + what + ": the study was opened read-only");
    }

    // The schema (studyschema.cpp).

    // Checks that the open database is a study of this schema version and reads its
    // info. Only reads: a refused file is left exactly as it was.
    void load();
    void writeSchema();

    // Rows (studycandidates.cpp, studytasks.cpp).

    CandidateRecord readCandidate(const QSqlQuery &q) const;
    TaskRecord readTask(const QSqlQuery &q) const;
    // The database's clock in ms since 1970, as an SQL expression: leases do not
    // depend on the workers' clocks.
    QString nowMs() const;

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

} // namespace edanas::study
