#pragma once

#include "ui/figures/figureexport.h"
#include "ui/search/searchtypes.h"

#include <QString>

#include <map>
#include <vector>

namespace edanas::ui {

/// A candidate's real early-exit inference against its static backbone, as measured
/// by the deployment code (filled in by the caller; the report only shows it).
struct InferenceSpeed
{
    bool measured = false;
    QString error;    ///< why it was not measured, when not
    int images = 0;   ///< validation images timed
    int threads = 0;  ///< LibTorch intra-op threads
    double staticMsPerImage = 0, eennMsPerImage = 0;
    double staticAccuracy = 0, eennAccuracy = 0; ///< 0..1, on the timed images
    double staticMacs = 0, eennMacs = 0;         ///< true average MACs of the EENN
};

/// Times candidate `id` of a study: real early-exit inference against its static
/// backbone on `images` validation images (loads the study's supernet and data set;
/// seconds). Blocking and thread-safe: the Studio calls it off the GUI thread. A
/// failure is returned in `error`, not thrown.
InferenceSpeed measureInferenceSpeed(const QString &studyPath, qint64 id, int images);

struct ReportOptions
{
    /// Candidates described in detail (architecture, per-exit breakdown, curves,
    /// speed); empty: `topCount` candidates spread along the final front, from the
    /// most accurate to the cheapest.
    std::vector<qint64> candidates;
    int topCount = 3;
    /// Also the spread of the front after the requested candidates.
    bool addFrontSpread = false;
};

/// The report of a study: its configuration and reproducibility data (seed, data-set
/// and checkpoint hashes, versions), the front and hypervolume plots, a table of the
/// front, and for chosen candidates their architecture drawing, per-exit breakdown,
/// exit curves and measured inference speed. Written as one self-contained HTML file
/// (images embedded as data URIs) or as a PDF (Qt's PDF writer, A4). Needs a
/// QApplication; the figures are drawn off screen.
class Report
{
public:
    /// Reads the study; throws std::exception naming the file when it cannot.
    Report(const QString &studyPath, ReportOptions options = {});
    ~Report();

    /// The candidates described in detail, in order: the requested ones, else a spread
    /// of the final front that has stored exit profiles.
    const std::vector<qint64> &detailedCandidates() const { return m_detailed; }
    const StudyContents &contents() const { return m_contents; }

    void setSpeed(qint64 candidate, const InferenceSpeed &speed);

    /// The whole report as HTML: images as data URIs (`embedded`), else as the
    /// resource names the PDF writer registers.
    QString html(bool embedded = true);
    /// Writes report.html or report.pdf, by the suffix; replaces the file only once
    /// the new one is complete. Empty when done, else one message naming the file.
    QString write(const QString &path);

private:
    struct Image
    {
        QString name;
        QImage image;
        QByteArray png;
        int width = 0; ///< shown width in the document (px at 96 dpi)
    };
    void render();
    QString imageTag(const Image &image, bool embedded) const;
    QString candidateSection(qint64 id, bool embedded);

    QString m_path;
    ReportOptions m_options;
    StudyContents m_contents;
    std::vector<qint64> m_detailed;
    std::map<qint64, InferenceSpeed> m_speed;
    bool m_rendered = false;
    std::map<QString, Image> m_images;
    std::map<qint64, QString> m_breakdown; ///< per candidate, the per-exit table (HTML)
    QString m_renderError;
};

} // namespace edanas::ui
