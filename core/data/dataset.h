#pragma once

#include "imagefolder.h"
#include "imageset.h"

#include <string>
#include <vector>

namespace edanas::data {

enum class Format { Auto, Idx, Cifar10, Cifar100, ImageFolder };

/// "auto", "idx", "cifar10", "cifar100", "folder".
std::string formatName(Format format);
/// Parses a format name; throws std::invalid_argument listing the valid names.
Format parseFormat(const std::string &name);

/// A data set as a user names it: a path plus a format (detected when unambiguous)
/// and the options of the readers that have some.
struct DatasetRef
{
    std::string path;
    Format format = Format::Auto;
    ColorMode color = ColorMode::Auto; ///< image folders
    int imageSize = 0;                 ///< image folders: stored side; 0 = first image's
    int classCount = 0;                ///< IDX: 0 = from classes.txt, else 10
};

/// A loaded data set: the training part and the official test part, decoded once.
struct Dataset
{
    DatasetRef ref; ///< with the format resolved
    std::string name;
    std::vector<std::string> classNames;
    ImageSet train;
    ImageSet test; ///< empty when the data set has no official test split

    int classCount() const { return int(classNames.size()); }
};

/// Which reader fits `path`. Throws DataError when nothing fits, or several do.
Format detectFormat(const std::string &path);

/// Loads a data set. Throws DataError naming the file and the problem.
Dataset loadDataset(const DatasetRef &ref);

/// Where the Studio and the command line look when no data set is named.
std::string defaultDatasetPath();

/// SHA-256 (hex) of the decoded content: shapes, classes, pixels and labels of both
/// parts. Equal for equal content whatever the file format or compression.
std::string contentHash(const Dataset &dataset);

} // namespace edanas::data
