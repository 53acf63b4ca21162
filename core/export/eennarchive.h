#pragma once

#include "supernet/extract.h"

#include <string>
#include <vector>

namespace edanas::deploy {

/// What an exported model.pt says about itself besides its tensors.
struct EennArchiveInfo
{
    std::string spaceJson;  ///< the search space (input channels, classes included)
    std::string genomeJson; ///< backbone, exits, rule, thresholds
    std::vector<float> mean, std; ///< input normalisation per channel, [0, 1] scale
    std::string createdBy;
};

/// Writes a network with batch norm folded in as a LibTorch archive
/// (torch::serialize::OutputArchive): the module's tensors under their own names, as
/// torch::save(net) writes them, plus "edanas.format" = "edanas-eenn",
/// "edanas.version", "edanas.space", "edanas.genome", "edanas.mean", "edanas.std" and
/// "edanas.created_by". Through `path`.partial, renamed: never half a file. Throws
/// std::runtime_error naming `path`.
void saveEennArchive(const std::string &path, const supernet::StaticEennImpl &net, const space::SearchSpace &space,
                     const std::vector<float> &mean, const std::vector<float> &std);

/// Reads such an archive back into a new network (fused, in evaluation mode): builds a
/// network of the archived genome in the archived space, folds its batch norm, then
/// torch::load()s the tensors into it. Throws FileError naming `path`.
supernet::StaticEenn loadEennArchive(const std::string &path, EennArchiveInfo *info = nullptr);

} // namespace edanas::deploy
