#pragma once

#include "supernet.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace edanas::supernet {

/// A checkpoint that cannot be used: missing, corrupt, from another format version,
/// or for another search space or data set. The message names the file.
class CheckpointError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// What a checkpoint says about itself, besides the weights.
struct CheckpointInfo
{
    int formatVersion = 0;
    std::string spaceJson;     ///< the search space, with input channels and classes
    std::string datasetName;
    std::string datasetHash;   ///< data::contentHash of the data set it was trained on
    std::vector<float> mean, std; ///< input normalisation (per channel, [0, 1] scale)
    std::string trainingLog;   ///< one JSON object per line, one line per epoch
    std::string state;         ///< JSON: phase, epoch, complete, seed, configuration
    std::string createdBy;     ///< program and version
};

inline constexpr int kCheckpointVersion = 1;

/// Writes weights (float32, or float16 when `half`), the info and, when given, the
/// optimizer's state. Writes to a temporary file and renames it: a crash never leaves
/// a half-written checkpoint under `path`.
void saveCheckpoint(const std::string &path, const SupernetImpl &net, const CheckpointInfo &info,
                    torch::optim::Optimizer *optimizer = nullptr, bool half = false);

/// Reads only the info (cheap). Throws CheckpointError.
CheckpointInfo readCheckpointInfo(const std::string &path);

/// Loads a checkpoint into a new supernet (and the optimizer state when asked and
/// present). Throws CheckpointError.
Supernet loadCheckpoint(const std::string &path, CheckpointInfo *info = nullptr,
                        torch::optim::Optimizer *optimizer = nullptr);

/// Throws CheckpointError naming `path` when the checkpoint was trained for another
/// search space or data set than the ones given.
void checkCompatible(const std::string &path, const CheckpointInfo &info, const space::SearchSpace &space,
                     const std::string &datasetHash);

} // namespace edanas::supernet
