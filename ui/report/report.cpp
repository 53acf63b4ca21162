#include "report.h"

#include "ui/figures/studyfigures.h"
#include "ui/exits/varianteditor.h"

#include "edanas/version.h"
#include "export/mcumemory.h"
#include "space/genome.h"
#include "study/records.h"
#include "study/study.h"

#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>
#include <optional>
#include <cmath>
#include <set>

namespace edanas::ui {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

QString pct(double v, int decimals = 2)
{
    return QString::number(100.0 * v, 'f', decimals);
}

QString mmacs(double macs)
{
    return std::isfinite(macs) ? QString::number(macs / 1e6, 'f', 3) : QStringLiteral("none");
}

QString row(const QStringList &cells, bool header = false)
{
    QString out = QStringLiteral("<tr>");
    for (const auto &c : cells)
        out += header ? QStringLiteral("<th>%1</th>").arg(c) : QStringLiteral("<td>%1</td>").arg(c);
    return out + QStringLiteral("</tr>\n");
}

const char *const kStyle = R"(
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #222; max-width: 60em; margin: 1.5em auto; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; margin-top: 1.4em; }
h3 { font-size: 12pt; margin-top: 1.2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }
th { background: #eee; }
td.l, th.l { text-align: left; }
.small { font-size: 8.5pt; color: #555; }
table.front td, table.front th { font-size: 8.5pt; }
img { max-width: 100%; height: auto; }
)";

} // namespace

Report::Report(const QString &studyPath, ReportOptions options)
    : m_path(studyPath)
    , m_options(std::move(options))
    , m_contents(readStudy(studyPath))
{
    // which candidates get a section of their own
    std::set<qint64> known;
    for (const auto &c : m_contents.candidates)
        known.insert(c.id);
    for (qint64 id : m_options.candidates) {
        if (!known.count(id))
            throw std::runtime_error(studyPath.toStdString() + ": no candidate " + std::to_string(id));
        if (std::find(m_detailed.begin(), m_detailed.end(), id) == m_detailed.end())
            m_detailed.push_back(id);
    }
    if ((m_options.candidates.empty() || m_options.addFrontSpread) && !m_contents.generations.empty()
        && m_options.topCount > 0) {
        const std::vector<qint64> front = profiledFront(m_contents);
        const int n = int(front.size()), k = std::min(n, m_options.topCount);
        for (int i = 0; i < k; ++i) {
            const int at = k == 1 ? 0 : int(std::lround(double(i) * (n - 1) / (k - 1)));
            if (std::find(m_detailed.begin(), m_detailed.end(), front[std::size_t(at)]) == m_detailed.end())
                m_detailed.push_back(front[std::size_t(at)]);
        }
    }
}

Report::~Report() = default;

void Report::setSpeed(qint64 candidate, const InferenceSpeed &speed)
{
    m_speed[candidate] = speed;
}

void Report::render()
{
    if (m_rendered)
        return;
    m_rendered = true;
    StudyFigures figures(m_contents);
    auto keep = [this](const QString &name, const Figure &f, const FigureSize &size, int width) {
        Image im;
        im.name = name;
        im.image = f.toImage(size);
        QBuffer buffer(&im.png);
        buffer.open(QIODevice::WriteOnly);
        im.image.save(&buffer, "PNG");
        im.width = width;
        m_images[name] = std::move(im);
    };
    keep(QStringLiteral("front"), figures.figure(FigureKind::Front), {QSize(1600, 1000), 200}, 560);
    keep(QStringLiteral("hypervolume"), figures.figure(FigureKind::Hypervolume), {QSize(1600, 560), 200}, 560);
    // the space, for memory on a microcontroller (none when neither checkpoint nor preset is there)
    std::optional<space::SearchSpace> studySpaceOrNone;
    try {
        studySpaceOrNone = studySpace(m_contents);
    } catch (const std::exception &) {
    }
    for (qint64 id : m_detailed) {
        try {
            figures.showCandidate(id);
        } catch (const std::exception &e) {
            m_breakdown[id] = QStringLiteral("<p>%1</p>").arg(esc(std::string(e.what())));
            continue;
        }
        keep(QStringLiteral("architecture-%1").arg(id), figures.figure(FigureKind::Architecture),
             {QSize(2000, 640), 240}, 560);
        keep(QStringLiteral("exits-%1").arg(id), figures.figure(FigureKind::ExitCurves), {QSize(1800, 1100), 200},
             560);
        // per-exit breakdown from the profile, as the Studio evaluates it
        const auto *editor = figures.editor();
        const auto &p = *editor->profile();
        const auto &config = editor->config();
        const auto &e = editor->evaluation();
        // int8 on a microcontroller (docs/DEPLOY.md): SRAM of each segment, flash to run through it
        std::optional<deploy::McuMemory> mcu;
        if (studySpaceOrNone) {
            try {
                mcu = deploy::mcuMemory(space::describe(*studySpaceOrNone, editor->variant()));
                if (mcu->segments.size() != config.exits.size() + 1)
                    mcu.reset();
            } catch (const std::exception &) {
                mcu.reset();
            }
        }
        auto kib = [](std::int64_t bytes) { return QString::number(double(bytes) / 1024.0, 'f', 1); };
        QString t = QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"3\">\n")
                    + row({QStringLiteral("exit"), QStringLiteral("after"), QStringLiteral("threshold"),
                           QStringLiteral("inputs leaving (%)"), QStringLiteral("their accuracy (%)"),
                           QStringLiteral("MACs to get there (M)"), QStringLiteral("exit's own MACs (M)"),
                           QStringLiteral("int8 SRAM (KiB)"), QStringLiteral("int8 flash to here (KiB)")},
                          true);
        for (std::size_t k = 0; k <= config.exits.size(); ++k) {
            const bool head = k == config.exits.size();
            const int pos = head ? p.positions - 1 : config.exits[k];
            const auto [stage, block] = p.position[std::size_t(pos)];
            t += row({head ? QStringLiteral("final head") : QString::number(k + 1),
                      head ? QStringLiteral("last block")
                           : QStringLiteral("stage %1, block %2").arg(stage + 1).arg(block + 1),
                      head ? QStringLiteral("-") : QString::number(config.thresholds[k], 'g', 4),
                      pct(e.share[k]), pct(e.exitAccuracy[k]), mmacs(double(p.backboneMacs[std::size_t(pos)])),
                      mmacs(double(p.exitMacs[std::size_t(pos)])),
                      mcu ? kib(mcu->segments[k].arena) : QStringLiteral("-"),
                      mcu ? kib(mcu->segments[k].flashThrough) : QStringLiteral("-")});
        }
        t += QStringLiteral("</table>\n<p class=\"small\">Exit rule: %1. On %2 validation images: accuracy %3 %, "
                            "average MACs %4 M (true cost; the paper's count %5 M).</p>\n")
                 .arg(esc(space::exitRuleName(config.rule)))
                 .arg(p.samples)
                 .arg(pct(e.accuracy))
                 .arg(mmacs(e.averageMacsTrue), mmacs(e.averageMacsPaper));
        if (mcu)
            t += QStringLiteral("<p class=\"small\">On a microcontroller, int8 (docs/DEPLOY.md): flash %1 KiB (int8 "
                                "weights, int32 biases, float scales), SRAM %2 KiB (the largest tensor arena of any "
                                "segment along the execution order).</p>\n")
                     .arg(kib(mcu->flash), kib(mcu->arena));
        m_breakdown[id] = t;
    }
}

QString Report::imageTag(const Image &image, bool embedded) const
{
    const QString src = embedded ? QStringLiteral("data:image/png;base64,") + QString::fromLatin1(image.png.toBase64())
                                 : QStringLiteral("figure:") + image.name;
    return QStringLiteral("<p><img src=\"%1\" width=\"%2\" alt=\"%3\"></p>\n").arg(src).arg(image.width).arg(image.name);
}

QString Report::candidateSection(qint64 id, bool embedded)
{
    const search::CandidateSnapshot *c = nullptr;
    for (const auto &x : m_contents.candidates)
        if (x.id == id)
            c = &x;
    QString out = QStringLiteral("<h3>Candidate %1</h3>\n").arg(id);
    if (!c)
        return out;
    const auto &g = c->genome;
    out += QStringLiteral("<p>Generation %1, %2. Input %3x%3, %4 exit(s), rule %5. Accuracy %6 %, average MACs %7 M "
                          "(paper's count %8 M), static backbone %9 M MACs, %10 parameters; int8 on a "
                          "microcontroller: SRAM %11 KiB, flash %12 KiB.</p>\n")
               .arg(c->generation)
               .arg(esc(c->origin))
               .arg(g.resolution)
               .arg(g.exits.size())
               .arg(esc(space::exitRuleName(g.rule)))
               .arg(pct(c->accuracy))
               .arg(mmacs(c->macsTrue), mmacs(c->macsPaper), mmacs(c->staticMacs))
               .arg(QString::number(c->params, 'f', 0))
               .arg(c->sramBytes / 1024.0, 0, 'f', 1)
               .arg(c->flashBytes / 1024.0, 0, 'f', 1);
    QString stages;
    for (std::size_t s = 0; s < g.depth.size(); ++s) {
        QStringList blocks;
        for (int b = 0; b < g.depth[s]; ++b)
            blocks << QStringLiteral("k%1 e%2").arg(g.kernel[s][std::size_t(b)]).arg(g.expansion[s][std::size_t(b)]);
        stages += row({QString::number(s + 1), QString::number(g.depth[s]), blocks.join(QStringLiteral(", "))});
    }
    out += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"3\">\n") + row({QStringLiteral("stage"), QStringLiteral("depth"),
                                               QStringLiteral("blocks (kernel, expansion)")},
                                              true)
           + stages + QStringLiteral("</table>\n");
    if (auto it = m_images.find(QStringLiteral("architecture-%1").arg(id)); it != m_images.end())
        out += imageTag(it->second, embedded);
    out += m_breakdown[id];
    if (auto it = m_images.find(QStringLiteral("exits-%1").arg(id)); it != m_images.end())
        out += imageTag(it->second, embedded);
    const auto sp = m_speed.find(id);
    if (sp == m_speed.end()) {
        out += QStringLiteral("<p class=\"small\">Inference speed not measured.</p>\n");
    } else if (!sp->second.measured) {
        out += QStringLiteral("<p class=\"small\">Inference speed not measured: %1</p>\n").arg(esc(sp->second.error));
    } else {
        const auto &s = sp->second;
        out += QStringLiteral("<p><b>Real inference</b> (LibTorch, CPU, %1 thread(s), %2 validation images, batch "
                              "256, median of the passes):</p>\n<table width=\"100%\" cellspacing=\"0\" cellpadding=\"3\">\n")
                   .arg(s.threads)
                   .arg(s.images);
        out += row({QString(), QStringLiteral("ms per image"), QStringLiteral("accuracy (%)"),
                    QStringLiteral("MACs (M)")},
                   true);
        out += row({QStringLiteral("static backbone (final head only)"), QString::number(s.staticMsPerImage, 'f', 4),
                    pct(s.staticAccuracy), mmacs(s.staticMacs)});
        out += row({QStringLiteral("early-exit network"), QString::number(s.eennMsPerImage, 'f', 4),
                    pct(s.eennAccuracy), mmacs(s.eennMacs)});
        out += QStringLiteral("</table>\n<p>Speedup %1x in wall time, %2x in MACs.</p>\n")
                   .arg(s.eennMsPerImage > 0 ? s.staticMsPerImage / s.eennMsPerImage : 0.0, 0, 'f', 2)
                   .arg(s.eennMacs > 0 ? s.staticMacs / s.eennMacs : 0.0, 0, 'f', 2);
    }
    return out;
}

QString Report::html(bool embedded)
{
    render();
    const auto s = study::Study::open(m_path.toStdString(), true);
    const auto info = s.info();
    const auto &cfg = m_contents.config;
    QString h = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>EDANAS report: %1</title>\n"
                               "<style>%2</style></head><body>\n")
                    .arg(esc(QFileInfo(m_path).fileName()), QString::fromLatin1(kStyle));
    h += QStringLiteral("<h1>Early-exit network search: %1</h1>\n").arg(esc(QFileInfo(m_path).fileName()));
    h += QStringLiteral("<p class=\"small\">Report by %1 %2 on %3 from <tt>%4</tt>.</p>\n")
             .arg(QString::fromLatin1(kApplicationName), QString::fromLatin1(kVersion),
                  QDateTime::currentDateTimeUtc().toString(Qt::ISODate), esc(QFileInfo(m_path).absoluteFilePath()));

    // configuration and reproducibility
    h += QStringLiteral("<h2>Search and reproducibility</h2>\n<table width=\"100%\" cellspacing=\"0\" cellpadding=\"3\">\n");
    auto kv = [&h](const QString &k, const QString &v) {
        h += QStringLiteral("<tr><th class=\"l\">%1</th><td class=\"l\">%2</td></tr>\n").arg(k, v);
    };
    kv(QStringLiteral("created"), esc(info.created));
    kv(QStringLiteral("by"), esc(info.appVersion));
    kv(QStringLiteral("seed"), QString::number(info.seed));
    kv(QStringLiteral("search space"), esc(info.spaceName));
    kv(QStringLiteral("encoding"), esc(info.encoding));
    kv(QStringLiteral("data set"), esc(info.datasetPath));
    kv(QStringLiteral("data-set hash"), QStringLiteral("<tt>%1</tt>").arg(esc(info.datasetHash)));
    kv(QStringLiteral("supernet checkpoint"), esc(info.checkpointPath));
    kv(QStringLiteral("checkpoint hash"), QStringLiteral("<tt>%1</tt>").arg(esc(info.checkpointHash)));
    kv(QStringLiteral("population, generations"), QStringLiteral("%1, %2").arg(cfg.population).arg(cfg.generations));
    kv(QStringLiteral("objectives"),
       QStringLiteral("top-1 error, average MACs (%1)%2%3")
           .arg(cfg.trueCost ? QStringLiteral("true cost") : QStringLiteral("the paper's count"),
                cfg.objectiveParams ? QStringLiteral(", parameters") : QString(),
                cfg.objectiveSram ? QStringLiteral(", int8 SRAM on a microcontroller") : QString()));
    kv(QStringLiteral("constraints"),
       QStringLiteral("%1; %2%3%4")
           .arg(std::isfinite(cfg.maxMacs) ? QStringLiteral("average MACs at most %1 M").arg(mmacs(cfg.maxMacs))
                                           : QStringLiteral("no MAC ceiling"),
                cfg.minAccuracy > 0 ? QStringLiteral("accuracy at least %1 %").arg(pct(cfg.minAccuracy))
                                    : QStringLiteral("no accuracy floor"),
                std::isfinite(cfg.maxParams) ? QStringLiteral("; parameters at most %1 M").arg(mmacs(cfg.maxParams))
                                             : QString(),
                std::isfinite(cfg.maxSramBytes)
                    ? QStringLiteral("; int8 SRAM at most %1 KiB").arg(cfg.maxSramBytes / 1024.0, 0, 'f', 1)
                    : QString()));
    kv(QStringLiteral("validation images"),
       QStringLiteral("%1 per candidate; the final front on %2")
           .arg(cfg.validationImages == 0 ? QStringLiteral("all") : QString::number(cfg.validationImages))
           .arg(cfg.finalValidationImages == 0    ? QStringLiteral("all")
                : cfg.finalValidationImages < 0 ? QStringLiteral("none")
                                                : QString::number(cfg.finalValidationImages)));
    kv(QStringLiteral("candidates, generations run"),
       QStringLiteral("%1, %2").arg(m_contents.candidates.size()).arg(m_contents.generations.size()));
    h += QStringLiteral("</table>\n<p class=\"small\">Full configuration: <tt>%1</tt></p>\n")
             .arg(esc(info.configJson));

    // front and hypervolume
    h += QStringLiteral("<h2>Pareto front</h2>\n");
    if (auto it = m_images.find(QStringLiteral("front")); it != m_images.end())
        h += imageTag(it->second, embedded);
    if (!m_contents.generations.empty()) {
        h += QStringLiteral("<p>Hypervolume after the last generation: %1 (reference: error 1, the largest "
                            "network's MACs).</p>\n")
                 .arg(m_contents.generations.back().hypervolume, 0, 'f', 5);
        if (auto it = m_images.find(QStringLiteral("hypervolume")); it != m_images.end())
            h += imageTag(it->second, embedded);
    }
    // final figures, when the search measured the front again
    std::map<qint64, study::FinalFrontRow> final;
    if (const auto rows = study::readFinalFront(s))
        for (const auto &r : *rows)
            final[qint64(r.id)] = r;
    h += QStringLiteral("<h2>The front</h2>\n<table class=\"front\" width=\"100%\" cellspacing=\"0\" "
                        "cellpadding=\"3\">\n");
    h += row({QStringLiteral("id"), QStringLiteral("gen."), QStringLiteral("acc. (%)"), QStringLiteral("final acc. (%)"),
              QStringLiteral("avg MACs (M)"), QStringLiteral("paper's (M)"), QStringLiteral("static (M)"),
              QStringLiteral("params (M)"), QStringLiteral("exits"), QStringLiteral("share per exit (%)")},
             true);
    {
        auto front = lastFront(m_contents);
        std::sort(front.begin(), front.end(), [](auto *a, auto *b) { return a->macsTrue < b->macsTrue; });
        for (const auto *c : front) {
            QStringList shares;
            for (double v : c->share)
                shares << QString::number(100.0 * v, 'f', 1);
            const auto f = final.find(c->id);
            h += row({QString::number(c->id), QString::number(c->generation), pct(c->accuracy),
                      f == final.end() ? QStringLiteral("-")
                                       : pct(f->second.accuracy),
                      mmacs(c->macsTrue), mmacs(c->macsPaper), mmacs(c->staticMacs), mmacs(c->params),
                      QString::number(c->genome.exits.size()), shares.join(QStringLiteral(" / "))});
        }
    }
    h += QStringLiteral("</table>\n<p class=\"small\">Accuracy on the search's validation images; final accuracy "
                        "on the validation images the front was measured on again at the end.</p>\n");

    // chosen candidates
    if (!m_detailed.empty()) {
        h += QStringLiteral("<h2>Chosen candidates</h2>\n");
        for (qint64 id : m_detailed)
            h += candidateSection(id, embedded);
    }
    h += QStringLiteral("</body></html>\n");
    return h;
}

QString Report::write(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("html") && suffix != QLatin1String("htm") && suffix != QLatin1String("pdf"))
        return QStringLiteral("%1: unknown report format (the name must end in .html or .pdf)").arg(path);
    QByteArray bytes;
    if (suffix == QLatin1String("pdf")) {
        QTextDocument doc;
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPointSizeF(9);
        doc.setDefaultFont(font);
        const QString text = html(false);
        for (const auto &[name, image] : m_images)
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("figure:") + name), image.image);
        doc.setHtml(text);
        // laid out on A4 less 15 mm margins at 96 px per inch; print() scales it to the page
        doc.setPageSize(QSizeF(180 / 25.4 * 96, 267 / 25.4 * 96));
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        QPdfWriter pdf(&buffer);
        pdf.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15),
                                      QPageLayout::Millimeter));
        pdf.setResolution(300);
        pdf.setTitle(QStringLiteral("EDANAS report: %1").arg(QFileInfo(m_path).fileName()));
        pdf.setCreator(QStringLiteral("%1 %2").arg(QString::fromLatin1(kApplicationName), QString::fromLatin1(kVersion)));
        doc.print(&pdf);
    } else {
        bytes = html(true).toUtf8();
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
    return {};
}

} // namespace edanas::ui
