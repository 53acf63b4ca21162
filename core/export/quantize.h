#pragma once

// Post-training int8 quantization of an extracted early-exit network, its LibTorch
// simulation and its ONNX files (float or quantize/dequantize form, whole or one file
// per piece). LibTorch inside: not for ui/.
//
// The scheme (what an int8 microcontroller runtime such as TFLite Micro computes):
// - weights: per output channel, symmetric: scale_c = max |w_c| / 127, w_q =
//   clamp(round(w / scale_c), -127, 127), zero point 0;
// - biases: int32, scale_c = input scale x weight scale_c, zero point 0;
// - activations: per tensor, asymmetric int8: [min, max] (widened to hold 0) seen on
//   calibration images, scale = (max - min) / 255, zero point = round(-128 - min /
//   scale); every tensor of mcumemory.h's graph marked quantized is rounded so after
//   the operator that produces it (ReLU fused into its convolution, hard-swish,
//   hard-sigmoid, the squeeze-excite product, the residual sum, the pools each a
//   tensor of their own); the logits stay float (dequantized accumulators);
// - rounding half to even, saturation to [-128, 127], as ONNX's QuantizeLinear.
// The simulation computes in float exactly the values the QDQ graph defines: x_q =
// saturate(round(x / s) + z), x = (x_q - z) s; weights and biases dequantized.

#include "mcumemory.h"
#include "onnxwriter.h"

#include "supernet/extract.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace edanas::deploy {

struct ActivationQuant
{
    float scale = 1.0f;
    int zeroPoint = 0;
};

/// The activation quantization of a range (widened to hold 0).
ActivationQuant activationQuant(float min, float max);

/// x rounded to int8 and back: (saturate(round(x / s) + z) - z) s.
torch::Tensor fakeQuantize(const torch::Tensor &x, const ActivationQuant &q);

/// The extracted network (batch norm folded in) as mcumemory.h's operators, with its
/// weights: runs in float, or in int8 once calibrated and quantized.
class DeployNetwork
{
public:
    explicit DeployNetwork(const supernet::StaticEennImpl &net);

    const DeployGraph &graph() const { return m_graph; }

    /// Records the range of every tensor on a batch of (preprocessed) images, in float.
    void calibrate(const torch::Tensor &x);
    /// Quantizes weights and activations from the ranges seen. Throws std::logic_error
    /// before any calibration.
    void quantize();
    bool quantized() const { return m_quantized; }
    std::int64_t calibrationImages() const { return m_calibrationImages; }
    const ActivationQuant &activation(int value) const { return m_act[std::size_t(value)]; }

    /// Every exit's logits and the head's, in float or int8.
    supernet::SubnetOutput forward(const torch::Tensor &x, bool int8) const;
    /// One piece on its input (its input tensor, float; rounded to int8 first in int8).
    torch::Tensor runPiece(const DeployPiece &piece, const torch::Tensor &x, bool int8) const;

    /// The whole network as one ONNX graph: input "input", outputs onnxOutputNames().
    void writeOnnx(const std::string &path, bool int8, const std::vector<std::pair<std::string, std::string>> &metadata,
                   const std::string &docString) const;
    /// One piece as an ONNX graph with input "input" and output "output".
    void writePieceOnnx(const std::string &path, const DeployPiece &piece, bool int8,
                        const std::vector<std::pair<std::string, std::string>> &metadata) const;

private:
    struct Layer
    {
        torch::Tensor weight, bias;           ///< float (bias undefined: none)
        torch::Tensor weightQ, weightScale;   ///< int8 values (as int32), float per channel
        torch::Tensor biasQ, biasScale;       ///< int32, float per channel
        torch::Tensor weightDq, biasDq;       ///< what the int8 graph computes with
    };

    void run(const DeployPiece &piece, std::vector<torch::Tensor> &env, bool int8, bool observe) const;
    void emit(OnnxGraphWriter &w, const DeployPiece &piece, bool int8, std::map<int, std::string> &names) const;
    void observe(int value, const torch::Tensor &t) const;

    DeployGraph m_graph;
    std::map<std::string, Layer> m_layers; ///< by operator name
    std::vector<ActivationQuant> m_act;    ///< by value
    mutable std::vector<float> m_min, m_max;
    std::int64_t m_calibrationImages = 0;
    bool m_quantized = false;
};

} // namespace edanas::deploy
