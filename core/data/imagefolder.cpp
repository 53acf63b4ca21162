#include "imagefolder.h"

#include "dataerror.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <optional>

namespace fs = std::filesystem;

namespace edanas::data {

bool hasImageExtension(const std::string &fileName)
{
    static const char *const kExt[] = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp",
                                       ".ppm", ".pgm", ".pbm", ".pnm"};
    std::string ext = fs::path(fileName).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return std::any_of(std::begin(kExt), std::end(kExt), [&](const char *e) { return ext == e; });
}

namespace {

struct Entry
{
    std::string path;
    int label = 0;
};

std::vector<std::string> sortedSubfolders(const fs::path &dir)
{
    std::vector<std::string> names;
    for (const auto &e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (!name.empty() && name[0] != '.' && e.is_directory())
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Scales `img` to cover h x w, keeping its aspect, then crops the centre.
cv::Mat fitTo(const cv::Mat &img, int h, int w)
{
    if (img.rows == h && img.cols == w)
        return img;
    const double scale = std::max(double(h) / img.rows, double(w) / img.cols);
    const int sh = std::max(h, int(std::lround(img.rows * scale)));
    const int sw = std::max(w, int(std::lround(img.cols * scale)));
    cv::Mat scaled;
    cv::resize(img, scaled, cv::Size(sw, sh), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const int y = (sh - h) / 2;
    const int x = (sw - w) / 2;
    return scaled(cv::Rect(x, y, w, h)).clone();
}

} // namespace

ImageFolderContent readImageFolder(const std::string &dir, const ImageFolderOptions &options,
                                   const std::vector<std::string> *classNames)
{
    std::error_code ec;
    if (!fs::exists(dir, ec))
        throw DataError(dir, "does not exist");
    if (!fs::is_directory(dir, ec))
        throw DataError(dir, "is a file, but an image folder (one sub-folder per class) was expected");

    ImageFolderContent content;
    const std::vector<std::string> found = sortedSubfolders(dir);
    if (found.empty())
        throw DataError(dir, "holds no class sub-folders (expected one sub-folder of images per class)");
    if (classNames) {
        content.classNames = *classNames;
        for (const auto &name : found) {
            if (std::find(classNames->begin(), classNames->end(), name) == classNames->end())
                throw DataError((fs::path(dir) / name).string(),
                                "is a class the training split does not have");
        }
    } else {
        content.classNames = found;
    }

    std::vector<Entry> entries;
    for (const auto &name : found) {
        const fs::path classDir = fs::path(dir) / name;
        const int label = int(std::find(content.classNames.begin(), content.classNames.end(), name)
                              - content.classNames.begin());
        std::vector<std::string> files;
        for (const auto &e : fs::directory_iterator(classDir)) {
            const std::string fname = e.path().filename().string();
            if (fname.empty() || fname[0] == '.' || !hasImageExtension(fname))
                continue;
            std::error_code fileEc;
            if (e.is_regular_file(fileEc))
                files.push_back(e.path().string());
            else if (!e.is_directory(fileEc))
                // a broken link, a device, a pipe: named like an image but not one
                throw DataError(e.path().string(), "cannot be read as an image (not a readable file: a broken link?)");
        }
        if (files.empty())
            throw DataError(classDir.string(), "is an empty class: it holds no image files");
        std::sort(files.begin(), files.end());
        for (auto &f : files)
            entries.push_back({std::move(f), label});
    }

    // The first image fixes the stored size and, in Auto mode, the colour mode.
    const cv::Mat first = cv::imread(entries.front().path, cv::IMREAD_UNCHANGED);
    if (first.empty())
        throw DataError(entries.front().path, "cannot be read as an image (unreadable or corrupt)");
    bool gray = options.color == ColorMode::Grayscale
                || (options.color == ColorMode::Auto && first.channels() == 1);
    const int h = options.imageSize > 0 ? options.imageSize : first.rows;
    const int w = options.imageSize > 0 ? options.imageSize : first.cols;

    ImageSet &set = content.set;
    set.height = h;
    set.width = w;
    set.channels = gray ? 1 : 3;
    set.labels.resize(entries.size());
    set.pixels.resize(entries.size() * set.imageBytes());

    std::mutex errorMutex;
    std::optional<std::pair<std::size_t, std::string>> firstError;
    const int flags = gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
    cv::parallel_for_(cv::Range(0, int(entries.size())), [&](const cv::Range &range) {
        for (int i = range.start; i < range.end; ++i) {
            cv::Mat img = cv::imread(entries[i].path, flags);
            if (img.empty()) {
                std::lock_guard<std::mutex> lock(errorMutex);
                if (!firstError || firstError->first > std::size_t(i))
                    firstError = std::make_pair(std::size_t(i), entries[i].path);
                continue;
            }
            if (img.depth() != CV_8U)
                img.convertTo(img, CV_8U, img.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
            if (!gray)
                cv::cvtColor(img, img, cv::COLOR_BGR2RGB);
            img = fitTo(img, h, w);
            if (!img.isContinuous())
                img = img.clone();
            std::copy(img.data, img.data + set.imageBytes(), set.image(i));
            set.labels[i] = entries[i].label;
        }
    });
    if (firstError)
        throw DataError(firstError->second, "cannot be read as an image (unreadable or corrupt)");
    return content;
}

} // namespace edanas::data
