#pragma once

#include "supernet/supernet.h"

#include <memory>
#include <string>
#include <vector>

namespace edanas::deploy {

/// An exported model.onnx run by OpenCV's dnn module: a runtime independent of
/// LibTorch, to check an export against the network it came from. Single-threaded
/// use (OpenCV parallelises each forward pass itself).
class OnnxRunner
{
public:
    /// Reads the model; `outputs` are its output names, exits first, the head last.
    /// Throws FileError naming `path` when OpenCV cannot read it.
    OnnxRunner(const std::string &path, std::vector<std::string> outputs);
    ~OnnxRunner();
    OnnxRunner(const OnnxRunner &) = delete;
    OnnxRunner &operator=(const OnnxRunner &) = delete;

    /// Every output's logits for a batch of input (N x C x R x R, float): the exits'
    /// in order, then the head's.
    supernet::SubnetOutput run(const torch::Tensor &x);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace edanas::deploy
