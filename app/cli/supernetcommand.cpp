// LibTorch before Qt: Qt's `slots` keyword breaks LibTorch's headers.
#include "supernet/checkpoint.h"
#include "eenn/curves.h"
#include "eenn/evaluator.h"
#include "eenn/throughput.h"
#include "eenn/tuning.h"

#include "commands.h"
#include "options.h"

#include "data/dataset.h"
#include "data/split.h"
#include "runtime.h"
#include "space/searchspace.h"
#include "supernet/estimate.h"
#include "supernet/trainer.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <numeric>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace edanas::cli {

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void onInterrupt(int)
{
    g_cancel.store(true);
    std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends at once
}

std::string duration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "?";
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    return buf;
}

std::string accuracyLine(const supernet::SubnetAccuracy &a)
{
    std::string s;
    char buf[64];
    for (std::size_t i = 0; i < a.positions.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%s %.2f", i ? ", " : "", a.positions[i].c_str(), 100.0 * a.accuracy[i]);
        s += buf;
    }
    return s;
}

QString presetList()
{
    QStringList names;
    for (const auto &n : space::SearchSpace::presetNames())
        names << QString::fromStdString(n);
    return names.join(QStringLiteral(", "));
}

std::vector<int> parseEpochs(const QString &text)
{
    std::vector<int> out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < 0 || v > 10000)
            throw UsageError("--epochs takes four counts like 4,2,2,2 (largest, kernel, depth, expansion), got '"
                             + text.toStdString() + "'");
        out.push_back(v);
    }
    if (out.size() != 4)
        throw UsageError("--epochs takes four counts (largest, kernel, depth, expansion), got "
                         + std::to_string(out.size()));
    return out;
}

int train(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Trains the weight-sharing multi-exit supernet with progressive shrinking (largest network, then "
        "elastic kernel, depth and expansion), the sandwich rule and distillation from a fixed teacher (the "
        "largest network as the first phase left it, kept as OUT.teacher.pt until the end). Each phase warms "
        "up to its own learning rate, then follows a cosine; every epoch sees every training image, "
        "reshuffled. Writes a checkpoint after every epoch; run the same command again to resume after an "
        "interruption. Ctrl-C stops cleanly and keeps the last complete epoch."));
    p.addHelpOption();
    DatasetOptions data;
    data.addTo(p);
    const QCommandLineOption space(QStringLiteral("space"), QStringLiteral("Search space: a preset (%1) or a JSON file.").arg(presetList()),
                                   QStringLiteral("space"), QStringLiteral("ofa-mbv3"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Checkpoint to write (required)."),
                                 QStringLiteral("file"));
    const QCommandLineOption epochs(QStringLiteral("epochs"),
                                    QStringLiteral("Epochs per phase: largest,kernel,depth,expansion."),
                                    QStringLiteral("list"), QStringLiteral("4,2,2,2"));
    const QCommandLineOption batch(QStringLiteral("batch-size"), QStringLiteral("Images per batch."),
                                   QStringLiteral("n"), QStringLiteral("128"));
    const QCommandLineOption lr(QStringLiteral("lr"),
                                QStringLiteral("Peak learning rate per phase (largest,kernel,depth,expansion), or one "
                                               "for all; with averaged subnet gradients."),
                                QStringLiteral("rates"), QStringLiteral("0.05,0.02,0.01,0.01"));
    const QCommandLineOption warmup(QStringLiteral("warmup-epochs"),
                                    QStringLiteral("Linear warm-up at the start of every phase, in epochs."),
                                    QStringLiteral("e"), QStringLiteral("0.25"));
    const QCommandLineOption decay(QStringLiteral("weight-decay"),
                                   QStringLiteral("Weight decay of convolution and linear weights."),
                                   QStringLiteral("w"), QStringLiteral("3e-5"));
    const QCommandLineOption decayAll(QStringLiteral("decay-norm-and-bias"),
                                      QStringLiteral("Weight decay on batch-norm and bias parameters too."));
    const QCommandLineOption sumGrads(QStringLiteral("sum-subnet-gradients"),
                                      QStringLiteral("Sum the gradients of a step's subnets instead of averaging them."));
    const QCommandLineOption distillExits(QStringLiteral("distill-exits"),
                                          QStringLiteral("Distil the teacher's final head into the exits too."));
    const QCommandLineOption smoothing(QStringLiteral("label-smoothing"), QStringLiteral("Label smoothing."),
                                       QStringLiteral("s"), QStringLiteral("0.1"));
    const QCommandLineOption dropout(QStringLiteral("dropout"),
                                     QStringLiteral("Dropout before the final classifier."), QStringLiteral("p"),
                                     QStringLiteral("0"));
    const QCommandLineOption crop(QStringLiteral("crop-padding"),
                                  QStringLiteral("Random shifts of up to this many pixels (augmentation)."),
                                  QStringLiteral("px"), QStringLiteral("2"));
    const QCommandLineOption randomSubnets(QStringLiteral("random-subnets"),
                                           QStringLiteral("Random subnets per step besides largest and smallest."),
                                           QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption exitWeight(QStringLiteral("exit-weight"), QStringLiteral("Loss weight of each exit."),
                                        QStringLiteral("w"), QStringLiteral("1.0"));
    const QCommandLineOption distill(QStringLiteral("distill-weight"),
                                     QStringLiteral("Weight of distillation from the fixed teacher (0: none)."),
                                     QStringLiteral("w"), QStringLiteral("1.0"));
    const QCommandLineOption trainImages(QStringLiteral("train-images"),
                                         QStringLiteral("Images per epoch, drawn afresh each epoch from the training "
                                                        "split (0: all of them, for a real training)."),
                                         QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption evalImages(QStringLiteral("eval-images"),
                                        QStringLiteral("Validation images evaluated per epoch (0: all)."),
                                        QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption recal(QStringLiteral("recalibration-images"),
                                   QStringLiteral("Training images for batch-norm recalibration."),
                                   QStringLiteral("n"), QStringLiteral("2000"));
    const QCommandLineOption share(QStringLiteral("validation-share"),
                                   QStringLiteral("Share of each class held out for validation."),
                                   QStringLiteral("share"), QStringLiteral("0.1"));
    const QCommandLineOption noAugment(QStringLiteral("no-augment"), QStringLiteral("No crop / flip augmentation."));
    const QCommandLineOption noFlip(QStringLiteral("no-flip"), QStringLiteral("No horizontal flips (digits, text)."));
    const QCommandLineOption half(QStringLiteral("half"),
                                  QStringLiteral("Store the finished checkpoint's weights as float16 (half the size)."));
    const QCommandLineOption overwrite(QStringLiteral("overwrite"),
                                       QStringLiteral("Replace an existing checkpoint instead of resuming it."));
    const QCommandLineOption estimate(
        QStringLiteral("estimate"),
        QStringLiteral("Do not train: measure a few training steps of the largest and the smallest subnet here\n"
                       "and print how long these settings will take (what the Studio's Train Supernet dialog\n"
                       "shows); --out is not needed."));
    p.addOptions({space, out, epochs, batch, lr, warmup, decay, decayAll, randomSubnets, sumGrads, exitWeight, distill,
                  distillExits, smoothing, dropout, trainImages, evalImages, recal, share, noAugment, crop, noFlip, half,
                  overwrite, estimate});
    p.process(args);
    if (!p.isSet(out) && !p.isSet(estimate))
        throw UsageError("--out FILE is required");

    supernet::TrainConfig cfg;
    cfg.phaseEpochs = parseEpochs(p.value(epochs));
    cfg.batchSize = intValue(p, batch, 2, 65536);
    cfg.learningRates.clear();
    for (const QString &part : p.value(lr).split(QLatin1Char(','))) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok || !(v >= 1e-6 && v <= 10.0))
            throw UsageError("--lr takes one rate or four (largest,kernel,depth,expansion) in 1e-6..10, got '"
                             + p.value(lr).toStdString() + "'");
        cfg.learningRates.push_back(v);
    }
    if (cfg.learningRates.size() == 1)
        cfg.learningRates.assign(4, cfg.learningRates.front());
    if (cfg.learningRates.size() != 4)
        throw UsageError("--lr takes one rate or four (largest,kernel,depth,expansion), got "
                         + std::to_string(cfg.learningRates.size()));
    cfg.warmupEpochs = doubleValue(p, warmup, 0.0, 1000.0);
    cfg.weightDecay = doubleValue(p, decay, 0.0, 1.0);
    cfg.decayNormAndBias = p.isSet(decayAll);
    cfg.sumSubnetGradients = p.isSet(sumGrads);
    cfg.distillExits = p.isSet(distillExits);
    cfg.labelSmoothing = doubleValue(p, smoothing, 0.0, 0.9);
    cfg.dropout = doubleValue(p, dropout, 0.0, 0.9);
    cfg.cropPadding = intValue(p, crop, 0, 16);
    cfg.randomSubnets = intValue(p, randomSubnets, 0, 16);
    cfg.exitWeight = doubleValue(p, exitWeight, 0.0, 100.0);
    cfg.distillWeight = doubleValue(p, distill, 0.0, 100.0);
    cfg.trainImages = intValue(p, trainImages, 0, 1 << 30);
    cfg.evalImages = intValue(p, evalImages, 0, 1 << 30);
    cfg.recalibrationImages = intValue(p, recal, 1, 1 << 30);
    cfg.validationShare = doubleValue(p, share, 0.001, 0.9);
    cfg.seed = std::uint64_t(intValue(p, data.seed, 0, 1 << 30));
    cfg.augment = !p.isSet(noAugment);
    cfg.horizontalFlip = !p.isSet(noFlip);

    const space::SearchSpace sp = space::SearchSpace::load(p.value(space).toStdString());
    const data::Dataset ds = data::loadDataset(data.ref(p));
    if (p.isSet(estimate)) {
        space::SearchSpace fitted = sp;
        fitted.inputChannels = ds.train.channels;
        fitted.classes = ds.classCount();
        const std::int64_t perEpoch = supernet::imagesPerEpoch(ds, cfg);
        const auto e = supernet::estimateTraining(fitted, cfg, perEpoch);
        std::printf("The %s supernet on %s, %lld images per epoch, batch %d, %d threads: training steps at %.0f "
                    "images/s (largest subnet) and %.0f (smallest)\n",
                    sp.name.c_str(), ds.name.c_str(), static_cast<long long>(perEpoch), cfg.batchSize, threadCount(),
                    e.largestImagesPerSecond, e.smallestImagesPerSecond);
        for (int phase = 0; phase < 4; ++phase)
            if (cfg.phaseEpochs[std::size_t(phase)] > 0)
                std::printf("  %-9s %2d epochs  %s\n", supernet::phaseName(supernet::Phase(phase)).c_str(),
                            cfg.phaseEpochs[std::size_t(phase)], duration(e.phaseSeconds[phase]).c_str());
        std::printf("about %s in all (the evaluation after each epoch comes on top)\n", duration(e.seconds).c_str());
        return Ok;
    }
    const std::string outPath = p.value(out).toStdString();
    std::printf("Training the %s supernet on %s (%lld training images, %d classes) with %d threads\n", sp.name.c_str(),
                ds.name.c_str(), static_cast<long long>(ds.train.size()), ds.classCount(), threadCount());
    std::fflush(stdout);
    supernet::Trainer trainer(ds, sp, cfg, outPath, p.isSet(overwrite));
    if (trainer.startEpoch() > 0)
        std::printf("Resuming %s after epoch %d\n", outPath.c_str(), trainer.startEpoch());

    const bool tty = ::isatty(2);
    int lastDecile = -1;
    auto onBatch = [&](const supernet::BatchProgress &b) {
        if (tty) {
            const int width = 24;
            const int filled = int(double(width) * double(b.batch) / double(b.batches));
            std::fprintf(stderr, "\r[%s%s] epoch %d/%d %-9s %3d%%  loss %.3f  %.0f img/s  %s left   ",
                         std::string(std::size_t(filled), '#').c_str(),
                         std::string(std::size_t(width - filled), ' ').c_str(), b.epoch, b.totalEpochs,
                         supernet::phaseName(b.phase).c_str(), int(100 * b.batch / b.batches), b.loss,
                         b.imagesPerSecond, duration(b.secondsLeft).c_str());
        } else {
            const int decile = int(10 * b.batch / b.batches);
            if (decile != lastDecile && decile > 0 && decile < 10)
                std::printf("  epoch %d/%d %s %d%%: loss %.3f, %.0f img/s, %s left\n", b.epoch, b.totalEpochs,
                            supernet::phaseName(b.phase).c_str(), decile * 10, b.loss, b.imagesPerSecond,
                            duration(b.secondsLeft).c_str());
            lastDecile = decile;
        }
        std::fflush(stdout);
    };
    auto onEpoch = [&](const supernet::EpochReport &r) {
        if (tty)
            std::fprintf(stderr, "\r%120s\r", "");
        std::printf("epoch %d/%d (%s %d): loss %.4f, %.0f img/s, %s\n  largest  %s\n  smallest %s\n", r.epoch,
                    r.totalEpochs, supernet::phaseName(r.phase).c_str(), r.phaseEpoch, r.loss, r.imagesPerSecond,
                    duration(r.seconds).c_str(), accuracyLine(r.largest).c_str(), accuracyLine(r.smallest).c_str());
        std::fflush(stdout);
    };
    g_cancel.store(false);
    std::signal(SIGINT, onInterrupt);
    const auto result = trainer.run(g_cancel, onBatch, onEpoch);
    std::signal(SIGINT, SIG_DFL);
    if (result == supernet::Trainer::Result::Cancelled) {
        if (tty)
            std::fprintf(stderr, "\n");
        std::printf("Interrupted: %s keeps the last complete epoch; run the same command to resume.\n",
                    outPath.c_str());
        return Interrupted;
    }
    if (p.isSet(half)) {
        supernet::CheckpointInfo info;
        auto net = supernet::loadCheckpoint(outPath, &info);
        supernet::saveCheckpoint(outPath, *net, info, nullptr, true);
    }
    std::printf("Wrote %s\n", outPath.c_str());
    return Ok;
}

int info(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Describes a supernet checkpoint and its training log."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("The checkpoint file."));
    p.process(args);
    if (p.positionalArguments().size() != 1)
        throw UsageError("expected one checkpoint file");
    const std::string path = p.positionalArguments().constFirst().toStdString();
    const auto info = supernet::readCheckpointInfo(path);
    const auto sp = space::SearchSpace::fromJson(info.spaceJson, path);
    const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
    std::printf("Checkpoint  %s (format %d, %s)\n", path.c_str(), info.formatVersion, info.createdBy.c_str());
    std::printf("Space       %s: %d input channel(s), %d classes, exits %s after stages", sp.name.c_str(),
                sp.inputChannels, sp.classes, space::placementName(sp.exitPlacement).c_str());
    for (int s : sp.exitStages)
        std::printf(" %d", s + 1);
    std::printf(" (%s classifiers)\n", space::eecTypeName(sp.eecType).c_str());
    std::printf("Data set    %s (sha256 %s)\n", info.datasetName.c_str(), info.datasetHash.c_str());
    std::printf("Training    %s, %d of %d epochs\n",
                state.value(QLatin1String("complete")).toBool() ? "complete" : "unfinished",
                state.value(QLatin1String("next_epoch")).toInt(), state.value(QLatin1String("total_epochs")).toInt());
    std::printf("Log:\n%s", info.trainingLog.c_str());
    return Ok;
}

// The optional positional checkpoint, the shipped one by default.
std::string checkpointArgument(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() > 1)
        throw UsageError("expected at most one checkpoint");
    const std::string path = pos.isEmpty() ? supernet::defaultSupernetPath() : pos.constFirst().toStdString();
    if (path.empty())
        throw UsageError("no checkpoint given and none shipped in resources/supernet");
    return path;
}

int eval(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Measures top-1 of subnets of a trained supernet at every exit position and the final head, "
        "after batch-norm recalibration, on the validation split and the official test split. With --json: "
        "one line {\"exits\": [{\"position\", \"macs\", \"accuracy\"}, ...]} for one subnet on one split, the "
        "final head last (accuracy in [0, 1], MACs cumulative to the exit)."));
    p.addHelpOption();
    DatasetOptions data;
    data.addTo(p);
    p.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("The checkpoint (default: the shipped one)."),
                            QStringLiteral("[checkpoint]"));
    const QCommandLineOption subnet(QStringLiteral("subnet"),
                                    QStringLiteral("largest, smallest, or a genome as JSON (repeatable; one with --json)."),
                                    QStringLiteral("which"));
    const QCommandLineOption splitOpt(QStringLiteral("split"),
                                      QStringLiteral("validation or test (default: both; validation with --json)."),
                                      QStringLiteral("split"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One line of JSON instead of the table."));
    const QCommandLineOption images(QStringLiteral("images"),
                                    QStringLiteral("Evaluate this many images of each split, spread over it (0: all)."),
                                    QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption share(QStringLiteral("validation-share"),
                                   QStringLiteral("Share of each class held out for validation."),
                                   QStringLiteral("share"), QStringLiteral("0.1"));
    const QCommandLineOption recal(QStringLiteral("recalibration-images"),
                                   QStringLiteral("Training images for batch-norm recalibration."),
                                   QStringLiteral("n"), QStringLiteral("2000"));
    p.addOptions({subnet, splitOpt, json, images, share, recal});
    p.process(args);
    const bool asJson = p.isSet(json);
    QStringList which = p.values(subnet);
    if (which.isEmpty())
        which = asJson ? QStringList{QStringLiteral("largest")} : QStringList{QStringLiteral("largest"), QStringLiteral("smallest")};
    if (asJson && which.size() != 1)
        throw UsageError("--json describes one subnet: give --subnet once");
    bool onValidation = true, onTest = !asJson;
    if (p.isSet(splitOpt)) {
        const QString v = p.value(splitOpt);
        if (v != QLatin1String("validation") && v != QLatin1String("test"))
            throw UsageError("--split takes validation or test, got '" + v.toStdString() + "'");
        onValidation = v == QLatin1String("validation");
        onTest = !onValidation;
    }
    const std::int64_t evalImages = intValue(p, images, 0, 1 << 30);
    const int recalImages = intValue(p, recal, 1, 1 << 30);
    const double valShare = doubleValue(p, share, 0.001, 0.9);
    const std::string path = checkpointArgument(p);
    supernet::CheckpointInfo info;
    auto net = supernet::loadCheckpoint(path, &info);
    const data::Dataset ds = data::loadDataset(data.refWithoutPositional(p));
    supernet::checkCompatible(path, info, net->space(), data::contentHash(ds));
    if (onTest && !onValidation && ds.test.size() == 0)
        throw UsageError("--split test: the data set " + ds.name + " has no test split");
    const auto split = data::stratifiedSplit(ds.train.labels, ds.classCount(), valShare,
                                             std::uint64_t(intValue(p, data.seed, 0, 1 << 30)));
    std::vector<std::int64_t> testIdx(std::size_t(ds.test.size()));
    std::iota(testIdx.begin(), testIdx.end(), 0);
    testIdx = data::evenSubset(testIdx, evalImages);
    const auto valIdx = data::evenSubset(split.validation, evalImages);
    for (const QString &w : which) {
        space::Genome g;
        if (w == QLatin1String("largest"))
            g = space::Genome::largest(net->space());
        else if (w == QLatin1String("smallest"))
            g = space::Genome::smallest(net->space());
        else
            g = space::Genome::fromJson(w.toStdString(), "--subnet");
        g.validate(net->space(), "--subnet");
        supernet::SubnetAccuracy val, test;
        if (onValidation)
            val = supernet::evaluateSubnet(*net, g, ds, split.train, ds.train, valIdx, info.mean, info.std, recalImages);
        if (onTest && ds.test.size() > 0)
            test = supernet::evaluateSubnet(*net, g, ds, split.train, ds.test, testIdx, info.mean, info.std,
                                            recalImages);
        const auto &rows = onValidation ? val : test;
        if (asJson) {
            QJsonArray exitsJson;
            for (std::size_t i = 0; i < rows.positions.size(); ++i)
                exitsJson.append(QJsonObject{{"position", QString::fromStdString(rows.positions[i])},
                                             {"macs", qint64(rows.cumulativeMacs[i])},
                                             {"accuracy", rows.accuracy[i]}});
            std::printf("%s\n", QJsonDocument(QJsonObject{{"exits", exitsJson}}).toJson(QJsonDocument::Compact).constData());
            std::fflush(stdout);
            continue;
        }
        auto cell = [](const supernet::SubnetAccuracy &a, std::size_t i) {
            return a.accuracy.empty() ? std::string("-")
                                      : QString::number(100.0 * a.accuracy[i], 'f', 2).append('%').toStdString();
        };
        std::printf("%s (%s)\n", qPrintable(w.size() > 20 ? QStringLiteral("subnet") : w), g.summary().c_str());
        std::printf("  %-8s %12s %12s %12s\n", "exit", "MMACs", "validation", "test");
        for (std::size_t i = 0; i < rows.positions.size(); ++i)
            std::printf("  %-8s %12.3f %12s %12s\n", rows.positions[i].c_str(), double(rows.cumulativeMacs[i]) / 1e6,
                        cell(val, i).c_str(), cell(test, i).c_str());
        std::fflush(stdout);
    }
    return Ok;
}

int exits(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "The best exits for one backbone: records its exit profile on the validation split (after batch-norm "
        "recalibration), then lists the exit configurations that no other beats in both accuracy and true "
        "average MACs, from the profile alone (exhaustive for stage-end exits with the EDANAS thresholds, a "
        "local search otherwise)."));
    p.addHelpOption();
    DatasetOptions data;
    data.addTo(p);
    p.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("The checkpoint (default: the shipped one)."),
                            QStringLiteral("[checkpoint]"));
    const QCommandLineOption subnet(QStringLiteral("subnet"), QStringLiteral("largest, smallest, or a genome as JSON."),
                                    QStringLiteral("which"), QStringLiteral("largest"));
    const QCommandLineOption rule(QStringLiteral("rule"),
                                  QStringLiteral("margin, max-softmax, entropy or confidence."), QStringLiteral("rule"),
                                  QStringLiteral("margin"));
    const QCommandLineOption edanasGrid(QStringLiteral("edanas-thresholds"),
                                        QStringLiteral("Thresholds from {0.1, 0.2} only (the EDANAS encoding)."));
    const QCommandLineOption maxMacs(QStringLiteral("max-macs"), QStringLiteral("Ceiling on average MACs, millions."),
                                     QStringLiteral("M"));
    const QCommandLineOption minAcc(QStringLiteral("min-accuracy"), QStringLiteral("Floor on accuracy, percent."),
                                    QStringLiteral("A"));
    const QCommandLineOption images(QStringLiteral("validation-images"),
                                    QStringLiteral("Validation images profiled (0: all)."), QStringLiteral("n"),
                                    QStringLiteral("0"));
    const QCommandLineOption recal(QStringLiteral("recalibration-images"),
                                   QStringLiteral("Training images for batch-norm recalibration."),
                                   QStringLiteral("n"), QStringLiteral("2000"));
    p.addOptions({subnet, rule, edanasGrid, maxMacs, minAcc, images, recal});
    p.process(args);
    const std::string path = checkpointArgument(p);
    eenn::PlacementOptions o;
    try {
        o.rule = space::parseExitRule(p.value(rule).toStdString());
    } catch (const std::invalid_argument &e) {
        throw UsageError(std::string("--rule: ") + e.what());
    }
    if (p.isSet(maxMacs))
        o.objective.maxMacs = doubleValue(p, maxMacs, 1e-6, 1e9) * 1e6;
    if (p.isSet(minAcc))
        o.objective.minAccuracy = doubleValue(p, minAcc, 0.0, 100.0) / 100.0;
    if (p.isSet(edanasGrid))
        o.thresholds = {0.1, 0.2};
    eenn::EvaluatorOptions eo;
    eo.validationImages = intValue(p, images, 0, 100000000);
    eo.recalibrationImages = intValue(p, recal, 1, 100000000);

    supernet::CheckpointInfo info;
    auto net = supernet::loadCheckpoint(path, &info);
    const data::Dataset ds = data::loadDataset(data.refWithoutPositional(p));
    supernet::checkCompatible(path, info, net->space(), data::contentHash(ds));
    const QString w = p.value(subnet);
    space::Genome g = w == QLatin1String("largest")    ? space::Genome::largest(net->space())
                      : w == QLatin1String("smallest") ? space::Genome::smallest(net->space())
                                                       : space::Genome::fromJson(w.toStdString(), "--subnet");
    g.validate(net->space(), "--subnet");
    eenn::ProfileEvaluator evaluator(net, ds, info.mean, info.std, eo);
    eenn::EvaluationTiming timing;
    const auto profile = evaluator.profile(g, &timing);
    std::printf("%s: profile of %d validation images x %d positions in %.1f s (recalibration %.1f s)\n",
                g.summary().c_str(), profile->samples, profile->positions,
                timing.recalibrationSeconds + timing.forwardSeconds, timing.recalibrationSeconds);
    std::printf("  each position alone:");
    for (const auto &a : eenn::exitsAlone(*profile, {{}, o.rule, {}}, true)) {
        const auto &q = profile->position[std::size_t(a.position)];
        std::printf(" %s %.2f%% @ %.3f M;", q.first < 0 ? "final" : ("s" + std::to_string(q.first + 1) + ".b" + std::to_string(q.second + 1)).c_str(),
                    100.0 * a.accuracy, a.macs / 1e6);
    }
    std::int64_t trials = 0;
    const auto front = eenn::bestExitPlacements(*profile, o, &trials);
    std::printf("\n%zu non-dominated exit configurations (%lld evaluated from the profile)%s:\n", front.size(),
                static_cast<long long>(trials), !front.empty() && !front[0].feasible ? ", none meets the constraints; the closest" : "");
    std::printf("  %9s %12s %12s  %s\n", "accuracy", "avg MMACs", "paper MMACs", "exits: position@threshold share");
    for (const auto &t : front) {
        std::string text;
        char buf[80];
        for (std::size_t i = 0; i < t.config.exits.size(); ++i) {
            const auto &q = profile->position[std::size_t(t.config.exits[i])];
            std::snprintf(buf, sizeof buf, "%ss%d.b%d@%.2f %.1f%%", i ? ", " : "", q.first + 1, q.second + 1,
                          t.config.thresholds[i], 100.0 * t.evaluation.share[i]);
            text += buf;
        }
        std::snprintf(buf, sizeof buf, "%sfinal %.1f%%", text.empty() ? "" : ", ", 100.0 * t.evaluation.share.back());
        text += buf;
        std::printf("  %8.2f%% %12.3f %12.3f  %s\n", 100.0 * t.evaluation.accuracy, t.evaluation.averageMacsTrue / 1e6,
                    t.evaluation.averageMacsPaper / 1e6, text.c_str());
    }
    return Ok;
}

int bench(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Measures a subnet's training and evaluation images per second on this machine: training as the "
        "trainer steps (batch 128: forward, backward and SGD step over the head and every exit the subnet "
        "allows), evaluation as the profiling pass runs (batch 256, every exit position and the head), on "
        "random images, after a warm-up, the median of several runs. Run it with nothing else running."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("checkpoint"), QStringLiteral("The checkpoint (default: the shipped one)."),
                            QStringLiteral("[checkpoint]"));
    const QCommandLineOption subnet(QStringLiteral("subnet"),
                                    QStringLiteral("largest, middle, smallest, or a genome as JSON."),
                                    QStringLiteral("which"), QStringLiteral("largest"));
    const QCommandLineOption threads(QStringLiteral("threads"),
                                     QStringLiteral("LibTorch intra-op threads (default: EDANAS_THREADS or the cores)."),
                                     QStringLiteral("n"));
    const QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Timed runs after the warm-up."),
                                  QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One line of JSON."));
    p.addOptions({subnet, threads, runs, json});
    p.process(args);
    if (p.isSet(threads))
        torch::set_num_threads(intValue(p, threads, 1, 1024));
    eenn::ThroughputOptions o;
    o.runs = intValue(p, runs, 1, 1000);
    const std::string path = checkpointArgument(p);
    auto net = supernet::loadCheckpoint(path);
    space::Genome g;
    try {
        g = eenn::namedSubnet(net->space(), p.value(subnet).toStdString());
    } catch (const std::invalid_argument &e) {
        throw UsageError(e.what());
    } catch (const space::SpaceError &e) {
        throw UsageError(e.what());
    }
    auto r = eenn::measureThroughput(*net, g, o);
    r.subnet = p.value(subnet).startsWith(QLatin1Char('{')) ? g.summary() : p.value(subnet).toStdString();
    if (p.isSet(json)) {
        std::printf("%s\n", r.toJson().c_str());
        return Ok;
    }
    std::printf("subnet %s (%s), %.2f MMACs with %d exits, %d threads\n", r.subnet.c_str(), g.summary().c_str(),
                double(r.macs) / 1e6, r.exits, r.threads);
    std::printf("  training:   %8.1f images/s (batch %d, median of %d)\n", r.trainImagesPerSecond, o.trainBatch,
                o.runs);
    std::printf("  evaluation: %8.1f images/s (batch %d, median of %d)\n", r.evalImagesPerSecond, o.evalBatch,
                o.runs);
    return Ok;
}

} // namespace

int supernetCommand(const QStringList &args)
{
    return runSubcommand(args, "supernet",
                         {{"train", train}, {"info", info}, {"eval", eval}, {"exits", exits}, {"bench", bench}});
}

} // namespace edanas::cli
