#pragma once

#include "checkpointinfo.h"
#include "supernet.h"

#include <string>
#include <vector>

namespace edanas::supernet {

/// Writes weights (float32, or float16 when `half`; batch-norm statistics stay float32), the info and, when given, the
/// optimizer's state. Writes to a temporary file and renames it: a crash never leaves
/// a half-written checkpoint under `path`.
void saveCheckpoint(const std::string &path, const SupernetImpl &net, const CheckpointInfo &info,
                    torch::optim::Optimizer *optimizer = nullptr, bool half = false);

/// Loads a checkpoint into a new supernet (and the optimizer state when asked and
/// present). Throws CheckpointError.
Supernet loadCheckpoint(const std::string &path, CheckpointInfo *info = nullptr,
                        torch::optim::Optimizer *optimizer = nullptr);

/// Throws CheckpointError naming `path` when the checkpoint was trained for another
/// search space or data set than the ones given.
void checkCompatible(const std::string &path, const CheckpointInfo &info, const space::SearchSpace &space,
                     const std::string &datasetHash);

} // namespace edanas::supernet
