#pragma once

// Where a study lives: an SQLite file, or a study on a PostgreSQL server named by a URL
// postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME?study=NAME[&libpq parameters].
// Internal to core/study.

#include <QString>

#include <string>

namespace edanas::study {

// Where a study lives: an SQLite file or a PostgreSQL server, database and study name.
struct Location
{
    bool server = false;
    std::string shown; ///< the file, or the URL without its password
    QString host, user, password, database, study;
    int port = -1;
    QString options; ///< further libpq parameters, as QPSQL connect options
    QString schema() const { return QStringLiteral("edanas_") + study; }
    QString quotedSchema() const { return QLatin1Char('"') + schema() + QLatin1Char('"'); }
};

/// Parses a file path or a server URL; throws StudyError naming the URL (without its
/// password) and what is wrong with it.
Location parseLocation(const std::string &location);

} // namespace edanas::study
