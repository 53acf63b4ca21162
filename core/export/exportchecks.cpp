// An export's checks: LibTorch's real early exit and OpenCV running model.onnx on the
// study's validation images, the final front's and the test images; the float segments
// chained in OpenCV; and what did not hold.
#include "data/batchloader.h"
#include "data/split.h"

#include "exportsteps.h" // Qt headers: after the others (Qt's `emit` macro)

#include <algorithm>
#include <cstdio>
#include <memory>

namespace edanas::deploy {

namespace {

std::string percent(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * v);
    return buf;
}

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

// The float segments chained in OpenCV against model.onnx in OpenCV (`runner`), every
// output, on test images of `all`.
void chainSegments(ExportJob &job, OnnxRunner *runner, std::vector<std::int64_t> all)
{
    const auto &request = job.request;
    const auto &p = job.p;
    const auto &steps = job.steps;
    auto &r = job.r;
    const auto &floatSegments = job.floatSegments;
    const auto pp = p.preprocess();
    const auto &ds = *p.dataset;
    const auto &arch = job.net->architecture();
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

// Every output compared on the test images (testImages of them), then the float
// segments chained.
void checkTestImages(ExportJob &job, OnnxRunner *runner)
{
    const auto &request = job.request;
    const auto &p = job.p;
    const auto &steps = job.steps;
    auto &r = job.r;
    auto &net = job.net;
    const auto pp = p.preprocess();
    const auto &ds = *p.dataset;
    const bool cv = runner != nullptr;
    std::vector<std::int64_t> all(std::size_t(ds.test.size()));
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = std::int64_t(i);
    all = data::evenSubset(all, request.testImages);
    steps.say("comparing every output on " + std::to_string(all.size()) + " test images");
    const auto test = runImages(*net, runner, ds.test, all, pp, request.batchSize, false, cv, steps);
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
    if (cv && !job.floatSegments.empty())
        chainSegments(job, runner, all);
}

// What must hold.
void listProblems(ExportJob &job, bool cv)
{
    const auto &p = job.p;
    const auto &tuned = job.tuned;
    auto &r = job.r;
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
}

} // namespace

void verifyExport(ExportJob &job)
{
    const auto &request = job.request;
    const auto &p = job.p;
    const auto &steps = job.steps;
    auto &r = job.r;
    auto &net = job.net;
    const auto &tuned = job.tuned;
    std::unique_ptr<OnnxRunner> runner;
    if (request.onnx)
        runner = std::make_unique<OnnxRunner>(job.out.file(kModelOnnx).string(), r.outputs);
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
    if (ds.test.size() > 0)
        checkTestImages(job, runner.get());
    r.verified = true;
    listProblems(job, cv);
    r.passed = r.problems.empty();
    job.rewritten.push_back(kVerification);
}

} // namespace edanas::deploy
