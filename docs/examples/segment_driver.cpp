// A reference driver for an exported early-exit network, one model per segment
// (docs/DEPLOY.md): for each input it runs segment 0's backbone and exit, applies the
// exit rule, and stops there or goes on with the next segment, whose backbone starts
// from the previous backbone's output. Only OpenCV (its dnn module reads the ONNX
// files, its FileStorage reads segments.json, model.json's runtime part without the
// nulls OpenCV's JSON reader refuses); nothing of EDANAS. Built and run by
// tests/export/tst_int8.cpp on a real export.
//
//   segment_driver EXPORT_DIR INPUTS.f32 N [--int8] [--thresholds int8|genome]
//
// INPUTS.f32: N preprocessed inputs (float32, C order, channels x height x width each,
// as segments.json's `input` says). --int8: the int8 segments with their thresholds. Prints one line per input: "<exit> <class>", exit 0..
// for the early exits and the number of exits for the final head.
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Segment
{
    bool hasBackbone = false;
    cv::dnn::Net backbone, exit;
};

cv::dnn::Net load(const std::string &dir, const std::string &file)
{
    cv::dnn::Net net = cv::dnn::readNetFromONNX(dir + "/" + file);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
}

cv::Mat run(cv::dnn::Net &net, const cv::Mat &x)
{
    net.setInput(x, "input");
    return net.forward("output").clone();
}

/// The exit rule of model.json's `exits.rule_text`, on one input's logits. `stay`: the
/// probability of not having left before (NACHOS's confidence rule updates it).
bool accepts(const std::string &rule, const float *logits, int columns, int classes, double threshold, double &stay)
{
    if (rule == "confidence") {
        const double c = columns > classes ? 1.0 / (1.0 + std::exp(-double(logits[classes]))) : 0.0;
        stay *= 1.0 - c;
        return 1.0 - stay >= threshold;
    }
    // softmax over the first `classes` logits
    float top = logits[0];
    for (int k = 1; k < classes; ++k)
        top = std::max(top, logits[k]);
    std::vector<double> p(static_cast<std::size_t>(classes), 0.0);
    double sum = 0.0;
    for (int k = 0; k < classes; ++k)
        sum += p[std::size_t(k)] = std::exp(double(logits[k] - top));
    double first = 0.0, second = 0.0, entropy = 0.0;
    for (double &v : p) {
        v /= sum;
        if (v > first) {
            second = first;
            first = v;
        } else if (v > second) {
            second = v;
        }
        entropy -= v * std::log(std::max(v, 1e-12));
    }
    if (rule == "margin")
        return first - second >= threshold;
    if (rule == "max-softmax")
        return first >= threshold;
    if (rule == "entropy")
        return entropy <= threshold;
    throw std::runtime_error("unknown exit rule " + rule);
}

int argmax(const float *logits, int classes)
{
    int best = 0;
    for (int k = 1; k < classes; ++k)
        if (logits[k] > logits[best])
            best = k;
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s EXPORT_DIR INPUTS.f32 N [--int8]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const int n = std::stoi(argv[3]);
    const bool int8 = argc > 4 && std::string(argv[4]) == "--int8";
    try {
        cv::FileStorage fs(dir + "/segments.json", cv::FileStorage::READ | cv::FileStorage::FORMAT_JSON);
        if (!fs.isOpened())
            throw std::runtime_error(dir + "/segments.json cannot be read");
        const cv::FileNode in = fs["input"];
        const int c = int(in["channels"]), h = int(in["height"]), w = int(in["width"]);
        const int classes = int(fs["classes"]);
        const std::string rule = std::string(fs["rule"]);
        std::vector<double> thresholds;
        for (const auto &t : fs[int8 ? "int8_thresholds" : "thresholds"])
            thresholds.push_back(double(t));
        std::vector<Segment> segments;
        for (const auto &s : fs[int8 ? "int8_segments" : "segments"]) {
            Segment seg;
            // a segment without backbone operators has an empty backbone
            seg.hasBackbone = !std::string(s["backbone"]).empty();
            if (seg.hasBackbone)
                seg.backbone = load(dir, std::string(s["backbone"]));
            seg.exit = load(dir, std::string(s["exit"]));
            segments.push_back(std::move(seg));
        }
        if (segments.empty() || thresholds.size() + 1 != segments.size())
            throw std::runtime_error(dir + "/segments.json: segments and thresholds do not match");

        std::ifstream f(argv[2], std::ios::binary);
        std::vector<float> pixels(std::size_t(n) * std::size_t(c * h * w));
        if (!f.read(reinterpret_cast<char *>(pixels.data()), std::streamsize(pixels.size() * sizeof(float))))
            throw std::runtime_error(std::string(argv[2]) + ": fewer inputs than " + std::to_string(n));

        for (int i = 0; i < n; ++i) {
            const int shape[] = {1, c, h, w};
            cv::Mat x(4, shape, CV_32F, pixels.data() + std::size_t(i) * std::size_t(c * h * w));
            double stay = 1.0;
            for (std::size_t s = 0; s < segments.size(); ++s) {
                if (segments[s].hasBackbone)
                    x = run(segments[s].backbone, x); // the features the next segment goes on from
                const cv::Mat logits = run(segments[s].exit, x);
                const auto *l = logits.ptr<float>();
                const int columns = int(logits.total());
                const bool last = s + 1 == segments.size();
                if (last || accepts(rule, l, columns, classes, thresholds[s], stay)) {
                    std::printf("%zu %d\n", s, argmax(l, classes));
                    break; // stop: the rest of the network never runs
                }
            }
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "segment_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
