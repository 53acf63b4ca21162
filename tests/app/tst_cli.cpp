// The command-line program, run as a user runs it.
#include "fixtures.h"
#include "pgcluster.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <functional>

#include <cmath>
#include <memory>
#include <csignal>
#include <sys/types.h>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    struct Result
    {
        int code;
        QString out;
        QString err;
    };

    static Result run(const QStringList &args)
    {
        QProcess p;
        p.start(qEnvironmentVariable("EDANAS_CLI"), args);
        if (!p.waitForFinished(120000))
            return {-1, {}, QStringLiteral("timed out")};
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!qEnvironmentVariable("EDANAS_CLI").isEmpty());
        edanas::test::writeIdxDataset((m_dir.path() + "/set").toStdString(), 3, 20, 2, 6, 6, true);
    }

    void helpAndVersion()
    {
        auto r = run({"--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("dataset info"));
        r = run({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("edanas 0."));
        r = run({});
        QCOMPARE(r.code, 2);
        r = run({"frobnicate"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown command 'frobnicate'"));
    }

    void datasetInfo()
    {
        auto r = run({"dataset", "info", m_dir.path() + "/set", "--json"});
        QCOMPARE(r.code, 0);
        const auto o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["format"].toString(), QStringLiteral("idx"));
        QCOMPARE(o["training_images"].toInt(), 60);
        QCOMPARE(o["test"].toInt(), 6);
        QCOMPARE(o["height"].toInt(), 6);
        QCOMPARE(o["classes"].toArray().size(), 10);
        QCOMPARE(o["classes"].toArray()[0].toObject()["train"].toInt() + o["classes"].toArray()[0].toObject()["validation"].toInt(), 20);
        QCOMPARE(o["sha256"].toString().size(), 64);
        r = run({"dataset", "info", m_dir.path() + "/set"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("SHA-256"));
        QVERIFY(r.out.contains("6 x 6, 1 channel"));
    }

    void datasetPreview()
    {
        const QString out = m_dir.path() + "/grid.png";
        auto r = run({"dataset", "preview", m_dir.path() + "/set", "--out", out, "--rows", "3", "--columns", "2", "--cell", "32"});
        QCOMPARE(r.code, 0);
        QCOMPARE(QImage(out).width(), 64);
        r = run({"dataset", "preview", m_dir.path() + "/set"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--out"));
    }

    void supernetTrainAndInfo()
    {
        const QString ckpt = m_dir.path() + "/tiny.pt";
        const QStringList train{"supernet", "train", "--space", "tiny", "--data", m_dir.path() + "/set", "--out", ckpt,
                                "--epochs", "1,1,0,0", "--batch-size", "4", "--recalibration-images", "8"};
        // --estimate: the time these settings take here, per phase, and nothing written
        auto r = run(train + QStringList{"--estimate", "--validation-share", "0.25"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(QRegularExpression("training steps at \\d+ images/s \\(largest subnet\\) and \\d+ \\(smallest\\)")
                     .match(r.out).hasMatch(),
                 qPrintable(r.out));
        QVERIFY(r.out.contains("  largest    1 epochs") && r.out.contains("  kernel     1 epochs"));
        QVERIFY(!r.out.contains("depth"));
        QVERIFY(r.out.contains("in all (the evaluation after each epoch comes on top)"));
        QVERIFY(!QFile::exists(ckpt));
        r = run(train);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("epoch 2/2 (kernel 1)"));
        QVERIFY(r.out.contains("largest  s1.b1"));
        r = run({"supernet", "info", ckpt});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("complete, 2 of 2 epochs"));
        QVERIFY(r.out.contains("tiny: 1 input channel(s), 10 classes"));
        r = run({"supernet", "eval", ckpt, "--data", m_dir.path() + "/set", "--recalibration-images", "8"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("largest (d2,2,2,2,2"));
        QVERIFY(r.out.contains("final"));
        QVERIFY(r.out.contains("%"));
        // one line of JSON per subnet: every exit position of the any-block space, the head last
        r = run({"supernet", "eval", ckpt, "--data", m_dir.path() + "/set", "--recalibration-images", "8", "--json",
                 "--subnet", "smallest", "--split", "test"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.count('\n'), 1);
        {
            QJsonParseError error;
            const auto o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(r.out));
            QCOMPARE(o.keys(), QStringList{"exits"});
            const auto exits = o["exits"].toArray();
            QCOMPARE(exits.size(), 4 * 1 + 1); // tiny's smallest: depth 1 in stages 1-4, then the head
            QCOMPARE(exits.first().toObject()["position"].toString(), QStringLiteral("s1.b1"));
            QCOMPARE(exits.last().toObject()["position"].toString(), QStringLiteral("final"));
            double lastMacs = 0;
            for (const auto &e : exits) {
                const auto x = e.toObject();
                QVERIFY(x["macs"].toDouble() > lastMacs || x["position"].toString() == "final");
                lastMacs = x["macs"].toDouble();
                // 6 test images: a multiple of 1/6
                const double acc = x["accuracy"].toDouble();
                QVERIFY(acc >= 0.0 && acc <= 1.0);
                QVERIFY(std::abs(acc * 6 - std::round(acc * 6)) < 1e-9);
            }
        }
        r = run({"supernet", "eval", ckpt, "--data", m_dir.path() + "/set", "--json", "--subnet", "largest",
                 "--subnet", "smallest"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--json describes one subnet"));
        r = run({"supernet", "eval", ckpt, "--data", m_dir.path() + "/set", "--split", "train"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--split takes validation or test"));
        // the best exits of one backbone, from its profile
        r = run({"supernet", "exits", ckpt, "--data", m_dir.path() + "/set", "--recalibration-images", "8",
                 "--subnet", "smallest"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("each position alone: s1.b1"));
        QVERIFY(r.out.contains("non-dominated exit configurations"));
        QVERIFY(r.out.contains("final"));
        r = run({"supernet", "exits", ckpt, "--data", m_dir.path() + "/set", "--rule", "softmax"});
        QCOMPARE(r.code, 2);
        // a checkpoint is only evaluated on the data set it was trained on
        edanas::test::writeIdxDataset((m_dir.path() + "/other").toStdString(), 3, 20, 2, 6, 6, false);
        QFile::remove(m_dir.path() + "/other/t10k-images-idx3-ubyte");
        QFile::remove(m_dir.path() + "/other/t10k-labels-idx1-ubyte");
        r = run({"supernet", "eval", ckpt, "--data", m_dir.path() + "/other"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("was trained on the data set"));
        // the finished checkpoint is kept, not overwritten
        r = run(train);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(ckpt + ": already holds a finished training"));
        // bad values
        r = run({"supernet", "train", "--space", "tiny", "--data", m_dir.path() + "/set", "--out", ckpt, "--epochs", "1,2"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--epochs takes four counts"));
        r = run({"supernet", "train", "--space", m_dir.path() + "/nospace.json", "--out", m_dir.path() + "/x.pt"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("nospace.json: does not exist"));
        r = run({"supernet", "train", "--space", "tiny", "--data", m_dir.path() + "/set", "--out", m_dir.path() + "/y.pt", "--batch-size", "500"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("fewer than one batch"));
        r = run({"supernet", "info", m_dir.path() + "/set/train-images-idx3-ubyte.gz"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("corrupt or truncated"));
    }

    void evalJsonOnTheShippedSupernet()
    {
        // the shipped supernet on 300 Fashion-MNIST test images
        auto r = run({"supernet", "eval", "--json", "--split", "test", "--images", "300", "--recalibration-images",
                      "300"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.out.count('\n'), 1);
        const auto exits = QJsonDocument::fromJson(r.out.toUtf8()).object()["exits"].toArray();
        QVERIFY(exits.size() >= 2);
        const auto head = exits.last().toObject();
        QCOMPARE(head["position"].toString(), QStringLiteral("final"));
        double lastMacs = 0;
        for (const auto &e : exits) {
            const auto x = e.toObject();
            if (x["position"].toString() != "final") // cumulative: backbone to the exit plus the exit
                QVERIFY(x["macs"].toDouble() > lastMacs);
            lastMacs = x["macs"].toDouble();
            QVERIFY2(x["accuracy"].toDouble() > 0.6 && x["accuracy"].toDouble() <= 1.0, qPrintable(r.out)); // 10 classes
        }
    }

    void searchAndStudy()
    {
        // the tiny supernet trained above, on its own little data set
        const QString ckpt = m_dir.path() + "/tiny.pt";
        const QString study = m_dir.path() + "/run.edanas";
        const QStringList search{"search", "--data", m_dir.path() + "/set", "--supernet", ckpt, "--encoding", "edanas",
                                 "--population", "4", "--generations", "200", "--stall", "0", "--validation-images", "0",
                                 "--recalibration-images", "8", "--study", study};
        QProcess p;
        p.start(qEnvironmentVariable("EDANAS_CLI"), search);
        QVERIFY(p.waitForStarted());
        QByteArray out;
        // a progress line per generation; Ctrl-C stops after the current candidate
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("generation   1  front"), 120000);
        QVERIFY(out.contains("hypervolume"));
        QVERIFY(out.contains("candidates/min"));
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        out += p.readAllStandardOutput();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(out.contains("--resume continues it"));

        // the study exists: a new search refuses it, --resume continues it
        auto r = run(search);
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("use --resume"));
        // the resumed search goes on from the generation after the last one it finished
        // (the interrupt lands a few generations after the one waited for: the tiny
        // search runs many generations a second)
        int last = -1;
        for (const QByteArray &line : out.split('\n'))
            if (line.startsWith("generation "))
                last = std::max(last, line.mid(11, 3).trimmed().toInt());
        QVERIFY(last >= 1);
        const QByteArray next = QByteArray("generation ") + QByteArray::number(last + 1).rightJustified(3, ' ');
        r = run(search + QStringList{"--resume", "--generations", QString::number(last + 3)});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const bool exhausted = r.out.contains("exhausted") && !r.out.contains(QString::fromLatin1(next));
        QVERIFY2(r.out.contains(QString::fromLatin1(next)) || exhausted, qPrintable(r.out));
        QVERIFY(!r.out.contains(QString::fromLatin1(QByteArray("generation ")
                                                    + QByteArray::number(last).rightJustified(3, ' ') + "  front")));

        r = run({"study", "show", study});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("encoding edanas"));
        QVERIFY(exhausted || r.out.contains(QString::fromLatin1(next) + ": hypervolume"));
        QVERIFY(r.out.contains("front ("));
        r = run({"study", "export", study, "--out", m_dir.path() + "/all.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile csv(m_dir.path() + "/all.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QVERIFY(lines.first().startsWith("id,generation,hash,accuracy,macs_true,macs_paper"));
        QVERIFY(lines.size() >= 1 + 4); // at least generation 0 (a small space: how many more depends on where the interrupt landed)
        r = run({"study", "export", study, "--front", "--out", m_dir.path() + "/front.json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile json(m_dir.path() + "/front.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto front = QJsonDocument::fromJson(json.readAll()).array();
        QVERIFY(!front.isEmpty());
        for (const auto &c : front)
            QVERIFY(c.toObject().value("on_front").toBool());

        // the microcontroller SRAM ceiling and objective (KiB on the command line, bytes in
        // the study), under their names and their old ones; candidates over the ceiling
        // are infeasible, the others are not
        const QStringList small{"search", "--data", m_dir.path() + "/set", "--supernet", ckpt, "--encoding", "edanas",
                                "--population", "4", "--generations", "1", "--stall", "0", "--validation-images", "0",
                                "--recalibration-images", "8", "--final-validation-images", "-1"};
        r = run({"search", "--help"});
        QVERIFY(r.out.contains("--max-sram-kib <K>") && r.out.contains("--objective-sram"));
        QVERIFY(r.out.contains("docs/DEPLOY.md"));
        for (const auto &[names, kib] : {std::pair{QStringList{"--max-sram-kib", "--objective-sram"}, 2.5},
                                         std::pair{QStringList{"--max-peak-kib", "--objective-peak-memory"}, 1.25}}) {
            const QString file = m_dir.path() + "/sram" + names[0] + ".edanas";
            r = run(small + QStringList{names[0], QString::number(kib), names[1], "--study", file});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            r = run({"study", "show", file});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const auto line = r.out.section("configuration ", 1, 1).section('\n', 0, 0);
            const auto config = QJsonDocument::fromJson(line.toUtf8()).object();
            QVERIFY2(!config.isEmpty(), qPrintable(r.out));
            QCOMPARE(config.value("max_sram_bytes").toDouble(), kib * 1024);
            QCOMPARE(config.value("objective_sram").toBool(), true);
            QVERIFY(r.out.contains("SRAM KiB") && r.out.contains("flash KiB"));
            r = run({"study", "export", file, "--out", file + ".json"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile all(file + ".json");
            QVERIFY(all.open(QIODevice::ReadOnly));
            const auto rows = QJsonDocument::fromJson(all.readAll()).array();
            QVERIFY(!rows.isEmpty());
            for (const auto &row : rows) {
                const auto c = row.toObject();
                QVERIFY(c.value("sram_bytes").toDouble() > 0);
                QVERIFY(c.value("flash_bytes").toDouble() > 0);
                QCOMPARE(c.value("violation").toDouble() == 0.0, c.value("sram_bytes").toDouble() <= kib * 1024);
            }
        }
        r = run(small + QStringList{"--max-sram-kib", "8", "--max-peak-kib", "8", "--study", m_dir.path() + "/two.edanas"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--max-sram-kib and --max-peak-kib are one option"), qPrintable(r.err));
        r = run(small + QStringList{"--max-sram-kib", "lots", "--study", m_dir.path() + "/lots.edanas"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--max-sram-kib must be a number"), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.path() + "/two.edanas") && !QFile::exists(m_dir.path() + "/lots.edanas"));

        // the static encoding: backbones alone (average MACs = static MACs, no exit), the
        // baseline `study show --static` and `study plot --static` compare a front with
        {
            auto withEncoding = [&](const QString &encoding, const QString &file) {
                QStringList args = small;
                args[args.indexOf("--encoding") + 1] = encoding;
                return args + QStringList{"--study", file};
            };
            const QString ee = m_dir.path() + "/ee.edanas", st = m_dir.path() + "/static.edanas";
            r = run(withEncoding("studio", ee));
            QVERIFY2(r.code == 0, qPrintable(r.err));
            r = run(withEncoding("static", st));
            QVERIFY2(r.code == 0, qPrintable(r.err));
            r = run({"study", "export", st, "--out", st + ".json"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile all(st + ".json");
            QVERIFY(all.open(QIODevice::ReadOnly));
            const auto rows = QJsonDocument::fromJson(all.readAll()).array();
            QVERIFY(rows.size() >= 4);
            for (const auto &row : rows) {
                const auto c = row.toObject();
                QCOMPARE(c.value("macs_true").toDouble(), c.value("static_macs").toDouble());
                QCOMPARE(c.value("macs_paper").toDouble(), c.value("static_macs").toDouble());
            }
            r = run({"study", "show", ee, "--static", st});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains("and the baseline studies' candidates") || !r.out.contains("early exits against"),
                     qPrintable(r.out));
            r = run({"study", "plot", ee, "--figure", "front", "--static", st, "--out", m_dir.path() + "/fronts.png"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY(QFileInfo(m_dir.path() + "/fronts.png").size() > 1000);
            // a baseline searched on another supernet is refused, naming it
            const QString other = m_dir.path() + "/shipped-static.edanas";
            r = run({"search", "--encoding", "static", "--population", "2", "--generations", "1", "--stall", "0",
                     "--validation-images", "64", "--recalibration-images", "32", "--final-validation-images", "-1",
                     "--study", other});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            for (const QString &command : {QStringLiteral("show"), QStringLiteral("plot")}) {
                QStringList args{"study", command, ee, "--static", other};
                if (command == QLatin1String("plot"))
                    args << "--out" << m_dir.path() + "/never.png";
                r = run(args);
                QCOMPARE(r.code, 2);
                QVERIFY2(r.err.contains(other + ": searched another supernet"), qPrintable(r.err));
            }
            QVERIFY(!QFile::exists(m_dir.path() + "/never.png"));

            // `study compare`: the two fronts over one reference, and a plot of them
            r = run({"study", "compare", ee, st, "--out", m_dir.path() + "/compare.png"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains("  A  " + ee + ": supernet ") && r.out.contains("  B  " + st + ": supernet "),
                     qPrintable(r.out));
            QVERIFY(r.out.contains("encoding static"));
            const auto share = [&r](const QString &label) {
                const auto m = QRegularExpression("\\n  " + label + "  (\\d\\.\\d{4})\\n").match(r.out);
                return m.hasMatch() ? m.captured(1).toDouble() : -1.0;
            };
            const auto together = QRegularExpression("all together (\\d\\.\\d{4})").match(r.out);
            QVERIFY2(share("A") >= 0.0 && share("B") >= 0.0 && together.hasMatch(), qPrintable(r.out));
            QVERIFY(together.captured(1).toDouble() >= std::max(share("A"), share("B")) - 1e-4);
            QVERIFY(together.captured(1).toDouble() <= 1.0);
            QVERIFY(QFileInfo(m_dir.path() + "/compare.png").size() > 1000);
            // refused: one study, a study of another data set, a malformed reference
            r = run({"study", "compare", ee});
            QCOMPARE(r.code, 2);
            r = run({"study", "compare", ee, other, "--out", m_dir.path() + "/never.png"});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(other + ": measured on another data set"), qPrintable(r.err));
            r = run({"study", "compare", ee, st, "--reference", "ten,85"});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains("--reference must be MMACS,ACCURACY"), qPrintable(r.err));
            r = run({"study", "compare", ee, st, "--reference", "10,85"});
            QVERIFY2(r.code == 0 && r.out.contains("reference 10.000 MMACs, 85.00 % (given)"), qPrintable(r.out + r.err));
            QVERIFY(!QFile::exists(m_dir.path() + "/never.png"));
        }

        // NACHOS thresholds need NACHOS exit classifiers: refused, nothing written
        r = run({"search", "--data", m_dir.path() + "/set", "--supernet", ckpt, "--encoding", "nachos", "--study",
                 m_dir.path() + "/nachos.edanas"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the nachos encoding needs NACHOS exit classifiers"), qPrintable(r.err));
        QVERIFY(r.err.contains("\"classifier\": \"nachos\""));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(!QFile::exists(m_dir.path() + "/nachos.edanas"));

        // bad input
        r = run({"study", "show", m_dir.path() + "/set/train-labels-idx1-ubyte.gz"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("train-labels-idx1-ubyte.gz"));
        r = run({"search", "--study", m_dir.path() + "/x.edanas", "--encoding", "genetic"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown encoding 'genetic'"));
        r = run({"search", "--study", m_dir.path() + "/x.edanas", "--population", "1"});
        QCOMPARE(r.code, 2);
        r = run({"study", "export", study, "--out", m_dir.path() + "/x.txt"});
        QCOMPARE(r.code, 2);
    }

    // A search into a study on a PostgreSQL server (a throw-away one), resumed there,
    // copied to a file and back; the URL's password is printed nowhere.
    void searchOnPostgres()
    {
        std::string error;
        const auto pg = edanas::test::PgCluster::tryStart(&error);
        QVERIFY2(pg, error.c_str());
        const QString ckpt = m_dir.path() + "/tiny.pt";
        const QString url = QString::fromStdString(pg->url("cli", true));
        const QString shown = QString::fromStdString(pg->url("cli"));
        const QString secret = QString::fromLatin1(edanas::test::PgCluster::password());
        qunsetenv("PGPASSWORD"); // the URL's password only
        QStringList search{"search", "--data", m_dir.path() + "/set", "--supernet", ckpt, "--encoding", "edanas",
                           "--population", "4", "--generations", "2", "--stall", "0", "--validation-images", "0",
                           "--recalibration-images", "8", "--final-validation-images", "-1", "--study", url};
        auto r = run(search);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("generation   1  front"));
        QVERIFY(r.out.contains("done: " + shown));
        search[search.indexOf("2")] = "3";
        r = run(search + QStringList{"--resume"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("generation   2  front"));
        QVERIFY(!r.out.contains(secret) && !r.err.contains(secret));

        // a new search refuses the existing study, naming it without the password
        search.removeLast();
        search << url;
        r = run(search);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(shown + ": already exists"), qPrintable(r.err));
        QVERIFY(!r.err.contains(secret));

        const QString file = m_dir.path() + "/from-server.edanas";
        r = run({"study", "copy", url, file});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!r.out.contains(secret));
        const QString url2 = QString::fromStdString(pg->url("cliback", true));
        r = run({"study", "copy", file, url2});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto a = run({"study", "show", url}), b = run({"study", "show", file}), c = run({"study", "show", url2});
        QVERIFY2(a.code == 0 && b.code == 0 && c.code == 0, qPrintable(a.err + b.err + c.err));
        QVERIFY(a.out.contains("generation   2: hypervolume"));
        // everything after the first line (the study's name) is the same
        const auto body = [](const QString &out) { return out.mid(out.indexOf('\n')); };
        QCOMPARE(body(b.out), body(a.out));
        QCOMPARE(body(c.out), body(a.out));
        QVERIFY(!a.out.contains(secret) && !c.out.contains(secret));
        r = run({"study", "copy", file, url2});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("already exists"));
        r = run({"study", "show", "postgresql:///postgres?study=x&host=" + pg->socketDir() + "/none"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot be reached"), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }

    // A distributed search on a throw-away PostgreSQL server: a coordinator that measures
    // nothing itself, a worker killed with SIGKILL while it holds a candidate, another
    // worker that takes over once the lease runs out, the coordinator killed after a
    // generation and resumed. In the end every task has exactly one candidate, the killed
    // worker's candidate was measured once (by the other worker), and nothing is stored twice.
    void distributedWorkers()
    {
        std::string error;
        const auto pg = edanas::test::PgCluster::tryStart(&error);
        QVERIFY2(pg, error.c_str());
        const QString ckpt = m_dir.path() + "/tiny.pt";
        const QString url = QString::fromStdString(pg->url("dist", true));
        const QString schema = QStringLiteral("edanas_dist");
        auto sql = [&](const QString &q) { return pg->scalar(q.arg(schema)); };
        const QStringList coordinator{"search", "--data", m_dir.path() + "/set", "--supernet", ckpt, "--encoding",
                                      "edanas", "--population", "6", "--stall", "0", "--validation-images", "0",
                                      "--recalibration-images", "8", "--final-validation-images", "-1",
                                      "--local-workers", "0", "--lease-seconds", "3", "--study", url};
        const QStringList worker{"worker", "--study", url, "--threads", "1", "--poll-seconds", "0.05"};
        auto start = [](const QStringList &args) {
            auto p = std::make_unique<QProcess>();
            p->start(qEnvironmentVariable("EDANAS_CLI"), args);
            return p;
        };
        auto waitFor = [](const std::function<bool()> &done, int ms) {
            QElapsedTimer t;
            t.start();
            while (!done()) {
                if (t.elapsed() > ms)
                    return false;
                QTest::qWait(5);
            }
            return true;
        };
        auto tasksTable = [&] { return !sql("SELECT to_regclass('%1.tasks')").isEmpty(); };
        auto name = [](const QProcess &p) { return QStringLiteral("worker@%:") + QString::number(p.processId()); };

        auto coord = start(coordinator + QStringList{"--generations", "2"});
        QVERIFY2(waitFor([&] { return tasksTable() && sql("SELECT count(*) FROM %1.tasks").toInt() > 0; }, 60000),
                 qPrintable(coord->readAllStandardError()));
        // worker A: killed while it holds a claim (it claims the next task as soon as it
        // stores one, so it nearly always holds one while tasks are pending)
        QString killedTask;
        for (int attempt = 0; attempt < 5 && killedTask.isEmpty(); ++attempt) {
            auto a = start(worker);
            const QString claimedByA =
                "SELECT id FROM %1.tasks WHERE state = 1 AND worker LIKE '" + name(*a) + "' ORDER BY id LIMIT 1";
            QVERIFY2(waitFor([&] { return !sql(claimedByA).isEmpty(); }, 60000), qPrintable(a->readAllStandardError()));
            ::kill(pid_t(a->processId()), SIGKILL);
            QVERIFY(a->waitForFinished(10000));
            killedTask = sql(claimedByA); // still claimed by the dead worker: it died mid-candidate
        }
        QVERIFY2(!killedTask.isEmpty(), "the worker never died holding a task");
        QCOMPARE(sql("SELECT claims FROM %1.tasks WHERE id = " + killedTask), QStringLiteral("1"));

        auto b = start(worker);
        const qint64 bPid = b->processId();
        // the coordinator, killed once generation 0 is recorded, resumed for 3 generations
        QVERIFY2(waitFor([&] { return sql("SELECT count(*) FROM %1.generations").toInt() >= 1; }, 60000),
                 qPrintable(b->readAllStandardError()));
        ::kill(pid_t(coord->processId()), SIGKILL);
        QVERIFY(coord->waitForFinished(10000));
        coord = start(coordinator + QStringList{"--generations", "3", "--resume"});
        QVERIFY2(coord->waitForFinished(120000), "the resumed coordinator did not finish");
        const QString out = QString::fromUtf8(coord->readAllStandardOutput());
        QVERIFY2(coord->exitCode() == 0, qPrintable(coord->readAllStandardError()));
        QVERIFY(out.contains("generation   2  front"));
        // the worker leaves by itself once the coordinator says the search has finished
        QVERIFY(b->waitForFinished(30000));
        QCOMPARE(b->exitCode(), 0);
        QVERIFY(QString::fromUtf8(b->readAllStandardOutput()).contains("the search has finished"));

        // the killed worker's task went to the other worker once its lease ran out
        QCOMPARE(sql("SELECT state FROM %1.tasks WHERE id = " + killedTask), QStringLiteral("2"));
        QCOMPARE(sql("SELECT claims FROM %1.tasks WHERE id = " + killedTask), QStringLiteral("2"));
        QVERIFY(sql("SELECT worker FROM %1.tasks WHERE id = " + killedTask).endsWith(":" + QString::number(bPid)));
        // every task done, each with a stored candidate; every candidate stored once
        QCOMPARE(sql("SELECT count(*) FROM %1.tasks WHERE state <> 2"), QStringLiteral("0"));
        QCOMPARE(sql("SELECT count(*) FROM %1.tasks t LEFT JOIN %1.candidates c ON c.id = t.candidate_id"
                     " WHERE c.id IS NULL"),
                 QStringLiteral("0"));
        QCOMPARE(sql("SELECT count(*) FROM %1.candidates"), sql("SELECT count(DISTINCT candidate_id) FROM %1.tasks"));
        QCOMPARE(sql("SELECT count(*) FROM %1.candidates"), sql("SELECT count(DISTINCT genome_hash) FROM %1.candidates"));
        QVERIFY(sql("SELECT count(*) FROM %1.tasks").toInt() >= 6);
        QCOMPARE(sql("SELECT count(DISTINCT generation) FROM %1.generations"), QStringLiteral("3"));
        // the workers stored each candidate's exit profile with it
        QVERIFY(sql("SELECT count(*) FROM %1.profiles").toInt() >= 1);

        // a worker given another supernet is refused, naming what differs
        const QString other = m_dir.path() + "/other.pt";
        QVERIFY(QFile::copy(ckpt, other));
        {
            QFile f(other);
            QVERIFY(f.open(QIODevice::Append));
            f.write("x");
        }
        auto r = run({"worker", "--study", url, "--supernet", other});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("was made with another supernet than " + other), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(!r.err.contains(QString::fromLatin1(edanas::test::PgCluster::password())));
    }

    // `study steer` reaches a search running in another process through its study.
    void steerAHeadlessSearch()
    {
        const QString study = m_dir.path() + "/steered.edanas";
        QProcess search;
        search.start(qEnvironmentVariable("EDANAS_CLI"),
                     // the shipped supernet on the default data: the tiny space would be exhausted at once
                     {"search", "--population", "4", "--generations", "100000", "--stall", "0", "--validation-images",
                      "200", "--recalibration-images", "100", "--final-validation-images", "-1", "--study", study});
        QVERIFY(search.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(run({"study", "show", study}).code == 0, 60000); // a study, not only a file
        auto r = run({"study", "steer", study, "pause"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("(pause) written to " + study));
        r = run({"study", "steer", study, "constraints", "--max-macs", "0.5", "--min-accuracy", "10"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({"study", "steer", study, "pin", "--candidate", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // applied by the running search in order, even while paused
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT((out += QString::fromUtf8(search.readAllStandardOutput()))
                                     .contains("steered from another process: pin"),
                                 30000);
        QVERIFY(out.indexOf("steered from another process: pause")
                < out.indexOf("steered from another process: constraints"));
        r = run({"study", "steer", study, "stop"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(search.waitForFinished(60000));
        QCOMPARE(search.exitCode(), 130);
        out += QString::fromUtf8(search.readAllStandardOutput());
        QVERIFY(out.contains("steered from another process: stop"));
        QVERIFY(!out.contains("refused"));
        // refusals: one line, exit 2
        r = run({"study", "steer", study, "frobnicate"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown request 'frobnicate'"));
        r = run({"study", "steer", study, "pin"});
        QCOMPARE(r.code, 2);
        r = run({"study", "steer", study, "constraints"});
        QCOMPARE(r.code, 2);
        r = run({"study", "steer", study, "ban", "--candidate", "99999"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("holds no candidate 99999"));
    }

    void exportModel()
    {
        // the front's most accurate candidate of the study searched above, as a
        // standalone network, checked with OpenCV on the test split
        const QString study = m_dir.path() + "/run.edanas";
        const QString out = m_dir.path() + "/model";
        auto r = run({"export-model", study, "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("verification passed"));
        QVERIFY(r.out.contains("final_logits   100.0000 %"));
        for (const char *f : {"/model.pt", "/model.json", "/model.onnx", "/verification.json"})
            QVERIFY2(QFile::exists(out + f), f);
        QFile json(out + "/model.json");
        QVERIFY(json.open(QIODevice::ReadOnly));
        const auto model = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(model.value("format").toString(), QStringLiteral("edanas-eenn"));
        const int candidate = model.value("provenance").toObject().value("candidate").toInt();
        QVERIFY(candidate > 0);
        // the files are not replaced without --overwrite; bad values
        r = run({"export-model", study, "--out", out});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(out + ": already holds model.pt, model.json, model.onnx, verification.json"));
        r = run({"export-model", study, "--out", out, "--overwrite", "--no-onnx", "--no-verify", "--candidate",
                 QString::number(candidate)});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QFile::exists(out + "/model.onnx")); // not left stale beside the new files
        r = run({"export-model", study, "--out", m_dir.path() + "/m2", "--candidate", "99999"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(study + ": has no candidate 99999"));
        QVERIFY(!QFile::exists(m_dir.path() + "/m2"));
        r = run({"export-model", study});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--out is required"));
        r = run({"export-model", study, "--out", out, "--candidate", "x"});
        QCOMPARE(r.code, 2);

        // fine-tuned first: progress, the figures before and after, the same checks
        const QString tuned = m_dir.path() + "/tuned";
        r = run({"export-model", study, "--out", tuned, "--fine-tune", "2", "--fine-tune-batch-size", "8", "--lr",
                 "0.005"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("epoch 2/2  batch"), qPrintable(r.out));
        QVERIFY(r.out.contains("fine-tuned 2 epoch(s)"));
        QVERIFY(r.out.contains("before  accuracy") && r.out.contains("after   accuracy"));
        QVERIFY(r.out.contains("verification passed"));
        QFile tunedJson(tuned + "/model.json");
        QVERIFY(tunedJson.open(QIODevice::ReadOnly));
        const auto tunedModel = QJsonDocument::fromJson(tunedJson.readAll()).object();
        QCOMPARE(tunedModel.value("fine_tuning").toObject().value("options").toObject().value("epochs").toInt(), 2);
        r = run({"export-model", study, "--out", m_dir.path() + "/m3", "--lr", "0.1"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("need --fine-tune"));
        r = run({"export-model", study, "--out", m_dir.path() + "/m3", "--fine-tune", "0"});
        QCOMPARE(r.code, 2);
        QVERIFY(!QFile::exists(m_dir.path() + "/m3"));
    }

    void ctrlCKeepsTheLastEpochAndResumes()
    {
        const QString ckpt = m_dir.path() + "/interrupted.pt";
        const QStringList train{"supernet", "train", "--space", "tiny", "--data", m_dir.path() + "/set", "--out", ckpt,
                                "--epochs", "1,30,0,0", "--batch-size", "4", "--recalibration-images", "8"};
        QProcess p;
        p.start(qEnvironmentVariable("EDANAS_CLI"), train);
        QVERIFY(p.waitForStarted());
        QByteArray out;
        // wait until the first epoch is written, then press Ctrl-C
        QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("epoch 1/31 (largest 1)"), 120000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        out += p.readAllStandardOutput();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(out.contains("Interrupted"));
        auto r = run({"supernet", "info", ckpt});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("unfinished"));
        // only the same options resume it (tst_trainer checks the resumed run is exact)
        QStringList shorter = train;
        shorter[shorter.indexOf("1,30,0,0")] = "1,1,0,0";
        r = run(shorter);
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("another configuration"));
    }

    void errorsNameTheFile()
    {
        auto r = run({"dataset", "info", m_dir.path() + "/missing"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(m_dir.path() + "/missing: does not exist"));
        QCOMPARE(r.err.count('\n'), 1); // one message
        r = run({"dataset", "info", m_dir.path() + "/set", "--format", "jpeg"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown data-set format 'jpeg'"));
        r = run({"dataset", "info", m_dir.path() + "/set", "--validation-share", "1.5"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--validation-share"));
        r = run({"dataset", "info", m_dir.path() + "/set", "--image-size", "-3"});
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
