// The chosen network, deployable: a real (small) search on the shipped supernet and
// Fashion-MNIST into a study, then a front candidate exported as model.pt, model.onnx
// and model.json. OpenCV running the ONNX model must predict exactly what LibTorch
// predicts at every exit, the exit rule on its outputs must give exactly the study's
// accuracy, and the LibTorch archive must read back into the same network. Bad input
// gets one message naming the file, and nothing the user had is overwritten.
#include "data/batchloader.h"
#include "eenn/profiler.h"
#include "supernet/loss.h"
#include "export/candidate.h"
#include "export/eennarchive.h"
#include "export/modelexport.h"
#include "export/onnxrunner.h"
#include "export/onnxwriter.h"
#include "runtime.h"

#include "fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace edanas;

namespace {

class Quiet : public search::SearchObserver
{
};

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

/// The Debian python3 with python3-onnx (scripts/setup.sh installs it), or empty.
QString pythonWithOnnx()
{
    QStringList candidates{QStringLiteral("/usr/bin/python3")};
    const auto onPath = QStandardPaths::findExecutable(QStringLiteral("python3"));
    if (!onPath.isEmpty())
        candidates << onPath;
    for (const auto &py : candidates) {
        QProcess p;
        p.start(py, {QStringLiteral("-c"), QStringLiteral("import onnx")});
        if (p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
            return py;
    }
    return {};
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const data::Dataset> m_data;
    std::string m_study;
    study::CandidateRecord m_candidate; ///< a front candidate with exits
    space::Genome m_genome;
    deploy::ExportResult m_export;

    std::string path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }

    deploy::ExportRequest request(const char *out) const
    {
        deploy::ExportRequest r;
        r.studyPath = m_study;
        r.candidateId = m_candidate.id;
        r.outDir = path(out);
        return r;
    }

    /// The message of the exception `fn` throws ("" when none).
    template<typename Fn>
    static std::string errorOf(Fn fn)
    {
        try {
            fn();
        } catch (const std::exception &e) {
            return e.what();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        initTorchThreads();
        QVERIFY2(!supernet::defaultSupernetPath().empty(), "the shipped supernet is missing");
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        m_data = std::make_shared<const data::Dataset>(data::loadDataset(ref));

        // a small real search: EDANAS exits at stage ends, 300 validation images, the
        // final front measured again on 600
        search::SearchEngine::Launch l;
        l.loaded = m_data;
        l.dataset = ref;
        l.checkpointPath = supernet::defaultSupernetPath();
        l.config.encoding = search::EncodingKind::Edanas;
        l.config.population = 6;
        l.config.generations = 1;
        l.config.validationImages = 300;
        l.config.recalibrationImages = 100;
        l.config.finalValidationImages = 600;
        l.config.seed = 5;
        l.studyPath = m_study = path("study.edanas");
        const auto t0 = std::chrono::steady_clock::now();
        {
            auto engine = search::SearchEngine::open(l);
            Quiet quiet;
            engine->run(quiet);
        }
        const auto s = study::Study::open(m_study, true);
        const auto front = s.generations().back().front;
        // the front candidate with exits that is cheapest to run
        bool found = false;
        for (const auto &c : s.candidates()) {
            if (std::find(front.begin(), front.end(), c.id) == front.end())
                continue;
            const auto g = space::Genome::fromJson(c.genomeJson, m_study);
            if (!g.exits.empty() && (!found || c.staticMacs < m_candidate.staticMacs)) {
                m_candidate = c;
                m_genome = g;
                found = true;
            }
        }
        QVERIFY2(found, "no front candidate with an exit");
        qInfo("search: %.1f s; exporting candidate %lld, %s, %.2f %% on 300 images",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              static_cast<long long>(m_candidate.id), m_genome.summary().c_str(), 100.0 * m_candidate.accuracy);
    }

    void exportWritesEveryFileAndVerifies()
    {
        auto r = request("model");
        std::vector<std::string> lines;
        const auto t0 = std::chrono::steady_clock::now();
        r.progress = [&](const std::string &l) {
            lines.push_back(l);
            qInfo("%6.1f s  %s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), l.c_str());
        };
        try {
            m_export = deploy::exportModel(r);
        } catch (const deploy::VerificationFailed &e) {
            QFAIL(e.what());
        }
        const auto &e = m_export;
        qInfo("export: %.1f s, model.onnx %llu bytes, model.pt %llu bytes", e.seconds,
              static_cast<unsigned long long>(e.onnxBytes), static_cast<unsigned long long>(e.torchBytes));
        QVERIFY(!lines.empty());
        QVERIFY(e.verified);
        QVERIFY2(e.passed, e.problems.empty() ? "" : e.problems.front().c_str());
        // (and one model per segment with segments.json: tests/export/tst_int8.cpp checks them)
        QCOMPARE(e.files.size(), std::size_t(5) + e.segmentFiles.size());
        for (const char *f : {"model/model.pt", "model/model.json", "model/model.onnx", "model/verification.json"})
            QVERIFY2(QFile::exists(QString::fromStdString(path(f))), f);
        QVERIFY(e.onnxBytes > 100000 && e.torchBytes > 100000);
        QCOMPARE(e.candidateId, m_candidate.id);
        QVERIFY(!e.edited);
        QCOMPARE(e.exits, int(m_genome.exits.size()));

        // OpenCV against LibTorch, every output, the whole test split: the same class
        QCOMPARE(e.agreement.size(), m_genome.exits.size() + 1);
        for (const auto &a : e.agreement) {
            qInfo("%-14s agreement %.6f, max |logit difference| %.3g", a.name.c_str(), a.argmaxAgreement,
                  a.maxAbsDifference);
            QCOMPARE(a.images, std::int64_t(m_data->test.size()));
            QCOMPARE(a.argmaxDisagreements, std::int64_t(0));
            QVERIFY(a.maxAbsDifference < 1e-3);
        }
        // the exit rule on either route's outputs: exactly the study's accuracy
        QCOMPARE(e.studyAccuracy, m_candidate.accuracy);
        QCOMPARE(e.profileAccuracy, m_candidate.accuracy);
        QVERIFY(e.finalFrontAccuracy.has_value());
        QCOMPARE(e.accuracies.size(), std::size_t(3));
        for (const auto &a : e.accuracies) {
            qInfo("%-26s %5lld images: study %.4f, LibTorch %.4f, OpenCV %.4f", a.images.c_str(),
                  static_cast<long long>(a.count), a.reference, a.libtorch, a.opencv);
            QCOMPARE(a.opencv, a.libtorch);
            QCOMPARE(a.decisionDisagreements, std::int64_t(0));
            QCOMPARE(a.share.size(), m_genome.exits.size() + 1);
        }
        QCOMPARE(e.accuracies[0].count, std::int64_t(300));
        QCOMPARE(e.accuracies[0].libtorch, m_candidate.accuracy);
        QCOMPARE(e.accuracies[1].count, std::int64_t(600));
        QCOMPARE(e.accuracies[1].libtorch, *e.finalFrontAccuracy);
        QCOMPARE(e.accuracies[2].count, std::int64_t(m_data->test.size()));
        QVERIFY(e.accuracies[2].libtorch > 0.6);

        const auto v = readJson(QString::fromStdString(path("model/verification.json")));
        QVERIFY(v.value("passed").toBool());
        QCOMPARE(v.value("agreement_test_split").toArray().size(), int(m_genome.exits.size() + 1));
    }

    void modelJsonDescribesTheNetwork()
    {
        const auto m = readJson(QString::fromStdString(path("model/model.json")));
        QCOMPARE(m.value("format").toString(), QStringLiteral("edanas-eenn"));
        // exits: positions and thresholds exactly the genome's
        const auto exits = m.value("exits").toObject();
        QCOMPARE(exits.value("rule").toString(), QString::fromStdString(space::exitRuleName(m_genome.rule)));
        QCOMPARE(exits.value("classes").toInt(), 10);
        const auto list = exits.value("exits").toArray();
        QCOMPARE(list.size(), int(m_genome.exits.size()));
        for (int i = 0; i < list.size(); ++i) {
            const auto o = list[i].toObject();
            QCOMPARE(o.value("stage").toInt(), m_genome.exits[std::size_t(i)].stage + 1);
            QCOMPARE(o.value("block").toInt(), m_genome.exits[std::size_t(i)].block + 1);
            QCOMPARE(o.value("threshold").toDouble(), m_genome.exits[std::size_t(i)].threshold);
            QCOMPARE(o.value("output").toString(), QStringLiteral("exit%1_logits").arg(i));
        }
        QCOMPARE(exits.value("final_output").toString(), QStringLiteral("final_logits"));
        QCOMPARE(space::Genome::fromJson(QJsonDocument(m.value("genome").toObject()).toJson().toStdString(), "model.json"),
                 m_genome);
        // input: size and normalisation of the checkpoint
        const auto in = m.value("input").toObject();
        QCOMPARE(in.value("height").toInt(), m_genome.resolution);
        QCOMPARE(in.value("channels").toInt(), 1);
        const auto info = supernet::readCheckpointInfo(supernet::defaultSupernetPath());
        QCOMPARE(float(in.value("mean").toArray()[0].toDouble()), info.mean[0]);
        QCOMPARE(float(in.value("std").toArray()[0].toDouble()), info.std[0]);
        // architecture and provenance
        const auto arch = m.value("architecture").toObject();
        const auto blocks = arch.value("blocks").toArray();
        QVERIFY(blocks.size() >= 2 + 10); // stem, first, at least 2 blocks in each of 5 stages, head
        QCOMPARE(arch.value("static_macs").toDouble(), m_candidate.staticMacs);
        const auto prov = m.value("provenance").toObject();
        QCOMPARE(prov.value("candidate").toInt(), int(m_candidate.id));
        QCOMPARE(prov.value("study").toString(), QString::fromStdString(m_study));
        const auto s = study::Study::open(m_study, true);
        QCOMPARE(prov.value("checkpoint_hash").toString(), QString::fromStdString(s.info().checkpointHash));
        QCOMPARE(prov.value("dataset_hash").toString(), QString::fromStdString(s.info().datasetHash));
        const auto fig = m.value("figures").toObject();
        QCOMPARE(fig.value("accuracy").toDouble(), m_candidate.accuracy);
        QCOMPARE(fig.value("macs_true").toDouble(), m_candidate.macsTrue);
        QVERIFY(fig.contains("final_front"));
        QCOMPARE(m.value("outputs").toArray().size(), int(m_genome.exits.size() + 1));
    }

    void onnxPassesTheCheckers()
    {
        const auto onnx = path("model/model.onnx");
        const auto problem = deploy::checkOnnxFile(onnx);
        QVERIFY2(problem.empty(), problem.c_str());
        // ONNX's own Python checker, full check; scripts/setup.sh installs python3-onnx
        const QString py = pythonWithOnnx();
        QVERIFY2(!py.isEmpty(), "no python3 with the onnx module: install python3-onnx (scripts/setup.sh does)");
        QProcess p;
        p.start(py, {QStringLiteral("-c"),
                     QStringLiteral("import json, sys, onnx\n"
                                    "m = onnx.load(sys.argv[1])\n"
                                    "onnx.checker.check_model(m, full_check=True)\n"
                                    "print(json.dumps({'outputs': [o.name for o in m.graph.output],\n"
                                    "  'opset': m.opset_import[0].version,\n"
                                    "  'meta': {p.key: p.value for p in m.metadata_props}}))\n"),
                     QString::fromStdString(onnx)});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        const auto outputs = o.value("outputs").toArray();
        QCOMPARE(outputs.size(), int(m_genome.exits.size() + 1));
        QCOMPARE(outputs.first().toString(), QStringLiteral("exit0_logits"));
        QCOMPARE(outputs.last().toString(), QStringLiteral("final_logits"));
        QCOMPARE(o.value("opset").toInt(), deploy::onnxOpset());
        const auto exits = QJsonDocument::fromJson(o.value("meta").toObject().value("edanas.exits").toString().toUtf8())
                               .object()
                               .value("exits")
                               .toArray();
        QCOMPARE(exits.size(), int(m_genome.exits.size()));
        QCOMPARE(exits[0].toObject().value("threshold").toDouble(), m_genome.exits[0].threshold);
    }

    void archiveReadsBackIntoTheSameNetwork()
    {
        // the network the study measured, rebuilt independently of the export
        deploy::CandidateSource source;
        source.studyPath = m_study;
        source.candidateId = m_candidate.id;
        auto p = deploy::prepareCandidate(source, deploy::Steps(source));
        auto reference = deploy::extractNetwork(p, m_genome);
        std::vector<std::int64_t> idx;
        for (std::int64_t i = 0; i < 64; ++i)
            idx.push_back(i * 37);
        const auto x = data::makeImages(m_data->test, idx.data(), idx.size(), p.preprocess());
        c10::InferenceMode guard;
        const auto want = reference->forward(x);

        // 1. the loader
        deploy::EennArchiveInfo info;
        auto loaded = deploy::loadEennArchive(path("model/model.pt"), &info);
        QCOMPARE(space::Genome::fromJson(info.genomeJson, "model.pt"), m_genome);
        QCOMPARE(info.mean, p.checkpoint.mean);
        // 2. by hand, as model.json says: a network from the space and the genome, folded, torch::load
        const auto m = readJson(QString::fromStdString(path("model/model.json")));
        const auto space = space::SearchSpace::fromJson(
            QJsonDocument(m.value("space").toObject()).toJson().toStdString(), "model.json");
        const auto genome = space::Genome::fromJson(
            QJsonDocument(m.value("genome").toObject()).toJson().toStdString(), "model.json");
        supernet::Supernet skeleton(space);
        supernet::StaticEenn byHand(*skeleton, genome);
        byHand->fuseBatchNorm();
        torch::load(byHand, path("model/model.pt"));
        byHand->eval();
        // 3. OpenCV, from model.onnx
        deploy::OnnxRunner onnx(path("model/model.onnx"), m_export.outputs);
        const auto cv = onnx.run(x);
        for (auto *net : {&loaded, &byHand}) {
            const auto got = (*net)->forward(x);
            QCOMPARE(got.exits.size(), want.exits.size());
            for (std::size_t e = 0; e < want.exits.size(); ++e)
                QCOMPARE(maxDiff(got.exits[e], want.exits[e]), 0.0);
            QCOMPARE(maxDiff(got.final, want.final), 0.0);
            const auto a = (*net)->infer(x);
            const auto b = reference->infer(x);
            QVERIFY(torch::equal(a.predictions, b.predictions));
            QVERIFY(torch::equal(a.exitIndex, b.exitIndex));
        }
        for (std::size_t e = 0; e < want.exits.size(); ++e)
            QVERIFY(maxDiff(cv.exits[e], want.exits[e]) < 1e-3);
        QVERIFY(maxDiff(cv.final, want.final) < 1e-3);
    }

    // An exported model.pt with 256 bytes inverted inside one weight tensor: refused by
    // the archive's CRC-32s and, made consistent again, by the tensor's digest.
    void damagedArchiveIsRefused()
    {
        const std::string damaged = path("damaged-model.pt");
        QVERIFY(QFile::copy(QString::fromStdString(path("model/model.pt")), QString::fromStdString(damaged)));
        auto net = deploy::loadEennArchive(path("model/model.pt"));
        std::pair<std::string, torch::Tensor> largest;
        for (const auto &p : net->named_parameters())
            if (!largest.second.defined() || p.value().numel() > largest.second.numel())
                largest = {p.key(), p.value().detach().contiguous()};
        QVERIFY(largest.second.nbytes() >= 256 + 256);
        const std::string head(static_cast<const char *>(largest.second.data_ptr()), 64);
        const auto at = test::invertBytesAfter(damaged, head, 256, 256);
        auto msg = errorOf([&] { deploy::loadEennArchive(damaged); });
        QVERIFY2(msg.rfind(damaged + ": ", 0) == 0 && msg.find("CRC-32") != std::string::npos, msg.c_str());
        test::rewriteZipCrc(damaged, at);
        msg = errorOf([&] { deploy::loadEennArchive(damaged); });
        QVERIFY2(msg.rfind(damaged + ": is damaged: tensor \"" + largest.first + "\"", 0) == 0
                     && msg.find("digest") != std::string::npos,
                 msg.c_str());
    }

    void editedVariantIsExportedAsEdited()
    {
        // the candidate with its first exit's threshold moved, as the Studio edits it
        space::Genome variant = m_genome;
        variant.exits[0].threshold = variant.exits[0].threshold > 0.15 ? 0.05 : 0.3;
        auto r = request("variant");
        r.genome = variant;
        r.verify = false; // the checks are the same code as above; this is about the variant's figures
        const auto e = deploy::exportModel(r);
        QVERIFY(e.edited);
        QCOMPARE(e.studyAccuracy, -1.0);
        QVERIFY(!e.verified);
        QCOMPARE(e.files.size(), std::size_t(4) + e.segmentFiles.size()); // no verification.json
        const auto m = readJson(QString::fromStdString(path("variant/model.json")));
        QVERIFY(m.value("provenance").toObject().value("edited").toBool());
        QCOMPARE(m.value("exits").toObject().value("exits").toArray()[0].toObject().value("threshold").toDouble(),
                 variant.exits[0].threshold);
        QVERIFY(!m.value("figures").toObject().contains("final_front"));
        // its figures are the profile's for the variant: what the Studio showed
        QVERIFY(e.profileAccuracy > 0.5 && e.profileAccuracy <= 1.0);
        QVERIFY(e.macsTrue != m_candidate.macsTrue || e.profileAccuracy != m_candidate.accuracy);
    }

    void speedIsMeasuredOnTheStudysImages()
    {
        deploy::SpeedRequest s;
        s.studyPath = m_study;
        s.candidateId = m_candidate.id;
        s.images = 300; // the study's validation images: the study's accuracy, exactly
        s.passes = 3;
        const auto r = deploy::measureSpeed(s);
        qInfo("speed: early exit %.4f ms/image, static %.4f ms/image, speedup %.2fx, MAC ratio %.2fx, %d threads, "
              "%.1f s",
              r.msPerImageEarlyExit, r.msPerImageStatic, r.speedup, r.macRatio, r.threads, r.seconds);
        QCOMPARE(r.images, std::int64_t(300));
        QVERIFY(r.msPerImageEarlyExit > 0 && r.msPerImageStatic > 0);
        QCOMPARE(r.accuracyEarlyExit, m_candidate.accuracy);
        const auto figures = QJsonDocument::fromJson(QByteArray::fromStdString(m_candidate.figuresJson)).object();
        QCOMPARE(r.accuracyStatic, figures.value("static_accuracy").toDouble());
        QVERIFY(std::abs(r.macsTrue - m_candidate.macsTrue) < 1e-6 * m_candidate.macsTrue);
        QVERIFY(std::abs(r.macsPaper - m_candidate.macsPaper) < 1e-6 * m_candidate.macsPaper);
        QCOMPARE(r.staticMacs, m_candidate.staticMacs);
        QCOMPARE(r.share.size(), m_genome.exits.size() + 1);
        QCOMPARE(r.threads, threadCount());
    }

    void nachosExitsExportToo()
    {
        // NACHOS exit classifiers (max-pools, 3x3 convolutions, a confidence logit) and
        // exits after any block: a `tiny` supernet, untrained but with spread-out logits
        // (the classifiers scaled up), searched with the confidence rule
        auto s = space::SearchSpace::load("tiny");
        s.eecType = space::EecType::Nachos;
        s.inputChannels = 1;
        s.classes = 10;
        torch::manual_seed(7);
        supernet::Supernet net(s);
        {
            torch::NoGradGuard g;
            net->classifier.mul_(100.0);
            for (auto &e : net->exitClassifiers)
                if (e)
                    e->classifier.mul_(100.0);
        }
        supernet::CheckpointInfo info;
        info.datasetName = m_data->name;
        info.datasetHash = data::contentHash(*m_data);
        info.mean = {0.286f};
        info.std = {0.353f};
        supernet::saveCheckpoint(path("nachos.pt"), *net, info);
        search::SearchEngine::Launch l;
        l.loaded = m_data;
        l.dataset.path = data::defaultDatasetPath();
        l.checkpointPath = path("nachos.pt");
        l.config.encoding = search::EncodingKind::Nachos;
        l.config.population = 4;
        l.config.generations = 1;
        l.config.validationImages = 400;
        l.config.recalibrationImages = 200;
        l.config.finalValidationImages = -1;
        l.config.exitSearchBudget = 50;
        l.config.seed = 3;
        l.studyPath = path("nachos.edanas");
        {
            auto engine = search::SearchEngine::open(l);
            Quiet quiet;
            engine->run(quiet);
        }
        const auto st = study::Study::open(l.studyPath, true);
        std::int64_t id = 0;
        std::size_t exits = 0;
        for (const auto &c : st.candidates()) {
            const auto g = space::Genome::fromJson(c.genomeJson, l.studyPath);
            QCOMPARE(g.rule, space::ExitRule::Confidence);
            if (g.exits.size() > exits) {
                exits = g.exits.size();
                id = c.id;
            }
        }
        QVERIFY(exits > 0);
        deploy::ExportRequest r;
        r.studyPath = l.studyPath;
        r.candidateId = id;
        r.outDir = path("nachos");
        deploy::ExportResult e;
        try {
            e = deploy::exportModel(r);
        } catch (const deploy::VerificationFailed &f) {
            QFAIL(f.what());
        }
        QVERIFY(e.passed);
        QCOMPARE(e.agreement.size(), exits + 1);
        for (const auto &a : e.agreement)
            QCOMPARE(a.argmaxDisagreements, std::int64_t(0));
        QCOMPARE(e.accuracies[0].opencv, e.studyAccuracy);
        QCOMPARE(e.accuracies[0].libtorch, e.studyAccuracy);
        // the shares of the exits: inputs really leave early
        QVERIFY(e.accuracies[0].share.back() < 1.0);
        const auto m = readJson(QString::fromStdString(path("nachos/model.json")));
        const auto list = m.value("exits").toObject().value("exits").toArray();
        QCOMPARE(list.size(), int(exits));
        QCOMPARE(list[0].toObject().value("columns").toInt(), 11); // the classes and the confidence logit
        int pools = 0;
        for (const auto &x : list)
            pools += x.toObject().value("max_pools").toInt();
        qInfo("NACHOS candidate %lld: %zu exits, %d max-pools in all, shares %s", static_cast<long long>(id), exits,
              pools, QJsonDocument(QJsonArray::fromVariantList([&] {
                  QVariantList v;
                  for (double x : e.accuracies[0].share)
                      v << x;
                  return v;
              }())).toJson(QJsonDocument::Compact).constData());
        QVERIFY(pools > 0); // the exits' max-pools are in the graph too
        QVERIFY(deploy::checkOnnxFile(path("nachos/model.onnx")).empty());
    }

    void fineTuningTrainsTheCandidateAlone()
    {
        // two epochs on 640 images of the training part: the candidate's network alone,
        // its exits and head together
        deploy::CandidateSource source;
        source.studyPath = m_study;
        source.candidateId = m_candidate.id;
        auto p = deploy::prepareCandidate(source, deploy::Steps(source));
        deploy::FineTuneOptions o;
        o.epochs = 2;
        o.trainImages = 640;
        o.batchSize = 32;
        std::vector<std::int64_t> seen;
        std::vector<deploy::FineTuneProgress> progress;
        const auto t0 = std::chrono::steady_clock::now();
        auto f = deploy::fineTuneNetwork(p, o, deploy::Steps(source),
                                         [&](const deploy::FineTuneProgress &x) { progress.push_back(x); }, &seen);
        const auto &r = f.result;
        qInfo("fine-tuning: %.1f s (training %.1f s), %lld images, %lld batches; loss first %.4f last %.4f, epoch "
              "%.4f; accuracy before %.4f after %.4f; MACs before %.0f after %.0f",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), r.trainSeconds,
              static_cast<long long>(r.trainImages), static_cast<long long>(r.batchesPerEpoch), r.batchLoss.front(),
              r.batchLoss.back(), r.epochLoss.front(), r.before.accuracy, r.after.accuracy, r.before.macsTrue,
              r.after.macsTrue);

        // progress: every batch, in order, on this thread
        QCOMPARE(r.trainImages, o.trainImages);
        QCOMPARE(r.batchesPerEpoch, o.trainImages / o.batchSize);
        QCOMPARE(std::int64_t(progress.size()), r.batchesPerEpoch * o.epochs);
        for (std::size_t i = 0; i < progress.size(); ++i) {
            QCOMPARE(progress[i].batch, std::int64_t(i) % r.batchesPerEpoch + 1);
            QCOMPARE(progress[i].epoch, int(std::int64_t(i) / r.batchesPerEpoch) + 1);
            QCOMPARE(progress[i].epochs, o.epochs);
            QCOMPARE(progress[i].loss, r.batchLoss[i]);
        }
        // finite losses (each batch's: augmentation and dropout make them noisy)
        QCOMPARE(r.batchLoss.size(), progress.size());
        for (double l : r.batchLoss)
            QVERIFY(std::isfinite(l) && l > 0);
        QCOMPARE(r.epochLoss.size(), std::size_t(o.epochs));
        qInfo("loss per epoch %.4f, %.4f", r.epochLoss[0], r.epochLoss[1]);

        // only training images, never a validation one (the test split is another image set)
        QCOMPARE(std::int64_t(seen.size()), r.batchesPerEpoch * o.batchSize * o.epochs);
        std::vector<std::int64_t> train = p.evaluator->trainIndices(), used = seen, validation;
        std::sort(train.begin(), train.end());
        std::sort(used.begin(), used.end());
        for (std::size_t i = 0; i < used.size(); i += std::size_t(o.epochs)) // each image once per epoch
            QCOMPARE(used[i + std::size_t(o.epochs) - 1], used[i]);
        used.erase(std::unique(used.begin(), used.end()), used.end());
        QCOMPARE(std::int64_t(used.size()), o.trainImages);
        QVERIFY(std::includes(train.begin(), train.end(), used.begin(), used.end()));
        eenn::ProfileEvaluator whole(p.evaluator->net(), *m_data, p.checkpoint.mean, p.checkpoint.std,
                                     p.config.evaluatorOptions(0)); // the whole validation split
        validation = whole.validationIndices();
        std::sort(validation.begin(), validation.end());
        QCOMPARE(validation.size(), std::size_t(6000));
        std::vector<std::int64_t> both;
        std::set_intersection(used.begin(), used.end(), validation.begin(), validation.end(), std::back_inserter(both));
        QVERIFY(both.empty());

        // before: the study's figures exactly
        QCOMPARE(r.before.images, std::int64_t(300));
        QCOMPARE(r.before.accuracy, m_candidate.accuracy);
        QCOMPARE(r.before.macsTrue, m_candidate.macsTrue);
        QCOMPARE(r.before.macsPaper, m_candidate.macsPaper);
        QCOMPARE(r.before.share.size(), m_genome.exits.size() + 1);
        QCOMPARE(r.before.positionAccuracy.size(), m_genome.exits.size() + 1);

        // after: the fine-tuned network's real early exit on the same images, exactly
        QVERIFY(f.net->fused());
        QCOMPARE(r.after.images, std::int64_t(300));
        const auto &val = p.evaluator->validationIndices();
        const auto x = data::makeImages(m_data->train, val.data(), val.size(), p.preprocess());
        std::vector<std::int64_t> labels;
        for (auto i : val)
            labels.push_back(m_data->train.labels[std::size_t(i)]);
        torch::Tensor predictions, exitIndex;
        {
            c10::InferenceMode guard;
            const auto out = f.net->infer(x);
            predictions = out.predictions;
            exitIndex = out.exitIndex;
        }
        const double right = predictions.eq(torch::tensor(labels)).sum().item<double>();
        QCOMPARE(r.after.accuracy, right / 300.0);
        const auto counts = torch::bincount(exitIndex, {}, std::int64_t(m_genome.exits.size() + 1));
        for (std::size_t e = 0; e <= m_genome.exits.size(); ++e)
            QCOMPARE(std::int64_t(std::llround(r.after.share[e] * 300.0)), counts[std::int64_t(e)].item<std::int64_t>());
        // and the network changed: another network than the study's
        QVERIFY(r.after.accuracy != r.before.accuracy || r.after.share != r.before.share
                || r.after.positionAccuracy != r.before.positionAccuracy);

        // the study's network, extracted again (the supernet is untouched)
        auto plain = deploy::extractNetwork(p, m_genome, /*fuse=*/false);

        // it trained: on the images it was trained on (evaluation mode, no augmentation),
        // the joint loss over the exits and the head fell
        {
            const auto once = deploy::fineTuneImages(p, o.trainImages);
            const auto xs = data::makeImages(m_data->train, once.data(), once.size(), p.preprocess());
            std::vector<std::int64_t> ls;
            for (auto i : once)
                ls.push_back(m_data->train.labels[std::size_t(i)]);
            const auto lt = torch::tensor(ls);
            c10::InferenceMode guard;
            const int classes = p.space().classes;
            const double lossBefore = supernet::jointExitLoss(plain->forward(xs), lt, classes, 1.0).item<double>();
            const double lossAfter = supernet::jointExitLoss(f.net->forward(xs), lt, classes, 1.0).item<double>();
            const double n = double(ls.size());
            qInfo("on the %zu training images used: joint loss %.4f -> %.4f, early-exit accuracy %.4f -> %.4f",
                  ls.size(), lossBefore, lossAfter, plain->infer(xs).predictions.eq(lt).sum().item<double>() / n,
                  f.net->infer(xs).predictions.eq(lt).sum().item<double>() / n);
            QVERIFY(std::isfinite(lossAfter));
            QVERIFY(lossAfter < lossBefore - 0.02);
        }

        // the shared profile code: the study's network, extracted, profiles as the supernet did
        data::Preprocess pp;
        pp.mean = p.evaluator->mean();
        pp.std = p.evaluator->std();
        const auto own = eenn::buildProfile(*plain, p.space(), m_data->train, val, pp);
        const auto study = p.evaluator->profile(m_genome);
        const auto config = eenn::configFromGenome(*study, m_genome);
        for (std::size_t e = 0; e <= m_genome.exits.size(); ++e) {
            const int q = e < m_genome.exits.size() ? config.exits[e] : study->positions - 1;
            QCOMPARE(own.backboneMacs[std::size_t(e)], study->backboneMacs[std::size_t(q)]);
            QCOMPARE(own.exitMacs[std::size_t(e)], study->exitMacs[std::size_t(q)]);
            for (int sample = 0; sample < 300; ++sample) {
                QCOMPARE(own.predicted[own.at(sample, int(e))], study->predicted[study->at(sample, q)]);
                QCOMPARE(own.correct[own.at(sample, int(e))], study->correct[study->at(sample, q)]);
            }
        }
        const auto fromOwn = deploy::figuresOf(own, m_genome);
        QCOMPARE(fromOwn.accuracy, m_candidate.accuracy);
        QCOMPARE(fromOwn.share, r.before.share);
        QCOMPARE(fromOwn.positionAccuracy, r.before.positionAccuracy);
    }

    void fineTunedExportVerifies()
    {
        // a short fine-tuning (500 images), exported: ONNX and LibTorch agree with the
        // fine-tuned network's profile exactly; model.json tells what was done
        auto r = request("tuned");
        deploy::FineTuneOptions o;
        o.trainImages = 500;
        o.batchSize = 50;
        o.seed = 11;
        r.fineTune = o;
        r.testImages = 500;
        std::int64_t batches = 0;
        r.fineTuneProgress = [&](const deploy::FineTuneProgress &) { ++batches; };
        deploy::ExportResult e;
        try {
            e = deploy::exportModel(r);
        } catch (const deploy::VerificationFailed &f) {
            QFAIL(f.what());
        }
        QVERIFY(e.passed);
        QVERIFY(e.fineTune.has_value());
        const auto &t = *e.fineTune;
        qInfo("fine-tuned export: %.1f s; accuracy before %.4f after %.4f", e.seconds, t.before.accuracy,
              t.after.accuracy);
        QCOMPARE(batches, std::int64_t(10));
        QCOMPARE(t.before.accuracy, m_candidate.accuracy);
        QCOMPARE(e.studyAccuracy, m_candidate.accuracy);
        QCOMPARE(e.profileAccuracy, t.after.accuracy);
        QCOMPARE(e.macsTrue, t.after.macsTrue);
        QCOMPARE(e.accuracies[0].images, std::string("validation (study)"));
        QCOMPARE(e.accuracies[0].reference, t.after.accuracy);
        QCOMPARE(e.accuracies[0].libtorch, t.after.accuracy);
        QCOMPARE(e.accuracies[0].opencv, t.after.accuracy);
        QCOMPARE(e.accuracies[0].decisionDisagreements, std::int64_t(0));
        QCOMPARE(e.accuracies[1].reference, -1.0); // the final front's figure is the study's network's
        for (const auto &a : e.agreement)
            QCOMPARE(a.argmaxDisagreements, std::int64_t(0));
        const auto m = readJson(QString::fromStdString(path("tuned/model.json")));
        const auto ft = m.value("fine_tuning").toObject();
        QCOMPARE(ft.value("options").toObject().value("train_images_asked").toDouble(), 500.0);
        QCOMPARE(ft.value("options").toObject().value("seed").toString(), QStringLiteral("11"));
        QCOMPARE(ft.value("before").toObject().value("accuracy").toDouble(), m_candidate.accuracy);
        QCOMPARE(ft.value("after").toObject().value("accuracy").toDouble(), t.after.accuracy);
        QCOMPARE(ft.value("epoch_loss").toArray().size(), 1);
        QCOMPARE(m.value("figures").toObject().value("accuracy").toDouble(), t.after.accuracy);
        QVERIFY(readJson(QString::fromStdString(path("tuned/verification.json"))).value("fine_tuned").toBool());
        // the archive holds the fine-tuned network
        auto loaded = deploy::loadEennArchive(path("tuned/model.pt"));
        QVERIFY(loaded->fused());

        // the same options, the same result (fineTune alone writes nothing)
        deploy::FineTuneRequest again;
        static_cast<deploy::CandidateSource &>(again) = r;
        again.options = o;
        const auto t2 = deploy::fineTune(again);
        QCOMPARE(t2.batchLoss, t.batchLoss);
        QCOMPARE(t2.after.accuracy, t.after.accuracy);
        QCOMPARE(t2.after.share, t.after.share);
        QCOMPARE(t2.before.accuracy, t.before.accuracy);

        // bad options: refused before anything is written
        auto bad = request("tuned-bad");
        bad.fineTune = deploy::FineTuneOptions{};
        bad.fineTune->epochs = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, deploy::exportModel(bad));
        QVERIFY(!QFile::exists(QString::fromStdString(path("tuned-bad"))));

        // cancelled during the fine-tuning: nothing left behind
        std::atomic<bool> cancel{false};
        auto c = request("tuned-cancelled");
        c.fineTune = o;
        c.cancel = &cancel;
        c.fineTuneProgress = [&](const deploy::FineTuneProgress &x) {
            if (x.batch == 3)
                cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(deploy::ExportCancelled, deploy::exportModel(c));
        QVERIFY(!QFile::exists(QString::fromStdString(path("tuned-cancelled"))));
    }

    void badInputIsRefused()
    {
        // unknown candidate: the study named, nothing created
        auto r = request("bad1");
        r.candidateId = 99999;
        auto msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(m_study + ": has no candidate 99999") != std::string::npos, msg.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("bad1"))));
        // missing study
        r = request("bad2");
        r.studyPath = path("missing.edanas");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(path("missing.edanas") + ": no such file") != std::string::npos, msg.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("bad2"))));
        // a corrupt study file
        {
            QFile f(QString::fromStdString(path("corrupt.edanas")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        }
        r.studyPath = path("corrupt.edanas");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(path("corrupt.edanas") + ": ") == 0, msg.c_str());
        // a supernet that is not the study's (one byte more)
        {
            auto bytes = readBytes(QString::fromStdString(supernet::defaultSupernetPath()));
            bytes.append('\0');
            QFile f(QString::fromStdString(path("other.pt")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        r = request("bad3");
        r.checkpointPath = path("other.pt");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(path("other.pt") + ": is not the supernet the study") == 0, msg.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path("bad3"))));
        // a data set with other content
        test::writeIdxDataset(path("otherdata"), 10, 3, 1, 28, 28, false);
        r = request("bad4");
        r.datasetPath = path("otherdata");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(path("otherdata") + ": is not the data set the study") == 0, msg.c_str());

        // a folder that holds an earlier export's file: refused, the file untouched
        QVERIFY(QDir().mkpath(QString::fromStdString(path("mine"))));
        {
            QFile f(QString::fromStdString(path("mine/model.json")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("my own notes");
        }
        r = request("mine");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find(path("mine") + ": already holds model.json") == 0, msg.c_str());
        QCOMPARE(readBytes(QString::fromStdString(path("mine/model.json"))), QByteArray("my own notes"));
        QCOMPARE(QDir(QString::fromStdString(path("mine"))).entryList(QDir::Files).size(), 1);
        // ... replaced when asked
        r.overwrite = true;
        r.onnx = false;
        r.verify = false;
        const auto e = deploy::exportModel(r);
        QCOMPARE(e.files.size(), std::size_t(2));
        QVERIFY(readJson(QString::fromStdString(path("mine/model.json"))).contains("exits"));
        // a file where the folder should be
        r = request("mine/model.json");
        msg = errorOf([&] { deploy::exportModel(r); });
        QVERIFY2(msg.find("exists and is not a folder") != std::string::npos, msg.c_str());

        // cancelled: nothing left behind
        std::atomic<bool> cancel{true};
        r = request("cancelled");
        r.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(deploy::ExportCancelled, deploy::exportModel(r));
        QVERIFY(!QFile::exists(QString::fromStdString(path("cancelled"))));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
