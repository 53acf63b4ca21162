// Deployment to microcontrollers: one model per segment, int8, and memory as an MCU
// runtime counts it.
// - The memory definition on hand-built networks (residual and squeeze-excite), the
//   expected arenas computed here by hand from the definition in docs/DEPLOY.md.
// - A real (small) search on the shipped supernet and Fashion-MNIST, a front candidate
//   exported with --int8: the float segments chained in OpenCV give model.onnx's
//   outputs; model-int8.onnx run by a NumPy interpreter written from the ONNX operator
//   definitions (tests/export/qdq_interpreter.py, not our code) gives the accuracy our
//   LibTorch int8 simulation reports; the reference driver of docs/examples runs the
//   segments with early stopping and decides what LibTorch decides.
#include "data/batchloader.h"
#include "data/split.h"
#include "export/candidate.h"
#include "export/eennarchive.h"
#include "export/mcumemory.h"
#include "export/modelexport.h"
#include "export/onnxwriter.h"
#include "export/quantize.h"
#include "export/segments.h"
#include "runtime.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/dnn.hpp>

#include <algorithm>
#include <chrono>

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

/// A value of a hand-built graph.
int value(deploy::DeployGraph &g, const char *name, int c, int h, bool quantized = true)
{
    g.values.push_back({name, c, h, h, quantized});
    return int(g.values.size()) - 1;
}

deploy::DeployOp op(deploy::DeployOpKind kind, const char *name, std::vector<int> inputs, int output)
{
    deploy::DeployOp o;
    o.kind = kind;
    o.name = name;
    o.inputs = std::move(inputs);
    o.output = output;
    return o;
}

deploy::DeployOp convOp(const char *name, int input, int output, int out, int in, int kernel, bool bias)
{
    auto o = op(deploy::DeployOpKind::Conv, name, {input}, output);
    o.outChannels = out;
    o.inPerGroup = in;
    o.kernel = kernel;
    o.bias = bias;
    return o;
}

void writeFloats(const QString &path, const torch::Tensor &t)
{
    const auto c = t.to(torch::kFloat32).contiguous();
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(reinterpret_cast<const char *>(c.data_ptr<float>()), qint64(c.numel() * 4));
}

torch::Tensor readFloats(const QString &path, std::int64_t rows)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const auto bytes = f.readAll();
    const auto n = bytes.size() / 4;
    return torch::from_blob(const_cast<char *>(bytes.constData()), {rows, std::int64_t(n) / rows}, torch::kFloat32)
        .clone();
}

} // namespace

class TestInt8 : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const data::Dataset> m_data;
    std::string m_study;
    study::CandidateRecord m_candidate;
    space::Genome m_genome;
    deploy::ExportResult m_export;
    static constexpr std::int64_t kTestImages = 600;

    std::string path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)).toStdString(); }

    /// The test images the export compares on (evenly spread, as it picks them) and labels.
    std::pair<torch::Tensor, torch::Tensor> testImages(const deploy::PreparedCandidate &p) const
    {
        std::vector<std::int64_t> all;
        for (std::int64_t i = 0; i < m_data->test.size(); ++i)
            all.push_back(i);
        all = data::evenSubset(all, kTestImages);
        std::vector<std::int64_t> labels;
        for (auto i : all)
            labels.push_back(m_data->test.labels[std::size_t(i)]);
        return {data::makeImages(m_data->test, all.data(), all.size(), p.preprocess()),
                torch::tensor(labels, torch::kInt64)};
    }

    deploy::PreparedCandidate prepared() const
    {
        deploy::CandidateSource source;
        source.studyPath = m_study;
        source.candidateId = m_candidate.id;
        return deploy::prepareCandidate(source, deploy::Steps(source));
    }

private Q_SLOTS:
    // ------------------------------------------------ the memory definition, by hand

    void arenaOfAResidualBlockWithSqueezeExcite()
    {
        // input 4 x 8 x 8 -> expand 1x1 to 8 (ReLU fused) -> SE (pool, reduce to 2,
        // expand to 8, hard-sigmoid, multiply) -> project 1x1 to 4 -> + input
        deploy::DeployGraph g;
        const int x = value(g, "x", 4, 8);       // 256 bytes
        const int e = value(g, "expand", 8, 8);  // 512
        const int p = value(g, "pool", 8, 1);    // 8
        const int r = value(g, "reduce", 2, 1);  // 2
        const int u = value(g, "up", 8, 1);      // 8
        const int s = value(g, "gate", 8, 1);    // 8
        const int m = value(g, "scaled", 8, 8);  // 512
        const int j = value(g, "project", 4, 8); // 256
        const int y = value(g, "sum", 4, 8);     // 256
        deploy::DeployPiece piece;
        piece.input = x;
        piece.output = y;
        piece.ops = {convOp("expand", x, e, 8, 4, 1, true),
                     op(deploy::DeployOpKind::GlobalAveragePool, "pool", {e}, p),
                     convOp("reduce", p, r, 2, 8, 1, true),
                     convOp("up", r, u, 8, 2, 1, true),
                     op(deploy::DeployOpKind::HardSigmoid, "gate", {u}, s),
                     op(deploy::DeployOpKind::Mul, "scaled", {e, s}, m),
                     convOp("project", m, j, 4, 8, 1, true),
                     op(deploy::DeployOpKind::Add, "sum", {j, x}, y)};
        // By hand, at each operator: what is alive (x stays until the Add; the expanded
        // map until the multiply):
        //   expand:  x 256 + expand 512                           =  768
        //   pool:    x 256 + expand 512 + pool 8                  =  776
        //   reduce:  x 256 + expand 512 + pool 8 + reduce 2       =  778
        //   up:      x 256 + expand 512 + reduce 2 + up 8         =  778
        //   gate:    x 256 + expand 512 + up 8 + gate 8           =  784
        //   scaled:  x 256 + expand 512 + gate 8 + scaled 512     = 1288  <- the peak
        //   project: x 256 + scaled 512 + project 256             = 1024
        //   sum:     x 256 + project 256 + sum 256                =  768
        QCOMPARE(deploy::arenaBytes(g, piece, false), std::int64_t(1288));
        // holding the input to the end changes nothing here: the Add needs it anyway
        QCOMPARE(deploy::arenaBytes(g, piece, true), std::int64_t(1288));

        // flash: weights (int8) + int32 biases + float scale per output channel, and a
        // float scale + int8 zero point per activation tensor (8 tensors produced)
        const std::int64_t expand = 8 * 4 + 4 * 8 + 4 * 8; // 96
        const std::int64_t reduce = 2 * 8 + 4 * 2 + 4 * 2; // 32
        const std::int64_t up = 8 * 2 + 4 * 8 + 4 * 8;     // 80
        const std::int64_t project = 4 * 8 + 4 * 4 + 4 * 4; // 64
        const std::int64_t activations = 8 * 5;
        QCOMPARE(deploy::flashBytes(g, piece, false), expand + reduce + up + project + activations);
        QCOMPARE(deploy::flashBytes(g, piece, true), expand + reduce + up + project + activations + 5);
    }

    void anExitHoldsTheFeatureMapTheNextSegmentNeeds()
    {
        // an exit on a 4 x 8 x 8 feature map: 1x1 conv to 16, global pool, linear to 10 float logits
        deploy::DeployGraph g;
        const int x = value(g, "x", 4, 8);              // 256
        const int c = value(g, "conv", 16, 8);          // 1024
        const int p = value(g, "pool", 16, 1);          // 16
        const int l = value(g, "logits", 10, 1, false); // 40 (float)
        deploy::DeployPiece piece;
        piece.input = x;
        piece.output = l;
        auto linear = op(deploy::DeployOpKind::Linear, "classifier", {p}, l);
        linear.outChannels = 10;
        linear.inPerGroup = 16;
        linear.bias = true;
        piece.ops = {convOp("conv", x, c, 16, 4, 1, true), op(deploy::DeployOpKind::GlobalAveragePool, "pool", {c}, p),
                     linear};
        // held (the backbone goes on from x afterwards):
        //   conv 256 + 1024 = 1280; pool 256 + 1024 + 16 = 1296; linear 256 + 16 + 40 = 312
        QCOMPARE(deploy::arenaBytes(g, piece, true), std::int64_t(1296));
        // not held (the final head): conv 1280; pool 1024 + 16 = 1040; linear 16 + 40 = 56
        QCOMPARE(deploy::arenaBytes(g, piece, false), std::int64_t(1280));
    }

    void theGraphOfAGenomeFollowsItsArchitecture()
    {
        const auto space = space::SearchSpace::load("ofa-mbv3");
        std::mt19937_64 rng(11);
        for (int k = 0; k < 5; ++k) {
            auto genome = space::Genome::random(space, rng);
            const auto arch = space::describe(space, genome);
            const auto g = deploy::deployGraph(arch);
            QCOMPARE(g.segments(), arch.exits.size() + 1);
            QCOMPARE(g.backbone.size(), g.exits.size());
            // every convolution's and linear layer's weights: as many as the cost model counts
            std::int64_t weights = 0, layerWeights = 0;
            for (std::size_t i = 0; i < g.segments(); ++i)
                for (const auto *piece : {&g.backbone[i], &g.exits[i]})
                    for (const auto &o : piece->ops)
                        weights += o.kind == deploy::DeployOpKind::Conv || o.kind == deploy::DeployOpKind::Linear
                                       ? o.weightCount()
                                       : 0;
            auto count = [&](const std::vector<space::LayerSpec> &layers) {
                for (const auto &l : layers)
                    if (l.kind == space::LayerKind::Conv || l.kind == space::LayerKind::Linear)
                        layerWeights += std::int64_t(l.out) * (l.in / l.groups) * l.kernel * l.kernel;
            };
            for (const auto &b : arch.blocks)
                count(b.layers);
            for (const auto &x : arch.exits)
                count(x.layers);
            QCOMPARE(weights, layerWeights);
            const auto m = deploy::mcuMemory(arch);
            QCOMPARE(m.segments.size(), g.segments());
            // the SRAM holds at least the int8 input, and the largest segment is the whole
            const auto &in = g.values.front();
            QVERIFY(m.arena >= in.elements());
            std::int64_t largest = 0;
            for (const auto &s : m.segments)
                largest = std::max(largest, s.arena);
            QCOMPARE(m.arena, largest);
            QCOMPARE(m.segments.back().flashThrough, m.flash);
        }
    }

    void quantizationRoundsAsQuantizeLinear()
    {
        const auto q = deploy::activationQuant(-1.0f, 3.0f);
        QCOMPARE(q.scale, 4.0f / 255.0f);
        QCOMPARE(q.zeroPoint, -128 + 64); // round(-128 + 1 / (4/255)) = round(-64.25)
        // a value on the grid stays; halves round to even; saturation at the ends
        const auto x = torch::tensor({0.0f, 2.5f * q.scale, 3.5f * q.scale, 100.0f, -100.0f});
        const auto y = deploy::fakeQuantize(x, q);
        QCOMPARE(y[0].item<float>(), 0.0f);
        QCOMPARE(y[1].item<float>(), 2.0f * q.scale);
        QCOMPARE(y[2].item<float>(), 4.0f * q.scale);
        QCOMPARE(y[3].item<float>(), float(127 - q.zeroPoint) * q.scale);
        QCOMPARE(y[4].item<float>(), float(-128 - q.zeroPoint) * q.scale);
    }

    // ------------------------------------------------ a real export with --int8

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        initTorchThreads();
        QVERIFY2(!supernet::defaultSupernetPath().empty(), "the shipped supernet is missing");
        data::DatasetRef ref;
        ref.path = data::defaultDatasetPath();
        m_data = std::make_shared<const data::Dataset>(data::loadDataset(ref));
        search::SearchEngine::Launch l;
        l.loaded = m_data;
        l.dataset = ref;
        l.checkpointPath = supernet::defaultSupernetPath();
        l.config.encoding = search::EncodingKind::Edanas;
        l.config.population = 6;
        l.config.generations = 1;
        l.config.validationImages = 300;
        l.config.recalibrationImages = 100;
        l.config.finalValidationImages = 300;
        l.config.seed = 5;
        l.studyPath = m_study = path("study.edanas");
        {
            auto engine = search::SearchEngine::open(l);
            Quiet quiet;
            engine->run(quiet);
        }
        const auto s = study::Study::open(m_study, true);
        const auto front = s.generations().back().front;
        bool found = false;
        // the most accurate front candidate with exits
        for (const auto &c : s.candidates()) {
            if (std::find(front.begin(), front.end(), c.id) == front.end())
                continue;
            const auto g = space::Genome::fromJson(c.genomeJson, m_study);
            if (!g.exits.empty() && (!found || c.accuracy > m_candidate.accuracy)) {
                m_candidate = c;
                m_genome = g;
                found = true;
            }
        }
        QVERIFY2(found, "no front candidate with an exit");

        deploy::ExportRequest r;
        r.studyPath = m_study;
        r.candidateId = m_candidate.id;
        r.outDir = path("model");
        r.testImages = kTestImages;
        r.int8 = true;
        r.calibrationImages = 500;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            m_export = deploy::exportModel(r);
        } catch (const deploy::VerificationFailed &e) {
            QFAIL(e.what());
        }
        qInfo("candidate %lld, %s: exported with int8 in %.1f s", static_cast<long long>(m_candidate.id),
              m_genome.summary().c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }

    void floatSegmentsChainedInOpenCvGiveTheWholeModel()
    {
        const auto &e = m_export;
        QVERIFY2(e.passed, e.problems.empty() ? "" : e.problems.front().c_str());
        QCOMPARE(e.segmentAgreement.size(), m_genome.exits.size() + 1);
        for (const auto &a : e.segmentAgreement) {
            qInfo("segments chained, %-14s agreement %.4f, max |logit difference| %.3g", a.name.c_str(),
                  a.argmaxAgreement, a.maxAbsDifference);
            QCOMPARE(a.images, kTestImages);
            QCOMPARE(a.argmaxDisagreements, std::int64_t(0));
            QVERIFY(a.maxAbsDifference < 1e-3);
        }
        // model.json lists them in order, with paths relative to the folder
        const QString dir = QString::fromStdString(path("model"));
        const auto m = readJson(dir + "/model.json");
        const auto segments = m.value("segments").toArray();
        QCOMPARE(segments.size(), int(m_genome.exits.size() + 1));
        for (int i = 0; i < segments.size(); ++i) {
            const auto s = segments[i].toObject();
            QVERIFY(s.contains("backbone") && s.contains("exit"));
            QCOMPARE(s.value("exit").toString(), QStringLiteral("segment%1-exit.onnx").arg(i));
            if (!s.value("backbone").isNull())
                QVERIFY(QFile::exists(dir + "/" + s.value("backbone").toString()));
            QVERIFY(QFile::exists(dir + "/" + s.value("exit").toString()));
            const auto q = s.value("int8").toObject();
            QVERIFY(QFile::exists(dir + "/" + q.value("exit").toString()));
            QVERIFY(s.value("sram_bytes").toDouble() > 0);
            QCOMPARE(s.value("sram_bytes").toDouble(), double(e.mcu.segments[std::size_t(i)].arena));
        }
        QVERIFY(segments[0].toObject().value("backbone").isString()); // the first always has a backbone
        QCOMPARE(m.value("mcu").toObject().value("sram_bytes").toDouble(), double(e.mcu.arena));
        for (const auto &f : m_export.segmentFiles) {
            const auto problem = deploy::checkOnnxFile(dir.toStdString() + "/" + f);
            QVERIFY2(problem.empty(), problem.c_str());
        }
        const auto problem = deploy::checkOnnxFile(dir.toStdString() + "/model-int8.onnx");
        QVERIFY2(problem.empty(), problem.c_str());
    }

    void int8AccuracyPerExitNextToFloat()
    {
        QVERIFY(m_export.int8.has_value());
        const auto &q = *m_export.int8;
        QCOMPARE(q.calibrationImages, std::int64_t(500));
        QCOMPARE(q.sets.size(), std::size_t(2));
        for (const auto &s : q.sets) {
            QString line;
            for (std::size_t o = 0; o < s.floatOutputAccuracy.size(); ++o)
                line += QStringLiteral(" %1/%2").arg(100 * s.floatOutputAccuracy[o], 0, 'f', 2)
                            .arg(100 * s.int8OutputAccuracy[o], 0, 'f', 2);
            qInfo("%s (%lld): early exit float %.2f %%, int8 %.2f %%, int8 re-tuned %.2f %%; per output float/int8:%s",
                  s.images.c_str(), static_cast<long long>(s.count), 100 * s.floatAccuracy, 100 * s.int8Accuracy,
                  100 * s.int8RetunedAccuracy, qPrintable(line));
            QCOMPARE(s.floatOutputAccuracy.size(), m_genome.exits.size() + 1);
            // the target: the final exit loses at most 2 points in int8
            QVERIFY2(s.floatOutputAccuracy.back() - s.int8OutputAccuracy.back() <= 0.02,
                     (s.images + ": the final head loses more than 2 points in int8").c_str());
        }
        // the re-tuned thresholds are at least as accurate on the images they were chosen on
        QVERIFY(q.sets[0].int8RetunedAccuracy >= q.sets[0].int8Accuracy);
        QVERIFY(q.sets[0].int8RetunedMacs <= q.sets[0].floatMacs + 1e-6);
        const auto m = readJson(QString::fromStdString(path("model/model.json")));
        const auto j = m.value("int8").toObject();
        QCOMPARE(j.value("test").toObject().value("accuracy").toDouble(), q.sets[1].int8Accuracy);
        QCOMPARE(j.value("thresholds").toArray().size(), int(m_genome.exits.size()));
        qInfo("flash %.1f KiB, SRAM %.1f KiB", m_export.mcu.flash / 1024.0, m_export.mcu.arena / 1024.0);
        for (const auto &s : m_export.mcu.segments)
            qInfo("  segment SRAM %.2f KiB (backbone %.2f, exit %.2f), flash %.1f KiB", s.arena / 1024.0,
                  s.backboneArena / 1024.0, s.exitArena / 1024.0, (s.backboneFlash + s.exitFlash) / 1024.0);
    }

    void aNumPyInterpreterOfTheInt8GraphAgreesWithTheSimulation()
    {
        // the exported network, quantized again the export's way (same calibration images)
        auto p = prepared();
        auto net = deploy::loadEennArchive(path("model/model.pt"));
        deploy::DeployNetwork dn(*net);
        const auto calibration = deploy::fineTuneImages(p, 500);
        {
            c10::InferenceMode guard;
            for (std::size_t at = 0; at < calibration.size(); at += 500) {
                const std::size_t n = std::min<std::size_t>(calibration.size() - at, 500);
                dn.calibrate(data::makeImages(m_data->train, calibration.data() + at, n, p.preprocess()));
            }
        }
        dn.quantize();
        const auto [x, labels] = testImages(p);
        const auto sim = dn.forward(x, true);

        const QString dir = QString::fromStdString(path("numpy"));
        QVERIFY(QDir().mkpath(dir));
        writeFloats(dir + "/input.f32", x);
        QProcess py;
        py.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral(EDANAS_SOURCE_DIR "/tests/export/qdq_interpreter.py"),
                  QString::fromStdString(path("model/model-int8.onnx")), dir + "/input.f32",
                  QString::number(x.size(0)), dir});
        QVERIFY(py.waitForFinished(240000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

        const int classes = int(net->architecture().classes);
        const auto &q = *m_export.int8;
        const auto &test = q.sets[1];
        for (std::size_t o = 0; o <= m_genome.exits.size(); ++o) {
            const std::string name = o < m_genome.exits.size() ? "exit" + std::to_string(o) + "_logits" : "final_logits";
            const auto np = readFloats(dir + "/" + QString::fromStdString(name) + ".f32", x.size(0));
            QVERIFY2(np.defined(), name.c_str());
            const auto &ours = o < sim.exits.size() ? sim.exits[o] : sim.final;
            QCOMPARE(np.sizes(), ours.sizes());
            const auto a = np.narrow(1, 0, classes).argmax(1), b = ours.narrow(1, 0, classes).argmax(1);
            const double agreement = a.eq(b).sum().item<double>() / double(x.size(0));
            const double accNp = a.eq(labels).sum().item<double>() / double(x.size(0));
            const double accOurs = b.eq(labels).sum().item<double>() / double(x.size(0));
            qInfo("%-14s NumPy vs LibTorch int8: agreement %.4f, accuracy %.2f %% / %.2f %% (export's figure %.2f %%), "
                  "max |logit difference| %.3g",
                  name.c_str(), agreement, 100 * accNp, 100 * accOurs, 100 * test.int8OutputAccuracy[o],
                  (np - ours).abs().max().item<double>());
            QVERIFY(agreement >= 0.995);
            QVERIFY(std::abs(accNp - accOurs) <= 0.005);
            // the export measured the same int8 network on the same images (in batches of
            // another size: a convolution's last bits may differ, an image at most)
            QVERIFY(std::abs(accOurs - test.int8OutputAccuracy[o]) <= 1.5 / double(x.size(0)));
        }
    }

    void openCvInt8Importer()
    {
        // OpenCV 4.6's own int8 path: record what it does with the QDQ model (docs/DEPLOY.md)
        const auto file = path("model/model-int8.onnx");
        try {
            auto net = cv::dnn::readNetFromONNX(file);
            qInfo("OpenCV read model-int8.onnx (%zu layers)", net.getLayerNames().size());
        } catch (const cv::Exception &e) {
            qInfo("OpenCV refuses model-int8.onnx: %s", e.msg.c_str());
        }
        QVERIFY(QFile::exists(QString::fromStdString(file)));
    }

    void theReferenceDriverStopsWhereLibTorchStops()
    {
        const QByteArray driver = qgetenv("EDANAS_SEGMENT_DRIVER");
        QVERIFY2(!driver.isEmpty(), "EDANAS_SEGMENT_DRIVER is not set (CTest sets it)");
        auto p = prepared();
        auto net = deploy::loadEennArchive(path("model/model.pt"));
        auto [x, labels] = testImages(p);
        x = x.narrow(0, 0, 300);
        const QString dir = QString::fromStdString(path("driver"));
        QVERIFY(QDir().mkpath(dir));
        writeFloats(dir + "/input.f32", x);
        QProcess d;
        d.start(QString::fromLocal8Bit(driver),
                {QString::fromStdString(path("model")), dir + "/input.f32", QString::number(x.size(0))});
        QVERIFY(d.waitForFinished(240000));
        QVERIFY2(d.exitCode() == 0, d.readAllStandardError().constData());
        const auto lines = QString::fromLatin1(d.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(x.size(0)));
        c10::InferenceMode guard;
        const auto want = net->infer(x);
        std::int64_t same = 0;
        std::vector<std::int64_t> perExit(m_genome.exits.size() + 1, 0);
        for (int i = 0; i < lines.size(); ++i) {
            const auto parts = lines[i].split(' ');
            QCOMPARE(parts.size(), 2);
            const auto e = parts[0].toLongLong(), c = parts[1].toLongLong();
            perExit[std::size_t(e)]++;
            same += e == want.exitIndex[i].item<std::int64_t>() && c == want.predictions[i].item<std::int64_t>();
        }
        QString shares;
        for (auto n : perExit)
            shares += QStringLiteral(" %1").arg(n);
        qInfo("driver: %lld of %lld inputs leave at the same exit with the same class as LibTorch's infer(); per exit:%s",
              static_cast<long long>(same), static_cast<long long>(x.size(0)), qPrintable(shares));
        // OpenCV's logits differ from LibTorch's by rounding: a threshold may fall between
        QVERIFY(double(same) >= 0.99 * double(x.size(0)));
    }

    void refusesToOverwriteSegments()
    {
        // a second export into the folder: refused, nothing changed
        const QString seg = QString::fromStdString(path("model/segment0-exit.onnx"));
        const auto before = QFileInfo(seg).lastModified();
        deploy::ExportRequest r;
        r.studyPath = m_study;
        r.candidateId = m_candidate.id;
        r.outDir = path("model");
        std::string error;
        try {
            deploy::exportModel(r);
        } catch (const std::exception &e) {
            error = e.what();
        }
        QVERIFY2(error.find("already holds") != std::string::npos, error.c_str());
        QVERIFY(error.find("segment0-exit.onnx") != std::string::npos);
        QCOMPARE(QFileInfo(seg).lastModified(), before);
    }
};

QTEST_GUILESS_MAIN(TestInt8)
#include "tst_int8.moc"
