// `edanas study plot`: the Studio's figures of a study, drawn off screen.
#include "commands.h"
#include "options.h"

#include "ui/figures/studyfigures.h"

#include "study/study.h"
#include "ui/pareto/paretoview.h"

#include <QCommandLineParser>
#include <QRegularExpression>

#include <algorithm>
#include <cstdio>

namespace edanas::cli {

namespace {

ui::FigureSize figureSize(const QCommandLineParser &p, const QCommandLineOption &size, const QCommandLineOption &dpi,
                          ui::FigureKind kind)
{
    ui::FigureSize s = ui::defaultFigureSize(kind);
    if (p.isSet(size)) {
        static const QRegularExpression pattern(QStringLiteral("^(\\d{1,5})x(\\d{1,5})$"));
        const auto m = pattern.match(p.value(size));
        if (!m.hasMatch())
            throw UsageError("--size must be WIDTHxHEIGHT in pixels, e.g. 1600x1000 (got '"
                             + p.value(size).toStdString() + "')");
        s.pixels = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    }
    if (p.isSet(dpi))
        s.dpi = intValue(p, dpi, 36, 1200);
    if (const QString why = s.validate(); !why.isEmpty())
        throw UsageError(why.toStdString());
    return s;
}

/// The final front's most accurate candidate whose profile the study holds.
qint64 defaultCandidate(const ui::StudyFigures &figures)
{
    const auto &c = figures.contents();
    if (c.generations.empty())
        throw std::runtime_error(c.path.toStdString() + ": the study has no generation yet, so no front");
    const auto front = ui::profiledFront(c);
    if (!front.empty())
        return front.front();
    throw std::runtime_error(c.path.toStdString() + ": no front candidate has a stored exit profile");
}

} // namespace

int studyPlot(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Draws one of the Studio's figures of a study into a PNG, SVG or PDF file (by the suffix of --out):\n"
        "  front         accuracy against average MACs, every candidate, the front as a step line\n"
        "  hypervolume   the front's hypervolume after every generation\n"
        "  exits         one candidate's per-exit curves: trade-off, threshold sweep, shares\n"
        "  architecture  one candidate's blocks and exits\n"
        "Needs no display (drawn off screen)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study file."));
    const QCommandLineOption figure(QStringLiteral("figure"),
                                    QStringLiteral("front, hypervolume, exits or architecture (default front)."),
                                    QStringLiteral("name"), QStringLiteral("front"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("File to write: .png, .svg or .pdf (required)."),
                                 QStringLiteral("file"));
    const QCommandLineOption candidate(
        QStringLiteral("candidate"),
        QStringLiteral("Candidate id for exits and architecture (default: the front's most accurate)."),
        QStringLiteral("id"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Size in pixels, WIDTHxHEIGHT (default: 1600x1000 for the front, a wide strip\nfor the architecture)."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption dpi(QStringLiteral("dpi"),
                                 QStringLiteral("Dots per inch; fonts keep their point size (default 150)."),
                                 QStringLiteral("n"));
    const QCommandLineOption cost(QStringLiteral("cost"),
                                  QStringLiteral("MACs on the front's axis: true or paper (default: the study's)."),
                                  QStringLiteral("kind"));
    const QCommandLineOption logScale(QStringLiteral("log-macs"), QStringLiteral("Logarithmic MAC axis."));
    const QCommandLineOption baseline(
        QStringLiteral("static"),
        QStringLiteral("Front: a study of static networks on the same supernet and data set (a search with\n"
                       "--encoding static) whose networks join the static front (repeatable)."),
        QStringLiteral("study"));
    p.addOptions({figure, out, candidate, size, dpi, cost, logScale, baseline});
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw UsageError("expected one study file");
    if (!p.isSet(out))
        throw UsageError("--out is required");
    const QString target = p.value(out);
    if (!ui::figureFormatFor(target))
        throw UsageError("--out must end in .png, .svg or .pdf");
    const auto kind = ui::figureKindFromName(p.value(figure));
    if (!kind)
        throw UsageError("--figure must be front, hypervolume, exits or architecture (got '"
                         + p.value(figure).toStdString() + "')");
    const auto fs = figureSize(p, size, dpi, *kind);
    if (p.isSet(cost) && p.value(cost) != QLatin1String("true") && p.value(cost) != QLatin1String("paper"))
        throw UsageError("--cost must be true or paper");

    ui::StudyFigures figures(ui::readStudy(p.positionalArguments().constFirst()));
    if (p.isSet(cost))
        figures.paretoView()->setCost(p.value(cost) == QLatin1String("true") ? ui::ParetoView::Cost::True
                                                                             : ui::ParetoView::Cost::Paper);
    if (p.isSet(baseline)) {
        const auto info = study::Study::open(p.positionalArguments().constFirst().toStdString(), true).info();
        std::vector<std::pair<double, double>> networks;
        for (const QString &other : p.values(baseline)) {
            const auto b = study::Study::open(other.toStdString(), true);
            if (b.info().checkpointHash != info.checkpointHash || b.info().datasetHash != info.datasetHash)
                throw UsageError(b.path() + ": searched another supernet or data set than "
                                 + p.positionalArguments().constFirst().toStdString()
                                 + ": its networks are no baseline for it");
            for (const auto &c : ui::readStudy(other).candidates)
                if (c.staticAccuracy > 0.0 && c.staticMacs > 0.0)
                    networks.emplace_back(c.staticMacs, c.staticAccuracy);
        }
        figures.paretoView()->setStaticBaseline(std::move(networks));
    }
    figures.paretoView()->setLogScale(p.isSet(logScale));
    figures.paretoView()->replotNow();
    QString title = ui::figureKindName(*kind);
    if (ui::figureNeedsCandidate(*kind)) {
        bool ok = false;
        const qint64 id = p.isSet(candidate) ? p.value(candidate).toLongLong(&ok) : defaultCandidate(figures);
        if (p.isSet(candidate) && !ok)
            throw UsageError("--candidate must be a candidate id");
        figures.showCandidate(id);
        title += QStringLiteral(" of candidate %1").arg(id);
    }
    if (const QString error = figures.figure(*kind).write(target, fs, title); !error.isEmpty())
        throw std::runtime_error(error.toStdString());
    std::printf("%s: %s, %dx%d pixels at %d dpi\n", qPrintable(target), qPrintable(title), fs.pixels.width(),
                fs.pixels.height(), fs.dpi);
    return Ok;
}

} // namespace edanas::cli
