#pragma once

// The network a study measured for one of its candidates, rebuilt from the study's
// own files: shared by the model export, the speed measurement and their tests.
// LibTorch inside; the torch-free entry points are in modelexport.h.

#include "modelexport.h"

#include "data/preprocess.h"
#include "eenn/evaluator.h"
#include "search/engine.h"
#include "study/study.h"
#include "supernet/checkpoint.h"
#include "supernet/extract.h"

#include <memory>
#include <optional>
#include <string>

namespace edanas::deploy {

/// Progress lines and cancellation of one call (on the calling thread).
class Steps
{
public:
    explicit Steps(const CandidateSource &source)
        : m_source(source)
    {
    }
    void say(const std::string &line) const
    {
        if (m_source.progress)
            m_source.progress(line);
    }
    /// Throws ExportCancelled when the caller asked to stop.
    void check() const
    {
        if (m_source.cancel && m_source.cancel->load())
            throw ExportCancelled();
    }

private:
    const CandidateSource &m_source;
};

/// A study's candidate with everything needed to rebuild its network: the study's
/// configuration, the supernet and data set it names (checked against the hashes it
/// records), and an evaluator that measures the way the search did.
struct PreparedCandidate
{
    std::string studyPath;
    study::StudyInfo info;
    search::SearchConfig config;
    std::int64_t candidateId = 0;
    study::CandidateRecord record; ///< the stored candidate
    space::Genome storedGenome;
    space::Genome genome;          ///< what is exported: the stored genome or the variant
    bool edited = false;
    /// The study's "final_front" figures for the candidate (accuracy, images), if any.
    std::optional<std::pair<double, std::int64_t>> finalFront;
    std::string checkpointPath, checkpointHash;
    supernet::CheckpointInfo checkpoint;
    std::string datasetPath, datasetHash;
    std::shared_ptr<const data::Dataset> dataset;
    std::shared_ptr<eenn::ProfileEvaluator> evaluator;

    const space::SearchSpace &space() const { return evaluator->space(); }
    /// Preprocessing of network input at `genome`'s resolution, as the evaluator does it.
    data::Preprocess preprocess() const;
};

/// Opens the study read-only, finds the candidate, loads and checks the checkpoint and
/// the data set it names. Throws FileError (or the store's StudyError, the checkpoint's
/// CheckpointError, the data set's DataError) naming the file at fault.
PreparedCandidate prepareCandidate(const CandidateSource &source, const Steps &steps);

/// Recalibrates the supernet for `genome`'s backbone exactly as the study's evaluator
/// did and extracts `genome`'s network, in evaluation mode, batch norm folded in when
/// `fuse`: what the study measured, standalone. `recalibrated`: the supernet already
/// is, for this backbone (the evaluator has just computed its profile, not from cache).
supernet::StaticEenn extractNetwork(PreparedCandidate &candidate, const space::Genome &genome, bool fuse = true,
                                    bool recalibrated = false);

} // namespace edanas::deploy

namespace edanas::deploy {

/// A candidate's network after fine-tuning (finetune.h): in evaluation mode, batch norm
/// folded in, with its exit profile on the evaluator's validation images.
struct FineTunedNetwork
{
    supernet::StaticEenn net{nullptr};
    std::shared_ptr<const eenn::ExitProfile> profile;
    FineTuneResult result;
};

/// The training images fine-tuning uses: `count` spread evenly over the evaluator's
/// training part (all of it for 0), never a validation or test image.
std::vector<std::int64_t> fineTuneImages(const PreparedCandidate &candidate, std::int64_t count);

/// Fine-tunes the candidate's network (candidate.genome) as finetune.h describes, with
/// progress per batch and cancellation through `steps` (ExportCancelled). `seen`, when
/// given, receives the index of every training image of every batch, in order.
FineTunedNetwork fineTuneNetwork(PreparedCandidate &candidate, const FineTuneOptions &options, const Steps &steps,
                                 const std::function<void(const FineTuneProgress &)> &onProgress,
                                 std::vector<std::int64_t> *seen = nullptr);

/// `genome`'s exit configuration evaluated on `profile` (a backbone's profile, or a
/// network's own: eenn::buildProfile), with every output's own accuracy.
FineTuneFigures figuresOf(const eenn::ExitProfile &profile, const space::Genome &genome);

} // namespace edanas::deploy
