#include "exitcurvesview.h"

#include "varianteditor.h"

#include "eenn/curves.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace edanas::ui {

namespace {

QCustomPlot *makePlot(QWidget *parent, const QString &title, const QString &x, const QString &y)
{
    auto *p = new QCustomPlot(parent);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, new QCPTextElement(p, title, QFont(parent->font().family(), 9, QFont::Bold)));
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->setMinimumHeight(170);
    // these replot on every drag event: no antialiasing for the bars and the grid
    p->setPlottingHint(QCP::phFastPolylines, true);
    p->setNotAntialiasedElements(QCP::aeGrid | QCP::aeSubGrid | QCP::aeAxes | QCP::aeZeroLine | QCP::aePlottables);
    p->legend->setVisible(true);
    p->legend->setFont(QFont(parent->font().family(), 7));
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    return p;
}

const QColor kExitColours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
                               QColor(0xb0, 0x7a, 0xa1), QColor(0x9c, 0x75, 0x5f), QColor(0xe1, 0x57, 0x59)};

} // namespace

ExitCurvesView::ExitCurvesView(VariantEditor *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
{
    auto *layout = new QVBoxLayout(this);
    m_tradeoff = makePlot(this, tr("Trade-off as all thresholds move"), tr("Average MACs, true cost (millions)"),
                          tr("Top-1 accuracy (%)"));
    m_curve = m_tradeoff->addGraph();
    m_curve->setName(tr("thresholds swept together"));
    m_curve->setPen(QPen(QColor(0x4e, 0x79, 0xa7), 2));
    m_alone = m_tradeoff->addGraph();
    m_alone->setName(tr("each exit alone (all inputs leave there)"));
    m_alone->setLineStyle(QCPGraph::lsNone);
    m_alone->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QColor(0x59, 0xa1, 0x4f), 8));
    m_current = m_tradeoff->addGraph();
    m_current->setName(tr("current setting"));
    m_current->setLineStyle(QCPGraph::lsNone);
    m_current->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(0xc0, 0x39, 0x2b), 2),
                                               QColor(0xe7, 0x4c, 0x3c), 10));
    layout->addWidget(m_tradeoff, 3);

    auto *choose = new QHBoxLayout;
    choose->addWidget(new QLabel(tr("Threshold of"), this));
    m_exitChoice = new QComboBox(this);
    choose->addWidget(m_exitChoice, 1);
    layout->addLayout(choose);
    m_threshold = makePlot(this, tr("One exit's threshold (drag the line)"), tr("Threshold"), tr("%"));
    m_sweepAccuracy = m_threshold->addGraph();
    m_sweepAccuracy->setName(tr("overall accuracy"));
    m_sweepAccuracy->setPen(QPen(QColor(0x4e, 0x79, 0xa7), 2));
    m_sweepShare = m_threshold->addGraph();
    m_sweepShare->setName(tr("inputs leaving at this exit"));
    m_sweepShare->setPen(QPen(QColor(0xf2, 0x8e, 0x2b), 2));
    m_sweepExitAccuracy = m_threshold->addGraph();
    m_sweepExitAccuracy->setName(tr("accuracy of those inputs"));
    m_sweepExitAccuracy->setPen(QPen(QColor(0x59, 0xa1, 0x4f), 2, Qt::DashLine));
    m_thresholdLine = new QCPItemStraightLine(m_threshold);
    m_thresholdLine->setPen(QPen(QColor(0xc0, 0x39, 0x2b), 2, Qt::DashLine));
    m_threshold->yAxis->setRange(0, 100);
    layout->addWidget(m_threshold, 3);

    m_shares = makePlot(this, tr("Where inputs leave"), QString(), tr("Share of inputs (%)"));
    m_shares->legend->setVisible(false);
    layout->addWidget(m_shares, 2);

    connect(m_editor, &VariantEditor::changed, this, &ExitCurvesView::refresh);
    connect(m_editor, &VariantEditor::candidateChanged, this, &ExitCurvesView::refresh);
    connect(m_exitChoice, &QComboBox::currentIndexChanged, this, &ExitCurvesView::refresh);
    connect(m_threshold, &QCustomPlot::mousePress, this, &ExitCurvesView::onPress);
    connect(m_threshold, &QCustomPlot::mouseMove, this, &ExitCurvesView::onMove);
    connect(m_threshold, &QCustomPlot::mouseRelease, this, &ExitCurvesView::onRelease);
    refresh();
}

int ExitCurvesView::selectedExit() const
{
    return m_exitChoice->currentIndex();
}

void ExitCurvesView::selectExit(int exit)
{
    m_exitChoice->setCurrentIndex(exit);
}

void ExitCurvesView::refresh()
{
    const bool active = m_editor->isActive();
    for (auto *p : {m_tradeoff, m_threshold})
        p->legend->setVisible(active); // nothing to explain before a candidate is chosen
    for (auto *p : {m_tradeoff, m_threshold, m_shares})
        p->setEnabled(active);
    if (!active) {
        for (auto *g : {m_curve, m_current, m_alone, m_sweepAccuracy, m_sweepShare, m_sweepExitAccuracy})
            g->data()->clear();
        m_shares->clearPlottables();
        for (auto *p : {m_tradeoff, m_threshold, m_shares})
            p->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const auto &p = *m_editor->profile();
    const auto &c = m_editor->config();
    const auto &e = m_editor->evaluation();

    // trade-off: all thresholds together, the current point, each exit alone
    QVector<double> x, y;
    const auto trade = eenn::tradeoffCurve(p, c, 51);
    for (std::size_t i = 0; i < trade.accuracy.size(); ++i) {
        x << trade.averageMacsTrue[i] / 1e6;
        y << 100.0 * trade.accuracy[i];
    }
    m_curve->setData(x, y); // parametric: not sorted by x
    m_current->setData({e.averageMacsTrue / 1e6}, {100.0 * e.accuracy});
    x.clear();
    y.clear();
    for (const auto &a : eenn::exitsAlone(p, c)) {
        x << a.macsWithEarlier / 1e6;
        y << 100.0 * a.accuracy;
    }
    m_alone->setData(x, y);
    m_tradeoff->rescaleAxes();
    m_tradeoff->xAxis->scaleRange(1.08);
    m_tradeoff->yAxis->scaleRange(1.15);
    m_tradeoff->replot(QCustomPlot::rpQueuedReplot);

    // the exit chooser follows the configuration
    const int keep = std::max(0, m_exitChoice->currentIndex());
    {
        const QSignalBlocker block(m_exitChoice);
        m_exitChoice->clear();
        for (std::size_t i = 0; i < c.exits.size(); ++i) {
            const auto &pos = p.position[std::size_t(c.exits[i])];
            m_exitChoice->addItem(tr("exit %1 (after stage %2, block %3)").arg(i + 1).arg(pos.first + 1).arg(pos.second + 1));
        }
        m_exitChoice->setCurrentIndex(c.exits.empty() ? -1 : std::min(keep, int(c.exits.size()) - 1));
    }
    const int exit = m_exitChoice->currentIndex();
    if (exit >= 0) {
        const auto sweep = eenn::sweepThreshold(p, c, exit, 51);
        QVector<double> t, acc, share, right;
        for (std::size_t i = 0; i < sweep.threshold.size(); ++i) {
            t << sweep.threshold[i];
            acc << 100.0 * sweep.accuracy[i];
            share << 100.0 * sweep.share[i];
            right << 100.0 * sweep.exitAccuracy[i];
        }
        m_sweepAccuracy->setData(t, acc, true);
        m_sweepShare->setData(t, share, true);
        m_sweepExitAccuracy->setData(t, right, true);
        m_threshold->xAxis->setRange(t.front(), t.back());
        const double now = c.thresholds[std::size_t(exit)];
        m_thresholdLine->point1->setCoords(now, 0);
        m_thresholdLine->point2->setCoords(now, 1);
    } else {
        for (auto *g : {m_sweepAccuracy, m_sweepShare, m_sweepExitAccuracy})
            g->data()->clear();
    }
    m_thresholdLine->setVisible(exit >= 0);
    m_threshold->replot(QCustomPlot::rpQueuedReplot);

    // shares: the candidate as found and the edited variant, stacked by exit
    m_shares->clearPlottables();
    const auto found = eenn::evaluate(p, m_editor->original());
    const std::size_t layers = std::max(found.share.size(), e.share.size());
    QCPBars *below = nullptr;
    for (std::size_t k = 0; k < layers; ++k) {
        auto *bars = new QCPBars(m_shares->xAxis, m_shares->yAxis);
        const bool final = k + 1 == layers;
        bars->setName(final ? tr("final head") : tr("exit %1").arg(k + 1));
        QColor colour = final ? QColor(0x88, 0x88, 0x88) : kExitColours[k % 6];
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(130)));
        bars->setWidth(0.6);
        // exits are stacked from the first; the final head is always on top
        auto shareOf = [&](const eenn::ExitEvaluation &ev) {
            if (final)
                return 100.0 * ev.share.back();
            return k + 1 < ev.share.size() ? 100.0 * ev.share[k] : 0.0;
        };
        bars->setData({1, 2}, {shareOf(found), shareOf(e)}, true);
        if (below)
            bars->moveAbove(below);
        below = bars;
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTick(1, tr("as found"));
    ticker->addTick(2, m_editor->isModified() ? tr("edited") : tr("(unchanged)"));
    m_shares->xAxis->setTicker(ticker);
    m_shares->xAxis->setRange(0.4, 2.6);
    m_shares->yAxis->setRange(0, 100);
    m_shares->replot(QCustomPlot::rpQueuedReplot);
}

void ExitCurvesView::onPress(QMouseEvent *event)
{
    const int exit = selectedExit();
    if (exit < 0 || !m_editor->isActive() || event->button() != Qt::LeftButton)
        return;
    const double lineX = m_threshold->xAxis->coordToPixel(m_editor->config().thresholds[std::size_t(exit)]);
    if (std::abs(event->position().x() - lineX) <= 6) {
        m_dragging = true;
        m_threshold->setInteractions({});
    }
}

void ExitCurvesView::onMove(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const auto range = m_threshold->xAxis->range();
    const double t = std::clamp(m_threshold->xAxis->pixelToCoord(event->position().x()), range.lower, range.upper);
    m_editor->setThreshold(selectedExit(), t, true);
}

void ExitCurvesView::onRelease(QMouseEvent *)
{
    if (!m_dragging)
        return;
    m_dragging = false;
    m_editor->finishDrag();
}

} // namespace edanas::ui
