#include "architectureview.h"

#include "ui/exits/varianteditor.h"

#include "space/architecture.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace edanas::ui {

namespace {

constexpr double kMarkerRadius = 8.0;

QString megaMacs(double macs)
{
    return macs >= 1e6 ? QStringLiteral("%1 M").arg(macs / 1e6, 0, 'f', 2) : QStringLiteral("%1 k").arg(macs / 1e3, 0, 'f', 0);
}

} // namespace

ArchitectureView::ArchitectureView(VariantEditor *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
{
    setMouseTracking(true);
    setToolTip(tr("Drag an exit marker to another block boundary; double-click a boundary to add or remove an exit."));
    connect(m_editor, &VariantEditor::changed, this, [this] {
        layoutBlocks();
        update();
    });
    connect(m_editor, &VariantEditor::candidateChanged, this, [this] {
        layoutBlocks();
        update();
    });
}

void ArchitectureView::setSpace(const space::SearchSpace &space)
{
    m_space = space;
    m_haveSpace = true;
    layoutBlocks();
    update();
}

QSize ArchitectureView::sizeHint() const
{
    return {900, 190};
}

QSize ArchitectureView::minimumSizeHint() const
{
    return {300, 120};
}

void ArchitectureView::resizeEvent(QResizeEvent *)
{
    layoutBlocks();
}

void ArchitectureView::layoutBlocks()
{
    m_boxes.clear();
    m_boundaryX.clear();
    if (!m_haveSpace || !m_editor->isActive())
        return;
    const space::Genome g = m_editor->variant();
    space::Genome backbone = g;
    backbone.exits.clear();
    const auto arch = space::describe(m_space, backbone, false);
    const double left = 12, right = width() - 12.0;
    m_blockBand = QRectF(left, 58, right - left, 56);
    // widths: a fixed minimum plus a share proportional to the block's MACs
    double total = 0;
    for (const auto &b : arch.blocks)
        total += double(b.macs());
    const double gap = 3;
    const double minimum = 14;
    const double free = std::max(10.0, m_blockBand.width() - double(arch.blocks.size()) * (minimum + gap));
    double x = left;
    for (std::size_t i = 0; i < arch.blocks.size(); ++i) {
        const auto &b = arch.blocks[i];
        Box box;
        box.macs = double(b.macs());
        const double w = minimum + free * box.macs / std::max(total, 1.0);
        box.rect = QRectF(x, m_blockBand.top(), w, m_blockBand.height());
        box.stage = b.kind == space::BlockSpec::Kind::MBConv && b.stage >= 0 ? b.stage : -1;
        if (i == 0) {
            box.title = tr("stem");
        } else if (i + 1 == arch.blocks.size()) {
            box.title = tr("head");
        } else if (b.stage < 0) {
            box.title = tr("b0");
        } else {
            box.title = QStringLiteral("k%1 e%2").arg(b.kernel).arg(b.expansion);
        }
        box.detail = megaMacs(box.macs);
        m_boxes.push_back(box);
        x += w + gap;
    }
    // boundaries of the profile's early positions, at the right edge of their block
    const auto *p = m_editor->profile();
    for (int q = 0; q + 1 < p->positions; ++q) {
        const auto [stage, block] = p->position[std::size_t(q)];
        const int index = arch.blockIndex(stage, block);
        m_boundaryX.push_back(index >= 0 ? m_boxes[std::size_t(index)].rect.right() + gap / 2 : -1);
    }
}

QPointF ArchitectureView::boundaryPoint(int position) const
{
    if (position < 0 || position >= int(m_boundaryX.size()))
        return {};
    return {m_boundaryX[std::size_t(position)], m_blockBand.center().y()};
}

QPointF ArchitectureView::markerPoint(int position) const
{
    if (position < 0 || position >= int(m_boundaryX.size()))
        return {};
    return {m_boundaryX[std::size_t(position)], m_blockBand.top() - 14};
}

int ArchitectureView::nearestBoundary(double x) const
{
    int best = -1;
    double bestDistance = 1e9;
    for (std::size_t q = 0; q < m_boundaryX.size(); ++q) {
        const double d = std::abs(m_boundaryX[q] - x);
        if (m_boundaryX[q] >= 0 && d < bestDistance) {
            bestDistance = d;
            best = int(q);
        }
    }
    return best;
}

int ArchitectureView::exitAt(const QPointF &p) const
{
    const auto &exits = m_editor->config().exits;
    for (std::size_t i = 0; i < exits.size(); ++i)
        if (QLineF(p, markerPoint(exits[i])).length() <= kMarkerRadius + 4)
            return int(i);
    return -1;
}

void ArchitectureView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    if (!m_editor->isActive() || m_boxes.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("Select a candidate to see its architecture."));
        return;
    }
    const auto g = m_editor->variant();
    const auto &e = m_editor->evaluation();
    QFont small = font();
    small.setPointSizeF(std::max(6.5, font().pointSizeF() - 1.5));
    // heading: resolution, figures of the (edited) candidate
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRectF(12, 4, width() - 24, 18), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("Candidate %1%2 · input %3x%3 · accuracy %4 % · average %5 MACs (paper's count %6)")
                         .arg(m_editor->candidateId())
                         .arg(m_editor->isModified() ? tr(" (edited)") : QString())
                         .arg(g.resolution)
                         .arg(100.0 * e.accuracy, 0, 'f', 2)
                         .arg(megaMacs(e.averageMacsTrue), megaMacs(e.averageMacsPaper)));
    // stage bands
    const QColor stageColours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
                                   QColor(0xb0, 0x7a, 0xa1), QColor(0x9c, 0x75, 0x5f)};
    for (const auto &b : m_boxes) {
        QColor fill = b.stage >= 0 ? stageColours[b.stage % 5] : QColor(0x88, 0x88, 0x88);
        fill.setAlpha(170);
        painter.setPen(QPen(fill.darker(140), 1));
        painter.setBrush(fill);
        painter.drawRoundedRect(b.rect, 3, 3);
        painter.setPen(Qt::white);
        painter.setFont(small);
        if (b.rect.width() > 30) {
            painter.drawText(b.rect.adjusted(1, 2, -1, -b.rect.height() / 2), Qt::AlignCenter, b.title);
            painter.drawText(b.rect.adjusted(1, b.rect.height() / 2, -1, -2), Qt::AlignCenter, b.detail);
        }
    }
    // stage labels under the blocks
    painter.setPen(palette().color(QPalette::Text));
    for (int s = 0; s < m_space.stageCount(); ++s) {
        double l = 1e9, r = -1e9;
        for (const auto &b : m_boxes)
            if (b.stage == s) {
                l = std::min(l, b.rect.left());
                r = std::max(r, b.rect.right());
            }
        if (r > l)
            painter.drawText(QRectF(l, m_blockBand.bottom() + 2, r - l, 16), Qt::AlignCenter,
                             tr("stage %1 · %2 ch").arg(s + 1).arg(m_space.stages[std::size_t(s)].width));
    }
    // allowed boundaries: ticks; exits: markers with threshold and share
    const auto &config = m_editor->config();
    painter.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DashLine));
    for (double x : m_boundaryX)
        if (x >= 0)
            painter.drawLine(QPointF(x, m_blockBand.top() - 4), QPointF(x, m_blockBand.bottom() + 4));
    for (std::size_t i = 0; i < config.exits.size(); ++i) {
        const QPointF c = markerPoint(config.exits[i]);
        QPainterPath tri;
        tri.moveTo(c + QPointF(-kMarkerRadius, -kMarkerRadius));
        tri.lineTo(c + QPointF(kMarkerRadius, -kMarkerRadius));
        tri.lineTo(c + QPointF(0, kMarkerRadius));
        tri.closeSubpath();
        painter.setPen(QPen(QColor(0xc0, 0x39, 0x2b).darker(130), 1.5));
        painter.setBrush(int(i) == m_dragExit ? QColor(0xe7, 0x4c, 0x3c) : QColor(0xc0, 0x39, 0x2b));
        painter.drawPath(tri);
        painter.setPen(QPen(QColor(0xc0, 0x39, 0x2b), 2));
        painter.drawLine(QPointF(c.x(), c.y() + kMarkerRadius), QPointF(c.x(), m_blockBand.bottom()));
        painter.setPen(palette().color(QPalette::Text));
        painter.setFont(small);
        const QString label = tr("exit %1 · t %2 · %3 % out · %4 % right")
                                  .arg(i + 1)
                                  .arg(config.thresholds[i], 0, 'f', 2)
                                  .arg(100.0 * e.share[i], 0, 'f', 1)
                                  .arg(100.0 * e.exitAccuracy[i], 0, 'f', 1);
        const double y = m_blockBand.bottom() + 20 + 14 * double(i % 3);
        painter.drawText(QRectF(c.x() - 120, y, 240, 14), Qt::AlignCenter, label);
    }
    painter.setFont(small);
    painter.drawText(QRectF(12, height() - 18, width() - 24, 16), Qt::AlignRight | Qt::AlignVCenter,
                     tr("final head: %1 % of inputs, %2 % right")
                         .arg(100.0 * e.share.back(), 0, 'f', 1)
                         .arg(100.0 * e.exitAccuracy.back(), 0, 'f', 1));
}

void ArchitectureView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_editor->isActive()) {
        m_dragExit = exitAt(event->position());
        update();
    }
}

void ArchitectureView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragExit < 0) {
        setCursor(m_editor->isActive() && exitAt(event->position()) >= 0 ? Qt::OpenHandCursor : Qt::ArrowCursor);
        return;
    }
    const int target = nearestBoundary(event->position().x());
    if (target < 0)
        return;
    const int before = m_editor->config().exits[std::size_t(m_dragExit)];
    if (target != before && m_editor->moveExit(m_dragExit, target, true)) {
        // the exit keeps its identity while its index may change on the way
        const auto &exits = m_editor->config().exits;
        m_dragExit = int(std::find(exits.begin(), exits.end(), target) - exits.begin());
    }
}

void ArchitectureView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_dragExit >= 0) {
        m_dragExit = -1;
        m_editor->finishDrag();
        update();
    }
}

void ArchitectureView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (!m_editor->isActive())
        return;
    const int q = nearestBoundary(event->position().x());
    if (q < 0 || std::abs(m_boundaryX[std::size_t(q)] - event->position().x()) > 12)
        return;
    const auto &exits = m_editor->config().exits;
    const auto it = std::find(exits.begin(), exits.end(), q);
    if (it != exits.end())
        m_editor->removeExit(int(it - exits.begin()));
    else
        m_editor->addExit(q, m_editor->config().rule == space::ExitRule::Entropy ? 1.0 : 0.5);
}

} // namespace edanas::ui
