#pragma once

// What a supernet checkpoint says about itself, readable without LibTorch's headers
// (the Studio's widgets use it).

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

/// Reads only the info (cheap). Throws CheckpointError.
CheckpointInfo readCheckpointInfo(const std::string &path);

/// The supernet shipped in resources/ (trained on Fashion-MNIST), "" when absent.
std::string defaultSupernetPath();

} // namespace edanas::supernet
