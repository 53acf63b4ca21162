#pragma once

#include "profile.h"

#include "data/imageset.h"
#include "data/preprocess.h"
#include "supernet/supernet.h"

namespace edanas::eenn {

/// Records the exit profile of a backbone (its exits are ignored): one pass over the
/// images at `indices` through every exit position the space allows for that backbone,
/// then the final head. The supernet's batch-norm statistics must already be
/// recalibrated for this backbone at all those positions, with NACHOS exits' max-pools
/// (recalibrateBatchNorm with space::positionMaxPools).
ExitProfile buildProfile(supernet::SupernetImpl &net, const space::Genome &backbone, const data::ImageSet &images,
                         const std::vector<std::int64_t> &indices, const data::Preprocess &preprocess,
                         int batchSize = 500);

} // namespace edanas::eenn
