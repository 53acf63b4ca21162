#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace edanas::space {

enum class Activation { Relu, HSwish };
enum class ExitPlacement { StageEnds, AnyBlock };
enum class EecType { Edanas, Nachos };

std::string activationName(Activation a);
std::string placementName(ExitPlacement p);
std::string eecTypeName(EecType t);

/// A preset or space file that is not valid. The message names the file, the place
/// in it (a JSON path such as `stages[2].width`) and what was expected.
class SpaceError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// One elastic stage of MBConv blocks: fixed output width, stride of its first block,
/// activation, squeeze-excite; up to max(depth choices) blocks.
struct StageSpec
{
    int width = 0;
    int stride = 1;
    Activation activation = Activation::Relu;
    bool squeezeExcite = false;
};

/// The search space: the Once-for-All MobileNetV3 structure and its elastic choices.
/// Loaded from a JSON preset; the data set fixes input channels and classes.
struct SearchSpace
{
    std::string name;
    std::string description;

    int stemWidth = 16;
    int stemKernel = 3;
    int stemStride = 2;
    Activation stemActivation = Activation::HSwish;

    int firstBlockWidth = 16; ///< fixed MBConv: kernel firstBlockKernel, expansion 1
    int firstBlockKernel = 3;
    Activation firstBlockActivation = Activation::Relu;
    bool firstBlockSqueezeExcite = false;

    std::vector<StageSpec> stages;
    int headWidth = 960;    ///< 1x1 conv after the last stage
    int featureWidth = 1280; ///< 1x1 conv after global pooling

    std::vector<int> depths;      ///< sorted ascending
    std::vector<int> kernels;     ///< odd, sorted ascending
    std::vector<int> expansions;  ///< sorted ascending
    std::vector<int> resolutions; ///< sorted ascending

    std::vector<int> exitStages; ///< 0-based stages after which exits may sit (never the last)
    ExitPlacement exitPlacement = ExitPlacement::StageEnds;
    EecType eecType = EecType::Edanas;

    int inputChannels = 3;
    int classes = 10;

    int stageCount() const { return int(stages.size()); }
    int maxDepth() const { return depths.back(); }
    int maxKernel() const { return kernels.back(); }
    int maxExpansion() const { return expansions.back(); }
    int maxResolution() const { return resolutions.back(); }
    /// Input width of stage s (the previous stage's width, or the first block's).
    int stageInputWidth(int s) const { return s == 0 ? firstBlockWidth : stages[std::size_t(s - 1)].width; }

    /// Parses and validates a space; `source` names the file in errors.
    static SearchSpace fromJson(const std::string &json, const std::string &source);
    /// A built-in preset by name ("ofa-mbv3", "tiny") or a path to a JSON file.
    static SearchSpace load(const std::string &nameOrPath);
    /// Names of the built-in presets.
    static std::vector<std::string> presetNames();

    std::string toJson() const;
    /// Throws SpaceError (naming `source`) when a value is out of range.
    void validate(const std::string &source) const;

    bool operator==(const SearchSpace &o) const { return toJson() == o.toJson(); }
};

/// Once-for-All's channel rounding: the nearest multiple of `divisor`, never below 90 %
/// of `value`.
int makeDivisible(double value, int divisor = 8);

/// Width of an MBConv block's expanded (depthwise) layer for an input width and ratio.
int expandedWidth(int inputWidth, int expansion);

/// Width of the squeeze-excite bottleneck for a channel count (OFA: /4, divisible by 8).
int squeezeWidth(int channels);

/// Where the resources (presets, shipped supernet) live: EDANAS_RESOURCES if set, else
/// the source tree's resources/ in a build tree, else <prefix>/share/edanas-studio.
std::string resourceDir();

} // namespace edanas::space
