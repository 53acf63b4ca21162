// ParetoView: building its two plots (axes, layers, graphs, legend, constraint items).
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

namespace edanas::ui {

using namespace pareto;

void ParetoView::setupPlot()
{
    m_plot->setObjectName(QStringLiteral("paretoPlot"));
    m_plot->setMinimumSize(320, 220);
    m_plot->setInteractions(QCP::iRangeZoom);
    m_plot->setSelectionRectMode(QCP::srmZoom);
    m_plot->selectionRect()->setPen(QPen(QColor(40, 90, 160), 1, Qt::DashLine));
    m_plot->selectionRect()->setBrush(QColor(40, 90, 160, 30));
    m_plot->setMouseTracking(true);
    m_plot->installEventFilter(this);

    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    m_plot->plotLayout()->insertRow(0);
    auto *title = new QCPTextElement(m_plot, tr("Pareto front: top-1 accuracy against average MACs"), titleFont);
    m_plot->plotLayout()->addElement(0, 0, title);

    QFont labelFont = font();
    labelFont.setPointSizeF(labelFont.pointSizeF() * 1.05);
    m_plot->xAxis->setLabelFont(labelFont);
    m_plot->yAxis->setLabelFont(labelFont);
    m_plot->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    m_plot->xAxis->grid()->setSubGridVisible(true);
    m_plot->yAxis->grid()->setSubGridVisible(true);
    m_plot->xAxis->grid()->setSubGridPen(QPen(QColor(235, 235, 235), 1, Qt::DotLine));
    m_plot->yAxis->grid()->setSubGridPen(QPen(QColor(235, 235, 235), 1, Qt::DotLine));

    // the colour scale of generations, beside the axis rect
    m_colourScale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_colourScale);
    m_colourScale->setType(QCPAxis::atRight);
    m_colourScale->setLabel(tr("Generation"));
    m_colourScale->axis()->setLabelFont(labelFont);
    m_colourScale->setBarWidth(10);
    m_colourScale->setRangeDrag(false);
    m_colourScale->setRangeZoom(false);
    m_colourScale->setGradient(generationGradient());
    QSharedPointer<QCPAxisTickerFixed> integerTicks(new QCPAxisTickerFixed);
    integerTicks->setTickStep(1.0);
    integerTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_colourScale->axis()->setTicker(integerTicks);
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_colourScale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    // layers: points on "main", the front and the selection above them, the draggable
    // constraint lines on their own buffer so that a drag repaints only them
    m_plot->addLayer(QStringLiteral("front"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    m_plot->addLayer(QStringLiteral("constraints"), m_plot->layer(QStringLiteral("front")), QCustomPlot::limAbove);
    m_constraintLayer = m_plot->layer(QStringLiteral("constraints"));
    m_constraintLayer->setMode(QCPLayer::lmBuffered);
    // the edited variant moves on every drag event: its own buffered layer, repainted alone
    m_plot->addLayer(QStringLiteral("variant"), m_constraintLayer, QCustomPlot::limAbove);
    m_variantLayer = m_plot->layer(QStringLiteral("variant"));
    m_variantLayer->setMode(QCPLayer::lmBuffered);

    m_infeasibleGraph = m_plot->addGraph();
    m_infeasibleGraph->setName(tr("Infeasible"));
    m_infeasibleGraph->setLineStyle(QCPGraph::lsNone);
    m_infeasibleGraph->setScatterStyle(dot(kInfeasibleColour, 6));

    m_legendCandidates = m_plot->addGraph();
    m_legendCandidates->setName(tr("Feasible, by generation"));
    m_legendCandidates->setLineStyle(QCPGraph::lsNone);
    m_legendCandidates->setScatterStyle(dot(generationGradient().color(0.5, QCPRange(0, 1)), 7));

    m_frontGraph = m_plot->addGraph();
    m_frontGraph->setLayer(QStringLiteral("front"));
    m_frontGraph->setName(tr("Pareto front"));
    m_frontGraph->setLineStyle(QCPGraph::lsStepLeft);
    m_frontGraph->setPen(QPen(kFrontColour, 2.0));
    m_frontGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kFrontColour, 2.0), Qt::NoBrush, 11));

    m_selectedGraph = m_plot->addGraph();
    m_selectedGraph->setLayer(QStringLiteral("front"));
    m_selectedGraph->setName(tr("Selected"));
    m_selectedGraph->setLineStyle(QCPGraph::lsNone);
    m_selectedGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(Qt::black, 2.0), Qt::NoBrush, 16));

    m_staticGraph = m_plot->addGraph();
    m_staticGraph->setName(tr("Static backbones"));
    m_staticGraph->setLineStyle(QCPGraph::lsStepLeft);
    m_staticGraph->setPen(QPen(QColor(0x55, 0x55, 0x55), 1.5, Qt::DashLine));
    m_staticGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(QColor(0x55, 0x55, 0x55), 1.5), Qt::NoBrush, 7));

    m_variantGraph = m_plot->addGraph();
    m_variantGraph->setLayer(m_variantLayer);
    m_variantGraph->setName(tr("Edited variant"));
    m_variantGraph->setLineStyle(QCPGraph::lsNone);
    m_variantGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(QColor(0xd3, 0x54, 0x00), 2.0),
                                                    QColor(0xf3, 0x9c, 0x12), 14));

    auto *constraintsLegend = m_plot->addGraph();
    constraintsLegend->setName(tr("Constraints"));
    constraintsLegend->setPen(QPen(kCeilingColour, 2.0, Qt::DashLine));

    m_plot->legend->setVisible(true);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.92);
    m_plot->legend->setFont(legendFont);
    // below the axis rect, in two rows of four: never over a point, never clipped
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(2, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    constexpr int kLegendColumns = 4;
    m_plot->legend->setWrap(kLegendColumns);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst, true); // re-wraps the entries
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setBrush(Qt::NoBrush);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 2));
    m_plot->legend->setColumnSpacing(14);
    m_plot->legend->setRowSpacing(0);
    const QFontMetrics legendMetrics(legendFont);
    m_plot->legend->setMaximumSize(QWIDGETSIZE_MAX, 2 * (legendMetrics.height() + 4) + 4);
    // columns as wide as their widest entry needs (the grid would share the width equally)
    QList<double> widths(kLegendColumns, 1.0);
    for (int i = 0; i < m_plot->legend->itemCount(); ++i) {
        auto *item = qobject_cast<QCPPlottableLegendItem *>(m_plot->legend->item(i));
        const double w = item ? legendMetrics.horizontalAdvance(item->plottable()->name())
                                    + m_plot->legend->iconSize().width() + 20
                              : 100;
        widths[i % kLegendColumns] = std::max(widths[i % kLegendColumns], w);
    }
    m_plot->legend->setColumnStretchFactors(widths);

    auto makeLine = [this](const QColor &colour) {
        auto *line = new QCPItemStraightLine(m_plot);
        line->setLayer(m_constraintLayer);
        line->setPen(QPen(colour, 2.0, Qt::DashLine));
        line->setSelectable(false);
        return line;
    };
    auto makeLabel = [this, labelFont](const QColor &colour) {
        auto *label = new QCPItemText(m_plot);
        label->setLayer(m_constraintLayer);
        label->setColor(colour);
        QFont f = labelFont;
        f.setBold(true);
        label->setFont(f);
        label->setBrush(QColor(255, 255, 255, 150));
        label->setPadding(QMargins(3, 1, 3, 1));
        label->setSelectable(false);
        return label;
    };
    m_ceilingLine = makeLine(kCeilingColour);
    m_floorLine = makeLine(kFloorColour);
    m_ceilingLabel = makeLabel(kCeilingColour);
    m_floorLabel = makeLabel(kFloorColour);
    // ceiling label: at the line horizontally, near the top of the axis rect
    m_ceilingLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    m_ceilingLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_ceilingLabel->position->setAxisRect(m_plot->axisRect());
    // rotated to run down the line, on its right (the infeasible side)
    m_ceilingLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_ceilingLabel->setRotation(-90);
    // floor label: near the right end of the line, just above it
    m_floorLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_floorLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    m_floorLabel->position->setAxisRect(m_plot->axisRect());
    m_floorLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);

    connect(m_plot, &QCustomPlot::beforeReplot, this, &ParetoView::syncConstraintItems);
    connect(m_plot, &QCustomPlot::afterReplot, this, [this] { ++m_replots; });
    setCost(Cost::True);
}

void ParetoView::setupHypervolumePlot()
{
    m_hvPlot->setObjectName(QStringLiteral("hypervolumePlot"));
    m_hvPlot->setMinimumHeight(90);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_hvPlot->xAxis->setLabel(tr("Generation"));
    m_hvPlot->yAxis->setLabel(tr("Hypervolume"));
    m_hvPlot->xAxis->setLabelFont(small);
    m_hvPlot->yAxis->setLabelFont(small);
    m_hvPlot->xAxis->setTickLabelFont(small);
    m_hvPlot->yAxis->setTickLabelFont(small);
    QSharedPointer<QCPAxisTickerFixed> integerTicks(new QCPAxisTickerFixed);
    integerTicks->setTickStep(1.0);
    integerTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_hvPlot->xAxis->setTicker(integerTicks);
    m_hvPlot->yAxis->ticker()->setTickCount(3);
    m_hvPlot->yAxis->setNumberFormat(QStringLiteral("f"));
    m_hvPlot->yAxis->setNumberPrecision(4);
    m_hvGraph = m_hvPlot->addGraph();
    m_hvGraph->setPen(QPen(QColor(40, 90, 160), 2.0));
    m_hvGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(40, 90, 160), 6));
    m_hvGraph->setBrush(QColor(40, 90, 160, 30));
    m_hvMarker = new QCPItemStraightLine(m_hvPlot);
    m_hvMarker->setPen(QPen(kFrontColour, 1.5, Qt::DashLine));
    m_hvMarker->setVisible(false);
    m_hvPlot->xAxis->setRange(-0.5, 1.5);
    m_hvPlot->yAxis->setRange(0, 1);
}

} // namespace edanas::ui
