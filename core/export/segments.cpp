#include "segments.h"

#include "eenn/tuning.h"
#include "fileerror.h"
#include "supernet/extract.h"

#include <opencv2/dnn.hpp>

#include <regex>

namespace edanas::deploy {

SegmentFiles segmentFileNames(std::size_t i, bool int8, bool hasBackbone)
{
    const std::string p = "segment" + std::to_string(i) + "-";
    const std::string s = int8 ? "-int8.onnx" : ".onnx";
    return {hasBackbone ? p + "backbone" + s : std::string(), p + "exit" + s};
}

bool isSegmentFileName(const std::string &name)
{
    static const std::regex re("segment[0-9]+-(backbone|exit)(-int8)?\\.onnx");
    return std::regex_match(name, re);
}

namespace {

cv::dnn::Net readNet(const std::string &path)
{
    cv::dnn::Net net;
    try {
        net = cv::dnn::readNetFromONNX(path);
    } catch (const cv::Exception &e) {
        throw FileError(path, "OpenCV cannot read this ONNX model: " + e.msg);
    }
    if (net.empty())
        throw FileError(path, "OpenCV read an empty network from it");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
}

torch::Tensor runNet(cv::dnn::Net &net, const torch::Tensor &x)
{
    const auto in = x.to(torch::kFloat32).contiguous();
    std::vector<int> sizes(in.sizes().begin(), in.sizes().end());
    const cv::Mat blob(int(sizes.size()), sizes.data(), CV_32F, in.data_ptr<float>());
    cv::Mat out;
    try {
        net.setInput(blob, "input");
        out = net.forward("output");
    } catch (const cv::Exception &e) {
        throw std::runtime_error("OpenCV failed to run an ONNX segment: " + e.msg);
    }
    const cv::Mat m = out.isContinuous() ? out : out.clone();
    std::vector<std::int64_t> shape;
    for (int i = 0; i < m.dims; ++i)
        shape.push_back(m.size[i]);
    return torch::from_blob(const_cast<float *>(m.ptr<float>()), shape, torch::kFloat32).clone();
}

} // namespace

struct OpenCvSegments::Impl
{
    struct Segment
    {
        bool hasBackbone = false;
        cv::dnn::Net backbone, exit;
    };
    std::vector<Segment> segments;
};

OpenCvSegments::OpenCvSegments(const std::string &dir, const std::vector<SegmentFiles> &segments)
    : d(std::make_unique<Impl>())
{
    for (const auto &s : segments) {
        Impl::Segment seg;
        seg.hasBackbone = !s.backbone.empty();
        if (seg.hasBackbone)
            seg.backbone = readNet(dir + "/" + s.backbone);
        seg.exit = readNet(dir + "/" + s.exit);
        d->segments.push_back(std::move(seg));
    }
}

OpenCvSegments::~OpenCvSegments() = default;

supernet::SubnetOutput OpenCvSegments::run(const torch::Tensor &x)
{
    supernet::SubnetOutput r;
    torch::Tensor h = x;
    for (std::size_t i = 0; i < d->segments.size(); ++i) {
        auto &s = d->segments[i];
        if (s.hasBackbone)
            h = runNet(s.backbone, h);
        auto logits = runNet(s.exit, h);
        logits = logits.reshape({logits.size(0), -1});
        if (i + 1 < d->segments.size())
            r.exits.push_back(logits);
        else
            r.final = logits;
    }
    return r;
}

std::pair<double, double> earlyExitFigures(const supernet::SubnetOutput &logits, const torch::Tensor &labels,
                                           int classes, space::ExitRule rule, const std::vector<double> &thresholds,
                                           const std::vector<double> &macsToLeave, std::vector<double> *share)
{
    const auto d = supernet::decideEarlyExit(logits, classes, rule, thresholds);
    const double n = double(std::max<std::int64_t>(1, labels.size(0)));
    const double accuracy = d.predictions.eq(labels).sum().item<double>() / n;
    const auto counts = torch::bincount(d.exitIndex, {}, std::int64_t(macsToLeave.size()));
    double macs = 0.0;
    if (share)
        share->clear();
    for (std::size_t e = 0; e < macsToLeave.size(); ++e) {
        const double s = counts[std::int64_t(e)].item<double>() / n;
        macs += s * macsToLeave[e];
        if (share)
            share->push_back(s);
    }
    return {accuracy, macs};
}

std::vector<double> retuneThresholds(const supernet::SubnetOutput &logits, const torch::Tensor &labels, int classes,
                                     space::ExitRule rule, std::vector<double> start,
                                     const std::vector<double> &macsToLeave, double maxMacs)
{
    const auto grid = eenn::fineThresholdGrid(rule, classes);
    auto best = start;
    auto [bestAcc, bestMacs] = earlyExitFigures(logits, labels, classes, rule, best, macsToLeave);
    const bool startFits = bestMacs <= maxMacs;
    for (int round = 0; round < 2; ++round)
        for (std::size_t e = 0; e < best.size(); ++e)
            for (double t : grid) {
                auto trial = best;
                trial[e] = t;
                const auto [acc, macs] = earlyExitFigures(logits, labels, classes, rule, trial, macsToLeave);
                const bool fits = macs <= maxMacs;
                const bool better = (fits && (acc > bestAcc || (acc == bestAcc && macs < bestMacs)))
                                    || (!startFits && fits && bestMacs > maxMacs);
                if (better) {
                    best = trial;
                    bestAcc = acc;
                    bestMacs = macs;
                }
            }
    return best;
}

} // namespace edanas::deploy
