#pragma once

#include "space/searchspace.h"

#include <QRectF>
#include <QWidget>

#include <vector>

namespace edanas::ui {

class VariantEditor;

/// The selected candidate drawn as its blocks: stem, stages, blocks with kernel and
/// expansion (width proportional to their MACs), the head, the input resolution, and
/// the exits as markers at block boundaries with their thresholds and exit shares.
/// Every boundary where an exit may sit has a tick. Drag an exit marker to another
/// boundary to move the exit; double-click a boundary to add an exit there or remove
/// the one that is there. Edits go through the VariantEditor (undoable; the figures
/// update while dragging, from the profile).
class ArchitectureView : public QWidget
{
    Q_OBJECT

public:
    ArchitectureView(VariantEditor *editor, QWidget *parent = nullptr);

    void setSpace(const space::SearchSpace &space);
    const space::SearchSpace &space() const { return m_space; }
    bool hasSpace() const { return m_haveSpace; }
    VariantEditor *editor() const { return m_editor; }

    /// Where the boundary of profile position `position` is drawn (widget coordinates),
    /// and the exit marker's centre when one sits there: for tests and tooltips.
    QPointF boundaryPoint(int position) const;
    QPointF markerPoint(int position) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    struct Box
    {
        QRectF rect;
        QString title, detail;
        int stage = -1; ///< -1 for stem, first block and head
        double macs = 0;
    };
    void layoutBlocks();
    int nearestBoundary(double x) const; ///< profile position, or -1
    int exitAt(const QPointF &p) const;  ///< index into the configuration's exits, or -1

    VariantEditor *m_editor;
    space::SearchSpace m_space;
    bool m_haveSpace = false;
    std::vector<Box> m_boxes;
    std::vector<double> m_boundaryX; ///< per early profile position
    QRectF m_blockBand;
    int m_dragExit = -1;
};

} // namespace edanas::ui
