#include "commands.h"
#include "options.h"

#include "data/dataerror.h"
#include "data/dataset.h"
#include "data/preview.h"
#include "data/split.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace edanas::cli {

namespace {

int info(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Describes a data set: classes, counts per class and split, image shape, pixel statistics "
        "of the training part and a content hash."));
    p.addHelpOption();
    DatasetOptions c(true);
    c.addTo(p);
    const QCommandLineOption share(QStringLiteral("validation-share"),
                                   QStringLiteral("Share of each class held out for validation."),
                                   QStringLiteral("share"), QStringLiteral("0.1"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON instead of text."));
    p.addOptions({share, json});
    p.process(args);

    const data::DatasetRef ref = c.ref(p);
    bool ok = false;
    const double valShare = p.value(share).toDouble(&ok);
    if (!ok || !(valShare >= 0.0 && valShare < 1.0))
        throw UsageError("--validation-share must be a number in [0, 1), got '" + p.value(share).toStdString() + "'");
    const int seed = intValue(p, c.seed, 0, 1 << 30);

    QElapsedTimer timer;
    timer.start();
    const data::Dataset ds = data::loadDataset(ref);
    const double loadSeconds = timer.nsecsElapsed() / 1e9;
    const auto split = data::stratifiedSplit(ds.train.labels, ds.classCount(), valShare, std::uint64_t(seed));
    const auto stats = data::channelStats(ds.train, split.train);
    const auto trainCounts = data::classCounts(ds.train.labels, ds.classCount(), split.train);
    const auto valCounts = data::classCounts(ds.train.labels, ds.classCount(), split.validation);
    const auto testCounts = data::classCounts(ds.test.labels, ds.classCount());
    const std::string hash = data::contentHash(ds);

    if (p.isSet(json)) {
        QJsonObject o;
        o[QStringLiteral("path")] = QString::fromStdString(ds.ref.path);
        o[QStringLiteral("format")] = QString::fromStdString(data::formatName(ds.ref.format));
        o[QStringLiteral("name")] = QString::fromStdString(ds.name);
        o[QStringLiteral("height")] = ds.train.height;
        o[QStringLiteral("width")] = ds.train.width;
        o[QStringLiteral("channels")] = ds.train.channels;
        o[QStringLiteral("training_images")] = qint64(ds.train.size());
        o[QStringLiteral("train")] = qint64(split.train.size());
        o[QStringLiteral("validation")] = qint64(split.validation.size());
        o[QStringLiteral("test")] = qint64(ds.test.size());
        o[QStringLiteral("validation_share")] = valShare;
        o[QStringLiteral("seed")] = seed;
        QJsonArray classes;
        for (int k = 0; k < ds.classCount(); ++k) {
            QJsonObject cls;
            cls[QStringLiteral("name")] = QString::fromStdString(ds.classNames[std::size_t(k)]);
            cls[QStringLiteral("train")] = qint64(trainCounts[std::size_t(k)]);
            cls[QStringLiteral("validation")] = qint64(valCounts[std::size_t(k)]);
            cls[QStringLiteral("test")] = qint64(testCounts[std::size_t(k)]);
            classes.append(cls);
        }
        o[QStringLiteral("classes")] = classes;
        QJsonArray mean, std;
        for (std::size_t k = 0; k < stats.mean.size(); ++k) {
            mean.append(stats.mean[k]);
            std.append(stats.std[k]);
        }
        o[QStringLiteral("mean")] = mean;
        o[QStringLiteral("std")] = std;
        o[QStringLiteral("sha256")] = QString::fromStdString(hash);
        std::fputs(QJsonDocument(o).toJson(QJsonDocument::Indented).constData(), stdout);
        return Ok;
    }

    std::printf("Data set    %s\n", ds.ref.path.c_str());
    std::printf("Format      %s (loaded in %.2f s)\n", data::formatName(ds.ref.format).c_str(), loadSeconds);
    std::printf("Images      %d x %d, %d channel%s, 8-bit\n", ds.train.height, ds.train.width,
                ds.train.channels, ds.train.channels == 1 ? "" : "s");
    std::printf("Classes     %d\n", ds.classCount());
    std::printf("Training    %lld images: %zu train + %zu validation (stratified, %.1f %%, seed %d)\n",
                static_cast<long long>(ds.train.size()), split.train.size(), split.validation.size(),
                valShare * 100.0, seed);
    if (ds.test.size() > 0)
        std::printf("Test        %lld images (official test split)\n", static_cast<long long>(ds.test.size()));
    else
        std::printf("Test        none (the data set has no official test split)\n");
    std::printf("Pixel mean ");
    for (double m : stats.mean)
        std::printf(" %.4f", m);
    std::printf("   std");
    for (double s : stats.std)
        std::printf(" %.4f", s);
    std::printf("   (train part, [0,1] scale)\n");
    std::printf("SHA-256     %s\n\n", hash.c_str());
    std::printf("%-4s %-24s %8s %10s %8s\n", "id", "class", "train", "validation", "test");
    for (int k = 0; k < ds.classCount(); ++k)
        std::printf("%-4d %-24s %8lld %10lld %8lld\n", k, ds.classNames[std::size_t(k)].c_str(),
                    static_cast<long long>(trainCounts[std::size_t(k)]),
                    static_cast<long long>(valCounts[std::size_t(k)]),
                    static_cast<long long>(testCounts[std::size_t(k)]));
    return Ok;
}

int preview(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Writes a PNG grid of sample images, one row per class."));
    p.addHelpOption();
    DatasetOptions c(true);
    c.addTo(p);
    const QCommandLineOption out({QStringLiteral("o"), QStringLiteral("out")},
                                 QStringLiteral("PNG file to write."), QStringLiteral("file"));
    const QCommandLineOption rows(QStringLiteral("rows"), QStringLiteral("Rows (classes) to show."),
                                  QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption cols(QStringLiteral("columns"), QStringLiteral("Samples per row."),
                                  QStringLiteral("n"), QStringLiteral("10"));
    const QCommandLineOption cell(QStringLiteral("cell"), QStringLiteral("Pixels per sample."),
                                  QStringLiteral("pixels"), QStringLiteral("84"));
    const QCommandLineOption test(QStringLiteral("test"), QStringLiteral("Show the test split."));
    p.addOptions({out, rows, cols, cell, test});
    p.process(args);
    if (!p.isSet(out))
        throw UsageError("--out FILE.png is required");

    const data::DatasetRef ref = c.ref(p);
    data::PreviewOptions opts;
    opts.rows = intValue(p, rows, 1, 1000);
    opts.columns = intValue(p, cols, 1, 1000);
    opts.cellSize = intValue(p, cell, 8, 1024);
    opts.fromTest = p.isSet(test);
    opts.seed = std::uint64_t(intValue(p, c.seed, 0, 1 << 30));
    const data::Dataset ds = data::loadDataset(ref);
    data::writePreview(ds, p.value(out).toStdString(), opts);
    std::printf("Wrote %s\n", qPrintable(p.value(out)));
    return Ok;
}

} // namespace

int datasetCommand(const QStringList &args)
{
    return runSubcommand(args, "dataset", {{"info", info}, {"preview", preview}});
}

} // namespace edanas::cli
