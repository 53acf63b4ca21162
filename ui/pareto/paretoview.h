#pragma once

#include "ui/search/searchtypes.h"

#include "search/pareto.h"

#include <QHash>
#include <QPointF>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <limits>
#include <map>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPColorScale;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPLayer;
class QCustomPlot;
class QLabel;
class QSlider;
class QSplitter;
class QToolButton;

namespace edanas::ui {

class ElidedLabel;

/// The Studio's central view: every candidate as a point, top-1 accuracy (%) against
/// average MACs (millions; the true or the paper's cost, linear or log axis), coloured
/// by generation, infeasible ones grey, the current feasible front as a step line.
/// Hover shows a candidate's figures, a click selects it, a drag draws a zoom box, the
/// wheel zooms, a double click resets. The MAC ceiling and the accuracy floor are
/// dashed lines that can be dragged; under them a small hypervolume-per-generation
/// plot and a generation slider that replays how the front grew.
///
/// Data arrive at any rate; the plot is rebuilt and replotted from a single-shot
/// coalescing timer (at most ~25 replots per second), never once per candidate.
class ParetoView : public QWidget
{
    Q_OBJECT

public:
    enum class Cost { True, Paper };

    explicit ParetoView(QWidget *parent = nullptr);
    ~ParetoView() override;

    void clear();
    void addCandidate(const search::CandidateSnapshot &candidate);
    void addGeneration(const search::GenerationSnapshot &generation);
    /// How many generations the search will run (for the colour scale); 0: unknown.
    void setPlannedGenerations(int generations);

    /// The search's limits (search::limitsOf): feasibility as the engine rules it, the
    /// MAC ceiling and accuracy floor drawn as handles. Emits nothing.
    void setLimits(const search::Limits &limits);
    const search::Limits &limits() const { return m_limits; }
    /// Changes the ceiling (MACs of the search's cost measure; infinity: none) and the
    /// floor (0..1; 0: none) only. Emits nothing.
    void setConstraints(double maxMacs, double minAccuracy);
    double maxMacs() const { return m_limits.maxMacs; }
    double minAccuracy() const { return m_limits.minAccuracy; }

    /// The cost on the horizontal axis.
    void setCost(Cost cost);
    Cost cost() const { return m_cost; }
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    /// Highlights a candidate (-1: none). Emits nothing.
    void selectCandidate(qint64 id);
    qint64 selectedCandidate() const { return m_selectedId; }

    /// Shows only generations up to `generation`; -1 (or the last one): everything, live.
    void setReplayGeneration(int generation);
    int replayGeneration() const { return m_replayGeneration; }

    /// The edited variant of the selected candidate as its own point (accuracy 0..1,
    /// average MACs both ways); clearVariant() removes it.
    void setVariant(double accuracy, double macsTrue, double macsPaper);
    void clearVariant();
    /// Static networks from elsewhere (e.g. a study searched with the static encoding on
    /// the same supernet): (static MACs, accuracy 0..1) pairs that join the candidates'
    /// backbones in the "Static networks" front. Empty: the candidates' backbones alone.
    void setStaticBaseline(std::vector<std::pair<double, double>> macsAndAccuracy);
    /// The plotted variant point (accuracy in %, MMACs of the axis' cost), for tests.
    QPointF variantPoint() const;

    void resetZoom();
    /// Rebuilds and replots at once, synchronously (benchmarks, tests).
    void replotNow();
    bool isUpdatePending() const;

    QByteArray saveState() const;
    void restoreState(const QByteArray &state);

    // for tests and benchmarks
    QCustomPlot *plot() const { return m_plot; }
    QCustomPlot *hypervolumePlot() const { return m_hvPlot; }
    QSlider *generationSlider() const { return m_slider; }
    int candidateCount() const { return int(m_points.size()); }
    int plottedCount() const { return m_plotted; }
    int infeasibleCount() const { return m_infeasible; }
    QVector<qint64> frontIds() const { return m_frontIds; }
    int replotCount() const { return m_replots; }
    /// Plot coordinates (MMACs on the axis' cost, accuracy %) of a candidate.
    QPointF coordinatesOf(qint64 id) const;
    /// Widget pixel of the constraint handles (on the lines, mid-way along the axis rect).
    QPoint ceilingHandle() const;
    QPoint floorHandle() const;

Q_SIGNALS:
    /// The user clicked a point (-1: clicked empty space).
    void candidateSelected(qint64 id);
    /// A constraint handle moved (while dragging) and where it was released.
    void constraintsDragging(double maxMacs, double minAccuracy);
    void constraintsEdited(double maxMacs, double minAccuracy);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Point
    {
        qint64 id = 0;
        int generation = 0;
        double accuracy = 0, macsTrue = 0, macsPaper = 0, staticMacs = 0, params = 0, sramBytes = 0,
               flashBytes = 0;
        double staticAccuracy = 0; ///< the backbone without exits; 0: unknown
        int exits = 0;
        QString origin, summary;
    };
    enum class Handle { None, Ceiling, Floor };

    void setupPlot();
    void setupHypervolumePlot();
    void scheduleUpdate();
    void rebuild();
    void updateColours();
    void syncConstraintItems();
    void updateHypervolumePlot();
    void updateSliderRange();
    void updateInfo();
    double xOf(const Point &p) const;
    bool isFeasible(const Point &p) const;
    Handle handleAt(const QPoint &pos) const;
    void dragHandleTo(const QPoint &pos);
    int pointAt(const QPoint &pos, double radius) const; ///< index into m_points, -1: none
    void showToolTip(const QPoint &pos);
    QString describe(const Point &p) const;

    QCustomPlot *m_plot;
    QCustomPlot *m_hvPlot;
    QSplitter *m_splitter;
    QComboBox *m_costBox;
    QCheckBox *m_logBox;
    QToolButton *m_resetButton;
    ElidedLabel *m_info;
    QSlider *m_slider;
    QToolButton *m_playButton;
    QLabel *m_sliderLabel;

    QCPLayer *m_constraintLayer = nullptr;
    QCPColorScale *m_colourScale = nullptr;
    std::vector<QCPGraph *> m_generationGraphs; ///< one per generation (feasible points)
    QCPGraph *m_infeasibleGraph = nullptr;
    QCPGraph *m_frontGraph = nullptr;
    QCPGraph *m_selectedGraph = nullptr;
    QCPGraph *m_staticGraph = nullptr;  ///< front of the same backbones without exits
    QCPGraph *m_variantGraph = nullptr; ///< the edited variant of the selected candidate
    QCPLayer *m_variantLayer = nullptr;
    bool m_haveVariant = false;
    std::vector<std::pair<double, double>> m_staticBaseline; ///< (static MACs, accuracy)
    double m_variantAccuracy = 0, m_variantMacsTrue = 0, m_variantMacsPaper = 0;
    QCPGraph *m_legendCandidates = nullptr; ///< empty, for the legend entry only
    QCPItemStraightLine *m_ceilingLine = nullptr, *m_floorLine = nullptr;
    QCPItemText *m_ceilingLabel = nullptr, *m_floorLabel = nullptr;
    QCPGraph *m_hvGraph = nullptr;
    QCPItemStraightLine *m_hvMarker = nullptr;

    std::vector<Point> m_points; ///< in arrival order
    QHash<qint64, int> m_indexOfId;
    std::vector<int> m_visible;  ///< indices of the plotted points (replay filter)
    std::map<int, double> m_hypervolume; ///< per generation
    QVector<qint64> m_frontIds;
    int m_plotted = 0, m_infeasible = 0;
    int m_maxGeneration = -1, m_plannedGenerations = 0;
    int m_colourRange = -1; ///< generations the graphs' colours were made for

    QTimer m_updateTimer;
    QTimer m_playTimer;
    int m_replots = 0;
    search::Limits m_limits;
    Cost m_cost = Cost::True;
    bool m_logScale = false;
    bool m_autoRange = true;
    qint64 m_selectedId = -1;
    int m_replayGeneration = -1;

    Handle m_dragging = Handle::None;
    QPoint m_pressPos;
    bool m_pressed = false;
};

} // namespace edanas::ui
