#include "commands.h"
#include "options.h"

#include "export/modelexport.h"

#include <QCommandLineParser>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace edanas::cli {

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void onExportInterrupt(int)
{
    g_cancel.store(true); // polled between batches: nothing is left behind
    std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends at once
}

std::string pct(double v)
{
    return v < 0 ? std::string("-") : QString::number(100.0 * v, 'f', 2).toStdString() + " %";
}

std::string kib(std::uintmax_t bytes)
{
    return QString::number(double(bytes) / 1024.0, 'f', 1).toStdString() + " KiB";
}

void printFigures(const char *what, const deploy::FineTuneFigures &f)
{
    std::printf("    %-7s accuracy %s, average MACs %.3f M (paper %.3f M), shares", what, pct(f.accuracy).c_str(),
                f.macsTrue / 1e6, f.macsPaper / 1e6);
    for (double s : f.share)
        std::printf(" %.3f", s);
    std::printf(", accuracy per output");
    for (double a : f.positionAccuracy)
        std::printf(" %.2f", 100.0 * a);
    std::printf("\n");
}

void printFineTune(const deploy::FineTuneResult &t)
{
    std::printf("  fine-tuned %d epoch(s) on %lld training images in %.1f s; loss per epoch", t.options.epochs,
                static_cast<long long>(t.trainImages), t.trainSeconds);
    for (double l : t.epochLoss)
        std::printf(" %.4f", l);
    std::printf("\n  on the study's %lld validation images:\n", static_cast<long long>(t.after.images));
    printFigures("before", t.before);
    printFigures("after", t.after);
}

void printExport(const deploy::ExportResult &r)
{
    std::printf("candidate %lld%s: %s\n", static_cast<long long>(r.candidateId), r.edited ? " (edited)" : "",
                r.genome.summary().c_str());
    std::printf("  %d exit(s), %s rule; average MACs %.3f M (paper %.3f M), static %.3f M, %.3f M parameters\n",
                r.exits, space::exitRuleName(r.genome.rule).c_str(), r.macsTrue / 1e6, r.macsPaper / 1e6,
                r.staticMacs / 1e6, r.params / 1e6);
    if (r.fineTune)
        printFineTune(*r.fineTune);
    for (const auto &f : r.files)
        std::printf("  wrote %s\n", f.c_str());
    if (r.onnxBytes)
        std::printf("  model.onnx %s, model.pt %s\n", kib(r.onnxBytes).c_str(), kib(r.torchBytes).c_str());
    if (!r.mcu.segments.empty()) {
        std::printf("  on a microcontroller (int8, docs/DEPLOY.md): flash %s, SRAM %s; per segment SRAM (flash "
                    "through it):",
                    kib(std::uintmax_t(r.mcu.flash)).c_str(), kib(std::uintmax_t(r.mcu.arena)).c_str());
        for (const auto &s : r.mcu.segments)
            std::printf(" %s (%s)", kib(std::uintmax_t(s.arena)).c_str(), kib(std::uintmax_t(s.flashThrough)).c_str());
        std::printf("\n");
    }
    if (r.int8) {
        const auto &q = *r.int8;
        std::printf("  int8 (calibrated on %lld training images), model-int8.onnx %s:\n",
                    static_cast<long long>(q.calibrationImages), kib(q.onnxBytes).c_str());
        for (const auto &s : q.sets) {
            std::printf("    %-20s (%lld) early exit: float %s, int8 %s, int8 re-tuned %s; per output float/int8:",
                        s.images.c_str(), static_cast<long long>(s.count), pct(s.floatAccuracy).c_str(),
                        pct(s.int8Accuracy).c_str(), pct(s.int8RetunedAccuracy).c_str());
            for (std::size_t o = 0; o < s.floatOutputAccuracy.size(); ++o)
                std::printf(" %.2f/%.2f", 100.0 * s.floatOutputAccuracy[o], 100.0 * s.int8OutputAccuracy[o]);
            std::printf("\n");
        }
        std::printf("    thresholds: genome");
        for (double t : q.genomeThresholds)
            std::printf(" %.3f", t);
        std::printf(", re-tuned for int8");
        for (double t : q.retunedThresholds)
            std::printf(" %.3f", t);
        std::printf("%s\n", q.retuneUsed ? " (model.json's int8 thresholds)" : "");
    }
    if (!r.verified) {
        std::printf("  not verified (--no-verify)\n");
        return;
    }
    std::printf("  accuracy with the exit rule on  %-32s %9s %9s %9s\n", "images", r.fineTune ? "profile" : "study",
                "LibTorch", "OpenCV");
    for (const auto &a : r.accuracies)
        std::printf("                                  %-32s %9s %9s %9s\n",
                    (a.images + " (" + std::to_string(a.count) + ")").c_str(), pct(a.reference).c_str(),
                    pct(a.libtorch).c_str(), pct(a.opencv).c_str());
    if (r.studyAccuracy >= 0 && r.fineTune)
        std::printf("  the study records %s; measured again its way %s before fine-tuning, %s after\n",
                    pct(r.studyAccuracy).c_str(), pct(r.fineTune->before.accuracy).c_str(),
                    pct(r.profileAccuracy).c_str());
    else if (r.studyAccuracy >= 0)
        std::printf("  the study records %s; measured again its way %s\n", pct(r.studyAccuracy).c_str(),
                    pct(r.profileAccuracy).c_str());
    if (!r.agreement.empty()) {
        std::printf("  OpenCV against LibTorch on the test split (same predicted class, largest logit difference):\n");
        for (const auto &a : r.agreement)
            std::printf("    %-14s %8.4f %%  %.3g\n", a.name.c_str(), 100.0 * a.argmaxAgreement, a.maxAbsDifference);
    }
    if (!r.segmentAgreement.empty()) {
        std::printf("  the float segments chained in OpenCV against model.onnx (same class, largest logit difference):\n");
        for (const auto &a : r.segmentAgreement)
            std::printf("    %-14s %8.4f %%  %.3g\n", a.name.c_str(), 100.0 * a.argmaxAgreement, a.maxAbsDifference);
    }
    std::printf("  %s in %.1f s\n", r.passed ? "verification passed" : "VERIFICATION FAILED", r.seconds);
}

int run(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Exports a study's candidate as a standalone early-exit network into a folder: model.pt (LibTorch), "
        "model.onnx, model.json (architecture, exits, rule and thresholds, normalisation, provenance, figures) "
        "and verification.json. The network is the one the study measured: the study's supernet with batch norm "
        "recalibrated for the candidate's backbone as the search did, batch norm then folded in. The checks run "
        "model.onnx with OpenCV on the whole test split and on the study's validation images: every output must "
        "predict what LibTorch predicts, and the exit rule must give exactly the study's accuracy. With "
        "--fine-tune the candidate's network is first trained further alone (all exits and the head together, "
        "on the training part of the study's split) and the fine-tuned network is exported and checked against "
        "its own profile. With the ONNX model come one model per segment (segment<i>-backbone.onnx, "
        "segment<i>-exit.onnx, listed in model.json under `segments`; the float ones chained in OpenCV are checked "
        "against model.onnx); with --int8 also model-int8.onnx and int8 segments (per-channel int8 weights, "
        "activations calibrated on training images), with int8 accuracy next to float; docs/DEPLOY.md."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("study"), QStringLiteral("The study file."));
    const QCommandLineOption candidate(
        QStringLiteral("candidate"),
        QStringLiteral("Candidate id (see 'edanas study show'); default: the most accurate of the last front."),
        QStringLiteral("id"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Folder to write into (required)."),
                                 QStringLiteral("dir"));
    const QCommandLineOption noOnnx(QStringLiteral("no-onnx"), QStringLiteral("Do not write model.onnx."));
    const QCommandLineOption noVerify(QStringLiteral("no-verify"), QStringLiteral("Skip the checks."));
    const QCommandLineOption overwrite(QStringLiteral("overwrite"),
                                       QStringLiteral("Replace the files of an earlier export in the folder."));
    const QCommandLineOption supernetOpt(
        QStringLiteral("supernet"),
        QStringLiteral("The supernet checkpoint, when it moved (default: the study's; it must be the same file)."),
        QStringLiteral("file"));
    const QCommandLineOption dataOpt(
        QStringLiteral("data"),
        QStringLiteral("The data set, when it moved (default: the study's; it must have the same content)."),
        QStringLiteral("path"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("Also time real early-exit inference against the static network."));
    const QCommandLineOption speedImages(QStringLiteral("speed-images"),
                                         QStringLiteral("Validation images timed with --speed."), QStringLiteral("n"),
                                         QStringLiteral("2000"));
    const QCommandLineOption testImages(
        QStringLiteral("test-images"),
        QStringLiteral("Test images the checks compare every output on (0: the whole test split)."),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption fineTune(
        QStringLiteral("fine-tune"),
        QStringLiteral("Fine-tune the candidate for this many epochs first (EDANAS-style: joint loss over its exits "
                       "and head) and export the fine-tuned network."),
        QStringLiteral("epochs"));
    const QCommandLineOption fineTuneImages(
        QStringLiteral("fine-tune-images"),
        QStringLiteral("Training images per fine-tuning epoch, evenly spread (0: the whole training part)."),
        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption lr(QStringLiteral("lr"), QStringLiteral("Peak learning rate of the fine-tuning."),
                                QStringLiteral("x"), QString::number(deploy::FineTuneOptions{}.learningRate));
    const QCommandLineOption fineTuneBatch(QStringLiteral("fine-tune-batch-size"),
                                           QStringLiteral("Batch size of the fine-tuning."), QStringLiteral("n"),
                                           QString::number(deploy::FineTuneOptions{}.batchSize));
    const QCommandLineOption fineTuneSeed(QStringLiteral("fine-tune-seed"),
                                          QStringLiteral("Seed of the fine-tuning (order, augmentation, dropout)."),
                                          QStringLiteral("n"), QString::number(deploy::FineTuneOptions{}.seed));
    const QCommandLineOption int8(QStringLiteral("int8"),
                                  QStringLiteral("Also write the int8 network: model-int8.onnx (quantize/dequantize "
                                                 "form) and int8 segments, with int8 accuracy per exit."));
    const QCommandLineOption int8Retune(QStringLiteral("int8-retune"),
                                        QStringLiteral("With --int8: model.json's int8 thresholds are re-tuned on the "
                                                       "validation images for the int8 outputs (both are shown)."));
    const QCommandLineOption calibrationImages(
        QStringLiteral("calibration-images"),
        QStringLiteral("Training images the int8 activations are calibrated on."), QStringLiteral("n"),
        QStringLiteral("1000"));
    const QCommandLineOption noSegments(QStringLiteral("no-segments"),
                                        QStringLiteral("Do not write one model per segment."));
    p.addOptions({candidate, out, noOnnx, noVerify, overwrite, supernetOpt, dataOpt, testImages, speed, speedImages,
                  fineTune, fineTuneImages, lr, fineTuneBatch, fineTuneSeed, int8, int8Retune, calibrationImages,
                  noSegments});
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw UsageError("expected one study file");
    if (!p.isSet(out))
        throw UsageError("--out is required");

    deploy::ExportRequest request;
    request.studyPath = p.positionalArguments().constFirst().toStdString();
    if (p.isSet(candidate)) {
        bool ok = false;
        request.candidateId = p.value(candidate).toLongLong(&ok);
        if (!ok || request.candidateId <= 0)
            throw UsageError("--candidate expects a positive candidate id, got '" + p.value(candidate).toStdString()
                             + "'");
    }
    request.outDir = p.value(out).toStdString();
    request.onnx = !p.isSet(noOnnx);
    request.verify = !p.isSet(noVerify);
    request.overwrite = p.isSet(overwrite);
    request.checkpointPath = p.value(supernetOpt).toStdString();
    request.datasetPath = p.value(dataOpt).toStdString();
    request.testImages = intValue(p, testImages, 0, 100000000);
    request.segments = !p.isSet(noSegments);
    request.int8 = p.isSet(int8);
    request.int8Retune = p.isSet(int8Retune);
    request.calibrationImages = intValue(p, calibrationImages, 1, 100000000);
    if ((p.isSet(int8Retune) || p.isSet(calibrationImages)) && !request.int8)
        throw UsageError("--int8-retune and --calibration-images need --int8");
    const int timed = intValue(p, speedImages, 0, 100000000);
    request.progress = [](const std::string &line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    if (p.isSet(fineTune)) {
        deploy::FineTuneOptions o;
        o.epochs = intValue(p, fineTune, 1, 10000);
        o.trainImages = intValue(p, fineTuneImages, 0, 100000000);
        o.learningRate = doubleValue(p, lr, 1e-9, 10.0);
        o.batchSize = intValue(p, fineTuneBatch, 2, 100000);
        o.seed = std::uint64_t(intValue(p, fineTuneSeed, 0, 2147483647));
        request.fineTune = o;
        // a line every 20 batches and at the end of each epoch
        request.fineTuneProgress = [](const deploy::FineTuneProgress &f) {
            if (f.batch % 20 != 0 && f.batch != f.batches)
                return;
            std::printf("  epoch %d/%d  batch %lld/%lld  loss %.4f (epoch mean %.4f)  lr %.5f  %.0f images/s  "
                        "%.0f s left\n",
                        f.epoch, f.epochs, static_cast<long long>(f.batch), static_cast<long long>(f.batches), f.loss,
                        f.epochLoss, f.learningRate, f.imagesPerSecond, f.secondsLeft);
            std::fflush(stdout);
        };
    } else if (p.isSet(fineTuneImages) || p.isSet(lr) || p.isSet(fineTuneBatch) || p.isSet(fineTuneSeed)) {
        throw UsageError("--fine-tune-images, --lr, --fine-tune-batch-size and --fine-tune-seed need --fine-tune");
    }
    g_cancel.store(false);
    request.cancel = &g_cancel;
    std::signal(SIGINT, onExportInterrupt);
    struct RestoreSignal
    {
        ~RestoreSignal() { std::signal(SIGINT, SIG_DFL); }
    } restore;

    try {
        const auto r = deploy::exportModel(request);
        printExport(r);
    } catch (const deploy::VerificationFailed &e) {
        printExport(e.result);
        std::fprintf(stderr, "edanas: %s\n", e.what());
        return Failed;
    } catch (const deploy::ExportCancelled &) {
        std::fprintf(stderr, "edanas: interrupted; nothing was written\n");
        return Interrupted;
    }
    if (p.isSet(speed) && request.fineTune)
        std::printf("note: --speed times the study's network (not fine-tuned); its exit shares differ\n");
    if (p.isSet(speed)) {
        deploy::SpeedRequest s;
        static_cast<deploy::CandidateSource &>(s) = request;
        s.images = timed;
        const auto r = deploy::measureSpeed(s);
        std::printf("speed on %lld validation images, batch %d, median of %d passes, %d thread(s):\n"
                    "  early exit %.4f ms/image (accuracy %s, average MACs %.3f M)\n"
                    "  static     %.4f ms/image (accuracy %s, MACs %.3f M)\n"
                    "  speedup %.2fx for a MAC ratio of %.2fx\n",
                    static_cast<long long>(r.images), r.batchSize, r.passes, r.threads, r.msPerImageEarlyExit,
                    pct(r.accuracyEarlyExit).c_str(), r.macsTrue / 1e6, r.msPerImageStatic,
                    pct(r.accuracyStatic).c_str(), r.staticMacs / 1e6, r.speedup, r.macRatio);
    }
    return Ok;
}

} // namespace

int exportModelCommand(const QStringList &args)
{
    QStringList rest = args.mid(2);
    rest.prepend(QStringLiteral("edanas export-model"));
    try {
        return run(rest);
    } catch (const UsageError &e) {
        std::fprintf(stderr, "edanas export-model: %s\n", e.what());
        return Usage;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "edanas: %s\n", e.what());
        return Failed;
    }
}

} // namespace edanas::cli
