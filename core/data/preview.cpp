#include "preview.h"

#include "dataerror.h"
#include "split.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace edanas::data {

void writePreview(const Dataset &dataset, const std::string &outPath, const PreviewOptions &options)
{
    const ImageSet &set = options.fromTest ? dataset.test : dataset.train;
    if (set.size() == 0)
        throw DataError(dataset.ref.path, options.fromTest ? "has no test images to preview"
                                                           : "has no training images to preview");
    if (options.columns < 1 || options.rows < 1 || options.cellSize < 8)
        throw std::invalid_argument("preview needs at least 1 row, 1 column and 8-pixel cells");

    // One row per class (the first `rows` classes that have images), random samples.
    std::vector<std::vector<std::int64_t>> byClass(std::size_t(dataset.classCount()));
    for (std::int64_t i = 0; i < set.size(); ++i)
        byClass[std::size_t(set.labels[std::size_t(i)])].push_back(i);
    std::vector<int> rowClasses;
    for (int c = 0; c < dataset.classCount() && int(rowClasses.size()) < options.rows; ++c)
        if (!byClass[std::size_t(c)].empty())
            rowClasses.push_back(c);

    const int cell = options.cellSize;
    const int caption = std::max(14, cell / 5);
    const int cols = options.columns;
    cv::Mat grid(int(rowClasses.size()) * (cell + caption), cols * cell, CV_8UC3, cv::Scalar(255, 255, 255));
    std::mt19937_64 rng(options.seed);
    const double fontScale = caption / 30.0;
    for (std::size_t r = 0; r < rowClasses.size(); ++r) {
        const auto &pool = byClass[std::size_t(rowClasses[r])];
        for (int col = 0; col < cols; ++col) {
            const std::int64_t idx = pool[uniformIndex(rng, pool.size())];
            const cv::Mat img(set.height, set.width, CV_8UC(set.channels),
                              const_cast<std::uint8_t *>(set.image(idx)));
            cv::Mat bgr;
            if (set.channels == 1)
                cv::cvtColor(img, bgr, cv::COLOR_GRAY2BGR);
            else
                cv::cvtColor(img, bgr, cv::COLOR_RGB2BGR);
            cv::Mat scaled;
            cv::resize(bgr, scaled, cv::Size(cell, cell), 0, 0,
                       set.height < cell ? cv::INTER_NEAREST : cv::INTER_AREA);
            const int y0 = int(r) * (cell + caption);
            scaled.copyTo(grid(cv::Rect(col * cell, y0, cell, cell)));
            std::string label = dataset.classNames[std::size_t(rowClasses[r])];
            int baseline = 0;
            while (label.size() > 3
                   && cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, fontScale, 1, &baseline).width > cell - 4)
                label.pop_back();
            cv::putText(grid, label, cv::Point(col * cell + 2, y0 + cell + caption - caption / 4),
                        cv::FONT_HERSHEY_SIMPLEX, fontScale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
        }
    }
    bool ok = false;
    try {
        ok = cv::imwrite(outPath, grid);
    } catch (const cv::Exception &e) {
        throw DataError(outPath, std::string("cannot be written: ") + e.what());
    }
    if (!ok)
        throw DataError(outPath, "cannot be written (check the folder exists and the name ends in .png)");
}

} // namespace edanas::data
