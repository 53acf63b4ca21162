#include "supernet/fit.h"

#include "data/dataset.h"
#include "space/searchspace.h"

namespace edanas::supernet {

std::string datasetMismatch(const std::string &checkpointPath, const CheckpointInfo &info,
                            const data::Dataset &dataset, const std::string &datasetHash)
{
    space::SearchSpace space;
    try {
        space = space::SearchSpace::fromJson(info.spaceJson, checkpointPath);
    } catch (const space::SpaceError &e) {
        throw CheckpointError(e.what());
    }
    const std::string set = "the data set \"" + dataset.name + "\"";
    const int channels = dataset.train.channels;
    auto plural = [](int n, const std::string &one, const std::string &many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    if (channels != space.inputChannels)
        return checkpointPath + ": takes images of " + plural(space.inputChannels, "channel", "channels") + ", and " + set
               + " has " + plural(channels, "channel", "channels");
    if (dataset.classCount() != space.classes)
        return checkpointPath + ": tells " + plural(space.classes, "class", "classes") + " apart, and " + set
               + " has " + plural(dataset.classCount(), "class", "classes");
    if (!datasetHash.empty() && info.datasetHash != datasetHash)
        return checkpointPath + ": was trained on \"" + info.datasetName + "\", not on " + set
               + " (a search measures every candidate on the data set its supernet learnt)";
    return {};
}

} // namespace edanas::supernet
