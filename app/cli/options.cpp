#include "options.h"

#include "commands.h"

#include <cstdio>

namespace edanas::cli {

int intValue(const QCommandLineParser &p, const QCommandLineOption &o, int lo, int hi)
{
    bool ok = false;
    const int v = p.value(o).toInt(&ok);
    if (!ok || v < lo || v > hi)
        throw UsageError(QStringLiteral("--%1 must be an integer in %2..%3, got '%4'")
                             .arg(o.names().constLast())
                             .arg(lo)
                             .arg(hi)
                             .arg(p.value(o))
                             .toStdString());
    return v;
}

double doubleValue(const QCommandLineParser &p, const QCommandLineOption &o, double lo, double hi)
{
    bool ok = false;
    const double v = p.value(o).toDouble(&ok);
    if (!ok || !(v >= lo && v <= hi))
        throw UsageError(QStringLiteral("--%1 must be a number in [%2, %3], got '%4'")
                             .arg(o.names().constLast())
                             .arg(lo)
                             .arg(hi)
                             .arg(p.value(o))
                             .toStdString());
    return v;
}

DatasetOptions::DatasetOptions(bool positionalPath)
    : positional(positionalPath)
    , path(QStringLiteral("data"),
           QStringLiteral("Data set (default: %1).").arg(QString::fromStdString(data::defaultDatasetPath())),
           QStringLiteral("path"))
    , format(QStringLiteral("format"), QStringLiteral("Data-set format: auto, idx, cifar10, cifar100, folder."),
             QStringLiteral("format"), QStringLiteral("auto"))
    , imageSize(QStringLiteral("image-size"), QStringLiteral("Image folders: stored side length (0: first image's)."),
                QStringLiteral("pixels"), QStringLiteral("0"))
    , color(QStringLiteral("color"), QStringLiteral("Image folders: auto, rgb or gray."), QStringLiteral("mode"),
            QStringLiteral("auto"))
    , classes(QStringLiteral("classes"), QStringLiteral("IDX: number of classes (0: classes.txt, else 10)."),
              QStringLiteral("n"), QStringLiteral("0"))
    , seed(QStringLiteral("seed"), QStringLiteral("Seed of the split and of random choices."), QStringLiteral("n"),
           QStringLiteral("0"))
{
}

void DatasetOptions::addTo(QCommandLineParser &p) const
{
    p.addOptions({format, imageSize, color, classes, seed});
    if (positional)
        p.addPositionalArgument(QStringLiteral("path"),
                                QStringLiteral("Data set (default: %1).")
                                    .arg(QString::fromStdString(data::defaultDatasetPath())),
                                QStringLiteral("[path]"));
    else
        p.addOption(path);
}

data::DatasetRef DatasetOptions::refWithoutPositional(const QCommandLineParser &p) const
{
    return refImpl(p, false);
}

data::DatasetRef DatasetOptions::ref(const QCommandLineParser &p) const
{
    return refImpl(p, true);
}

data::DatasetRef DatasetOptions::refImpl(const QCommandLineParser &p, bool checkPositional) const
{
    data::DatasetRef ref;
    if (!checkPositional) {
        ref.path = p.isSet(path) ? p.value(path).toStdString() : data::defaultDatasetPath();
    } else if (positional) {
        const QStringList pos = p.positionalArguments();
        if (pos.size() > 1)
            throw UsageError("expected at most one data-set path, got " + std::to_string(pos.size()));
        ref.path = pos.isEmpty() ? data::defaultDatasetPath() : pos.constFirst().toStdString();
    } else {
        if (!p.positionalArguments().isEmpty())
            throw UsageError("unexpected argument '" + p.positionalArguments().constFirst().toStdString() + "'");
        ref.path = p.isSet(path) ? p.value(path).toStdString() : data::defaultDatasetPath();
    }
    try {
        ref.format = data::parseFormat(p.value(format).toStdString());
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    }
    ref.imageSize = intValue(p, imageSize, 0, 4096);
    ref.classCount = intValue(p, classes, 0, 100000);
    const QString c = p.value(color);
    if (c == QLatin1String("auto"))
        ref.color = data::ColorMode::Auto;
    else if (c == QLatin1String("rgb"))
        ref.color = data::ColorMode::Rgb;
    else if (c == QLatin1String("gray") || c == QLatin1String("grey"))
        ref.color = data::ColorMode::Grayscale;
    else
        throw UsageError("--color must be auto, rgb or gray, got '" + c.toStdString() + "'");
    return ref;
}

int runSubcommand(const QStringList &args, const char *command,
                  const std::vector<std::pair<const char *, Subcommand>> &subs)
{
    const QString sub = args.size() > 2 ? args.at(2) : QString();
    std::string names;
    for (const auto &s : subs)
        names += (names.empty() ? "" : "|") + std::string(s.first);
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        std::fprintf(sub.isEmpty() ? stderr : stdout, "Usage: edanas %s %s [options]\n", command, names.c_str());
        return sub.isEmpty() ? Usage : Ok;
    }
    QStringList rest = args.mid(3);
    rest.prepend(QStringLiteral("edanas %1 %2").arg(QLatin1String(command), sub));
    for (const auto &[name, fn] : subs) {
        if (sub != QLatin1String(name))
            continue;
        try {
            return fn(rest);
        } catch (const UsageError &e) {
            std::fprintf(stderr, "edanas %s %s: %s\n", command, qPrintable(sub), e.what());
            return Usage;
        } catch (const std::exception &e) {
            std::fprintf(stderr, "edanas: %s\n", e.what());
            return Failed;
        }
    }
    std::fprintf(stderr, "edanas %s: unknown subcommand '%s' (expected %s)\n", command, qPrintable(sub), names.c_str());
    return Usage;
}

} // namespace edanas::cli
