#include "pgcluster.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>
#include <QVersionNumber>

#include <pwd.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace edanas::test {

namespace {

std::runtime_error failure(const QString &what) { return std::runtime_error(("PostgreSQL test cluster: " + what).toStdString()); }

QString findBinDir()
{
    const QString env = qEnvironmentVariable("EDANAS_PG_BINDIR");
    if (!env.isEmpty())
        return env;
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    QString best;
    QVersionNumber bestVersion;
    for (const QString &v : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto version = QVersionNumber::fromString(v);
        if (QFileInfo(root.filePath(v + "/bin/initdb")).isExecutable() && version > bestVersion) {
            bestVersion = version;
            best = root.filePath(v + "/bin");
        }
    }
    if (best.isEmpty())
        throw failure("no initdb under /usr/lib/postgresql: install the server (apt-get install postgresql, as "
                      "scripts/setup.sh does)");
    return best;
}

} // namespace

PgCluster::PgCluster()
    : m_dir(QDir::tempPath() + QStringLiteral("/edpg-XXXXXX")) // short: a socket path has at most 107 bytes
{
    if (!m_dir.isValid())
        throw failure("cannot create a temporary folder: " + m_dir.errorString());
    m_binDir = findBinDir();
    m_asPostgres = ::geteuid() == 0;
    if (m_asPostgres) {
        const passwd *pw = ::getpwnam("postgres");
        if (!pw)
            throw failure("running as root, but there is no postgres user to run the server as (install postgresql)");
        if (::chown(QFile::encodeName(m_dir.path()).constData(), pw->pw_uid, pw->pw_gid) != 0)
            throw failure("cannot give " + m_dir.path() + " to the postgres user");
    }
    const QString pwFile = m_dir.filePath(QStringLiteral("pw"));
    {
        QFile f(pwFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(password()) < 0)
            throw failure("cannot write " + pwFile);
    }
    ::chmod(QFile::encodeName(pwFile).constData(), 0644);
    run(QStringLiteral("initdb"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-U"),
                                   QString::fromLatin1(user()), QStringLiteral("--pwfile=") + pwFile,
                                   QStringLiteral("-A"), QStringLiteral("scram-sha-256"), QStringLiteral("-E"),
                                   QStringLiteral("UTF8"), QStringLiteral("--locale=C"), QStringLiteral("--no-sync")});
    QFile::remove(pwFile);
    // no TCP at all; fsync off: a killed test server may lose data, the tests kill clients
    const QString options = QStringLiteral("-c listen_addresses='' -c unix_socket_directories='%1' -c fsync=off "
                                           "-c max_connections=200")
                                .arg(m_dir.path());
    run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-l"),
                                   m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
                                   QStringLiteral("-t"), QStringLiteral("120"), QStringLiteral("-o"), options,
                                   QStringLiteral("start")});
    m_started = true;
}

PgCluster::~PgCluster()
{
    if (m_started) {
        try {
            run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
                                           QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"),
                                           QStringLiteral("stop")});
        } catch (const std::exception &e) {
            qWarning("%s", e.what());
        }
    }
}

void PgCluster::run(const QString &name, const QStringList &args) const
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString program = m_binDir + QLatin1Char('/') + name;
    if (m_asPostgres) {
        QString runuser = QStandardPaths::findExecutable(QStringLiteral("runuser"));
        if (runuser.isEmpty())
            runuser = QStandardPaths::findExecutable(QStringLiteral("runuser"), {"/usr/sbin", "/sbin", "/usr/bin"});
        if (runuser.isEmpty())
            throw failure("runuser (util-linux) is missing: it runs the server as the postgres user");
        p.start(runuser, QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program} + args);
    } else {
        p.start(program, args);
    }
    if (!p.waitForStarted(30000) || !p.waitForFinished(180000) || p.exitStatus() != QProcess::NormalExit
        || p.exitCode() != 0)
        throw failure(name + " failed (" + p.errorString() + "): " + QString::fromLocal8Bit(p.readAll())
                      + [&] {
                            QFile log(m_dir.filePath(QStringLiteral("server.log")));
                            return log.open(QIODevice::ReadOnly) ? "\nserver log:\n" + QString::fromLocal8Bit(log.readAll())
                                                                 : QString();
                        }());
}

std::string PgCluster::url(const std::string &study, bool withPassword) const
{
    return "postgresql://" + std::string(user()) + (withPassword ? ":" + std::string(password()) : std::string())
        + "@/" + database() + "?host=" + m_dir.path().toStdString() + "&study=" + study;
}

void PgCluster::exec(const QStringList &statements) const
{
    const QString name = QStringLiteral("pgcluster-exec");
    QString problem;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(socketDir());
        db.setUserName(QString::fromLatin1(user()));
        db.setPassword(QString::fromLatin1(password()));
        db.setDatabaseName(QString::fromLatin1(database()));
        if (!db.open()) {
            problem = "cannot connect: " + db.lastError().text();
        } else {
            for (const QString &sql : statements) {
                QSqlQuery q(db);
                if (!q.exec(sql)) {
                    problem = sql + ": " + q.lastError().text();
                    break;
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    if (!problem.isEmpty())
        throw failure(problem);
}

QString PgCluster::scalar(const QString &sql) const
{
    const QString name = QStringLiteral("pgcluster-scalar");
    QString problem, value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(socketDir());
        db.setUserName(QString::fromLatin1(user()));
        db.setPassword(QString::fromLatin1(password()));
        db.setDatabaseName(QString::fromLatin1(database()));
        QSqlQuery q(db);
        if (!db.open())
            problem = "cannot connect: " + db.lastError().text();
        else if (!q.exec(sql))
            problem = sql + ": " + q.lastError().text();
        else if (q.next())
            value = q.value(0).toString();
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    if (!problem.isEmpty())
        throw failure(problem);
    return value;
}

std::unique_ptr<PgCluster> PgCluster::tryStart(std::string *error)
{
    try {
        return std::make_unique<PgCluster>();
    } catch (const std::exception &e) {
        *error = e.what();
        return nullptr;
    }
}

} // namespace edanas::test
