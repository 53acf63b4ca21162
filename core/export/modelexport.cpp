// exportModel: a study's candidate exported step by step (exportsteps.h): measured
// again the study's way (fine-tuned first when asked), its files written, its int8
// network, its checks, its description; the folder left as it was on failure.
#include "modelexport.h"

#include "onnxexport.h"

#include "cost/cost.h"

#include "exportsteps.h" // Qt headers: after the others (Qt's `emit` macro)
#include "modeljson.h"

#include <QJsonDocument>

#include <chrono>
#include <filesystem>
#include <stdexcept>

namespace edanas::deploy {

using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// The candidate's network as the study measured it (fine-tuned first, when asked), its
// figures and its description.
void measureNetwork(ExportJob &job)
{
    const auto &request = job.request;
    auto &p = job.p;
    const space::Genome &genome = p.genome;
    const auto &steps = job.steps;
    auto &r = job.r;
    auto &tuned = job.tuned;
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
    if (request.fineTune) {
        tuned.emplace(fineTuneNetwork(p, *request.fineTune, steps, request.fineTuneProgress));
        r.fineTune = tuned->result;
    }

    // The study's measurement, again: recalibration, profile, exit rule.
    eenn::EvaluationTiming timing;
    if (!tuned)
        steps.say("recalibrating batch norm and profiling candidate " + std::to_string(p.candidateId) + " on "
                  + std::to_string(p.evaluator->validationIndices().size()) + " validation images");
    job.profile = tuned ? tuned->profile : p.evaluator->profile(genome, &timing);
    const auto &profile = job.profile;
    job.evaluation = eenn::evaluate(*profile, eenn::configFromGenome(*profile, genome));
    job.alone = eenn::evaluate(*profile, {{}, genome.rule, {}});
    r.profileAccuracy = job.evaluation.accuracy;
    r.macsTrue = job.evaluation.averageMacsTrue;
    r.macsPaper = job.evaluation.averageMacsPaper;
    job.costs = cost::computeCost(p.space(), genome);
    r.staticMacs = double(job.costs.staticMacs);
    r.params = double(job.costs.params);
    steps.check();

    job.net = tuned ? tuned->net : extractNetwork(p, genome, /*fuse=*/true, /*recalibrated=*/!timing.cached);
    r.outputs = onnxOutputNames(r.exits);
    job.exits = exitsJson(genome, job.net->architecture(), job.costs, r.outputs);
    job.input = inputJson(p);
}

// The end: verification.json, no stale file beside the export's, and the checks' verdict.
ExportResult finish(ExportJob &job, Clock::time_point start)
{
    const auto &request = job.request;
    auto &out = job.out;
    auto &r = job.r;
    r.seconds = since(start);
    if (request.verify) {
        writeText(out.file(kVerification),
                  QJsonDocument(verificationJson(r)).toJson(QJsonDocument::Indented).toStdString());
        out.wrote(out.file(kVerification));
    }
    out.removeStale(job.rewritten);
    for (const auto &f : out.written())
        r.files.push_back(f.string());
    if (request.verify && !r.passed) {
        std::string message = "the exported network failed its checks (files kept in " + request.outDir + "):";
        for (const auto &pr : r.problems)
            message += "\n  " + pr;
        throw VerificationFailed(message, r);
    }
    return r;
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
        ExportJob job(request, steps, out, prepareCandidate(request, steps));
        measureNetwork(job);
        writeLibTorchArchive(job);
        writeOnnxModel(job);
        prepareDeployment(job);
        if (request.int8)
            exportInt8(job);
        steps.check();
        if (request.verify)
            verifyExport(job);
        writeModelDescription(job);
        return finish(job, start);
    } catch (const VerificationFailed &) {
        throw;
    } catch (...) {
        out.cleanUp();
        throw;
    }
}

} // namespace edanas::deploy
