#include "modelexport.h"

#include "candidate.h"
#include "eennarchive.h"
#include "onnxexport.h"
#include "onnxrunner.h"
#include "onnxwriter.h"
#include "quantize.h"
#include "segments.h"

#include "cost/cost.h"
#include "data/batchloader.h"
#include "data/split.h"
#include "fileerror.h"
#include "runtime.h"
#include "study/records.h"

#include "edanas/version.h"

#include "modeljson.h" // Qt headers: after the others (Qt's `emit` macro)

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace edanas::deploy {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const char *const kModelPt = "model.pt";
const char *const kModelJson = "model.json";
const char *const kModelOnnx = "model.onnx";
const char *const kVerification = "verification.json";
const char *const kModelInt8Onnx = "model-int8.onnx";
const char *const kSegmentsJson = "segments.json";

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string percent(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * v);
    return buf;
}

QJsonValue jsonValue(const std::string &json)
{
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json));
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

void writeText(const fs::path &path, const std::string &text)
{
    const std::string tmp = path.string() + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !f.write(text.data(), std::streamsize(text.size())) || !f.flush()) {
            std::remove(tmp.c_str());
            throw FileError(path.string(), "cannot be written");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw FileError(path.string(), "cannot be written (" + ec.message() + ")");
    }
}

/// The folder that receives the files: created when missing (and removed again, if
/// still empty, when the export fails before writing); refused when it holds files the
/// export would replace, unless `overwrite`.
class OutDir
{
public:
    OutDir(const std::string &dir, bool overwrite)
        : m_dir(dir)
    {
        if (dir.empty())
            throw std::invalid_argument("no output folder named");
        std::error_code ec;
        if (fs::exists(m_dir, ec) && !fs::is_directory(m_dir, ec))
            throw FileError(dir, "exists and is not a folder");
        if (fs::is_directory(m_dir, ec)) {
            std::string present;
            for (const auto &n : exportFileNames())
                if (fs::exists(m_dir / n, ec))
                    present += (present.empty() ? "" : ", ") + n;
            for (const auto &n : segmentFilesIn())
                present += (present.empty() ? "" : ", ") + n;
            if (!present.empty() && !overwrite)
                throw FileError(dir, "already holds " + present + "; nothing was written (overwrite replaces them)");
        } else {
            fs::create_directories(m_dir, ec);
            if (ec)
                throw FileError(dir, "cannot be created (" + ec.message() + ")");
            m_created = true;
        }
        // can it take files?
        const auto probe = m_dir / ".edanas-export.partial";
        {
            std::ofstream f(probe, std::ios::binary | std::ios::trunc);
            if (!f || !(f << "probe") || !f.flush()) {
                f.close();
                fs::remove(probe, ec);
                cleanUp();
                throw FileError(dir, "is not writable");
            }
        }
        fs::remove(probe, ec);
    }

    fs::path file(const char *name) const { return m_dir / name; }
    void wrote(const fs::path &p) { m_written.push_back(p); }
    const std::vector<fs::path> &written() const { return m_written; }
    /// Removes the export's files that this run does not rewrite (stale from an earlier one).
    void removeStale(const std::vector<std::string> &rewritten)
    {
        std::error_code ec;
        auto names = exportFileNames();
        for (const auto &n : segmentFilesIn())
            names.push_back(n);
        for (const auto &n : names)
            if (std::find(rewritten.begin(), rewritten.end(), n) == rewritten.end())
                fs::remove(m_dir / n, ec);
    }
    /// The segment files (segments.h's names) in the folder.
    std::vector<std::string> segmentFilesIn() const
    {
        std::vector<std::string> names;
        std::error_code ec;
        for (fs::directory_iterator it(m_dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->is_regular_file(ec) && isSegmentFileName(it->path().filename().string()))
                names.push_back(it->path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
    /// After a failure: nothing of this run stays behind.
    void cleanUp()
    {
        std::error_code ec;
        for (const auto &p : m_written)
            fs::remove(p, ec);
        m_written.clear();
        if (m_created && fs::is_empty(m_dir, ec))
            fs::remove(m_dir, ec);
    }

private:
    fs::path m_dir;
    bool m_created = false;
    std::vector<fs::path> m_written;
};

/// What one pass over an image set gives, by each route.
struct SetRun
{
    std::int64_t images = 0;
    std::int64_t libtorchRight = 0, opencvRight = 0, decisionDisagreements = 0;
    std::vector<std::int64_t> exits; ///< inputs leaving at each exit, then the head (LibTorch)
    std::vector<std::int64_t> argmaxDisagreements; ///< per output (with `compareOutputs`)
    std::vector<double> maxAbsDifference;
};

/// Runs `net` (and `onnx`, when given) over the images. `realInfer`: LibTorch's figures
/// come from StaticEenn::infer (inputs removed as they leave); otherwise from the rule
/// applied to forward()'s logits. `compareOutputs`: also compares every output.
SetRun runImages(supernet::StaticEennImpl &net, OnnxRunner *onnx, const data::ImageSet &set,
                 const std::vector<std::int64_t> &indices, const data::Preprocess &pp, int batchSize, bool realInfer,
                 bool compareOutputs, const Steps &steps)
{
    const auto &genome = net.genome();
    const int classes = net.architecture().classes;
    std::vector<double> thresholds;
    for (const auto &e : genome.exits)
        thresholds.push_back(e.threshold);
    const std::size_t outputs = genome.exits.size() + 1;
    SetRun r;
    r.exits.assign(outputs, 0);
    r.argmaxDisagreements.assign(outputs, 0);
    r.maxAbsDifference.assign(outputs, 0.0);
    c10::InferenceMode guard;
    for (std::size_t at = 0; at < indices.size(); at += std::size_t(batchSize)) {
        steps.check();
        const std::size_t n = std::min(indices.size() - at, std::size_t(batchSize));
        const auto x = data::makeImages(set, indices.data() + at, n, pp);
        std::vector<std::int64_t> labelValues;
        for (std::size_t i = 0; i < n; ++i)
            labelValues.push_back(set.labels[std::size_t(indices[at + i])]);
        const auto labels = torch::tensor(labelValues, torch::kInt64);
        supernet::SubnetOutput logits;
        if (compareOutputs || !realInfer)
            logits = net.forward(x);
        const auto lt = realInfer ? net.infer(x) : supernet::decideEarlyExit(logits, classes, genome.rule, thresholds);
        r.libtorchRight += lt.predictions.eq(labels).sum().item<std::int64_t>();
        const auto counts = torch::bincount(lt.exitIndex, {}, std::int64_t(outputs));
        for (std::size_t e = 0; e < outputs; ++e)
            r.exits[e] += counts[std::int64_t(e)].item<std::int64_t>();
        if (onnx) {
            const auto cv = onnx->run(x);
            const auto decided = supernet::decideEarlyExit(cv, classes, genome.rule, thresholds);
            r.opencvRight += decided.predictions.eq(labels).sum().item<std::int64_t>();
            r.decisionDisagreements += (decided.predictions.ne(lt.predictions) | decided.exitIndex.ne(lt.exitIndex))
                                           .sum()
                                           .item<std::int64_t>();
            if (compareOutputs) {
                for (std::size_t o = 0; o < outputs; ++o) {
                    const auto &a = o + 1 < outputs ? logits.exits[o] : logits.final;
                    const auto &b = o + 1 < outputs ? cv.exits[o] : cv.final;
                    // A near-tie (top two logits within rounding of each other) may go
                    // either way in two runtimes; only a clear winner must agree.
                    const auto top = a.narrow(1, 0, classes).topk(2, 1);
                    const auto gap = std::get<0>(top).select(1, 0) - std::get<0>(top).select(1, 1);
                    r.argmaxDisagreements[o] += std::get<1>(top)
                                                    .select(1, 0)
                                                    .ne(b.narrow(1, 0, classes).argmax(1))
                                                    .logical_and(gap > 1e-4)
                                                    .sum()
                                                    .item<std::int64_t>();
                    r.maxAbsDifference[o] = std::max(r.maxAbsDifference[o], (a - b).abs().max().item<double>());
                }
            }
        }
        r.images += std::int64_t(n);
    }
    return r;
}

SetAccuracy accuracyOf(const std::string &what, const SetRun &run, double reference, bool opencv)
{
    SetAccuracy a;
    a.images = what;
    a.count = run.images;
    a.reference = reference;
    const double n = run.images > 0 ? double(run.images) : 1.0;
    a.libtorch = double(run.libtorchRight) / n;
    a.opencv = opencv ? double(run.opencvRight) / n : -1.0;
    a.decisionDisagreements = run.decisionDisagreements;
    for (auto c : run.exits)
        a.share.push_back(double(c) / n);
    return a;
}

struct SetLogits
{
    supernet::SubnetOutput fl, q;
    torch::Tensor labels;
};

SetLogits logitsOf(supernet::StaticEennImpl &net, const DeployNetwork &dn, const data::ImageSet &set,
                   const std::vector<std::int64_t> &indices, const data::Preprocess &pp, int batchSize,
                   const Steps &steps)
{
    std::vector<std::vector<torch::Tensor>> fl, q;
    std::vector<torch::Tensor> labels;
    c10::InferenceMode guard;
    for (std::size_t at = 0; at < indices.size(); at += std::size_t(batchSize)) {
        steps.check();
        const std::size_t n = std::min(indices.size() - at, std::size_t(batchSize));
        const auto x = data::makeImages(set, indices.data() + at, n, pp);
        std::vector<std::int64_t> l;
        for (std::size_t i = 0; i < n; ++i)
            l.push_back(set.labels[std::size_t(indices[at + i])]);
        labels.push_back(torch::tensor(l, torch::kInt64));
        const auto a = net.forward(x);
        const auto b = dn.forward(x, true);
        fl.resize(a.exits.size() + 1);
        q.resize(a.exits.size() + 1);
        for (std::size_t o = 0; o <= a.exits.size(); ++o) {
            fl[o].push_back(o < a.exits.size() ? a.exits[o] : a.final);
            q[o].push_back(o < b.exits.size() ? b.exits[o] : b.final);
        }
    }
    SetLogits r;
    r.labels = torch::cat(labels);
    for (std::size_t o = 0; o < fl.size(); ++o) {
        auto f = torch::cat(fl[o]), g = torch::cat(q[o]);
        if (o + 1 < fl.size()) {
            r.fl.exits.push_back(f);
            r.q.exits.push_back(g);
        } else {
            r.fl.final = f;
            r.q.final = g;
        }
    }
    return r;
}

Int8SetFigures int8SetFigures(const std::string &what, const SetLogits &s, int classes, space::ExitRule rule,
                              const std::vector<double> &thresholds, const std::vector<double> &retuned,
                              const std::vector<double> &macsToLeave)
{
    Int8SetFigures f;
    f.images = what;
    f.count = s.labels.size(0);
    const double n = double(std::max<std::int64_t>(1, f.count));
    for (std::size_t o = 0; o <= s.fl.exits.size(); ++o) {
        const auto &a = o < s.fl.exits.size() ? s.fl.exits[o] : s.fl.final;
        const auto &b = o < s.q.exits.size() ? s.q.exits[o] : s.q.final;
        f.floatOutputAccuracy.push_back(a.narrow(1, 0, classes).argmax(1).eq(s.labels).sum().item<double>() / n);
        f.int8OutputAccuracy.push_back(b.narrow(1, 0, classes).argmax(1).eq(s.labels).sum().item<double>() / n);
    }
    std::tie(f.floatAccuracy, f.floatMacs) =
        earlyExitFigures(s.fl, s.labels, classes, rule, thresholds, macsToLeave, &f.floatShare);
    std::tie(f.int8Accuracy, f.int8Macs) =
        earlyExitFigures(s.q, s.labels, classes, rule, thresholds, macsToLeave, &f.int8Share);
    std::tie(f.int8RetunedAccuracy, f.int8RetunedMacs) =
        earlyExitFigures(s.q, s.labels, classes, rule, retuned, macsToLeave, &f.int8RetunedShare);
    const auto a = supernet::decideEarlyExit(s.fl, classes, rule, thresholds);
    const auto b = supernet::decideEarlyExit(s.q, classes, rule, thresholds);
    f.predictionDisagreements = a.predictions.ne(b.predictions).sum().item<std::int64_t>();
    return f;
}

} // namespace

std::vector<std::string> exportFileNames()
{
    return {kModelPt, kModelJson, kModelOnnx, kVerification, kModelInt8Onnx, kSegmentsJson};
}

ExportResult exportModel(const ExportRequest &request)
{
    const auto start = Clock::now();
    const Steps steps(request);
    if (request.batchSize <= 0 || request.testImages < 0)
        throw std::invalid_argument("the batch size must be positive, the test images not negative");
    // The cheap checks first: a bad folder or study costs nothing.
    OutDir out(request.outDir, request.overwrite);
    try {
        auto p = prepareCandidate(request, steps);
        const space::Genome &genome = p.genome;
        const auto &space = p.space();
        ExportResult r;
        r.outDir = request.outDir;
        r.candidateId = p.candidateId;
        r.edited = p.edited;
        r.genome = genome;
        r.exits = int(genome.exits.size());
        r.studyAccuracy = p.edited ? -1.0 : p.record.accuracy;
        if (!p.edited && p.finalFront)
            r.finalFrontAccuracy = p.finalFront->first;

        // Fine-tuning first, when asked: the network exported and its reference figures
        // are then the fine-tuned ones (the study's measurement is its `before`).
        std::optional<FineTunedNetwork> tuned;
        if (request.fineTune) {
            tuned.emplace(fineTuneNetwork(p, *request.fineTune, steps, request.fineTuneProgress));
            r.fineTune = tuned->result;
        }

        // The study's measurement, again: recalibration, profile, exit rule.
        eenn::EvaluationTiming timing;
        if (!tuned)
            steps.say("recalibrating batch norm and profiling candidate " + std::to_string(p.candidateId) + " on "
                      + std::to_string(p.evaluator->validationIndices().size()) + " validation images");
        const auto profile = tuned ? tuned->profile : p.evaluator->profile(genome, &timing);
        const auto evaluation = eenn::evaluate(*profile, eenn::configFromGenome(*profile, genome));
        const auto alone = eenn::evaluate(*profile, {{}, genome.rule, {}});
        r.profileAccuracy = evaluation.accuracy;
        r.macsTrue = evaluation.averageMacsTrue;
        r.macsPaper = evaluation.averageMacsPaper;
        const auto costs = cost::computeCost(space, genome);
        r.staticMacs = double(costs.staticMacs);
        r.params = double(costs.params);
        steps.check();

        auto net = tuned ? tuned->net : extractNetwork(p, genome, /*fuse=*/true, /*recalibrated=*/!timing.cached);
        const auto &arch = net->architecture();
        r.outputs = onnxOutputNames(r.exits);
        const auto exits = exitsJson(genome, arch, costs, r.outputs);
        const auto input = inputJson(p);

        std::vector<std::string> rewritten{kModelPt, kModelJson};
        steps.say("writing " + out.file(kModelPt).string());
        saveEennArchive(out.file(kModelPt).string(), *net, space, p.checkpoint.mean, p.checkpoint.std);
        out.wrote(out.file(kModelPt));
        r.torchBytes = fs::file_size(out.file(kModelPt));
        steps.check();

        const std::string studyHash = search::SearchEngine::fileHash(p.studyPath);
        QJsonArray classNames;
        for (const auto &c : p.dataset->classNames)
            classNames.append(QString::fromStdString(c));
        std::vector<std::pair<std::string, std::string>> metadata{
                {"edanas.exits", QJsonDocument(exits).toJson(QJsonDocument::Compact).toStdString()},
                {"edanas.input", QJsonDocument(input).toJson(QJsonDocument::Compact).toStdString()},
                {"edanas.genome", genome.toJson()},
                {"edanas.classes", QJsonDocument(classNames).toJson(QJsonDocument::Compact).toStdString()},
                {"edanas.candidate", std::to_string(p.candidateId) + (p.edited ? " (edited)" : "")},
                {"edanas.study", p.studyPath + " (" + studyHash + ")"},
                {"edanas.checkpoint_hash", p.checkpointHash},
                {"edanas.dataset_hash", p.datasetHash},
            };
        if (tuned)
            metadata.push_back({"edanas.fine_tuned", QJsonDocument(fineTuneJson(tuned->result))
                                                          .toJson(QJsonDocument::Compact)
                                                          .toStdString()});
        if (request.onnx) {
            rewritten.push_back(kModelOnnx);
            steps.say("writing " + out.file(kModelOnnx).string());
            writeOnnx(*net, out.file(kModelOnnx).string(), metadata,
                      "Early-exit network " + genome.summary() + " exported by edanas " + kVersion
                          + ". Outputs: the logits of every exit in order, then final_logits; the exit rule is in "
                            "metadata_props[\"edanas.exits\"].");
            out.wrote(out.file(kModelOnnx));
            r.onnxBytes = fs::file_size(out.file(kModelOnnx));
        }
        steps.check();

        // The network as a microcontroller runs it: segments, int8, memory.
        r.mcu = mcuMemory(arch);
        const bool writeSegments = request.onnx && request.segments;
        std::unique_ptr<DeployNetwork> deployed;
        if (writeSegments || request.int8)
            deployed = std::make_unique<DeployNetwork>(*net);
        std::vector<SegmentFiles> floatSegments, int8Segments;
        // writes segment i's pieces; returns their names
        auto writePieces = [&](bool int8) {
            std::vector<SegmentFiles> files;
            const auto &g = deployed->graph();
            for (std::size_t i = 0; i < g.segments(); ++i) {
                const bool hasBackbone = !g.backbone[i].ops.empty();
                const auto names = segmentFileNames(i, int8, hasBackbone);
                auto meta = metadata;
                meta.push_back({"edanas.segment", std::to_string(i) + " of " + std::to_string(g.segments())
                                                      + (i + 1 == g.segments() ? " (the final head)" : "")});
                if (hasBackbone) {
                    deployed->writePieceOnnx(out.file(names.backbone.c_str()).string(), g.backbone[i], int8, meta);
                    out.wrote(out.file(names.backbone.c_str()));
                    rewritten.push_back(names.backbone);
                    r.segmentFiles.push_back(names.backbone);
                }
                deployed->writePieceOnnx(out.file(names.exit.c_str()).string(), g.exits[i], int8, meta);
                out.wrote(out.file(names.exit.c_str()));
                rewritten.push_back(names.exit);
                r.segmentFiles.push_back(names.exit);
                files.push_back(names);
            }
            return files;
        };
        if (writeSegments) {
            steps.say("writing " + std::to_string(deployed->graph().segments()) + " float segments");
            floatSegments = writePieces(false);
        }
        std::vector<double> macsToLeave;
        std::vector<double> genomeThresholds;
        for (const auto &e : genome.exits)
            genomeThresholds.push_back(e.threshold);
        {
            std::int64_t passed = 0;
            for (const auto &c : costs.exits) {
                macsToLeave.push_back(double(c.cumulativeMacs() + passed));
                passed += c.exitMacs;
            }
        }
        std::vector<std::int64_t> testIndices;
        for (std::int64_t i = 0; i < p.dataset->test.size(); ++i)
            testIndices.push_back(i);
        testIndices = data::evenSubset(testIndices, request.testImages);
        if (request.int8) {
            if (request.calibrationImages <= 0)
                throw std::invalid_argument("the int8 calibration needs at least one training image");
            const auto calibration = fineTuneImages(p, request.calibrationImages);
            steps.say("calibrating int8 activations on " + std::to_string(calibration.size()) + " training images");
            const auto pp = p.preprocess();
            {
                c10::InferenceMode guard;
                for (std::size_t at = 0; at < calibration.size(); at += std::size_t(request.batchSize)) {
                    steps.check();
                    const std::size_t n = std::min(calibration.size() - at, std::size_t(request.batchSize));
                    deployed->calibrate(data::makeImages(p.dataset->train, calibration.data() + at, n, pp));
                }
            }
            deployed->quantize();
            Int8Figures q;
            q.calibrationImages = deployed->calibrationImages();
            q.genomeThresholds = genomeThresholds;
            steps.say("int8 against float on the study's " + std::to_string(p.evaluator->validationIndices().size())
                      + " validation images and " + std::to_string(testIndices.size()) + " test images");
            const auto val = logitsOf(*net, *deployed, p.dataset->train, p.evaluator->validationIndices(), pp,
                                      request.batchSize, steps);
            const int classes = arch.classes;
            const double floatMacs =
                earlyExitFigures(val.fl, val.labels, classes, genome.rule, genomeThresholds, macsToLeave).second;
            q.retunedThresholds = retuneThresholds(val.q, val.labels, classes, genome.rule, genomeThresholds,
                                                   macsToLeave, floatMacs);
            q.retuneUsed = request.int8Retune;
            q.sets.push_back(int8SetFigures("validation (study)", val, classes, genome.rule, genomeThresholds,
                                            q.retunedThresholds, macsToLeave));
            if (!testIndices.empty()) {
                const auto test = logitsOf(*net, *deployed, p.dataset->test, testIndices, pp, request.batchSize, steps);
                q.sets.push_back(int8SetFigures("test", test, classes, genome.rule, genomeThresholds,
                                                q.retunedThresholds, macsToLeave));
            }
            steps.say("writing " + out.file(kModelInt8Onnx).string());
            auto meta = metadata;
            meta.push_back({"edanas.int8", "per-channel symmetric int8 weights, per-tensor asymmetric int8 activations "
                                           "calibrated on " + std::to_string(q.calibrationImages)
                                               + " training images (docs/DEPLOY.md)"});
            deployed->writeOnnx(out.file(kModelInt8Onnx).string(), true, meta,
                                "Early-exit network " + genome.summary() + ", int8 (quantize/dequantize form), "
                                    "exported by edanas " + kVersion + ". Outputs as model.onnx.");
            out.wrote(out.file(kModelInt8Onnx));
            rewritten.push_back(kModelInt8Onnx);
            q.onnxBytes = fs::file_size(out.file(kModelInt8Onnx));
            if (request.segments) {
                steps.say("writing " + std::to_string(deployed->graph().segments()) + " int8 segments");
                int8Segments = writePieces(true);
            }
            r.int8 = q;
        }
        steps.check();

        if (request.verify) {
            std::unique_ptr<OnnxRunner> runner;
            if (request.onnx)
                runner = std::make_unique<OnnxRunner>(out.file(kModelOnnx).string(), r.outputs);
            const auto pp = p.preprocess();
            const auto &ds = *p.dataset;
            const bool cv = runner != nullptr;
            // the study's validation images: LibTorch's real early exit, OpenCV's outputs with the rule
            steps.say("checking on the study's " + std::to_string(p.evaluator->validationIndices().size())
                      + " validation images");
            const auto val = runImages(*net, runner.get(), ds.train, p.evaluator->validationIndices(), pp,
                                       request.batchSize, true, false, steps);
            r.accuracies.push_back(accuracyOf("validation (study)", val, r.profileAccuracy, cv));
            // the final front's images (the whole validation split, usually)
            if (r.finalFrontAccuracy) {
                eenn::ProfileEvaluator final(p.evaluator->net(), ds, p.checkpoint.mean, p.checkpoint.std,
                                             p.config.evaluatorOptions(p.config.finalValidationImages));
                steps.say("checking on the final front's " + std::to_string(final.validationIndices().size())
                          + " validation images");
                const auto fin = runImages(*net, runner.get(), ds.train, final.validationIndices(), pp,
                                           request.batchSize, true, false, steps);
                // (the study's figure is the network before fine-tuning: nothing to compare with then)
                r.accuracies.push_back(
                    accuracyOf("validation (final front)", fin, tuned ? -1.0 : *r.finalFrontAccuracy, cv));
            }
            if (ds.test.size() > 0) {
                std::vector<std::int64_t> all(std::size_t(ds.test.size()));
                for (std::size_t i = 0; i < all.size(); ++i)
                    all[i] = std::int64_t(i);
                all = data::evenSubset(all, request.testImages);
                steps.say("comparing every output on " + std::to_string(all.size()) + " test images");
                const auto test = runImages(*net, runner.get(), ds.test, all, pp, request.batchSize, false, cv, steps);
                r.accuracies.push_back(accuracyOf("test", test, -1.0, cv));
                for (std::size_t o = 0; cv && o < r.outputs.size(); ++o) {
                    OutputAgreement a;
                    a.name = r.outputs[o];
                    a.images = test.images;
                    a.argmaxDisagreements = test.argmaxDisagreements[o];
                    a.argmaxAgreement = 1.0 - double(a.argmaxDisagreements) / double(std::max<std::int64_t>(1, a.images));
                    a.maxAbsDifference = test.maxAbsDifference[o];
                    r.agreement.push_back(a);
                }
                if (cv && !floatSegments.empty()) {
                    // at most 2,000 of them (evenly spread): OpenCV runs every image twice here
                    all = data::evenSubset(all, std::min<std::int64_t>(std::int64_t(all.size()), 2000));
                    steps.say("chaining the float segments in OpenCV on " + std::to_string(all.size())
                              + " test images");
                    OpenCvSegments chain(request.outDir, floatSegments);
                    std::vector<OutputAgreement> seg(r.outputs.size());
                    for (std::size_t o = 0; o < seg.size(); ++o)
                        seg[o].name = r.outputs[o];
                    const int classes = arch.classes;
                    for (std::size_t at = 0; at < all.size(); at += std::size_t(request.batchSize)) {
                        steps.check();
                        const std::size_t n = std::min(all.size() - at, std::size_t(request.batchSize));
                        const auto x = data::makeImages(ds.test, all.data() + at, n, pp);
                        const auto one = runner->run(x);
                        const auto chained = chain.run(x);
                        for (std::size_t o = 0; o < seg.size(); ++o) {
                            const auto &a = o + 1 < seg.size() ? one.exits[o] : one.final;
                            const auto &b = o + 1 < seg.size() ? chained.exits[o] : chained.final;
                            seg[o].images += std::int64_t(n);
                            seg[o].argmaxDisagreements += a.narrow(1, 0, classes)
                                                              .argmax(1)
                                                              .ne(b.narrow(1, 0, classes).argmax(1))
                                                              .sum()
                                                              .item<std::int64_t>();
                            seg[o].maxAbsDifference =
                                std::max(seg[o].maxAbsDifference, (a - b).abs().max().item<double>());
                        }
                    }
                    for (auto &a : seg)
                        a.argmaxAgreement =
                            1.0 - double(a.argmaxDisagreements) / double(std::max<std::int64_t>(1, a.images));
                    r.segmentAgreement = seg;
                }
            }
            r.verified = true;

            // What must hold.
            const double studyWay = tuned ? tuned->result.before.accuracy : r.profileAccuracy;
            if (!p.edited && studyWay != p.record.accuracy)
                r.problems.push_back("measured again the study's way, candidate " + std::to_string(p.candidateId)
                                     + " has " + percent(studyWay) + ", the study records "
                                     + percent(p.record.accuracy)
                                     + " (is the supernet, the data set or the program another?)");
            for (const auto &a : r.segmentAgreement)
                if (a.argmaxDisagreements > 0 || a.maxAbsDifference > 1e-3)
                    r.problems.push_back(a.name + ": the float segments chained in OpenCV differ from model.onnx on "
                                         + std::to_string(a.argmaxDisagreements) + " of "
                                         + std::to_string(a.images) + " test images (largest logit difference "
                                         + std::to_string(a.maxAbsDifference) + ")");
            for (const auto &a : r.agreement)
                if (a.argmaxDisagreements > 0)
                    r.problems.push_back(a.name + ": OpenCV predicts another class than LibTorch for "
                                         + std::to_string(a.argmaxDisagreements) + " of " + std::to_string(a.images)
                                         + " test images");
            for (const auto &s : r.accuracies) {
                if (s.reference < 0)
                    continue;
                const std::string reference = tuned ? ", the fine-tuned network's profile " : ", the study ";
                if (s.libtorch != s.reference)
                    r.problems.push_back(s.images + ": LibTorch's early exit gives " + percent(s.libtorch)
                                         + reference + percent(s.reference));
                if (cv && s.opencv != s.reference)
                    r.problems.push_back(s.images + ": the exit rule on OpenCV's outputs gives " + percent(s.opencv)
                                         + reference + percent(s.reference));
                if (cv && s.decisionDisagreements > 0)
                    r.problems.push_back(s.images + ": " + std::to_string(s.decisionDisagreements)
                                         + " images leave at another exit or with another class in OpenCV");
            }
            r.passed = r.problems.empty();
            rewritten.push_back(kVerification);
        }

        // model.json: everything needed to use the network, and where it came from.
        const auto candidateFigures = study::CandidateFigures::fromJson(p.record.figuresJson, p.studyPath);
        QJsonObject figures{{"validation_images", double(profile->samples)},
                            {"accuracy", r.profileAccuracy},
                            {"study_accuracy", r.studyAccuracy >= 0 ? QJsonValue(r.studyAccuracy) : QJsonValue()},
                            {"static_accuracy", alone.accuracy},
                            {"macs_true", r.macsTrue},
                            {"macs_paper", r.macsPaper},
                            {"static_macs", r.staticMacs},
                            {"params", r.params},
                            {"share", doubles(evaluation.share)},
                            {"exit_accuracy", doubles(evaluation.exitAccuracy)}};
        if (r.finalFrontAccuracy)
            figures.insert("final_front", QJsonObject{{"accuracy", *r.finalFrontAccuracy},
                                                      {"images", double(p.finalFront->second)}});
        if (!p.edited && candidateFigures.staticAccuracy > 0.0)
            figures.insert("study_static_accuracy", candidateFigures.staticAccuracy);
        for (const auto &s : r.accuracies)
            if (s.images == "test")
                figures.insert("test", QJsonObject{{"images", double(s.count)},
                                                   {"accuracy", s.libtorch},
                                                   {"share", doubles(s.share)}});
        QJsonArray outputNames;
        for (const auto &o : r.outputs)
            outputNames.append(QString::fromStdString(o));
        // one object per segment: its files and its memory on a microcontroller
        QJsonArray segments;
        for (std::size_t i = 0; i < r.mcu.segments.size(); ++i) {
            const auto &m = r.mcu.segments[i];
            auto file = [](const std::string &f) { return f.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(f)); };
            QJsonObject o{{"index", int(i)},
                          {"output", QString::fromStdString(r.outputs[i])},
                          {"sram_bytes", double(m.arena)},
                          {"backbone_sram_bytes", double(m.backboneArena)},
                          {"exit_sram_bytes", double(m.exitArena)},
                          {"flash_bytes", double(m.backboneFlash + m.exitFlash)},
                          {"flash_through_bytes", double(m.flashThrough)},
                          {"sram_through_bytes", double(m.arenaThrough)}};
            if (i < floatSegments.size()) {
                o.insert("backbone", file(floatSegments[i].backbone));
                o.insert("exit", file(floatSegments[i].exit));
            }
            if (i < int8Segments.size())
                o.insert("int8", QJsonObject{{"backbone", file(int8Segments[i].backbone)},
                                             {"exit", file(int8Segments[i].exit)}});
            segments.append(o);
        }
        QJsonObject int8Json;
        if (r.int8) {
            const auto &q = *r.int8;
            int8Json = QJsonObject{
                {"file", kModelInt8Onnx},
                {"scheme", "weights: int8, symmetric, one scale per output channel; biases: int32, scale = input "
                           "scale x weight scale; activations: int8, asymmetric, one scale and zero point per tensor "
                           "from its range on the calibration images; logits: float; ONNX QuantizeLinear/"
                           "DequantizeLinear form (opset " + QString::number(onnxOpset()) + ")"},
                {"calibration_images", double(q.calibrationImages)},
                {"calibration", "evenly spread over the training part of the study's split (no validation or test "
                                "image)"},
                {"thresholds", doubles(q.retuneUsed ? q.retunedThresholds : q.genomeThresholds)},
                {"thresholds_are", q.retuneUsed ? "re-tuned for int8" : "the genome's"},
                {"genome_thresholds", doubles(q.genomeThresholds)},
                {"retuned_thresholds", doubles(q.retunedThresholds)},
                {"retuning", "coordinate ascent over a fine threshold grid on the int8 outputs of the validation "
                             "images: the highest accuracy whose average MACs stay at most the float network's"},
                {"flash_bytes", double(r.mcu.flash)},
                {"sram_bytes", double(r.mcu.arena)},
                {"onnx_bytes", double(q.onnxBytes)}};
            for (const auto &set : q.sets)
                int8Json.insert(set.images == "test" ? "test" : "validation", int8SetJson(set));
        }
        const QJsonObject model{
            {"format", "edanas-eenn"},
            {"version", 1},
            {"created_by", QString::fromStdString(std::string("edanas ") + kVersion)},
            {"files", QJsonObject{{"libtorch", kModelPt},
                                  {"onnx", request.onnx ? QJsonValue(kModelOnnx) : QJsonValue()},
                                  {"verification", request.verify ? QJsonValue(kVerification) : QJsonValue()},
                                  {"onnx_int8", r.int8 ? QJsonValue(kModelInt8Onnx) : QJsonValue()},
                                  {"segments", floatSegments.empty() ? QJsonValue() : QJsonValue(kSegmentsJson)}}},
            {"loading",
             QJsonObject{
                 {"libtorch",
                  "C++: edanas::deploy::loadEennArchive(\"model.pt\") (core/export/eennarchive.h) returns the "
                  "network. By hand: build supernet::StaticEenn(*Supernet(SearchSpace::fromJson(space)), "
                  "Genome::fromJson(genome)) from the objects below, call fuseBatchNorm(), then "
                  "torch::load(net, \"model.pt\"). Its forward() gives every exit's logits and the head's; infer() "
                  "does real early exit with the rule below."},
                 {"onnx", QString::fromStdString(
                              "any ONNX runtime (opset " + std::to_string(onnxOpset())
                              + "): feed `input` preprocessed as described, read the outputs (one per exit, then "
                                "final_logits) and apply `exits.rule_text`; metadata_props carry the same JSON")}}},
            {"input", input},
            {"outputs", outputNames},
            {"segments", segments},
            {"mcu", mcuJson(r.mcu)},
            {"int8", r.int8 ? QJsonValue(int8Json) : QJsonValue()},
            {"exits", exits},
            {"architecture", architectureJson(arch, costs)},
            {"genome", jsonValue(genome.toJson())},
            {"genome_summary", QString::fromStdString(genome.summary())},
            {"genome_hash", QString::fromStdString(genome.hashHex())},
            {"space_name", QString::fromStdString(space.name)},
            {"space", jsonValue(space.toJson())},
            {"classes", classNames},
            {"provenance",
             QJsonObject{{"study", QString::fromStdString(fs::absolute(p.studyPath).lexically_normal().string())},
                         {"study_hash", QString::fromStdString(studyHash)},
                         {"candidate", double(p.candidateId)},
                         {"edited", p.edited},
                         {"stored_genome", jsonValue(p.storedGenome.toJson())},
                         {"checkpoint", QString::fromStdString(p.checkpointPath)},
                         {"checkpoint_hash", QString::fromStdString(p.checkpointHash)},
                         {"dataset", QString::fromStdString(p.datasetPath)},
                         {"dataset_name", QString::fromStdString(p.dataset->name)},
                         {"dataset_hash", QString::fromStdString(p.datasetHash)},
                         {"search_config", jsonValue(p.info.configJson)},
                         {"batch_norm", QString::fromStdString(
                                            tuned ? "recalibrated on " + std::to_string(p.config.recalibrationImages)
                                                        + " training images as the search did, trained further by "
                                                          "the fine-tuning, then folded into the convolutions"
                                                  : "recalibrated on " + std::to_string(p.config.recalibrationImages)
                                                        + " training images as the search did, then folded into "
                                                          "the convolutions")}}},
            {"figures", figures},
            {"fine_tuning", tuned ? QJsonValue(fineTuneJson(tuned->result)) : QJsonValue()},
        };
        if (!floatSegments.empty()) {
            // what a runtime needs to run the segments, without null (OpenCV's JSON
            // reader, cv::FileStorage, refuses null; docs/examples/segment_driver.cpp reads it)
            auto list = [](const std::vector<SegmentFiles> &files) {
                QJsonArray a;
                for (const auto &f : files)
                    a.append(QJsonObject{{"backbone", QString::fromStdString(f.backbone)},
                                         {"exit", QString::fromStdString(f.exit)}});
                return a;
            };
            QJsonObject runtime{{"format", "edanas-segments"},
                                {"version", 1},
                                {"what", "the segments of model.json for a runtime: run segment i's backbone (none "
                                         "when empty) on the input or the previous backbone's output, then its exit; "
                                         "apply the rule with thresholds[i]; stop, or go on (docs/DEPLOY.md)"},
                                {"input", QJsonObject{{"channels", arch.inputChannels},
                                                      {"height", arch.resolution},
                                                      {"width", arch.resolution},
                                                      {"mean", input.value("mean")},
                                                      {"std", input.value("std")}}},
                                {"classes", arch.classes},
                                {"rule", QString::fromStdString(space::exitRuleName(genome.rule))},
                                {"thresholds", doubles(genomeThresholds)},
                                {"segments", list(floatSegments)}};
            if (r.int8) {
                runtime.insert("int8_thresholds",
                               doubles(r.int8->retuneUsed ? r.int8->retunedThresholds : r.int8->genomeThresholds));
                runtime.insert("int8_segments", list(int8Segments));
            }
            writeText(out.file(kSegmentsJson), QJsonDocument(runtime).toJson(QJsonDocument::Indented).toStdString());
            out.wrote(out.file(kSegmentsJson));
            rewritten.push_back(kSegmentsJson);
        }
        steps.say("writing " + out.file(kModelJson).string());
        writeText(out.file(kModelJson), QJsonDocument(model).toJson(QJsonDocument::Indented).toStdString());
        out.wrote(out.file(kModelJson));
        r.seconds = since(start);
        if (request.verify) {
            writeText(out.file(kVerification),
                      QJsonDocument(verificationJson(r)).toJson(QJsonDocument::Indented).toStdString());
            out.wrote(out.file(kVerification));
        }
        out.removeStale(rewritten);
        for (const auto &f : out.written())
            r.files.push_back(f.string());
        if (request.verify && !r.passed) {
            std::string message = "the exported network failed its checks (files kept in " + request.outDir + "):";
            for (const auto &pr : r.problems)
                message += "\n  " + pr;
            throw VerificationFailed(message, r);
        }
        return r;
    } catch (const VerificationFailed &) {
        throw;
    } catch (...) {
        out.cleanUp();
        throw;
    }
}

} // namespace edanas::deploy
