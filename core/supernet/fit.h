#pragma once

// Whether a supernet can be searched on a data set, readable without LibTorch's headers
// (the Studio checks it when either is opened).

#include "supernet/checkpointinfo.h"

#include <string>

namespace edanas::data {
struct Dataset;
}

namespace edanas::supernet {

/// Why the supernet at `checkpointPath` (its `info`) cannot be searched on `dataset`
/// (whose data::contentHash is `datasetHash`), in one plain sentence naming both: input
/// channels, classes, then the data set it was trained on (a search measures candidates
/// on the data set the supernet learnt). Empty when it fits. Throws CheckpointError when
/// the checkpoint's search space cannot be read.
std::string datasetMismatch(const std::string &checkpointPath, const CheckpointInfo &info,
                            const data::Dataset &dataset, const std::string &datasetHash);

} // namespace edanas::supernet
