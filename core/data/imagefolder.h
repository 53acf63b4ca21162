#pragma once

#include "imageset.h"

#include <string>
#include <vector>

namespace edanas::data {

enum class ColorMode { Auto, Rgb, Grayscale };

struct ImageFolderOptions
{
    ColorMode color = ColorMode::Auto; ///< Auto: grayscale when the first image is
    int imageSize = 0; ///< stored side length; 0 keeps the first image's size
};

/// Images found in a class-per-sub-folder tree, decoded with OpenCV.
struct ImageFolderContent
{
    std::vector<std::string> classNames; ///< sub-folder names, sorted
    ImageSet set;
};

/// True for the file extensions read as images (.png, .jpg, .jpeg, .bmp, .tif, .tiff,
/// .webp, .ppm, .pgm, .pbm, .pnm); other files in class folders are ignored.
bool hasImageExtension(const std::string &fileName);

/// Reads `dir/<class>/<image>` for every class sub-folder. When `classNames` is given
/// (a test split read after its training split), its classes are used and a folder of
/// an unknown class is an error. Images of another size are scaled to cover the stored
/// size and centre-cropped; colour converts to RGB or grayscale. Decoding runs on all
/// cores. Throws DataError for a missing folder, no classes, an empty class, or an
/// image OpenCV cannot decode.
ImageFolderContent readImageFolder(const std::string &dir, const ImageFolderOptions &options,
                                   const std::vector<std::string> *classNames = nullptr);

} // namespace edanas::data
