#pragma once

// One model per segment, run the way a deployed early-exit network runs: backbone
// piece i, exit i, the rule, stop or go on. LibTorch inside (tensors in and out).

#include "supernet/supernet.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edanas::deploy {

/// The ONNX files of one segment, relative to the export folder; `backbone` empty when
/// the segment has no backbone operator (its exit reads the previous one's input).
struct SegmentFiles
{
    std::string backbone, exit;
};

/// The file names an export gives segment `i`'s pieces (flat in the folder).
SegmentFiles segmentFileNames(std::size_t i, bool int8, bool hasBackbone);
/// Whether `name` is one of those names (any segment, float or int8).
bool isSegmentFileName(const std::string &name);

/// The segments' ONNX files chained in OpenCV's dnn module: each one a network of its
/// own with input "input" and output "output".
class OpenCvSegments
{
public:
    /// Throws FileError naming the file OpenCV cannot read.
    OpenCvSegments(const std::string &dir, const std::vector<SegmentFiles> &segments);
    ~OpenCvSegments();
    OpenCvSegments(const OpenCvSegments &) = delete;
    OpenCvSegments &operator=(const OpenCvSegments &) = delete;

    /// Every exit's logits and the head's, for every input (no early stop: each
    /// segment's backbone output feeds both its exit and the next segment).
    supernet::SubnetOutput run(const torch::Tensor &x);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

/// Thresholds for the exits (one per exit, the rule `rule`) chosen on `logits` (all
/// images, every exit and the head): coordinate ascent over eenn::fineThresholdGrid
/// from `start`, two rounds, keeping the highest accuracy whose average MACs
/// (`macsToLeave[e]`: the MACs an input leaving at exit e, or the head, has cost) stay
/// at most `maxMacs`. Deterministic.
std::vector<double> retuneThresholds(const supernet::SubnetOutput &logits, const torch::Tensor &labels, int classes,
                                     space::ExitRule rule, std::vector<double> start,
                                     const std::vector<double> &macsToLeave, double maxMacs);

/// Accuracy and average MACs of the exit rule on `logits`.
std::pair<double, double> earlyExitFigures(const supernet::SubnetOutput &logits, const torch::Tensor &labels,
                                           int classes, space::ExitRule rule, const std::vector<double> &thresholds,
                                           const std::vector<double> &macsToLeave, std::vector<double> *share = nullptr);

} // namespace edanas::deploy
