#pragma once

#include "space/genome.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edanas::supernet {
class SupernetImpl;
}

namespace edanas::eenn {

/// How `edanas supernet bench` measures a subnet.
struct ThroughputOptions
{
    int trainBatch = 128;
    int evalBatch = 256;
    int runs = 5;            ///< timed runs after one warm-up run; the median is reported
    int trainStepsPerRun = 3;
    int evalImagesPerRun = 2048; ///< about one candidate's validation images
};

/// Images per second of one subnet, as the trainer and the profiling pass run it.
struct Throughput
{
    std::string subnet;
    std::int64_t macs = 0;      ///< per image, backbone with every allowed exit and the head
    int exits = 0;              ///< exit positions run (the head not counted)
    int threads = 0;
    double trainImagesPerSecond = 0.0; ///< median
    double evalImagesPerSecond = 0.0;  ///< median
    std::vector<double> trainRuns, evalRuns;

    std::string toJson() const;
};

/// The largest, a middle (depth 3, kernel 5, expansion 4 where the space has them) or
/// the smallest subnet, or a genome as JSON. Throws std::invalid_argument naming `text`.
space::Genome namedSubnet(const space::SearchSpace &space, const std::string &text);

/// Measures `subnet` (its exits ignored) on random images:
/// - training: forward, backward and an SGD step at `trainBatch`, loss over the head and
///   every exit position the subnet allows, as the trainer steps (its optimizer,
///   gradient clearing and loss, one subnet per step);
/// - evaluation: the profiling pass (ProfilePass, made once per run as a candidate's
///   profile makes it) over `evalImagesPerRun` images in batches of `evalBatch`, every
///   exit position and the head.
/// The supernet's weights are changed by the training steps: measure a copy.
Throughput measureThroughput(supernet::SupernetImpl &net, const space::Genome &subnet,
                             const ThroughputOptions &options = {});

} // namespace edanas::eenn
