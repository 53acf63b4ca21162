#pragma once

#include <QWidget>

class QComboBox;
class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QCustomPlot;
class QMouseEvent;

namespace edanas::ui {

class VariantEditor;

/// The selected candidate's per-exit curves, recomputed from its profile after every
/// edit: the accuracy / average-MACs trade-off as all thresholds sweep (the current
/// setting marked) with each exit's accuracy alone at its cumulative MACs; the chosen
/// exit's threshold sweep (overall accuracy, its share and its own accuracy) with a
/// threshold line to drag; and the shares of inputs per exit as stacked bars, the
/// candidate as found beside the edited variant.
class ExitCurvesView : public QWidget
{
    Q_OBJECT

public:
    explicit ExitCurvesView(VariantEditor *editor, QWidget *parent = nullptr);

    QCustomPlot *tradeoffPlot() const { return m_tradeoff; }
    QCustomPlot *thresholdPlot() const { return m_threshold; }
    QCustomPlot *sharesPlot() const { return m_shares; }
    /// Which exit the threshold plot shows (index into the configuration's exits).
    int selectedExit() const;
    void selectExit(int exit);

private:
    void refresh();
    void onPress(QMouseEvent *event);
    void onMove(QMouseEvent *event);
    void onRelease(QMouseEvent *event);

    VariantEditor *m_editor;
    QComboBox *m_exitChoice;
    QCustomPlot *m_tradeoff, *m_threshold, *m_shares;
    QCPGraph *m_curve = nullptr, *m_current = nullptr, *m_alone = nullptr;
    QCPGraph *m_sweepAccuracy = nullptr, *m_sweepShare = nullptr, *m_sweepExitAccuracy = nullptr;
    QCPItemStraightLine *m_thresholdLine = nullptr;
    bool m_dragging = false;
};

} // namespace edanas::ui
