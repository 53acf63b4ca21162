// ParetoView and the mouse: picking points, hover tool tips, dragging the constraint
// handles, clicks and the context menu.
#include "ui/pareto/paretoview.h"

#include "ui/pareto/paretostyle.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSlider>
#include <QSplitter>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <QMenu>

namespace edanas::ui {

using namespace pareto;

ParetoView::Handle ParetoView::handleAt(const QPoint &pos) const
{
    const QRect r = m_plot->axisRect()->rect();
    if (!r.adjusted(-kHandleRadius, -kHandleRadius, kHandleRadius, kHandleRadius).contains(pos))
        return Handle::None;
    const int dx = std::abs(pos.x() - ceilingHandle().x());
    const int dy = std::abs(pos.y() - floorHandle().y());
    const bool ceiling = dx <= kHandleRadius, floor = dy <= kHandleRadius;
    if (ceiling && floor)
        return dx <= dy ? Handle::Ceiling : Handle::Floor;
    return ceiling ? Handle::Ceiling : floor ? Handle::Floor : Handle::None;
}

void ParetoView::dragHandleTo(const QPoint &pos)
{
    const QRect r = m_plot->axisRect()->rect();
    if (m_dragging == Handle::Ceiling) {
        // to the right edge: no ceiling
        if (pos.x() >= r.right() - 2) {
            m_limits.maxMacs = std::numeric_limits<double>::infinity();
        } else {
            const double x = m_plot->xAxis->pixelToCoord(std::max(pos.x(), r.left()));
            m_limits.maxMacs = std::max(x, 1e-6) * 1e6;
        }
    } else if (m_dragging == Handle::Floor) {
        // to the bottom edge: no floor
        if (pos.y() >= r.bottom() - 2) {
            m_limits.minAccuracy = 0.0;
        } else {
            const double y = m_plot->yAxis->pixelToCoord(std::max(pos.y(), r.top()));
            m_limits.minAccuracy = std::clamp(y / 100.0, 0.0, 1.0);
        }
    }
    syncConstraintItems();
    m_constraintLayer->replot(); // only the lines' own buffer: smooth while dragging
    Q_EMIT constraintsDragging(m_limits.maxMacs, m_limits.minAccuracy);
    scheduleUpdate(); // re-rank (grey, front) at the coalesced rate
}

int ParetoView::pointAt(const QPoint &pos, double radius) const
{
    int best = -1;
    double bestD2 = radius * radius;
    for (int i : m_visible) {
        const Point &p = m_points[std::size_t(i)];
        const double dx = m_plot->xAxis->coordToPixel(xOf(p)) - pos.x();
        const double dy = m_plot->yAxis->coordToPixel(100.0 * p.accuracy) - pos.y();
        const double d2 = dx * dx + dy * dy;
        if (d2 <= bestD2) {
            bestD2 = d2;
            best = i;
        }
    }
    return best;
}

QString ParetoView::describe(const Point &p) const
{
    const bool onFront = m_frontIds.contains(p.id);
    QString status = onFront ? tr("on the front") : isFeasible(p) ? tr("feasible, dominated") : tr("infeasible");
    return tr("<p style='white-space:nowrap'><b>Candidate %1</b> &nbsp;(generation %2, %3)<br>"
              "Top-1 accuracy: <b>%4 %</b><br>"
              "Average MACs: <b>%5 M</b> true, %6 M paper's<br>"
              "Static MACs %7 M · parameters %8 M<br>"
              "int8 on a microcontroller: SRAM %9 KiB · flash %10 KiB<br>"
              "%11 early exit(s) · %12<br><small><tt>%13</tt></small></p>")
        .arg(p.id)
        .arg(p.generation)
        .arg(p.origin.toHtmlEscaped())
        .arg(100.0 * p.accuracy, 0, 'f', 2)
        .arg(p.macsTrue / 1e6, 0, 'f', 3)
        .arg(p.macsPaper / 1e6, 0, 'f', 3)
        .arg(p.staticMacs / 1e6, 0, 'f', 3)
        .arg(p.params / 1e6, 0, 'f', 3)
        .arg(p.sramBytes / 1024.0, 0, 'f', 1)
        .arg(p.flashBytes / 1024.0, 0, 'f', 1)
        .arg(p.exits)
        .arg(status)
        .arg(p.summary.toHtmlEscaped());
}

void ParetoView::showToolTip(const QPoint &pos)
{
    const int i = pointAt(pos, kPickRadius);
    if (i < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(m_plot->mapToGlobal(pos), describe(m_points[std::size_t(i)]), m_plot);
}

bool ParetoView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_plot)
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton)
            break;
        const QPoint pos = e->position().toPoint();
        const Handle h = handleAt(pos);
        if (h != Handle::None) {
            m_dragging = h; // consumed: no zoom box
            m_playTimer.stop();
            return true;
        }
        m_pressed = true;
        m_pressPos = pos;
        break;
    }
    case QEvent::MouseMove: {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPoint pos = e->position().toPoint();
        if (m_dragging != Handle::None) {
            dragHandleTo(pos);
            return true;
        }
        if (e->buttons() == Qt::NoButton) {
            switch (handleAt(pos)) {
            case Handle::Ceiling: m_plot->setCursor(Qt::SplitHCursor); break;
            case Handle::Floor: m_plot->setCursor(Qt::SplitVCursor); break;
            case Handle::None: m_plot->unsetCursor(); break;
            }
            showToolTip(pos);
        }
        break;
    }
    case QEvent::MouseButtonRelease: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() != Qt::LeftButton)
            break;
        const QPoint pos = e->position().toPoint();
        if (m_dragging != Handle::None) {
            dragHandleTo(pos);
            m_dragging = Handle::None;
            Q_EMIT constraintsEdited(m_limits.maxMacs, m_limits.minAccuracy);
            return true;
        }
        if (!m_pressed)
            break;
        m_pressed = false;
        if ((pos - m_pressPos).manhattanLength() <= 3) {
            const int i = pointAt(pos, kPickRadius);
            const qint64 id = i < 0 ? -1 : m_points[std::size_t(i)].id;
            selectCandidate(id);
            Q_EMIT candidateSelected(id);
        } else {
            m_autoRange = false; // a zoom box was drawn
        }
        break;
    }
    case QEvent::MouseButtonDblClick:
        resetZoom();
        break;
    case QEvent::Wheel:
        m_autoRange = false;
        break;
    case QEvent::Leave:
        QToolTip::hideText();
        break;
    default: break;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace edanas::ui
