// The exports a user makes of a finished search: figures (PNG at a chosen size and
// dpi, SVG, PDF) from the Studio's views and from `edanas study plot`, the candidates
// as CSV, the report as self-contained HTML and as PDF (with real inference timing),
// and the Studio's File > Export menu, plot context menus and candidate-table actions.
// The study comes from a real (tiny) search on the shipped supernet and Fashion-MNIST.
#include "ui/exits/varianteditor.h"
#include "ui/export/exportcontroller.h"
#include "ui/figures/figureexport.h"
#include "ui/figures/studyfigures.h"
#include "ui/mainwindow/mainwindow.h"
#include "ui/pareto/paretoview.h"
#include "ui/report/report.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/candidatetable.h"

#include "data/dataset.h"
#include "search/engine.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"

#include <QApplication>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QToolButton>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

using namespace edanas;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct Quiet : search::SearchObserver
{
};

} // namespace

class TestExports : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void figuresInEveryFormat_data();
    void figuresInEveryFormat();
    void badFigureRequests();
    void commandLinePlot();
    void reportHtmlAndPdf();
    void studioExportMenuAndActions();

private:
    QString out(const QString &name) const { return m_dir.filePath(name); }
    QTemporaryDir m_dir;
    QString m_study;
    ui::StudyContents m_contents;
    qint64 m_profiled = -1; ///< a front candidate with a stored profile
    qint64 m_unprofiled = -1; ///< a candidate without one (-1: none)
};

void TestExports::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_study = out(QStringLiteral("tiny.edanas"));
    search::SearchEngine::Launch launch;
    launch.dataset.path = data::defaultDatasetPath();
    launch.checkpointPath = supernet::defaultSupernetPath();
    launch.studyPath = m_study.toStdString();
    launch.config.population = 6;
    launch.config.generations = 1;
    launch.config.validationImages = 300;
    launch.config.recalibrationImages = 100;
    launch.config.finalValidationImages = 300;
    launch.config.seed = 3;
    auto engine = search::SearchEngine::open(launch);
    Quiet quiet;
    engine->run(quiet);
    engine.reset();

    m_contents = ui::readStudy(m_study);
    QVERIFY(!m_contents.generations.empty());
    const auto s = study::Study::open(m_study.toStdString(), true);
    const auto &front = m_contents.generations.back().front;
    for (const auto &c : m_contents.candidates) {
        const bool stored = s.profile(c.genome.backboneHash(), c.genome.resolution).has_value();
        const bool onFront = std::find(front.begin(), front.end(), c.id) != front.end();
        if (stored && onFront && !c.genome.exits.empty() && m_profiled < 0)
            m_profiled = c.id;
        if (!stored && m_unprofiled < 0)
            m_unprofiled = c.id;
    }
    QVERIFY2(m_profiled >= 0, "the front has a candidate with exits and a stored profile");
}

void TestExports::figuresInEveryFormat_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("label"); ///< a text the drawing must hold (axis label, block text)
    QTest::newRow("front") << "front" << "Top-1 accuracy (%)";
    QTest::newRow("hypervolume") << "hypervolume" << "Generation";
    QTest::newRow("exits") << "exits" << "Share of inputs (%)";
    QTest::newRow("architecture") << "architecture" << "stage 1";
}

void TestExports::figuresInEveryFormat()
{
    QFETCH(QString, kind);
    QFETCH(QString, label);
    ui::StudyFigures figures(m_contents);
    const auto k = ui::figureKindFromName(kind);
    QVERIFY(k);
    if (ui::figureNeedsCandidate(*k))
        figures.showCandidate(m_profiled);
    const ui::Figure figure = figures.figure(*k);

    // PNG: the pixels asked for, the dpi recorded, and drawn (not a blank page)
    const ui::FigureSize size{QSize(1200, 700), 200};
    const QString png = out(kind + QStringLiteral(".png"));
    QCOMPARE(figure.write(png, size), QString());
    QImage image(png);
    QCOMPARE(image.size(), QSize(1200, 700));
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 200);
    int dark = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            dark += qGray(image.pixel(x, y)) < 128;
    QVERIFY2(dark > 100, qPrintable(QStringLiteral("%1 dark samples").arg(dark)));

    // the same layout at another dpi is the same picture, finer: fonts keep their size
    const QImage coarse = figure.toImage({QSize(600, 350), 100});
    QCOMPARE(coarse.size(), QSize(600, 350));

    // SVG: valid, vectors, with the text as text at the physical size asked for
    const QString svg = out(kind + QStringLiteral(".svg"));
    QCOMPARE(figure.write(svg, size), QString());
    const QByteArray svgBytes = readAll(svg);
    QSvgRenderer renderer(svgBytes);
    QVERIFY(renderer.isValid());
    QVERIFY(svgBytes.contains("<path") || svgBytes.contains("<polyline"));
    QVERIFY2(svgBytes.contains(label.toHtmlEscaped().toUtf8()), qPrintable(label));
    QCOMPARE(renderer.viewBoxF().size().toSize(), QSize(576, 336)); // 1200x700 px at 200 dpi, in 96-dpi units

    // PDF: one page of 1200/200 x 700/200 inches
    const QString pdf = out(kind + QStringLiteral(".pdf"));
    QCOMPARE(figure.write(pdf, size), QString());
    const QByteArray pdfBytes = readAll(pdf);
    QVERIFY(pdfBytes.startsWith("%PDF-"));
    const auto box = QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"))
                         .match(QString::fromLatin1(pdfBytes));
    QVERIFY(box.hasMatch());
    QCOMPARE(qRound(box.captured(1).toDouble()), 432); // 6 in x 72 pt
    QCOMPARE(qRound(box.captured(2).toDouble()), 252); // 3.5 in
}

void TestExports::badFigureRequests()
{
    ui::StudyFigures figures(m_contents);
    const ui::Figure front = figures.figure(ui::FigureKind::Front);
    const QString keep = out(QStringLiteral("keep.png"));
    {
        QFile f(keep);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("the user's bytes");
    }
    // a size out of range, an unknown format, a folder that does not exist: one
    // message naming the file, and the file that was there is untouched
    QString error = front.write(keep, {QSize(5, 5), 150});
    QVERIFY(error.startsWith(keep) && error.contains(QLatin1String("out of range")));
    error = front.write(keep, {QSize(800, 600), 5000});
    QVERIFY(error.contains(QLatin1String("dpi")));
    QCOMPARE(readAll(keep), QByteArray("the user's bytes"));
    error = front.write(out(QStringLiteral("front.bmp")), {});
    QVERIFY(error.contains(QLatin1String("front.bmp")) && error.contains(QLatin1String(".png")));
    const QString missing = out(QStringLiteral("no/such/folder/front.png"));
    error = front.write(missing, {});
    QVERIFY(error.startsWith(missing) && error.contains(QLatin1String("cannot write")));

    // one-candidate figures need a candidate; a candidate needs a stored profile
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, figures.figure(ui::FigureKind::Architecture));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, figures.showCandidate(999999));
    if (m_unprofiled >= 0) {
        try {
            figures.showCandidate(m_unprofiled);
            QFAIL("a candidate without a stored profile was shown");
        } catch (const std::runtime_error &e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(m_study));
        }
    }
}

void TestExports::commandLinePlot()
{
    const QString cli = qEnvironmentVariable("EDANAS_CLI");
    QVERIFY(QFile::exists(cli));
    auto run = [&](const QStringList &args, int expected) {
        QProcess p;
        p.start(cli, args);
        p.waitForFinished(120000);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        if (p.exitCode() != expected)
            qWarning().noquote() << args.join(QLatin1Char(' ')) << "->" << p.exitCode() << err;
        [&] { QCOMPARE(p.exitCode(), expected); }();
        return err;
    };
    const QString png = out(QStringLiteral("cli-exits.png"));
    run({"study", "plot", m_study, "--figure", "exits", "--candidate", QString::number(m_profiled), "--out", png,
         "--size", "900x600", "--dpi", "120"},
        0);
    const QImage image(png);
    QCOMPARE(image.size(), QSize(900, 600));
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 120);
    const QString svg = out(QStringLiteral("cli-front.svg"));
    run({"study", "plot", m_study, "--out", svg, "--cost", "paper", "--log-macs"}, 0);
    QVERIFY(readAll(svg).contains("paper"));

    QVERIFY(run({"study", "plot", m_study, "--figure", "pie", "--out", png}, 2).contains(QLatin1String("--figure")));
    QVERIFY(run({"study", "plot", m_study, "--out", out(QStringLiteral("x.gif"))}, 2).contains(QLatin1String(".png")));
    QVERIFY(run({"study", "plot", m_study, "--out", png, "--size", "big"}, 2).contains(QLatin1String("--size")));
    const QString missing = out(QStringLiteral("missing.edanas"));
    QVERIFY(run({"study", "plot", missing, "--out", png}, 1).contains(missing));
    // the report from the command line
    const QString pdf = out(QStringLiteral("cli-report.pdf"));
    run({"study", "report", m_study, "--out", pdf, "--no-speed", "--top", "1"}, 0);
    QVERIFY(readAll(pdf).startsWith("%PDF-"));
    QVERIFY(run({"study", "report", m_study, "--out", out(QStringLiteral("r.docx"))}, 2).contains(QLatin1String(".pdf")));
    QVERIFY(run({"study", "report", m_study, "--out", pdf, "--candidates", "1,x"}, 2).contains(QLatin1String("--candidates")));
    QVERIFY(run({"study", "report", m_study, "--out", out(QStringLiteral("r2.html")), "--candidates", "99999", "--no-speed"}, 1)
                .contains(QLatin1String("99999")));
    QVERIFY(!QFile::exists(missing)); // nothing created where nothing was
}

void TestExports::reportHtmlAndPdf()
{
    ui::ReportOptions options;
    options.topCount = 2;
    ui::Report report(m_study, options);
    QVERIFY(!report.detailedCandidates().empty());
    QVERIFY(report.detailedCandidates().size() <= 2);
    // real inference timing of the first one, on a few validation images
    const qint64 timed = report.detailedCandidates().front();
    const ui::InferenceSpeed speed = ui::measureInferenceSpeed(m_study, timed, 300);
    QVERIFY2(speed.measured, qPrintable(speed.error));
    QCOMPARE(speed.images, 300);
    QVERIFY(speed.staticMsPerImage > 0 && speed.eennMsPerImage > 0);
    QVERIFY(speed.eennMacs > 0 && speed.eennMacs < speed.staticMacs);
    report.setSpeed(timed, speed);

    const QString html = out(QStringLiteral("report.html"));
    QCOMPARE(report.write(html), QString());
    const QString text = QString::fromUtf8(readAll(html));
    const auto info = study::Study::open(m_study.toStdString(), true).info();
    for (const std::string &fact : {info.datasetHash, info.checkpointHash, info.appVersion})
        QVERIFY2(text.contains(QString::fromStdString(fact)), fact.c_str());
    QVERIFY(text.contains(QLatin1String("<th class=\"l\">seed</th><td class=\"l\">3</td>")));
    for (qint64 id : m_contents.generations.back().front)
        QVERIFY(text.contains(QStringLiteral("<tr><td>%1</td>").arg(id)));
    QVERIFY(text.contains(QStringLiteral("<h3>Candidate %1</h3>").arg(timed)));
    QVERIFY(text.contains(QLatin1String("Speedup")));
    QVERIFY(text.contains(QString::number(speed.eennMsPerImage, 'f', 4)));
    // self-contained: every image is embedded, and each decodes as a PNG
    const auto sources = QRegularExpression(QStringLiteral("<img src=\"([^\"]*)\"")).globalMatch(text);
    int images = 0;
    for (auto it = sources; it.hasNext();) {
        const QString src = it.next().captured(1);
        QVERIFY2(src.startsWith(QLatin1String("data:image/png;base64,")), qPrintable(src.left(40)));
        QImage decoded;
        QVERIFY(decoded.loadFromData(QByteArray::fromBase64(src.mid(22).toLatin1()), "PNG"));
        QVERIFY(decoded.width() >= 1000);
        ++images;
    }
    // front, hypervolume, and per detailed candidate its architecture and exit curves
    QCOMPARE(images, 2 + 2 * int(report.detailedCandidates().size()));
    QVERIFY(!text.contains(QLatin1String("src=\"http")) && !text.contains(QLatin1String("<link")));

    const QString pdf = out(QStringLiteral("report.pdf"));
    QCOMPARE(report.write(pdf), QString());
    const QByteArray bytes = readAll(pdf);
    QVERIFY(bytes.startsWith("%PDF-"));
    int pages = 0;
    for (auto it = QRegularExpression(QStringLiteral("/Type\\s*/Page[^s]")).globalMatch(QString::fromLatin1(bytes));
         it.hasNext(); it.next())
        ++pages;
    QVERIFY2(pages >= 2, qPrintable(QString::number(pages)));
    QVERIFY(QString::fromLatin1(bytes).contains(QRegularExpression(QStringLiteral("/MediaBox \\[0 0 595"))));

    QVERIFY(report.write(out(QStringLiteral("report.docx"))).contains(QLatin1String(".html or .pdf")));
    QVERIFY_THROWS_EXCEPTION(std::exception, ui::Report(out(QStringLiteral("none.edanas"))));
}

void TestExports::studioExportMenuAndActions()
{
    ui::MainWindow w;
    w.show();
    QSignalSpy loaded(&w, &ui::MainWindow::studyLoaded);
    w.openStudy(m_study);
    QVERIFY(loaded.wait(30000));
    // File > Export holds every export
    auto *exportMenu = w.menuBar()->findChild<QMenu *>(QStringLiteral("exportMenu"));
    QVERIFY(exportMenu);
    QStringList names;
    for (QAction *a : exportMenu->actions())
        names << a->objectName();
    for (const char *name : {"export_front", "export_hypervolume", "export_exits", "export_architecture",
                             "export_candidates", "export_report", "export_model"})
        QVERIFY2(names.contains(QLatin1String(name)), name);
    // right-click on any plot offers its export
    QCOMPARE(w.paretoView()->plot()->contextMenuPolicy(), Qt::CustomContextMenu);
    QCOMPARE(w.paretoView()->hypervolumePlot()->contextMenuPolicy(), Qt::CustomContextMenu);

    // a one-candidate figure without a selection: a message, no file
    const QString arch = out(QStringLiteral("studio-arch.svg"));
    QVERIFY(!w.exports()->exportFigureTo(ui::FigureKind::Architecture, arch, {}).isEmpty());
    QVERIFY(!QFile::exists(arch));
    w.selectCandidate(m_profiled);
    // its exit profile is read off the GUI thread: the architecture is drawn once it is in
    QTRY_VERIFY_WITH_TIMEOUT(w.variantEditor()->isActive(), 10000);
    QCOMPARE(w.exports()->exportFigureTo(ui::FigureKind::Architecture, arch, {QSize(1600, 400), 150}), QString());
    QVERIFY(readAll(arch).contains("stage 1"));
    // the docked view keeps its own size
    QCOMPARE(w.exports()->exportFigureTo(ui::FigureKind::Front, out(QStringLiteral("studio-front.png")),
                                         {QSize(800, 500), 96}),
             QString());
    QCOMPARE(QImage(out(QStringLiteral("studio-front.png"))).size(), QSize(800, 500));

    // the candidates as CSV: a header and one row per candidate
    const QString csv = out(QStringLiteral("all.csv"));
    QSignalSpy wrote(w.exports(), &ui::ExportController::finished);
    QCOMPARE(w.exports()->exportCandidatesTo(csv, false), QString()); // started: read and written as a job
    QVERIFY(wrote.wait(60000));
    QCOMPARE(wrote.first().at(1).toString(), QString());
    const QList<QByteArray> lines = readAll(csv).trimmed().split('\n');
    QVERIFY(lines.first().startsWith("id,generation,hash,accuracy,macs_true,macs_paper"));
    QCOMPARE(lines.size(), 1 + int(m_contents.candidates.size()));
    QVERIFY(!w.exports()->exportCandidatesTo(out(QStringLiteral("all.xlsx")), false).isEmpty());

    // the report from the Studio (no timing here: measured above)
    QSignalSpy finished(w.exports(), &ui::ExportController::finished);
    const QString html = out(QStringLiteral("studio-report.html"));
    w.exports()->exportReportTo(html, false);
    QVERIFY(finished.wait(60000)); // the study is read as a job
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(1).toString(), QString());
    // the selected candidate comes first
    QVERIFY(QString::fromUtf8(readAll(html)).contains(QStringLiteral("<h2>Chosen candidates</h2>\n<h3>Candidate %1</h3>").arg(m_profiled)));

    // the model of the selected candidate, exported and checked in a worker thread
    finished.clear();
    QSignalSpy messages(w.exports(), &ui::ExportController::message);
    const QString modelDir = out(QStringLiteral("model"));
    w.exports()->exportModelTo(m_profiled, modelDir, 300);
    QVERIFY(w.exports()->isBusy());
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().at(1).toString(), QString());
    for (const char *file : {"model.pt", "model.json", "model.onnx", "verification.json"})
        QVERIFY2(QFile::exists(modelDir + QLatin1Char('/') + QLatin1String(file)), file);
    QVERIFY(messages.size() >= 3); // progress lines reached the log
    // again into the same folder: refused, the files stay as they were
    const QByteArray json = readAll(modelDir + QStringLiteral("/model.json"));
    finished.clear();
    w.exports()->exportModelTo(m_profiled, modelDir, 300);
    QVERIFY(finished.wait(180000));
    QVERIFY(finished.first().at(1).toString().contains(modelDir));
    QCOMPARE(readAll(modelDir + QStringLiteral("/model.json")), json);

    // fine-tuned first: progress in the log, the figures before and after
    finished.clear();
    messages.clear();
    deploy::FineTuneOptions tune;
    tune.epochs = 1;
    tune.trainImages = 512;
    w.exports()->fineTuneAndExportTo(m_profiled, out(QStringLiteral("tuned")), tune, 300);
    QVERIFY(finished.wait(240000));
    QCOMPARE(finished.first().at(1).toString(), QString());
    QVERIFY(QFile::exists(out(QStringLiteral("tuned/model.onnx"))));
    bool sawProgress = false, sawFigures = false;
    for (const auto &m : messages) {
        sawProgress = sawProgress || m.first().toString().startsWith(QLatin1String("Fine-tuning: epoch 1 of 1"));
        sawFigures = sawFigures || m.first().toString().contains(QLatin1String("fine-tuned on 512 training images"));
    }
    QVERIFY(sawProgress);
    QVERIFY(sawFigures);

    // "fine-tune later" marks the candidate in the table
    ui::CandidateModel *model = w.candidateModel();
    const int row = model->rowOf(m_profiled);
    QVERIFY(row >= 0);
    QVERIFY(!model->flagsAt(row).fineTune);
    model->setFineTune(m_profiled, true);
    QVERIFY(model->flagsAt(row).fineTune);
    QVERIFY(model->index(row, ui::CandidateModel::Status).data().toString().contains(QLatin1String("fine-tune")));

    // a running export is cancelled from the status bar: nothing is left behind
    finished.clear();
    const QString cancelledDir = out(QStringLiteral("cancelled"));
    w.exports()->exportModelTo(m_profiled, cancelledDir, 300);
    QVERIFY(w.exports()->isBusy());
    auto *indicator = w.findChild<QWidget *>(QStringLiteral("jobsIndicator"));
    QVERIFY(indicator && indicator->isVisible());
    auto *cancel = indicator->findChild<QToolButton *>(QStringLiteral("cancelJobsButton"));
    QVERIFY(cancel && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("cancelled"));
    for (const char *file : {"model.pt", "model.json", "model.onnx", "verification.json"})
        QVERIFY2(!QFile::exists(cancelledDir + QLatin1Char('/') + QLatin1String(file)), file);
    QTRY_VERIFY(!indicator->isVisible());

    // closing while an export runs asks first; "Cancel and Close" cancels it, and the
    // window closes once the export has returned
    finished.clear();
    w.exports()->exportModelTo(m_profiled, out(QStringLiteral("closing")), 300);
    QVERIFY(!w.close());
    QVERIFY(w.isVisible());
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = w.findChild<QMessageBox *>(QStringLiteral("cancelJobsBox"))));
    box->button(QMessageBox::Yes)->click();
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("cancelled"));
    QTRY_VERIFY(!w.isVisible());
}

QTEST_MAIN(TestExports)
#include "tst_exports.moc"
