#pragma once

// The network as a microcontroller runtime runs it, and its memory as such a runtime
// counts it. No LibTorch here: the report, the search and the Studio use it too.
//
// The deployed network is a plain list of operators over int8 tensors, cut into
// segments: backbone piece i runs from the network input (or the previous exit's
// feature map) to the block exit i follows; exit piece i is exit i's classifier; the
// last segment's exit piece is the final head. A runtime runs backbone piece i, then
// exit piece i, applies the exit rule, and stops or goes on with backbone piece i + 1
// (whose input is backbone piece i's output, kept alive while exit i runs).
//
// Flash (bytes): for every convolution and linear layer, its int8 weights (1 byte
// each), its int32 biases (4 bytes each) and its float per-output-channel weight
// scales (4 bytes each; weights are symmetric, no zero points stored), plus, for every
// quantized activation tensor, its float scale (4 bytes) and int8 zero point (1 byte).
//
// SRAM (bytes): the largest tensor arena along the execution order. At each operator,
// the tensors alive are its inputs, its output, and every tensor produced earlier and
// still needed later (the block input a residual Add needs, the feature map a
// squeeze-excite gate multiplies, the feature map an exit's input stays for the next
// backbone piece); no operator works in place and tensors never share memory; int8
// activations count 1 byte per element, the float logits 4. Scratch buffers an
// operator's kernel may need (im2col) are not counted.

#include "space/architecture.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edanas::deploy {

enum class DeployOpKind {
    Conv,              ///< 2-D convolution, padding k/2, optional fused ReLU
    Linear,            ///< fully connected on a C x 1 x 1 input (flattened)
    HardSwish,         ///< x * clamp(x / 6 + 1/2, 0, 1)
    HardSigmoid,       ///< clamp(x / 6 + 1/2, 0, 1)
    GlobalAveragePool, ///< C x H x W to C x 1 x 1
    MaxPool,           ///< 2 x 2, stride 2, no padding
    Mul,               ///< a (C x H x W) times a gate (C x 1 x 1) broadcast
    Add,               ///< element-wise sum of two tensors of one shape
};

/// Where a convolution's or linear layer's weights are in the extracted network.
struct WeightRef
{
    enum class Part {
        None,
        Stem,
        Expand,
        Depthwise,
        SeReduce,
        SeExpand,
        Project,
        HeadExpand,
        HeadFeature,
        HeadClassifier,
        ExitConv,
        ExitClassifier
    };
    Part part = Part::None;
    int index = -1; ///< block (0-based in StaticEenn::blockTensors()) or exit
    int sub = 0;    ///< exit convolution number
};

/// A tensor of the deployed network (per input: channels x height x width).
struct DeployValue
{
    std::string name;
    int c = 0, h = 1, w = 1;
    bool quantized = true; ///< int8 in the deployed network; false: float32 (the logits)

    std::int64_t elements() const { return std::int64_t(c) * h * w; }
    std::int64_t bytes() const { return elements() * (quantized ? 1 : 4); }
};

struct DeployOp
{
    DeployOpKind kind = DeployOpKind::Conv;
    std::string name;
    std::vector<int> inputs; ///< values
    int output = -1;         ///< value
    // Conv and Linear
    int outChannels = 0, inPerGroup = 0, kernel = 1, stride = 1, groups = 1;
    bool bias = false;
    bool relu = false; ///< ReLU fused into the convolution (quantized after it)
    WeightRef weights;

    std::int64_t weightCount() const { return std::int64_t(outChannels) * inPerGroup * kernel * kernel; }
};

/// A sequence of operators with one input and one output value.
struct DeployPiece
{
    std::string name;
    int input = -1;
    int output = -1; ///< == input when the piece has no operator
    std::vector<DeployOp> ops;
};

struct DeployGraph
{
    std::vector<DeployValue> values; ///< values[0]: the network input
    /// backbone[i]: from values[0] (i = 0) or backbone[i-1].output to the feature map
    /// exit i reads; the last one runs to the end of the stages (possibly no operator).
    std::vector<DeployPiece> backbone;
    /// exits[i]: exit i's classifier on backbone[i].output; the last is the final head.
    std::vector<DeployPiece> exits;

    std::size_t segments() const { return exits.size(); }
};

/// The operators of `architecture` (batch norm folded into the convolutions), cut into
/// segments at its exits.
DeployGraph deployGraph(const space::Architecture &architecture);

/// The largest arena of `piece` along its execution order, in bytes, as defined above.
/// `holdInput`: the piece's input stays alive to its end (an exit piece's: the next
/// backbone piece reads it).
std::int64_t arenaBytes(const DeployGraph &graph, const DeployPiece &piece, bool holdInput);

/// Flash bytes of `piece` as defined above; `withInput`: also the quantization
/// parameters of its input (the network input's, counted once, by the first piece).
std::int64_t flashBytes(const DeployGraph &graph, const DeployPiece &piece, bool withInput);

struct SegmentMemory
{
    std::int64_t backboneArena = 0, exitArena = 0;
    std::int64_t arena = 0; ///< max of the two: the segment's SRAM
    std::int64_t backboneFlash = 0, exitFlash = 0;
    /// What a runtime needs to have run this segment (and every earlier one).
    std::int64_t flashThrough = 0, arenaThrough = 0;
};

struct McuMemory
{
    std::vector<SegmentMemory> segments; ///< per exit, then the final head
    std::int64_t arena = 0;              ///< SRAM: the largest segment arena
    std::int64_t flash = 0;              ///< every piece's flash
};

McuMemory mcuMemory(const DeployGraph &graph);
McuMemory mcuMemory(const space::Architecture &architecture);

} // namespace edanas::deploy
