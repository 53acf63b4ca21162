#pragma once
// The steps of exportModel (modelexport.cpp) and what they share: the output folder,
// the candidate's network, and what has been measured and written so far.
// Internal to core/export. Qt headers: include this after the other project headers
// (Qt's `emit` macro).

#include "candidate.h"
#include "finetune.h"
#include "modelexport.h"
#include "onnxrunner.h"
#include "quantize.h"
#include "segments.h"

#include "cost/cost.h"
#include "eenn/profile.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edanas::deploy {

inline constexpr const char *kModelPt = "model.pt";
inline constexpr const char *kModelJson = "model.json";
inline constexpr const char *kModelOnnx = "model.onnx";
inline constexpr const char *kVerification = "verification.json";
inline constexpr const char *kModelInt8Onnx = "model-int8.onnx";
inline constexpr const char *kSegmentsJson = "segments.json";

/// Writes `text` to `path` through a ".partial" file renamed into place; throws
/// FileError naming `path`.
void writeText(const std::filesystem::path &path, const std::string &text);

/// The folder that receives the files: created when missing (and removed again, if
/// still empty, when the export fails before writing); refused when it holds files the
/// export would replace, unless `overwrite` (exportfolder.cpp).
class OutDir
{
public:
    OutDir(const std::string &dir, bool overwrite);

    std::filesystem::path file(const char *name) const { return m_dir / name; }
    void wrote(const std::filesystem::path &p) { m_written.push_back(p); }
    const std::vector<std::filesystem::path> &written() const { return m_written; }
    /// Removes the export's files that this run does not rewrite (stale from an earlier one).
    void removeStale(const std::vector<std::string> &rewritten);
    /// The segment files (segments.h's names) in the folder.
    std::vector<std::string> segmentFilesIn() const;
    /// After a failure: nothing of this run stays behind.
    void cleanUp();

private:
    std::filesystem::path m_dir;
    bool m_created = false;
    std::vector<std::filesystem::path> m_written;
};

/// One export as its steps fill it in, in the order exportModel runs them.
struct ExportJob
{
    ExportJob(const ExportRequest &request, const Steps &steps, OutDir &out, PreparedCandidate prepared)
        : request(request)
        , steps(steps)
        , out(out)
        , p(std::move(prepared))
    {
    }

    const ExportRequest &request;
    const Steps &steps;
    OutDir &out;
    PreparedCandidate p;
    ExportResult r;
    /// The export's files this run writes; the others are removed at the end (OutDir::removeStale).
    std::vector<std::string> rewritten;

    // measureNetwork: the network as the study measured it (or fine-tuned), and its description
    std::optional<FineTunedNetwork> tuned;
    std::shared_ptr<const eenn::ExitProfile> profile;
    eenn::ExitEvaluation evaluation; ///< the genome's exits on the profile
    eenn::ExitEvaluation alone;      ///< the final head alone
    cost::CostReport costs;
    supernet::StaticEenn net{nullptr};
    QJsonObject exits, input; ///< model.json's sections (modeljson.h)

    // writeOnnxModel: what every ONNX file carries
    std::string studyHash;
    QJsonArray classNames;
    std::vector<std::pair<std::string, std::string>> metadata; ///< metadata_props

    // prepareDeployment: the network as a microcontroller runs it
    std::unique_ptr<DeployNetwork> deployed;
    std::vector<SegmentFiles> floatSegments, int8Segments;
    std::vector<double> macsToLeave, genomeThresholds;
    std::vector<std::int64_t> testIndices;
};

// The files of the network (exportfiles.cpp).

/// model.pt.
void writeLibTorchArchive(ExportJob &job);
/// The metadata every ONNX file carries, then model.onnx when asked.
void writeOnnxModel(ExportJob &job);
/// The network as a microcontroller runs it: its memory, the float segments (with
/// onnx and segments), and what the int8 step and the checks need.
void prepareDeployment(ExportJob &job);
/// Writes every segment's pieces (float or int8) and returns their names.
std::vector<SegmentFiles> writeSegmentPieces(ExportJob &job, bool int8);

/// The int8 network: calibrated, quantized, compared with float, written (exportint8.cpp).
void exportInt8(ExportJob &job);

/// The checks, their figures and what did not hold (exportchecks.cpp).
void verifyExport(ExportJob &job);

/// segments.json (with float segments) and model.json (exportdescription.cpp).
void writeModelDescription(ExportJob &job);

} // namespace edanas::deploy
