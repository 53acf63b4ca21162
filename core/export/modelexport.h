#pragma once

// The chosen network, deployable: export of a study's candidate as a standalone
// early-exit network (LibTorch archive, ONNX, JSON description) with its checks, and
// a measurement of its real early-exit speed. No LibTorch here: the Studio's widgets
// and the command line call this from plain C++ (the Studio from a worker thread).

#include "finetune.h"
#include "mcumemory.h"
#include "space/genome.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace edanas::deploy {

/// Which network of which study: the network the study measured for a candidate (its
/// backbone with batch norm recalibrated as the search did), with the candidate's
/// exits or with edited ones.
struct CandidateSource
{
    std::string studyPath;
    /// 0: the most accurate candidate of the study's last front (the fewest MACs on a tie).
    std::int64_t candidateId = 0;
    /// A variant of the candidate (e.g. exits edited in the Studio) exported instead of
    /// the stored genome; any valid genome of the study's space.
    std::optional<space::Genome> genome;
    /// Override the supernet checkpoint / data set the study names (when moved); the
    /// files must still have the hashes the study records. Empty: the study's.
    std::string checkpointPath, datasetPath;
    std::function<void(const std::string &)> progress; ///< one line per step, on the calling thread
    const std::atomic<bool> *cancel = nullptr;         ///< polled between steps and batches
};

struct ExportRequest : CandidateSource
{
    std::string outDir;       ///< created when missing
    bool onnx = true;         ///< also write model.onnx
    bool verify = true;       ///< run the checks below (needs onnx for the OpenCV ones)
    bool overwrite = false;   ///< replace model.pt/.json/.onnx, verification.json in outDir
    /// With onnx: one model per segment too (segment<i>-backbone.onnx, segment<i>-exit.onnx).
    bool segments = true;
    /// Also the int8 network (quantize.h): model-int8.onnx (and int8 segments), with its
    /// accuracy per exit on the validation and test images next to float.
    bool int8 = false;
    /// Training images (never validation or test ones) the int8 activations are calibrated on.
    std::int64_t calibrationImages = 1000;
    /// The int8 thresholds model.json gives: re-tuned on the validation images for the
    /// int8 outputs (retuneThresholds in segments.h) instead of the genome's.
    bool int8Retune = false;
    int batchSize = 500;      ///< images per forward pass in the checks
    /// Test images the outputs are compared on, evenly spread; 0: the whole test split
    /// (OpenCV runs small networks at a few hundred images a second on two cores).
    std::int64_t testImages = 0;
    /// Fine-tune the candidate first (finetune.h) and export the fine-tuned network:
    /// the checks then compare with the fine-tuned profile's accuracy, and model.json
    /// records the fine-tuning (options, figures before and after, losses).
    std::optional<FineTuneOptions> fineTune;
    std::function<void(const FineTuneProgress &)> fineTuneProgress; ///< per batch, calling thread
};

/// One network output compared between OpenCV (running model.onnx) and LibTorch
/// (running the same extracted, batch-norm-folded network) on the test split.
struct OutputAgreement
{
    std::string name;                ///< ONNX output: exit0_logits, ..., final_logits
    std::int64_t images = 0;
    std::int64_t argmaxDisagreements = 0; ///< images whose predicted class differs
    double argmaxAgreement = 0.0;    ///< fraction with the same predicted class
    double maxAbsDifference = 0.0;   ///< largest |logit difference| (every column)
};

/// Early-exit accuracy on one image set, by each route.
struct SetAccuracy
{
    std::string images;            ///< "validation (study)", "validation (final front)", "test"
    std::int64_t count = 0;
    double reference = -1.0;       ///< what the study says (-1: nothing to compare with)
    double libtorch = -1.0;        ///< StaticEenn::infer (inputs removed as they leave); -1: not run
    double opencv = -1.0;          ///< the exit rule on OpenCV's logits of model.onnx; -1: not run
    std::int64_t decisionDisagreements = 0; ///< images leaving at another exit or with another class
    std::vector<double> share;     ///< per exit, then the final head (LibTorch)
};

/// Float against int8 on one image set.
struct Int8SetFigures
{
    std::string images; ///< "validation (study)", "test"
    std::int64_t count = 0;
    std::vector<double> floatOutputAccuracy, int8OutputAccuracy; ///< every output's own, exits then head
    double floatAccuracy = 0.0, int8Accuracy = 0.0, int8RetunedAccuracy = 0.0; ///< the exit rule's
    double floatMacs = 0.0, int8Macs = 0.0, int8RetunedMacs = 0.0;            ///< average MACs (true cost)
    std::vector<double> floatShare, int8Share, int8RetunedShare;
    std::int64_t predictionDisagreements = 0; ///< early-exit predictions int8 != float (the genome's thresholds)
};

struct Int8Figures
{
    std::int64_t calibrationImages = 0;
    std::vector<double> genomeThresholds, retunedThresholds;
    bool retuneUsed = false; ///< model.json's int8 thresholds are the re-tuned ones
    std::vector<Int8SetFigures> sets;
    std::uintmax_t onnxBytes = 0;
};

struct ExportResult
{
    std::string outDir;
    std::vector<std::string> files; ///< paths written
    std::int64_t candidateId = 0;
    bool edited = false;            ///< a variant, not the stored genome
    space::Genome genome;
    int exits = 0;
    std::vector<std::string> outputs; ///< ONNX output names in order
    double macsTrue = 0.0, macsPaper = 0.0, staticMacs = 0.0, params = 0.0;

    double studyAccuracy = -1.0;    ///< as stored for the candidate (-1 for a variant)
    double profileAccuracy = 0.0;   ///< measured now the study's way (supernet profile + exit rule)
    std::optional<double> finalFrontAccuracy; ///< the study's "final_front" figure, when present
    std::vector<SetAccuracy> accuracies;      ///< validation (study), [final front], test
    std::vector<OutputAgreement> agreement;   ///< per output, test split (empty without ONNX checks)

    bool verified = false;          ///< the checks ran
    bool passed = false;            ///< ... and every one held
    std::vector<std::string> problems; ///< what did not hold
    std::uintmax_t onnxBytes = 0, torchBytes = 0;
    /// The float segments chained in OpenCV against model.onnx in OpenCV, per output, on
    /// the test images (empty without segments or checks).
    std::vector<OutputAgreement> segmentAgreement;
    std::vector<std::string> segmentFiles; ///< written, relative to outDir
    McuMemory mcu;                         ///< the int8 network on a microcontroller (mcumemory.h)
    std::optional<Int8Figures> int8;       ///< with ExportRequest::int8
    /// With ExportRequest::fineTune: what the fine-tuning did; profileAccuracy,
    /// macsTrue/macsPaper and the validation reference are then the fine-tuned network's.
    std::optional<FineTuneResult> fineTune;
    double seconds = 0.0;
};

/// Exports a candidate's early-exit network into `outDir`:
///   model.pt    LibTorch archive of the extracted network with batch norm folded in,
///               with its space and genome (deploy::loadEennArchive in eennarchive.h
///               reads it; or torch::load into a StaticEenn of the same genome after
///               fuseBatchNorm());
///   model.json  architecture, exits, rule and thresholds, normalisation, provenance
///               (study, candidate, checkpoint and data set hashes) and figures;
///   model.onnx  the same network for other runtimes: input "input" (batch x C x R x R,
///               normalised), one logits output per exit in order, then "final_logits";
///   segment<i>-backbone.onnx, segment<i>-exit.onnx  (with `segments`) one model per
///               segment, input "input", output "output": the backbone from the input
///               (or the previous segment's backbone output) to exit i, and exit i's
///               classifier (the last segment's: the final head); model.json lists them
///               under `segments` (docs/DEPLOY.md);
///   model-int8.onnx, segment<i>-*-int8.onnx  (with `int8`) the same in quantize/
///               dequantize form (quantize.h), calibrated on training images;
///   verification.json  the checks' figures (with `verify`).
/// The checks: OpenCV's dnn module runs model.onnx on the test split (`testImages`) and
/// on the study's validation images (and the final front's, when the study has them); its predicted class must equal LibTorch's at every exit
/// and the head, the float segments chained in OpenCV must predict what model.onnx does
/// at every output, and the exit rule applied to its logits must give exactly the study's
/// accuracy on those validation images (and LibTorch's real early exit must too).
/// Throws std::runtime_error naming the file at fault for bad input (missing or
/// corrupt study, unknown candidate, checkpoint or data set not the ones the study
/// records, output folder not writable or holding files it would replace without
/// `overwrite`: nothing is written then); ExportCancelled when cancelled (nothing left
/// behind); VerificationFailed, holding the figures, when a check fails (the files are
/// written and kept for inspection).
ExportResult exportModel(const ExportRequest &request);

class ExportCancelled : public std::runtime_error
{
public:
    ExportCancelled()
        : std::runtime_error("cancelled")
    {
    }
};

class VerificationFailed : public std::runtime_error
{
public:
    VerificationFailed(const std::string &message, ExportResult r)
        : std::runtime_error(message)
        , result(std::move(r))
    {
    }
    ExportResult result;
};

/// The files exportModel writes into a folder (whatever the flags; an export with
/// `overwrite` removes the ones it does not rewrite, so no stale file stays beside).
std::vector<std::string> exportFileNames();

struct SpeedRequest : CandidateSource
{
    std::int64_t images = 2000; ///< evenly spread validation images (0: the whole validation split)
    int batchSize = 256;
    int passes = 3;             ///< timed passes; the median counts
};

/// Real early-exit inference against the static network (the same backbone and head,
/// no exits), both extracted with batch norm folded in, on the calling thread with
/// LibTorch's intra-op threads.
struct SpeedResult
{
    std::int64_t candidateId = 0;
    bool edited = false;
    std::int64_t images = 0;
    int batchSize = 0, passes = 0, threads = 0;
    double msPerImageEarlyExit = 0.0, msPerImageStatic = 0.0;
    double speedup = 0.0;                ///< static time / early-exit time
    double accuracyEarlyExit = 0.0, accuracyStatic = 0.0;
    double macsTrue = 0.0, macsPaper = 0.0; ///< average MACs of the images as they left
    double staticMacs = 0.0;
    double macRatio = 0.0;               ///< staticMacs / macsTrue
    std::vector<double> share;           ///< per exit, then the final head
    double seconds = 0.0;                ///< the whole call, preparation included
};

/// Measures a candidate's speed as described above. Throws as exportModel does for bad
/// input, ExportCancelled when cancelled.
SpeedResult measureSpeed(const SpeedRequest &request);

struct FineTuneRequest : CandidateSource
{
    FineTuneOptions options;
    std::function<void(const FineTuneProgress &)> onProgress; ///< per batch, calling thread
};

/// Fine-tunes a study's candidate (or the variant `genome`) as finetune.h describes and
/// measures it before and after, writing nothing (the study is opened read-only).
/// Throws as exportModel does for bad input, std::invalid_argument for bad options
/// (epochs < 1, batch < 2, fewer training images than one batch), ExportCancelled when
/// cancelled (`cancel` is polled between batches).
FineTuneResult fineTune(const FineTuneRequest &request);

} // namespace edanas::deploy
