// The int8 network of an export: its activations calibrated on training images, its
// accuracy against float on the validation and test images (with thresholds re-tuned for
// int8), and model-int8.onnx with its int8 segments.
#include "data/batchloader.h"

#include "edanas/version.h"

#include "exportsteps.h" // Qt headers: after the others (Qt's `emit` macro)

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <tuple>

namespace edanas::deploy {

namespace fs = std::filesystem;

namespace {

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

// Calibrates the int8 activations on training images (never a validation or test
// image), then quantizes.
void calibrateInt8(ExportJob &job)
{
    const auto &request = job.request;
    const auto &p = job.p;
    const auto &steps = job.steps;
    auto &deployed = job.deployed;
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
}

// int8 against float on the study's validation images and the test images.
Int8Figures int8Figures(ExportJob &job)
{
    const auto &request = job.request;
    const auto &p = job.p;
    const space::Genome &genome = p.genome;
    const auto &steps = job.steps;
    const auto &deployed = job.deployed;
    const auto &genomeThresholds = job.genomeThresholds;
    const auto &macsToLeave = job.macsToLeave;
    const auto &testIndices = job.testIndices;
    auto &net = job.net;
    const auto &arch = net->architecture();
    const auto pp = p.preprocess();
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
    return q;
}

} // namespace

void exportInt8(ExportJob &job)
{
    const auto &request = job.request;
    const space::Genome &genome = job.p.genome;
    const auto &steps = job.steps;
    auto &out = job.out;
    const auto &deployed = job.deployed;
    calibrateInt8(job);
    Int8Figures q = int8Figures(job);
    steps.say("writing " + out.file(kModelInt8Onnx).string());
    auto meta = job.metadata;
    meta.push_back({"edanas.int8", "per-channel symmetric int8 weights, per-tensor asymmetric int8 activations "
                                   "calibrated on " + std::to_string(q.calibrationImages)
                                       + " training images (docs/DEPLOY.md)"});
    deployed->writeOnnx(out.file(kModelInt8Onnx).string(), true, meta,
                        "Early-exit network " + genome.summary() + ", int8 (quantize/dequantize form), "
                            "exported by edanas " + kVersion + ". Outputs as model.onnx.");
    out.wrote(out.file(kModelInt8Onnx));
    job.rewritten.push_back(kModelInt8Onnx);
    q.onnxBytes = fs::file_size(out.file(kModelInt8Onnx));
    if (request.segments) {
        steps.say("writing " + std::to_string(deployed->graph().segments()) + " int8 segments");
        job.int8Segments = writeSegmentPieces(job, true);
    }
    job.r.int8 = q;
}

} // namespace edanas::deploy
