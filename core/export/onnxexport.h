#pragma once

#include "supernet/extract.h"

#include <string>
#include <utility>
#include <vector>

namespace edanas::deploy {

/// The ONNX output names of a network with `exits` exits: exit0_logits, ..., then
/// final_logits.
std::vector<std::string> onnxOutputNames(int exits);

/// Writes `net` (batch norm folded in: fuseBatchNorm() first) as an ONNX model through
/// OnnxGraphWriter, node for node the computation of supernet/ops.cpp: input "input"
/// (batch x C x R x R, normalised), one logits output per exit in order, then the
/// head's. `metadata` goes to the model's metadata_props. The model is checked before
/// it is written. Returns the output names. Throws std::runtime_error naming `path`.
std::vector<std::string> writeOnnx(const supernet::StaticEennImpl &net, const std::string &path,
                                   const std::vector<std::pair<std::string, std::string>> &metadata,
                                   const std::string &docString);

} // namespace edanas::deploy
