// `edanas study compare`: the fronts of several studies on one data set (other supernets,
// encodings or budgets) over one reference point: hypervolume and cost at equal accuracy.
#include "commands.h"
#include "options.h"

#include "search/engine.h"
#include "search/pareto.h"
#include "study/records.h"
#include "study/study.h"
#include "ui/figures/figureexport.h"
#include "ui/figures/frontcomparison.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <qcustomplot.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace edanas::cli {

namespace {

struct Compared
{
    std::string path, label;
    study::StudyInfo info;
    std::size_t candidates = 0, generations = 0;
    std::vector<std::pair<double, double>> points; ///< (true average MACs, accuracy)
    long long images = 0;                          ///< validation images behind each accuracy (0: mixed)
};

Compared read(const QString &path, bool finalFront)
{
    const auto s = study::Study::open(path.toStdString(), true);
    Compared c;
    c.path = s.path();
    c.info = s.info();
    const auto candidates = s.candidates();
    c.candidates = candidates.size();
    c.generations = s.generations().size();
    if (finalFront) {
        const auto final = study::readFinalFront(s);
        if (!final)
            throw UsageError(c.path + ": has no front measured again at the end (the search did not finish, or ran "
                                      "with --final-validation-images -1): compare without --final");
        for (const auto &row : *final) {
            c.points.emplace_back(row.macsTrue, row.accuracy);
            c.images = c.points.size() == 1 || row.images == c.images ? row.images : 0;
        }
    } else {
        for (const auto &r : candidates)
            if (r.violation == 0.0 && r.macsTrue > 0.0)
                c.points.emplace_back(r.macsTrue, r.accuracy);
        c.images = search::SearchConfig::fromJson(c.info.configJson, c.path).validationImages;
    }
    return c;
}

} // namespace

int studyCompare(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Compares the fronts of studies on the same data set (searches of other supernets, encodings or\n"
        "budgets) in true average MACs and accuracy: each front's hypervolume over one reference point,\n"
        "as a share of the box between the fronts' ideal point and that reference, and the fewest MACs\n"
        "each front needs for every accuracy the fronts reach together."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("studies"), QStringLiteral("Two or more study files."),
                            QStringLiteral("STUDY STUDY..."));
    const QCommandLineOption finalFront(
        QStringLiteral("final"),
        QStringLiteral("Compare the fronts measured again at the end of each search (on more validation images)\n"
                       "instead of every feasible candidate as the search measured it."));
    const QCommandLineOption reference(
        QStringLiteral("reference"),
        QStringLiteral("Reference point as MMACS,ACCURACY% (e.g. 10,85); default: the union front's nadir\n"
                       "(most MACs, least accuracy) moved a tenth of the union's range outwards."),
        QStringLiteral("MMACS,ACC"));
    const QCommandLineOption out(QStringLiteral("out"),
                                 QStringLiteral("Also plot the fronts: .png, .svg or .pdf (1600x1000 pixels at 150 dpi)."),
                                 QStringLiteral("file"));
    p.addOptions({finalFront, reference, out});
    p.process(args);
    const QStringList paths = p.positionalArguments();
    if (paths.size() < 2)
        throw UsageError("expected two or more study files");
    double referenceCost = std::nan(""), referenceAccuracy = std::nan("");
    if (p.isSet(reference)) {
        static const QRegularExpression pattern(QStringLiteral("^\\s*([0-9.eE+-]+)\\s*,\\s*([0-9.eE+-]+)\\s*%?\\s*$"));
        const auto m = pattern.match(p.value(reference));
        bool okCost = false, okAccuracy = false;
        if (m.hasMatch()) {
            referenceCost = m.captured(1).toDouble(&okCost) * 1e6;
            referenceAccuracy = m.captured(2).toDouble(&okAccuracy) / 100.0;
        }
        if (!okCost || !okAccuracy || !(referenceCost > 0.0) || !std::isfinite(referenceCost)
            || !(referenceAccuracy >= 0.0 && referenceAccuracy <= 1.0))
            throw UsageError("--reference must be MMACS,ACCURACY with positive MMACs and an accuracy of 0 to 100 (got '"
                             + p.value(reference).toStdString() + "')");
    }

    if (p.isSet(out) && !ui::figureFormatFor(p.value(out)))
        throw UsageError("--out must end in .png, .svg or .pdf");

    std::vector<Compared> studies;
    for (const QString &path : paths) {
        studies.push_back(read(path, p.isSet(finalFront)));
        studies.back().label = std::string(1, char('A' + (studies.size() - 1) % 26));
        const auto &first = studies.front(), &last = studies.back();
        if (last.info.datasetHash != first.info.datasetHash)
            throw UsageError(last.path + ": measured on another data set (" + last.info.datasetPath + ") than "
                             + first.path + " (" + first.info.datasetPath + "): their accuracies do not compare");
    }
    std::vector<std::vector<std::pair<double, double>>> fronts;
    for (const auto &s : studies)
        fronts.push_back(s.points);
    const auto c = search::compareFronts(fronts, referenceCost, referenceAccuracy);

    std::printf("%zu studies on %s, true average MACs, %s\n", studies.size(), studies.front().info.datasetPath.c_str(),
                p.isSet(finalFront) ? "the fronts measured again at the end" : "every feasible candidate");
    for (const auto &s : studies)
        std::printf("  %s  %s: supernet %s (space %s), encoding %s, %zu candidates, %zu generations, accuracy on %s "
                    "validation images\n",
                    s.label.c_str(), s.path.c_str(), s.info.checkpointPath.c_str(), s.info.spaceName.c_str(),
                    s.info.encoding.c_str(), s.candidates, s.generations,
                    s.images > 0 ? std::to_string(s.images).c_str() : "all (or mixed)");
    std::printf("reference %.3f MMACs, %.2f %% (%s); ideal %.3f MMACs, %.2f %%\n", c.referenceCost / 1e6,
                100.0 * c.referenceAccuracy, p.isSet(reference) ? "given" : "the union front's nadir and a tenth",
                c.idealCost / 1e6, 100.0 * c.idealAccuracy);
    std::printf("hypervolume, as a share of the box between the ideal point and the reference:\n");
    for (std::size_t i = 0; i < studies.size(); ++i)
        std::printf("  %s  %.4f\n", studies[i].label.c_str(), c.hypervolume[i]);
    std::printf("  all together %.4f\n", c.unionHypervolume);
    std::printf("fewest MMACs at each accuracy the fronts reach together (-: not reached):\n  %9s", "accuracy");
    for (const auto &s : studies)
        std::printf(" %9s", s.label.c_str());
    std::printf("\n");
    for (const auto &level : c.levels) {
        std::printf("  %8.2f%%", 100.0 * level.accuracy);
        for (double cost : level.fewestCost)
            if (std::isfinite(cost))
                std::printf(" %9.3f", cost / 1e6);
            else
                std::printf(" %9s", "-");
        std::printf("\n");
    }

    if (p.isSet(out)) {
        std::vector<ui::ComparedFront> plotted;
        for (std::size_t i = 0; i < studies.size(); ++i)
            plotted.push_back({QStringLiteral("%1: %2 (%3, %4), hypervolume %5")
                                   .arg(QString::fromStdString(studies[i].label),
                                        QString::fromStdString(studies[i].info.spaceName),
                                        QFileInfo(QString::fromStdString(studies[i].info.checkpointPath)).fileName(),
                                        QString::fromStdString(studies[i].info.encoding))
                                   .arg(c.hypervolume[i], 0, 'f', 3),
                               studies[i].points});
        const QString title = QStringLiteral("Fronts on %1 (%2)")
                                  .arg(QFileInfo(QString::fromStdString(studies.front().info.datasetPath)).fileName(),
                                       p.isSet(finalFront) ? QStringLiteral("measured again at the end")
                                                           : QStringLiteral("every feasible candidate"));
        std::unique_ptr<QCustomPlot> plot(ui::frontComparisonPlot(plotted, title));
        const ui::FigureSize size;
        if (const QString error = ui::Figure().add(plot.get()).write(p.value(out), size, title);
            !error.isEmpty())
            throw std::runtime_error(error.toStdString());
        std::printf("%s: %dx%d pixels at %d dpi\n", qPrintable(p.value(out)), size.pixels.width(), size.pixels.height(),
                    size.dpi);
    }
    return Ok;
}

} // namespace edanas::cli
