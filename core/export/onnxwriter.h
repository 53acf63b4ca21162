#pragma once

// Neither LibTorch nor ONNX here: ONNX's headers need compile definitions
// (ONNX_NAMESPACE, ONNX_ML) that must not reach core's precompiled LibTorch header,
// so they stay in onnxwriter.cpp, a library of its own.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edanas::deploy {

/// A float tensor as plain values (row-major, C order) and its shape.
struct FloatTensor
{
    std::vector<float> values;
    std::vector<std::int64_t> shape;
};

/// Integer values with per-output-channel scales (axis 0), zero points all zero: an
/// int8 weight or an int32 bias, stored as DequantizeLinear reads it.
struct QuantizedTensor
{
    std::vector<std::int32_t> values; ///< int8 range unless `int32`
    std::vector<std::int64_t> shape;
    std::vector<float> scales; ///< one per index of axis 0
    bool int32 = false;
};

/// Builds an ONNX model (opset 14, IR version of the installed ONNX) node by node from
/// plain float tensors, checks it with ONNX's checker and strict shape inference, and
/// writes it. Every operation takes the name of the value it produces (unique in the
/// graph; also the node's name) and returns it. Convolutions always carry kernel_shape,
/// explicit strides and pads (OpenCV's importer needs them). Single-threaded use.
class OnnxGraphWriter
{
public:
    explicit OnnxGraphWriter(std::string graphName);
    ~OnnxGraphWriter();
    OnnxGraphWriter(const OnnxGraphWriter &) = delete;
    OnnxGraphWriter &operator=(const OnnxGraphWriter &) = delete;

    /// A float graph input of shape batch x dims (the batch dimension symbolic).
    std::string input(const std::string &name, const std::vector<std::int64_t> &dims);

    /// 2-D convolution with a square kernel (weight out x in/group x k x k), padding
    /// k/2 on every side; `bias` empty for none.
    std::string conv(const std::string &name, const std::string &x, const FloatTensor &weight,
                     const FloatTensor &bias, int stride, int group);
    std::string relu(const std::string &name, const std::string &x);
    /// x * clamp(x / 6 + 1/2, 0, 1)
    std::string hardSwish(const std::string &name, const std::string &x);
    /// clamp(alpha x + beta, 0, 1)
    std::string hardSigmoid(const std::string &name, const std::string &x, float alpha, float beta);
    /// Element-wise product; give both operands the same shape (see resizeNearest).
    std::string mul(const std::string &name, const std::string &a, const std::string &b);
    std::string add(const std::string &name, const std::string &a, const std::string &b);
    std::string globalAveragePool(const std::string &name, const std::string &x);
    /// Nearest-neighbour resize by whole factors (N x C x H x W to N x C x fH H x fW W):
    /// on a 1 x 1 map, an exact copy to every position. Spelling a broadcast out this
    /// way keeps OpenCV 4.6 right: its importer gives Mul(N x C x H x W, N x C x 1 x 1)
    /// the small operand's shape.
    std::string resizeNearest(const std::string &name, const std::string &x, int factorH, int factorW);
    /// Square max-pool without padding (floor of the output size).
    std::string maxPool(const std::string &name, const std::string &x, int kernel, int stride);
    /// N x C x 1 x 1 (or any rank) to N x rest.
    std::string flatten(const std::string &name, const std::string &x);
    /// x weight^T + bias (weight out x in).
    std::string gemm(const std::string &name, const std::string &x, const FloatTensor &weight,
                     const FloatTensor &bias);

    // Quantize/dequantize form (QDQ): int8 tensors between float operators.
    /// QuantizeLinear(x, scale, zeroPoint) to int8 (`name`/q), then DequantizeLinear
    /// back to float (`name`): what an int8 runtime stores for x.
    std::string quantizeDequantize(const std::string &name, const std::string &x, float scale, int zeroPoint);
    /// An integer initializer (`name`.q) and its DequantizeLinear (per axis 0) to float:
    /// returns `name`, the float value.
    std::string dequantized(const std::string &name, const QuantizedTensor &t);
    /// conv() and gemm() on weight and bias values of the graph (e.g. dequantized());
    /// `bias` empty for none; `kernel` the weight's square kernel side.
    std::string convWith(const std::string &name, const std::string &x, const std::string &weight,
                         const std::string &bias, int kernel, int stride, int group);
    std::string gemmWith(const std::string &name, const std::string &x, const std::string &weight,
                         const std::string &bias);

    /// Declares `value` a graph output of shape batch x dims, in call order.
    void output(const std::string &value, const std::vector<std::int64_t> &dims);
    void setMetadata(const std::string &key, const std::string &value);
    void setDocString(const std::string &text);
    void setProducer(const std::string &name, const std::string &version);

    /// The checked model's bytes. Throws std::runtime_error with ONNX's message when
    /// the checker or shape inference refuses the graph.
    std::string serialize() const;
    /// Checks, then writes to `path` (through `path`.partial, renamed: never half a
    /// file). Throws std::runtime_error naming `path`.
    void write(const std::string &path) const;

    std::size_t nodeCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Runs ONNX's checker and strict shape inference (what `onnx.checker.check_model(m,
/// full_check=True)` does) on a model file; empty when it passes, else the problem.
std::string checkOnnxFile(const std::string &path);

/// The opset the writer targets.
int onnxOpset();

} // namespace edanas::deploy
