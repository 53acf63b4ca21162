#pragma once

// A throw-away PostgreSQL server for a test program.

#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <string>

namespace edanas::test {

/// A PostgreSQL cluster of its own: initdb into a temporary folder, listening on a Unix
/// socket in that folder only (no TCP), password authentication (scram-sha-256) for its
/// one superuser; stopped and deleted by the destructor. The server refuses to run as
/// root, so as root initdb and pg_ctl run as the `postgres` user (scripts/setup.sh
/// installs the server, which creates that user). The binaries are the highest version
/// under /usr/lib/postgresql, or those in $EDANAS_PG_BINDIR.
///
/// The constructor throws std::runtime_error saying what failed, with the tool's output.
class PgCluster
{
public:
    PgCluster();
    ~PgCluster();
    /// A started cluster, or null with the reason in `error`.
    static std::unique_ptr<PgCluster> tryStart(std::string *error);
    PgCluster(const PgCluster &) = delete;
    PgCluster &operator=(const PgCluster &) = delete;

    static const char *user() { return "edanas"; }
    static const char *password() { return "test-s3cret-pw"; }
    static const char *database() { return "postgres"; }
    QString socketDir() const { return m_dir.path(); }
    /// postgresql://edanas@/postgres?host=SOCKET&study=NAME, with the password when asked.
    std::string url(const std::string &study, bool withPassword = false) const;
    /// Runs `sql` statements in one connection (no password needed: it is passed along).
    /// Throws std::runtime_error naming the failed statement.
    void exec(const QStringList &statements) const;
    /// First column of the first row of `sql`, as text ("" when no row).
    QString scalar(const QString &sql) const;

private:
    QString tool(const QString &name) const;
    void run(const QString &name, const QStringList &args) const;

    QTemporaryDir m_dir;
    QString m_binDir;
    bool m_asPostgres = false;
    bool m_started = false;
};

} // namespace edanas::test
