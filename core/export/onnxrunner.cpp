#include "onnxrunner.h"

#include "fileerror.h"

#include <opencv2/dnn.hpp>

namespace edanas::deploy {

struct OnnxRunner::Impl
{
    cv::dnn::Net net;
    std::vector<cv::String> outputs;
};

OnnxRunner::OnnxRunner(const std::string &path, std::vector<std::string> outputs)
    : d(std::make_unique<Impl>())
{
    try {
        d->net = cv::dnn::readNetFromONNX(path);
    } catch (const cv::Exception &e) {
        throw FileError(path, "OpenCV cannot read this ONNX model: " + e.msg);
    }
    if (d->net.empty())
        throw FileError(path, "OpenCV read an empty network from it");
    d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    for (auto &o : outputs)
        d->outputs.emplace_back(std::move(o));
}

OnnxRunner::~OnnxRunner() = default;

supernet::SubnetOutput OnnxRunner::run(const torch::Tensor &x)
{
    const auto in = x.to(torch::kFloat32).contiguous();
    std::vector<int> sizes(in.sizes().begin(), in.sizes().end());
    // OpenCV reads the tensor's memory in place; `in` outlives the forward pass
    const cv::Mat blob(int(sizes.size()), sizes.data(), CV_32F, in.data_ptr<float>());
    std::vector<cv::Mat> outs;
    try {
        d->net.setInput(blob, "input");
        d->net.forward(outs, d->outputs);
    } catch (const cv::Exception &e) {
        throw std::runtime_error("OpenCV failed to run the ONNX model: " + e.msg);
    }
    supernet::SubnetOutput r;
    for (std::size_t i = 0; i < outs.size(); ++i) {
        const cv::Mat m = outs[i].isContinuous() ? outs[i] : outs[i].clone();
        if (m.dims != 2 || m.size[0] != int(in.size(0)))
            throw std::runtime_error("OpenCV's output " + d->outputs[i] + " has an unexpected shape");
        auto t = torch::from_blob(const_cast<float *>(m.ptr<float>()), {m.size[0], m.size[1]}, torch::kFloat32).clone();
        if (i + 1 < outs.size())
            r.exits.push_back(std::move(t));
        else
            r.final = std::move(t);
    }
    return r;
}

} // namespace edanas::deploy
