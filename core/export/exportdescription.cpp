// An export's description files: model.json (everything needed to use the network, and
// where it came from) and segments.json (what a runtime needs to run the segments),
// assembled from modeljson.h's sections.
#include "study/records.h"

#include "edanas/version.h"

#include "exportsteps.h" // Qt headers: after the others (Qt's `emit` macro)
#include "modeljson.h"

#include <QJsonDocument>

#include <filesystem>

namespace edanas::deploy {

namespace fs = std::filesystem;

namespace {

QJsonValue jsonValue(const std::string &json)
{
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json));
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

// "figures": what the network measures, the study's way and on the test images.
QJsonObject figuresSection(const ExportJob &job)
{
    const auto &p = job.p;
    const auto &r = job.r;
    const auto &profile = job.profile;
    const auto &evaluation = job.evaluation;
    const auto &alone = job.alone;
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
    return figures;
}

// one object per segment: its files and its memory on a microcontroller
QJsonArray segmentsSection(const ExportJob &job)
{
    const auto &r = job.r;
    const auto &floatSegments = job.floatSegments;
    const auto &int8Segments = job.int8Segments;
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
    return segments;
}

// "int8": the scheme, the thresholds and the figures of the int8 network (with int8).
QJsonObject int8Section(const ExportJob &job)
{
    const auto &r = job.r;
    const auto &q = *r.int8;
    QJsonObject int8Json{
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
    return int8Json;
}

// "loading": how to load model.pt and model.onnx.
QJsonObject loadingSection()
{
    return QJsonObject{
        {"libtorch",
         "C++: edanas::deploy::loadEennArchive(\"model.pt\") (core/export/eennarchive.h) returns the "
         "network. By hand: build supernet::StaticEenn(*Supernet(SearchSpace::fromJson(space)), "
         "Genome::fromJson(genome)) from the objects below, call fuseBatchNorm(), then "
         "torch::load(net, \"model.pt\"). Its forward() gives every exit's logits and the head's; infer() "
         "does real early exit with the rule below."},
        {"onnx", QString::fromStdString(
                     "any ONNX runtime (opset " + std::to_string(onnxOpset())
                     + "): feed `input` preprocessed as described, read the outputs (one per exit, then "
                       "final_logits) and apply `exits.rule_text`; metadata_props carry the same JSON")}};
}

// "provenance": the study, candidate, supernet and data set the network came from.
QJsonObject provenanceSection(const ExportJob &job)
{
    const auto &p = job.p;
    const auto &tuned = job.tuned;
    return QJsonObject{
        {"study", QString::fromStdString(fs::absolute(p.studyPath).lexically_normal().string())},
        {"study_hash", QString::fromStdString(job.studyHash)},
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
                                         "the convolutions")}};
}

// model.json: everything needed to use the network, and where it came from.
QJsonObject modelJson(const ExportJob &job)
{
    const auto &request = job.request;
    const space::Genome &genome = job.p.genome;
    const auto &space = job.p.space();
    const auto &r = job.r;
    const auto &floatSegments = job.floatSegments;
    const QJsonObject figures = figuresSection(job);
    QJsonArray outputNames;
    for (const auto &o : r.outputs)
        outputNames.append(QString::fromStdString(o));
    const QJsonArray segments = segmentsSection(job);
    return QJsonObject{
        {"format", "edanas-eenn"},
        {"version", 1},
        {"created_by", QString::fromStdString(std::string("edanas ") + kVersion)},
        {"files", QJsonObject{{"libtorch", kModelPt},
                              {"onnx", request.onnx ? QJsonValue(kModelOnnx) : QJsonValue()},
                              {"verification", request.verify ? QJsonValue(kVerification) : QJsonValue()},
                              {"onnx_int8", r.int8 ? QJsonValue(kModelInt8Onnx) : QJsonValue()},
                              {"segments", floatSegments.empty() ? QJsonValue() : QJsonValue(kSegmentsJson)}}},
        {"loading", loadingSection()},
        {"input", job.input},
        {"outputs", outputNames},
        {"segments", segments},
        {"mcu", mcuJson(r.mcu)},
        {"int8", r.int8 ? QJsonValue(int8Section(job)) : QJsonValue()},
        {"exits", job.exits},
        {"architecture", architectureJson(job.net->architecture(), job.costs)},
        {"genome", jsonValue(genome.toJson())},
        {"genome_summary", QString::fromStdString(genome.summary())},
        {"genome_hash", QString::fromStdString(genome.hashHex())},
        {"space_name", QString::fromStdString(space.name)},
        {"space", jsonValue(space.toJson())},
        {"classes", job.classNames},
        {"provenance", provenanceSection(job)},
        {"figures", figures},
        {"fine_tuning", job.tuned ? QJsonValue(fineTuneJson(job.tuned->result)) : QJsonValue()},
    };
}

// segments.json: what a runtime needs to run the segments, without null (OpenCV's JSON
// reader, cv::FileStorage, refuses null; docs/examples/segment_driver.cpp reads it)
void writeSegmentsJson(ExportJob &job)
{
    const auto &genome = job.p.genome;
    const auto &r = job.r;
    const auto &arch = job.net->architecture();
    const auto &input = job.input;
    const auto &floatSegments = job.floatSegments;
    const auto &int8Segments = job.int8Segments;
    const auto &genomeThresholds = job.genomeThresholds;
    auto &out = job.out;
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
    job.rewritten.push_back(kSegmentsJson);
}

} // namespace

void writeModelDescription(ExportJob &job)
{
    auto &out = job.out;
    const QJsonObject model = modelJson(job);
    if (!job.floatSegments.empty())
        writeSegmentsJson(job);
    job.steps.say("writing " + out.file(kModelJson).string());
    writeText(out.file(kModelJson), QJsonDocument(model).toJson(QJsonDocument::Indented).toStdString());
    out.wrote(out.file(kModelJson));
}

} // namespace edanas::deploy
