#pragma once

#include <string>
#include <vector>

namespace edanas::data {

enum class Interpolation { Nearest, Linear, Area, Cubic, Lanczos };

/// "nearest", "linear", "area", "cubic", "lanczos".
std::string interpolationName(Interpolation interpolation);
/// Throws std::invalid_argument for an unknown name.
Interpolation parseInterpolation(const std::string &name);

/// How stored uint8 images become network input.
struct Preprocess
{
    int resolution = 0; ///< square side fed to the network; 0 keeps the stored size
    Interpolation interpolation = Interpolation::Linear;
    std::vector<float> mean; ///< per channel, on the [0, 1] scale; empty: no normalisation
    std::vector<float> std;
    bool augment = false;    ///< training augmentation below
    int cropPadding = 4;     ///< random crop after zero padding by this many pixels
    bool horizontalFlip = true;
};

} // namespace edanas::data
