#pragma once

#include "data/dataset.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace edanas::cli {

/// A bad command-line value: reported with the command's name, exit code 2.
struct UsageError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

int intValue(const QCommandLineParser &p, const QCommandLineOption &o, int lo, int hi);
double doubleValue(const QCommandLineParser &p, const QCommandLineOption &o, double lo, double hi);

/// The options that name a data set. Dataset commands take the path as a positional
/// argument, the others as --data.
struct DatasetOptions
{
    explicit DatasetOptions(bool positionalPath = false);

    void addTo(QCommandLineParser &p) const;
    data::DatasetRef ref(const QCommandLineParser &p) const;
    /// As ref(), for commands whose positional arguments name something else.
    data::DatasetRef refWithoutPositional(const QCommandLineParser &p) const;

    bool positional;
    data::DatasetRef refImpl(const QCommandLineParser &p, bool checkPositional) const;
    QCommandLineOption path, format, imageSize, color, classes, seed;
};

using Subcommand = std::function<int(const QStringList &)>;

/// Dispatches `edanas <command> <sub> ...` to `subs`; turns UsageError into exit 2 and
/// any other error into one line on stderr and exit 1.
int runSubcommand(const QStringList &args, const char *command,
                  const std::vector<std::pair<const char *, Subcommand>> &subs);

} // namespace edanas::cli
