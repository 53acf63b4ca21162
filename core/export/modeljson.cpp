#include "modeljson.h"

#include "runtime.h"

#include "edanas/version.h"

#include <QJsonDocument>
#include <QString>

#include <cmath>

namespace edanas::deploy {

QJsonArray doubles(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

QJsonArray floats(const std::vector<float> &v)
{
    QJsonArray a;
    for (float x : v)
        a.append(double(x));
    return a;
}

std::string ruleText(space::ExitRule rule)
{
    switch (rule) {
    case space::ExitRule::Margin:
        return "p = softmax of the exit's first `classes` logits; the input leaves at the first exit where "
               "p_top1 - p_top2 >= threshold";
    case space::ExitRule::MaxSoftmax:
        return "p = softmax of the exit's first `classes` logits; the input leaves at the first exit where "
               "max p >= threshold";
    case space::ExitRule::Entropy:
        return "p = softmax of the exit's first `classes` logits; the input leaves at the first exit where "
               "-sum p ln p <= threshold";
    case space::ExitRule::Confidence:
        return "NACHOS: c_i = sigmoid(logit number `classes` (the last column) of exit i); the input leaves at the "
               "first exit i where 1 - prod_{j<=i} (1 - c_j) >= threshold_i";
    }
    return {};
}

QJsonObject architectureJson(const space::Architecture &a, const cost::CostReport &c)
{
    QJsonArray blocks;
    for (std::size_t i = 0; i < a.blocks.size(); ++i) {
        const auto &b = a.blocks[i];
        const char *kind = b.kind == space::BlockSpec::Kind::Stem         ? "stem"
                           : b.kind == space::BlockSpec::Kind::FirstBlock ? "first"
                           : b.kind == space::BlockSpec::Kind::Head       ? "head"
                                                                          : "mbconv";
        QJsonObject o{{"index", int(i)},
                      {"name", QString::fromStdString(b.name)},
                      {"kind", kind},
                      {"in_channels", b.inChannels},
                      {"out_channels", b.outChannels},
                      {"input_size", b.inH},
                      {"output_size", b.outH},
                      {"stride", b.stride},
                      {"activation", QString::fromStdString(space::activationName(b.activation))},
                      {"macs", double(c.blockMacs[i])},
                      {"params", double(c.blockParams[i])}};
        if (b.kind == space::BlockSpec::Kind::MBConv || b.kind == space::BlockSpec::Kind::FirstBlock) {
            o.insert("stage", b.stage + 1); // 1-based, as in the genome
            o.insert("block", b.block + 1);
            o.insert("kernel", b.kernel);
            o.insert("expansion", b.expansion);
            o.insert("mid_channels", b.midChannels);
            o.insert("squeeze_excite", b.squeezeExcite);
            if (b.squeezeExcite)
                o.insert("squeeze_channels", b.squeezeChannels);
            o.insert("residual", b.residual);
        } else {
            o.insert("kernel", b.kernel);
        }
        blocks.append(o);
    }
    return QJsonObject{{"resolution", a.resolution},
                       {"input_channels", a.inputChannels},
                       {"classes", a.classes},
                       {"exit_classifier", QString::fromStdString(space::eecTypeName(a.eecType))},
                       {"blocks", blocks},
                       {"static_macs", double(c.staticMacs)},
                       {"backbone_params", double(c.backboneParams)},
                       {"params", double(c.params)}};
}

/// The exit configuration: what model.json and the ONNX metadata carry.
QJsonObject exitsJson(const space::Genome &g, const space::Architecture &a, const cost::CostReport &c,
                      const std::vector<std::string> &outputs)
{
    QJsonArray exits;
    std::int64_t passed = 0;
    for (std::size_t e = 0; e < a.exits.size(); ++e) {
        const auto &x = a.exits[e];
        exits.append(QJsonObject{{"index", int(e)},
                                 {"output", QString::fromStdString(outputs[e])},
                                 {"stage", x.stage + 1},
                                 {"block", x.block + 1},
                                 {"after_block_index", x.blockIndex},
                                 {"threshold", g.exits[e].threshold},
                                 {"max_pools", x.maxPools},
                                 {"columns", a.classes + (a.eecType == space::EecType::Nachos ? 1 : 0)},
                                 {"macs", double(c.exits[e].exitMacs)},
                                 {"macs_to_leave_here", double(c.exits[e].cumulativeMacs() + passed)}});
        passed += c.exits[e].exitMacs;
    }
    return QJsonObject{{"rule", QString::fromStdString(space::exitRuleName(g.rule))},
                       {"rule_text", QString::fromStdString(ruleText(g.rule))},
                       {"prediction", "argmax of the first `classes` logits of the exit the input leaves at; inputs "
                                      "no exit lets leave take the final head's"},
                       {"classes", a.classes},
                       {"exits", exits},
                       {"final_output", QString::fromStdString(outputs.back())},
                       {"final_macs", double(c.exits.back().cumulativeMacs() + passed)}};
}

QJsonObject inputJson(const PreparedCandidate &p)
{
    const auto &ds = *p.dataset;
    return QJsonObject{
        {"name", "input"},
        {"layout", "NCHW, float32"},
        {"channels", p.space().inputChannels},
        {"height", p.genome.resolution},
        {"width", p.genome.resolution},
        {"preprocess", QString::fromStdString(
                           "resize the " + std::to_string(ds.train.height) + "x" + std::to_string(ds.train.width)
                           + " image to the input size with bilinear interpolation (OpenCV INTER_LINEAR), scale "
                             "pixels to [0, 1] (divide by 255), then (x - mean) / std per channel")},
        {"mean", floats(p.checkpoint.mean)},
        {"std", floats(p.checkpoint.std)},
    };
}

QJsonObject setJson(const SetAccuracy &a)
{
    return QJsonObject{{"images", QString::fromStdString(a.images)},
                       {"count", double(a.count)},
                       {"reference", a.reference >= 0 ? QJsonValue(a.reference) : QJsonValue()},
                       {"libtorch", a.libtorch >= 0 ? QJsonValue(a.libtorch) : QJsonValue()},
                       {"opencv", a.opencv >= 0 ? QJsonValue(a.opencv) : QJsonValue()},
                       {"decision_disagreements", double(a.decisionDisagreements)},
                       {"share", doubles(a.share)}};
}

QJsonObject verificationJson(const ExportResult &r)
{
    QJsonArray sets, outputs, problems;
    for (const auto &s : r.accuracies)
        sets.append(setJson(s));
    for (const auto &o : r.agreement)
        outputs.append(QJsonObject{{"output", QString::fromStdString(o.name)},
                                   {"images", double(o.images)},
                                   {"argmax_agreement", o.argmaxAgreement},
                                   {"argmax_disagreements", double(o.argmaxDisagreements)},
                                   {"max_abs_difference", o.maxAbsDifference}});
    for (const auto &p : r.problems)
        problems.append(QString::fromStdString(p));
    QJsonArray segments;
    for (const auto &o : r.segmentAgreement)
        segments.append(QJsonObject{{"output", QString::fromStdString(o.name)},
                                    {"images", double(o.images)},
                                    {"argmax_agreement", o.argmaxAgreement},
                                    {"argmax_disagreements", double(o.argmaxDisagreements)},
                                    {"max_abs_difference", o.maxAbsDifference}});
    return QJsonObject{
        {"format", "edanas-eenn-verification"},
        {"created_by", QString::fromStdString(std::string("edanas ") + kVersion)},
        {"candidate", double(r.candidateId)},
        {"edited", r.edited},
        {"verified", r.verified},
        {"passed", r.passed},
        {"problems", problems},
        {"study_accuracy", r.studyAccuracy >= 0 ? QJsonValue(r.studyAccuracy) : QJsonValue()},
        {"profile_accuracy", r.profileAccuracy},
        {"final_front_accuracy", r.finalFrontAccuracy ? QJsonValue(*r.finalFrontAccuracy) : QJsonValue()},
        {"fine_tuned", r.fineTune.has_value()},
        {"fine_tuned_before_accuracy", r.fineTune ? QJsonValue(r.fineTune->before.accuracy) : QJsonValue()},
        {"accuracy", sets},
        {"agreement_test_split", outputs},
        {"segments_chained_test_split", segments},
        {"what",
         "agreement: OpenCV's dnn module running model.onnx against LibTorch running the same extracted, "
         "batch-norm-folded network, per output, on the whole test split; accuracy: the exit rule on each "
         "route's outputs (LibTorch's from real early exit, inputs removed as they leave, on the validation "
         "images), against the study's figure (profile: measured now the way the search measures)"},
        {"threads", threadCount()},
        {"seconds", r.seconds}};
}

QJsonObject figuresJson(const FineTuneFigures &f)
{
    return QJsonObject{{"validation_images", double(f.images)},
                       {"accuracy", f.accuracy},
                       {"macs_true", f.macsTrue},
                       {"macs_paper", f.macsPaper},
                       {"share", doubles(f.share)},
                       {"exit_accuracy", doubles(f.exitAccuracy)},
                       {"output_accuracy", doubles(f.positionAccuracy)}};
}

/// What model.json (and the ONNX metadata) say about a fine-tuning.
QJsonObject fineTuneJson(const FineTuneResult &t)
{
    const auto &o = t.options;
    return QJsonObject{
        {"what", "EDANAS-style training of this network alone: backbone, exits and head together, loss = "
                 "cross-entropy of the final head + exit_weight x cross-entropy of each exit (+ NACHOS confidence "
                 "binary cross-entropy), SGD with Nesterov momentum, cosine learning rate over all epochs, the "
                 "supernet training's augmentation, on the training part of the study's split (no validation or "
                 "test image); before: the study's network measured the study's way; after: the fine-tuned "
                 "network (batch norm folded) on the same validation images"},
        {"options", QJsonObject{{"epochs", o.epochs},
                                {"learning_rate", o.learningRate},
                                {"momentum", o.momentum},
                                {"weight_decay", o.weightDecay},
                                {"batch_size", o.batchSize},
                                {"train_images_asked", double(o.trainImages)},
                                {"exit_weight", o.exitWeight},
                                {"augment", o.augment},
                                {"seed", QString::number(o.seed)}}},
        {"train_images", double(t.trainImages)},
        {"batches_per_epoch", double(t.batchesPerEpoch)},
        {"epoch_loss", doubles(t.epochLoss)},
        {"before", figuresJson(t.before)},
        {"after", figuresJson(t.after)},
        {"train_seconds", t.trainSeconds},
    };
}

/// Every output's logits on a set of images, float (the exported network) and int8.
QJsonObject int8SetJson(const Int8SetFigures &f)
{
    return QJsonObject{{"images", double(f.count)},
                       {"exit_accuracy_float", doubles(f.floatOutputAccuracy)},
                       {"exit_accuracy", doubles(f.int8OutputAccuracy)},
                       {"accuracy_float", f.floatAccuracy},
                       {"accuracy", f.int8Accuracy},
                       {"accuracy_retuned", f.int8RetunedAccuracy},
                       {"macs_true_float", f.floatMacs},
                       {"macs_true", f.int8Macs},
                       {"macs_true_retuned", f.int8RetunedMacs},
                       {"share_float", doubles(f.floatShare)},
                       {"share", doubles(f.int8Share)},
                       {"share_retuned", doubles(f.int8RetunedShare)},
                       {"prediction_disagreements", double(f.predictionDisagreements)}};
}

namespace {

const char *const kMcuDefinition =
    "flash: every convolution's and linear layer's int8 weights (1 byte each), int32 biases (4 bytes each) and "
    "float per-output-channel weight scales (4 bytes each), plus a float scale and an int8 zero point (5 bytes) per "
    "quantized activation tensor. SRAM: the largest tensor arena along the execution order: at each operator its "
    "inputs, its output and every tensor produced earlier and still needed later (residual inputs, the feature map a "
    "squeeze-excite gate multiplies, the feature map an exit reads, which the next backbone piece needs), int8 "
    "tensors 1 byte per element, float logits 4, nothing in place, no scratch buffers. See docs/DEPLOY.md.";

} // namespace

QJsonObject mcuJson(const McuMemory &m)
{
    return QJsonObject{{"definition", kMcuDefinition},
                       {"flash_bytes", double(m.flash)},
                       {"sram_bytes", double(m.arena)},
                       {"flash_kib", double(m.flash) / 1024.0},
                       {"sram_kib", double(m.arena) / 1024.0}};
}

} // namespace edanas::deploy
