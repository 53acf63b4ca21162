// `edanas study report`: one self-contained HTML file or a PDF about a study.
#include "commands.h"
#include "options.h"

#include "ui/report/report.h"

using edanas::ui::measureInferenceSpeed;

#include <QCommandLineParser>

#include <cstdio>

namespace edanas::cli {

int studyReport(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Writes a report of a study: its configuration and reproducibility data, the front and hypervolume\n"
        "plots, a table of the front, and for chosen candidates their architecture, per-exit breakdown,\n"
        "exit curves and real inference speed against the static backbone. .html: one self-contained file\n"
        "(images embedded); .pdf: A4 pages."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study file."));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("File to write: .html or .pdf (required)."),
                                 QStringLiteral("file"));
    const QCommandLineOption candidates(
        QStringLiteral("candidates"),
        QStringLiteral("Candidate ids to describe in detail, comma-separated (default: a spread of the front)."),
        QStringLiteral("ids"));
    const QCommandLineOption top(QStringLiteral("top"),
                                 QStringLiteral("How many front candidates to describe by default (default 3)."),
                                 QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption noSpeed(QStringLiteral("no-speed"),
                                     QStringLiteral("Do not measure inference speed (needs the study's supernet "
                                                    "and data set otherwise)."));
    const QCommandLineOption speedImages(QStringLiteral("speed-images"),
                                         QStringLiteral("Validation images timed per candidate (default 2000)."),
                                         QStringLiteral("n"), QStringLiteral("2000"));
    p.addOptions({out, candidates, top, noSpeed, speedImages});
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw UsageError("expected one study file");
    if (!p.isSet(out))
        throw UsageError("--out is required");
    const QString target = p.value(out);
    const QString suffix = target.section(QLatin1Char('.'), -1).toLower();
    if (suffix != QLatin1String("html") && suffix != QLatin1String("htm") && suffix != QLatin1String("pdf"))
        throw UsageError("--out must end in .html or .pdf");
    ui::ReportOptions options;
    options.topCount = intValue(p, top, 0, 50);
    if (p.isSet(candidates)) {
        for (const QString &part : p.value(candidates).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const qint64 id = part.trimmed().toLongLong(&ok);
            if (!ok)
                throw UsageError("--candidates must be ids separated by commas (got '" + part.toStdString() + "')");
            options.candidates.push_back(id);
        }
    }
    const int images = intValue(p, speedImages, 1, 1000000);
    ui::Report report(p.positionalArguments().constFirst(), options);
    if (!p.isSet(noSpeed)) {
        for (qint64 id : report.detailedCandidates()) {
            std::printf("measuring inference speed of candidate %lld ...\n", static_cast<long long>(id));
            std::fflush(stdout);
            report.setSpeed(id, measureInferenceSpeed(p.positionalArguments().constFirst(), id, images));
        }
    }
    if (const QString error = report.write(target); !error.isEmpty())
        throw std::runtime_error(error.toStdString());
    std::printf("%s: %zu candidates in detail\n", qPrintable(target), report.detailedCandidates().size());
    return Ok;
}

} // namespace edanas::cli
