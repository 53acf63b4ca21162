// The float network's files of an export: the LibTorch archive (model.pt), the ONNX
// model (model.onnx) with the metadata every ONNX file carries, and one ONNX model per
// segment piece.
#include "eennarchive.h"
#include "onnxexport.h"

#include "data/split.h"

#include "edanas/version.h"

#include "exportsteps.h" // Qt headers: after the others (Qt's `emit` macro)
#include "modeljson.h"

#include <QJsonDocument>

#include <filesystem>

namespace edanas::deploy {

namespace fs = std::filesystem;

void writeLibTorchArchive(ExportJob &job)
{
    const auto &p = job.p;
    const auto &steps = job.steps;
    auto &out = job.out;
    job.rewritten = {kModelPt, kModelJson};
    steps.say("writing " + out.file(kModelPt).string());
    saveEennArchive(out.file(kModelPt).string(), *job.net, p.space(), p.checkpoint.mean, p.checkpoint.std);
    out.wrote(out.file(kModelPt));
    job.r.torchBytes = fs::file_size(out.file(kModelPt));
    steps.check();
}

void writeOnnxModel(ExportJob &job)
{
    const auto &p = job.p;
    const space::Genome &genome = p.genome;
    const auto &steps = job.steps;
    auto &out = job.out;
    job.studyHash = search::SearchEngine::fileHash(p.studyPath);
    for (const auto &c : p.dataset->classNames)
        job.classNames.append(QString::fromStdString(c));
    job.metadata = {
        {"edanas.exits", QJsonDocument(job.exits).toJson(QJsonDocument::Compact).toStdString()},
        {"edanas.input", QJsonDocument(job.input).toJson(QJsonDocument::Compact).toStdString()},
        {"edanas.genome", genome.toJson()},
        {"edanas.classes", QJsonDocument(job.classNames).toJson(QJsonDocument::Compact).toStdString()},
        {"edanas.candidate", std::to_string(p.candidateId) + (p.edited ? " (edited)" : "")},
        {"edanas.study", p.studyPath + " (" + job.studyHash + ")"},
        {"edanas.checkpoint_hash", p.checkpointHash},
        {"edanas.dataset_hash", p.datasetHash},
    };
    if (job.tuned)
        job.metadata.push_back({"edanas.fine_tuned", QJsonDocument(fineTuneJson(job.tuned->result))
                                                         .toJson(QJsonDocument::Compact)
                                                         .toStdString()});
    if (job.request.onnx) {
        job.rewritten.push_back(kModelOnnx);
        steps.say("writing " + out.file(kModelOnnx).string());
        writeOnnx(*job.net, out.file(kModelOnnx).string(), job.metadata,
                  "Early-exit network " + genome.summary() + " exported by edanas " + kVersion
                      + ". Outputs: the logits of every exit in order, then final_logits; the exit rule is in "
                        "metadata_props[\"edanas.exits\"].");
        out.wrote(out.file(kModelOnnx));
        job.r.onnxBytes = fs::file_size(out.file(kModelOnnx));
    }
    steps.check();
}

void prepareDeployment(ExportJob &job)
{
    const auto &request = job.request;
    const auto &p = job.p;
    // The network as a microcontroller runs it: segments, int8, memory.
    job.r.mcu = mcuMemory(job.net->architecture());
    const bool writeSegments = request.onnx && request.segments;
    if (writeSegments || request.int8)
        job.deployed = std::make_unique<DeployNetwork>(*job.net);
    if (writeSegments) {
        job.steps.say("writing " + std::to_string(job.deployed->graph().segments()) + " float segments");
        job.floatSegments = writeSegmentPieces(job, false);
    }
    for (const auto &e : p.genome.exits)
        job.genomeThresholds.push_back(e.threshold);
    {
        std::int64_t passed = 0;
        for (const auto &c : job.costs.exits) {
            job.macsToLeave.push_back(double(c.cumulativeMacs() + passed));
            passed += c.exitMacs;
        }
    }
    for (std::int64_t i = 0; i < p.dataset->test.size(); ++i)
        job.testIndices.push_back(i);
    job.testIndices = data::evenSubset(job.testIndices, request.testImages);
}

std::vector<SegmentFiles> writeSegmentPieces(ExportJob &job, bool int8)
{
    auto &out = job.out;
    std::vector<SegmentFiles> files;
    const auto &g = job.deployed->graph();
    for (std::size_t i = 0; i < g.segments(); ++i) {
        const bool hasBackbone = !g.backbone[i].ops.empty();
        const auto names = segmentFileNames(i, int8, hasBackbone);
        auto meta = job.metadata;
        meta.push_back({"edanas.segment", std::to_string(i) + " of " + std::to_string(g.segments())
                                              + (i + 1 == g.segments() ? " (the final head)" : "")});
        if (hasBackbone) {
            job.deployed->writePieceOnnx(out.file(names.backbone.c_str()).string(), g.backbone[i], int8, meta);
            out.wrote(out.file(names.backbone.c_str()));
            job.rewritten.push_back(names.backbone);
            job.r.segmentFiles.push_back(names.backbone);
        }
        job.deployed->writePieceOnnx(out.file(names.exit.c_str()).string(), g.exits[i], int8, meta);
        out.wrote(out.file(names.exit.c_str()));
        job.rewritten.push_back(names.exit);
        job.r.segmentFiles.push_back(names.exit);
        files.push_back(names);
    }
    return files;
}

} // namespace edanas::deploy
