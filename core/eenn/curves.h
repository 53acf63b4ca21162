#pragma once

#include "profile.h"

#include <vector>

namespace edanas::eenn {

/// One exit position taken alone: what every input would get if all of them left there.
struct ExitAlonePoint
{
    int position = 0;         ///< index into the profile's positions (the last is the final head)
    double accuracy = 0.0;
    double macs = 0.0;        ///< B_i + C_i: the backbone up to the position and its classifier
    double macsWithEarlier = 0.0; ///< plus the classifiers of the configuration's earlier exits
};

/// Per exit of `config` (then the final head): its accuracy alone against its cumulative
/// MACs. With `allPositions`, every position of the profile instead (the configuration's
/// exits still count as the earlier classifiers).
std::vector<ExitAlonePoint> exitsAlone(const ExitProfile &profile, const ExitConfig &config, bool allPositions = false);

/// The range of thresholds a rule meaningfully spans on a profile, from the value at
/// which every input leaves (`acceptAll`) to the value at which none does (`acceptNone`).
struct ThresholdRange
{
    double acceptAll = 0.0;
    double acceptNone = 1.0;
};
ThresholdRange thresholdRange(const ExitProfile &profile, space::ExitRule rule);

/// One exit's threshold swept across its range, the other exits unchanged.
struct ThresholdSweep
{
    int exit = 0; ///< index into the configuration's exits
    std::vector<double> threshold, accuracy, averageMacsTrue, averageMacsPaper;
    std::vector<double> share;        ///< of the inputs leaving at this exit
    std::vector<double> exitAccuracy; ///< of those inputs
};
ThresholdSweep sweepThreshold(const ExitProfile &profile, const ExitConfig &config, int exit, int steps = 101);

/// The configuration's own accuracy / average-MACs trade-off: all thresholds move
/// together from "every input leaves at the first exit" (parameter 0) through the
/// current setting (parameter 0.5, index `current`) to "every input reaches the final
/// head" (parameter 1), each interpolated linearly in its rule's range.
struct TradeoffCurve
{
    std::vector<double> parameter, accuracy, averageMacsTrue, averageMacsPaper;
    int current = 0;
};
TradeoffCurve tradeoffCurve(const ExitProfile &profile, const ExitConfig &config, int steps = 101);

} // namespace edanas::eenn
