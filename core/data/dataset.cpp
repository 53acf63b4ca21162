#include "dataset.h"

#include "cifar.h"
#include "dataerror.h"
#include "idx.h"

#include "edanas/version.h"

#include <QCryptographicHash>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace edanas::data {

std::string formatName(Format format)
{
    switch (format) {
    case Format::Auto: return "auto";
    case Format::Idx: return "idx";
    case Format::Cifar10: return "cifar10";
    case Format::Cifar100: return "cifar100";
    case Format::ImageFolder: return "folder";
    }
    return "auto";
}

Format parseFormat(const std::string &name)
{
    for (Format f : {Format::Auto, Format::Idx, Format::Cifar10, Format::Cifar100, Format::ImageFolder}) {
        if (formatName(f) == name)
            return f;
    }
    throw std::invalid_argument("unknown data-set format '" + name
                                + "' (expected auto, idx, cifar10, cifar100 or folder)");
}

namespace {

struct IdxFiles
{
    std::string trainImages, trainLabels, testImages, testLabels;
};

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The one file in `dir` whose name ends in `<part>-<kind>` or `<part>-<kind with a dot>`,
// optionally followed by .gz; "" when there is none.
std::string findIdx(const fs::path &dir, const std::vector<std::string> &parts, const std::string &kind)
{
    std::vector<std::string> hits;
    for (const auto &e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file())
            continue;
        std::string name = e.path().filename().string();
        if (endsWith(name, ".gz"))
            name.resize(name.size() - 3);
        for (const auto &part : parts) {
            std::string dotted = kind;
            dotted[kind.find('-')] = '.';
            if (endsWith(name, part + "-" + kind) || endsWith(name, part + "-" + dotted))
                hits.push_back(e.path().string());
        }
    }
    if (hits.size() > 1) {
        std::sort(hits.begin(), hits.end());
        throw DataError(dir.string(), "holds several " + parts.front() + " " + kind + " files ("
                                          + fs::path(hits[0]).filename().string() + ", "
                                          + fs::path(hits[1]).filename().string() + "); keep one");
    }
    return hits.empty() ? std::string() : hits.front();
}

IdxFiles findIdxFiles(const fs::path &dir)
{
    IdxFiles f;
    f.trainImages = findIdx(dir, {"train"}, "images-idx3-ubyte");
    f.trainLabels = findIdx(dir, {"train"}, "labels-idx1-ubyte");
    f.testImages = findIdx(dir, {"t10k", "test"}, "images-idx3-ubyte");
    f.testLabels = findIdx(dir, {"t10k", "test"}, "labels-idx1-ubyte");
    return f;
}

bool isDir(const fs::path &p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool isFile(const fs::path &p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::vector<std::string> readLines(const fs::path &file)
{
    std::vector<std::string> lines;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty())
            lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> numberedClasses(int n)
{
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i)
        names.push_back(std::to_string(i));
    return names;
}

fs::path datasetDir(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw DataError(path, "does not exist");
    return isDir(path) ? fs::path(path) : fs::path(path).parent_path();
}

Dataset loadIdx(const DatasetRef &ref)
{
    const fs::path dir = datasetDir(ref.path);
    const IdxFiles files = findIdxFiles(dir);
    if (files.trainImages.empty())
        throw DataError(dir.string(), "holds no IDX training images (train-images-idx3-ubyte[.gz])");
    if (files.trainLabels.empty())
        throw DataError(dir.string(), "holds no IDX training labels (train-labels-idx1-ubyte[.gz])");
    if (files.testImages.empty() != files.testLabels.empty())
        throw DataError(dir.string(), files.testImages.empty()
                                          ? "holds test labels but no test images (t10k-images-idx3-ubyte[.gz])"
                                          : "holds test images but no test labels (t10k-labels-idx1-ubyte[.gz])");
    Dataset ds;
    ds.ref = ref;
    ds.ref.format = Format::Idx;
    const fs::path classesFile = dir / "classes.txt";
    if (isFile(classesFile)) {
        ds.classNames = readLines(classesFile);
        if (ds.classNames.empty())
            throw DataError(classesFile.string(), "is empty; it should name one class per line");
    } else {
        std::string lower = dir.filename().string();
        if (lower.empty())
            lower = dir.parent_path().filename().string();
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (lower.find("fashion") != std::string::npos && (ref.classCount == 0 || ref.classCount == 10))
            ds.classNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
        else
            ds.classNames = numberedClasses(ref.classCount > 0 ? ref.classCount : 10);
    }
    if (ref.classCount > 0 && ref.classCount != int(ds.classNames.size()))
        throw DataError(classesFile.string(), "names " + std::to_string(ds.classNames.size())
                                                  + " classes, but " + std::to_string(ref.classCount)
                                                  + " were asked for");
    ds.name = dir.filename().string();
    ds.train = idxToImageSet(readIdxFile(files.trainImages), readIdxFile(files.trainLabels),
                             ds.classCount(), files.trainImages, files.trainLabels);
    if (!files.testImages.empty()) {
        ds.test = idxToImageSet(readIdxFile(files.testImages), readIdxFile(files.testLabels),
                                ds.classCount(), files.testImages, files.testLabels);
        if (ds.test.height != ds.train.height || ds.test.width != ds.train.width
            || ds.test.channels != ds.train.channels)
            throw DataError(files.testImages, "images are not the same shape as the training images in "
                                                  + files.trainImages);
    }
    return ds;
}

std::vector<std::string> cifarTrainFiles(const fs::path &dir)
{
    std::vector<std::string> files;
    for (int i = 1; i <= 5; ++i) {
        const fs::path p = dir / ("data_batch_" + std::to_string(i) + ".bin");
        if (isFile(p))
            files.push_back(p.string());
    }
    return files;
}

Dataset loadCifar(const DatasetRef &ref, CifarKind kind)
{
    const fs::path dir = datasetDir(ref.path);
    Dataset ds;
    ds.ref = ref;
    ds.ref.format = kind == CifarKind::Cifar10 ? Format::Cifar10 : Format::Cifar100;
    ds.name = dir.filename().string();
    if (kind == CifarKind::Cifar10) {
        const auto trainFiles = cifarTrainFiles(dir);
        if (trainFiles.empty())
            throw DataError(dir.string(), "holds no CIFAR-10 training batches (data_batch_1.bin ...)");
        for (const auto &f : trainFiles)
            readCifarBatch(f, kind, ds.train);
        if (isFile(dir / "test_batch.bin"))
            readCifarBatch((dir / "test_batch.bin").string(), kind, ds.test);
        ds.classNames = isFile(dir / "batches.meta.txt")
                            ? readLines(dir / "batches.meta.txt")
                            : std::vector<std::string>{"airplane", "automobile", "bird", "cat", "deer",
                                                       "dog", "frog", "horse", "ship", "truck"};
        if (ds.classNames.size() != 10)
            throw DataError((dir / "batches.meta.txt").string(),
                            "names " + std::to_string(ds.classNames.size()) + " classes; CIFAR-10 has 10");
    } else {
        if (!isFile(dir / "train.bin"))
            throw DataError(dir.string(), "holds no CIFAR-100 training file (train.bin)");
        readCifarBatch((dir / "train.bin").string(), kind, ds.train);
        if (isFile(dir / "test.bin"))
            readCifarBatch((dir / "test.bin").string(), kind, ds.test);
        ds.classNames = isFile(dir / "fine_label_names.txt") ? readLines(dir / "fine_label_names.txt")
                                                             : numberedClasses(100);
        if (ds.classNames.size() != 100)
            throw DataError((dir / "fine_label_names.txt").string(),
                            "names " + std::to_string(ds.classNames.size()) + " classes; CIFAR-100 has 100");
    }
    return ds;
}

Dataset loadFolder(const DatasetRef &ref)
{
    const fs::path root(ref.path);
    if (!isDir(root))
        throw DataError(ref.path, std::filesystem::exists(root)
                                      ? "is a file, but an image folder (one sub-folder per class) was expected"
                                      : "does not exist");
    ImageFolderOptions opts;
    opts.color = ref.color;
    opts.imageSize = ref.imageSize;
    const bool split = isDir(root / "train");
    ImageFolderContent train = readImageFolder(split ? (root / "train").string() : ref.path, opts);
    Dataset ds;
    ds.ref = ref;
    ds.ref.format = Format::ImageFolder;
    ds.name = root.filename().empty() ? root.parent_path().filename().string() : root.filename().string();
    ds.classNames = train.classNames;
    ds.train = std::move(train.set);
    if (split) {
        for (const char *testName : {"test", "val", "valid", "validation"}) {
            if (!isDir(root / testName))
                continue;
            // The test part is stored exactly like the training part.
            opts.imageSize = ds.train.height;
            opts.color = ds.train.channels == 1 ? ColorMode::Grayscale : ColorMode::Rgb;
            if (ds.train.height != ds.train.width)
                opts.imageSize = 0;
            ImageFolderContent test = readImageFolder((root / testName).string(), opts, &ds.classNames);
            ds.test = std::move(test.set);
            break;
        }
    }
    return ds;
}

} // namespace

Format detectFormat(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw DataError(path, "does not exist");
    const fs::path dir = isDir(path) ? fs::path(path) : fs::path(path).parent_path();
    std::vector<Format> fits;
    if (!findIdx(dir, {"train"}, "images-idx3-ubyte").empty())
        fits.push_back(Format::Idx);
    if (!cifarTrainFiles(dir).empty())
        fits.push_back(Format::Cifar10);
    if (isFile(dir / "train.bin"))
        fits.push_back(Format::Cifar100);
    if (isDir(path)) {
        bool hasSub = false;
        for (const auto &e : fs::directory_iterator(dir)) {
            const std::string n = e.path().filename().string();
            if (e.is_directory() && !n.empty() && n[0] != '.')
                hasSub = true;
        }
        if (hasSub && fits.empty())
            fits.push_back(Format::ImageFolder);
    }
    if (fits.empty())
        throw DataError(path, "is not a data set this program reads: no IDX files "
                              "(train-images-idx3-ubyte[.gz]), CIFAR batches (data_batch_1.bin, train.bin) "
                              "or class sub-folders of images");
    if (fits.size() > 1)
        throw DataError(path, "could be read as " + formatName(fits[0]) + " or " + formatName(fits[1])
                                  + "; name the format (--format)");
    return fits.front();
}

Dataset loadDataset(const DatasetRef &ref)
{
    DatasetRef resolved = ref;
    if (resolved.format == Format::Auto)
        resolved.format = detectFormat(ref.path);
    switch (resolved.format) {
    case Format::Idx: return loadIdx(resolved);
    case Format::Cifar10: return loadCifar(resolved, CifarKind::Cifar10);
    case Format::Cifar100: return loadCifar(resolved, CifarKind::Cifar100);
    case Format::ImageFolder: return loadFolder(resolved);
    case Format::Auto: break;
    }
    throw DataError(ref.path, "has no format");
}

std::string defaultDatasetPath()
{
    if (const char *env = std::getenv("EDANAS_DATASET"); env && *env)
        return env;
    return kDefaultDatasetPath;
}

std::string contentHash(const Dataset &dataset)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    auto addInt = [&](std::int64_t v) {
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(&v), sizeof v));
    };
    addInt(dataset.classCount());
    for (const ImageSet *set : {&dataset.train, &dataset.test}) {
        addInt(set->size());
        addInt(set->height);
        addInt(set->width);
        addInt(set->channels);
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(set->pixels.data()),
                                    qsizetype(set->pixels.size())));
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(set->labels.data()),
                                    qsizetype(set->labels.size() * sizeof(std::int32_t))));
    }
    return hash.result().toHex().toStdString();
}

} // namespace edanas::data
