#include "paretoview.h"

#include "ui/pareto/paretostyle.h"
#include "ui/widgets/elidedlabel.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDataStream>
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

ParetoView::ParetoView(QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_hvPlot(new QCustomPlot(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_costBox(new QComboBox(this))
    , m_logBox(new QCheckBox(tr("Log scale"), this))
    , m_resetButton(new QToolButton(this))
    , m_info(new ElidedLabel(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_playButton(new QToolButton(this))
    , m_sliderLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("paretoView"));

    m_costBox->setObjectName(QStringLiteral("costBox"));
    m_costBox->addItem(tr("True average MACs"), int(Cost::True));
    m_costBox->addItem(tr("Paper's average MACs"), int(Cost::Paper));
    m_costBox->setToolTip(tr("True: every exit classifier an input passed through counts; "
                             "paper's: as EDANAS counts (only the exit taken)"));
    m_logBox->setObjectName(QStringLiteral("logScale"));
    m_logBox->setToolTip(tr("Logarithmic MACs axis"));
    m_resetButton->setObjectName(QStringLiteral("resetZoom"));
    m_resetButton->setText(tr("Reset zoom"));
    m_resetButton->setToolTip(tr("Show every candidate (or double-click the plot). "
                                 "Drag a box to zoom in; the wheel zooms too."));
    m_info->setObjectName(QStringLiteral("paretoInfo"));

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(6, 4, 6, 0);
    toolbar->addWidget(new QLabel(tr("Horizontal axis:"), this));
    toolbar->addWidget(m_costBox);
    toolbar->addWidget(m_logBox);
    toolbar->addWidget(m_resetButton);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_info, 1);

    setupPlot();
    setupHypervolumePlot();

    m_slider->setObjectName(QStringLiteral("generationSlider"));
    m_slider->setRange(0, 0);
    m_slider->setPageStep(1);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setToolTip(tr("Replay: show the candidates up to a generation and the front they made"));
    m_playButton->setObjectName(QStringLiteral("playButton"));
    m_playButton->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_playButton->setToolTip(tr("Replay how the front grew, generation by generation"));
    m_playButton->setCheckable(true);
    m_sliderLabel->setObjectName(QStringLiteral("generationLabel"));
    m_sliderLabel->setMinimumWidth(m_sliderLabel->fontMetrics().horizontalAdvance(QStringLiteral("Generation 000 of 000 (live)")));

    auto *bottom = new QWidget(this);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->setSpacing(2);
    bottomLayout->addWidget(m_hvPlot, 1);
    auto *sliderRow = new QHBoxLayout;
    sliderRow->setContentsMargins(6, 0, 6, 4);
    sliderRow->addWidget(m_playButton);
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_sliderLabel);
    bottomLayout->addLayout(sliderRow);

    m_splitter->setObjectName(QStringLiteral("paretoSplitter"));
    m_splitter->addWidget(m_plot);
    m_splitter->addWidget(bottom);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setSizes({600, 170});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(toolbar);
    layout->addWidget(m_splitter, 1);

    m_updateTimer.setSingleShot(true);
    m_updateTimer.setInterval(kCoalesceMs);
    connect(&m_updateTimer, &QTimer::timeout, this, &ParetoView::rebuild);
    m_playTimer.setInterval(kPlayStepMs);
    connect(&m_playTimer, &QTimer::timeout, this, [this] {
        const int next = (m_replayGeneration < 0 ? m_maxGeneration : m_replayGeneration) + 1;
        if (next >= m_maxGeneration) {
            setReplayGeneration(-1);
            m_playButton->setChecked(false);
        } else {
            setReplayGeneration(next);
        }
    });
    connect(m_playButton, &QToolButton::toggled, this, [this](bool on) {
        if (!on) {
            m_playTimer.stop();
            return;
        }
        if (m_maxGeneration <= 0) {
            m_playButton->setChecked(false);
            return;
        }
        setReplayGeneration(0);
        m_playTimer.start();
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        setReplayGeneration(value >= m_maxGeneration ? -1 : value);
    });
    connect(m_costBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setCost(Cost(m_costBox->itemData(index).toInt())); });
    connect(m_logBox, &QCheckBox::toggled, this, &ParetoView::setLogScale);
    connect(m_resetButton, &QToolButton::clicked, this, &ParetoView::resetZoom);

    updateSliderRange();
    rebuild();
}

ParetoView::~ParetoView() = default;

void ParetoView::clear()
{
    m_points.clear();
    m_indexOfId.clear();
    m_visible.clear();
    m_hypervolume.clear();
    m_frontIds.clear();
    m_maxGeneration = -1;
    m_plannedGenerations = 0;
    m_selectedId = -1;
    m_replayGeneration = -1;
    m_autoRange = true;
    m_playTimer.stop();
    m_playButton->setChecked(false);
    updateSliderRange();
    scheduleUpdate();
}

void ParetoView::addCandidate(const search::CandidateSnapshot &c)
{
    if (m_indexOfId.contains(qint64(c.id)))
        return;
    Point p;
    p.id = c.id;
    p.generation = std::max(0, c.generation);
    p.accuracy = c.accuracy;
    p.macsTrue = c.macsTrue;
    p.macsPaper = c.macsPaper;
    p.staticMacs = c.staticMacs;
    p.params = c.params;
    p.sramBytes = c.sramBytes;
    p.flashBytes = c.flashBytes;
    p.staticAccuracy = c.staticAccuracy;
    p.exits = int(c.genome.exits.size());
    p.origin = QString::fromStdString(c.origin);
    p.summary = QString::fromStdString(c.genome.summary());
    m_indexOfId.insert(p.id, int(m_points.size()));
    m_points.push_back(std::move(p));
    if (c.generation > m_maxGeneration) {
        m_maxGeneration = c.generation;
        updateSliderRange();
    }
    scheduleUpdate();
}

void ParetoView::addGeneration(const search::GenerationSnapshot &g)
{
    m_hypervolume[g.generation] = g.hypervolume;
    if (g.generation > m_maxGeneration) {
        m_maxGeneration = g.generation;
        updateSliderRange();
    }
    scheduleUpdate();
}

void ParetoView::setPlannedGenerations(int generations)
{
    m_plannedGenerations = std::max(0, generations);
    scheduleUpdate();
}

void ParetoView::setLimits(const search::Limits &limits)
{
    m_limits = limits;
    setConstraints(limits.maxMacs, limits.minAccuracy);
}

void ParetoView::setConstraints(double maxMacs, double minAccuracy)
{
    m_limits.maxMacs = maxMacs > 0 ? maxMacs : std::numeric_limits<double>::infinity();
    m_limits.minAccuracy = std::clamp(minAccuracy, 0.0, 1.0);
    scheduleUpdate();
}

void ParetoView::setCost(Cost cost)
{
    m_cost = cost;
    {
        const QSignalBlocker block(m_costBox);
        m_costBox->setCurrentIndex(m_costBox->findData(int(cost)));
    }
    m_plot->xAxis->setLabel(cost == Cost::True ? tr("Average MACs, true cost (millions)")
                                               : tr("Average MACs, paper's cost (millions)"));
    m_autoRange = true;
    scheduleUpdate();
}

void ParetoView::setLogScale(bool on)
{
    m_logScale = on;
    {
        const QSignalBlocker block(m_logBox);
        m_logBox->setChecked(on);
    }
    m_plot->xAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_autoRange = true;
    scheduleUpdate();
}

void ParetoView::selectCandidate(qint64 id)
{
    if (id == m_selectedId)
        return;
    m_selectedId = m_indexOfId.contains(id) ? id : -1;
    scheduleUpdate();
}

void ParetoView::setReplayGeneration(int generation)
{
    const int g = generation < 0 || generation >= m_maxGeneration ? -1 : generation;
    if (g == m_replayGeneration)
        return;
    m_replayGeneration = g;
    updateSliderRange();
    scheduleUpdate();
}

void ParetoView::resetZoom()
{
    m_autoRange = true;
    scheduleUpdate();
}

void ParetoView::replotNow()
{
    rebuild();
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
    m_hvPlot->replot(QCustomPlot::rpImmediateRefresh);
}

bool ParetoView::isUpdatePending() const
{
    return m_updateTimer.isActive();
}

QByteArray ParetoView::saveState() const
{
    QByteArray out;
    QDataStream s(&out, QIODevice::WriteOnly);
    s << quint8(1) << m_splitter->saveState() << qint32(m_cost) << m_logScale;
    return out;
}

void ParetoView::restoreState(const QByteArray &state)
{
    QDataStream s(state);
    quint8 version = 0;
    QByteArray splitter;
    qint32 cost = 0;
    bool log = false;
    s >> version >> splitter >> cost >> log;
    if (s.status() != QDataStream::Ok || version != 1)
        return;
    m_splitter->restoreState(splitter);
    setCost(cost == int(Cost::Paper) ? Cost::Paper : Cost::True);
    setLogScale(log);
}

QPointF ParetoView::coordinatesOf(qint64 id) const
{
    const int i = m_indexOfId.value(id, -1);
    if (i < 0)
        return {qQNaN(), qQNaN()};
    return {xOf(m_points[std::size_t(i)]), 100.0 * m_points[std::size_t(i)].accuracy};
}

QPoint ParetoView::ceilingHandle() const
{
    const QRect r = m_plot->axisRect()->rect();
    const int x = std::isfinite(m_limits.maxMacs) ? int(std::lround(m_plot->xAxis->coordToPixel(m_limits.maxMacs / 1e6))) : r.right();
    return {x, r.center().y()};
}

QPoint ParetoView::floorHandle() const
{
    const QRect r = m_plot->axisRect()->rect();
    const int y = m_limits.minAccuracy > 0 ? int(std::lround(m_plot->yAxis->coordToPixel(100.0 * m_limits.minAccuracy))) : r.bottom();
    return {r.center().x(), y};
}

void ParetoView::setVariant(double accuracy, double macsTrue, double macsPaper)
{
    m_haveVariant = true;
    m_variantAccuracy = accuracy;
    m_variantMacsTrue = macsTrue;
    m_variantMacsPaper = macsPaper;
    // a drag moves this one point: set it and repaint its layer alone, no rebuild
    m_variantGraph->data()->clear();
    m_variantGraph->addData((m_cost == Cost::True ? macsTrue : macsPaper) / 1e6, 100.0 * accuracy);
    m_variantLayer->replot();
}

void ParetoView::setStaticBaseline(std::vector<std::pair<double, double>> macsAndAccuracy)
{
    m_staticBaseline = std::move(macsAndAccuracy);
    m_staticGraph->setName(m_staticBaseline.empty() ? tr("Static backbones") : tr("Static networks"));
    scheduleUpdate();
}

void ParetoView::clearVariant()
{
    m_haveVariant = false;
    m_variantGraph->data()->clear();
    m_variantLayer->replot();
}

QPointF ParetoView::variantPoint() const
{
    if (m_variantGraph->data()->isEmpty())
        return {};
    return {m_variantGraph->data()->at(0)->key, m_variantGraph->data()->at(0)->value};
}

double ParetoView::xOf(const Point &p) const
{
    return (m_cost == Cost::True ? p.macsTrue : p.macsPaper) / 1e6;
}

bool ParetoView::isFeasible(const Point &p) const
{
    return m_limits.feasible(p.accuracy, p.macsTrue, p.macsPaper, p.params, p.sramBytes);
}

void ParetoView::scheduleUpdate()
{
    if (!m_updateTimer.isActive())
        m_updateTimer.start();
}

void ParetoView::updateColours()
{
    // graphs for every generation seen, coloured along the gradient over the planned span
    while (int(m_generationGraphs.size()) <= m_maxGeneration) {
        QCPGraph *g = m_plot->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->removeFromLegend();
        g->setName(tr("Generation %1").arg(m_generationGraphs.size()));
        m_generationGraphs.push_back(g);
        m_colourRange = -1; // colour the new one
    }
    const int range = std::max({m_plannedGenerations - 1, m_maxGeneration, 1});
    if (range == m_colourRange)
        return;
    m_colourRange = range;
    QCPColorGradient gradient = generationGradient();
    for (std::size_t g = 0; g < m_generationGraphs.size(); ++g)
        m_generationGraphs[g]->setScatterStyle(dot(QColor::fromRgb(gradient.color(double(g), QCPRange(0, range))), 7));
    m_colourScale->setDataRange(QCPRange(0, range));
}

void ParetoView::rebuild()
{
    m_updateTimer.stop();
    updateColours();
    const int upTo = m_replayGeneration < 0 ? std::numeric_limits<int>::max() : m_replayGeneration;

    std::vector<std::vector<std::pair<double, double>>> byGeneration(m_generationGraphs.size());
    std::vector<std::pair<double, double>> infeasible;
    std::vector<double> cost, accuracy;
    std::vector<char> feasible;
    m_visible.clear();
    m_visible.reserve(m_points.size());
    cost.reserve(m_points.size());
    accuracy.reserve(m_points.size());
    feasible.reserve(m_points.size());
    double xMin = std::numeric_limits<double>::infinity(), xMax = -xMin, yMin = xMin, yMax = -xMin;
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        const Point &p = m_points[i];
        const double x = xOf(p), y = 100.0 * p.accuracy;
        xMin = std::min(xMin, x);
        xMax = std::max(xMax, x);
        yMin = std::min(yMin, y);
        yMax = std::max(yMax, y);
        if (p.generation > upTo)
            continue;
        const bool ok = isFeasible(p);
        m_visible.push_back(int(i));
        cost.push_back(x);
        accuracy.push_back(p.accuracy);
        feasible.push_back(ok);
        (ok ? byGeneration[std::size_t(p.generation)] : infeasible).emplace_back(x, y);
    }
    for (std::size_t g = 0; g < byGeneration.size(); ++g)
        setSortedData(m_generationGraphs[g], byGeneration[g]);
    m_infeasible = int(infeasible.size());
    setSortedData(m_infeasibleGraph, infeasible);
    m_plotted = int(m_visible.size());

    // the feasible front of what is shown, in the axis' cost, cheapest first
    QVector<double> frontKeys, frontValues;
    m_frontIds.clear();
    for (int i : search::paretoFront(cost, accuracy, feasible)) {
        frontKeys.append(cost[std::size_t(i)]);
        frontValues.append(100.0 * accuracy[std::size_t(i)]);
        m_frontIds.append(m_points[std::size_t(m_visible[std::size_t(i)])].id);
    }
    m_frontGraph->setData(frontKeys, frontValues, true);

    // the static networks' own front (their cost does not depend on the axis' choice)
    {
        std::vector<double> staticCost, staticAccuracy;
        for (int i : m_visible) {
            const Point &p = m_points[std::size_t(i)];
            if (p.staticAccuracy > 0) {
                staticCost.push_back(p.staticMacs / 1e6);
                staticAccuracy.push_back(p.staticAccuracy);
            }
        }
        for (const auto &[macs, accuracy] : m_staticBaseline) {
            staticCost.push_back(macs / 1e6);
            staticAccuracy.push_back(accuracy);
        }
        QVector<double> keys, values;
        for (int i : search::paretoFront(staticCost, staticAccuracy, std::vector<char>(staticCost.size(), 1))) {
            keys.append(staticCost[std::size_t(i)]);
            values.append(100.0 * staticAccuracy[std::size_t(i)]);
            xMax = std::max(xMax, staticCost[std::size_t(i)]);
            yMin = std::min(yMin, 100.0 * staticAccuracy[std::size_t(i)]);
            yMax = std::max(yMax, 100.0 * staticAccuracy[std::size_t(i)]);
        }
        m_staticGraph->setData(keys, values, true);
    }
    m_variantGraph->data()->clear();
    if (m_haveVariant)
        m_variantGraph->addData((m_cost == Cost::True ? m_variantMacsTrue : m_variantMacsPaper) / 1e6,
                                100.0 * m_variantAccuracy);

    m_selectedGraph->data()->clear();
    if (const int s = m_indexOfId.value(m_selectedId, -1); s >= 0 && m_points[std::size_t(s)].generation <= upTo)
        m_selectedGraph->addData(xOf(m_points[std::size_t(s)]), 100.0 * m_points[std::size_t(s)].accuracy);

    // axes fit everything (not only what a replay shows, so that they stay put), and the
    // constraint lines; never while a line is being dragged
    if (m_autoRange && m_dragging == Handle::None) {
        if (std::isfinite(m_limits.maxMacs)) {
            xMin = std::min(xMin, m_limits.maxMacs / 1e6);
            xMax = std::max(xMax, m_limits.maxMacs / 1e6);
        }
        if (m_limits.minAccuracy > 0) {
            yMin = std::min(yMin, 100.0 * m_limits.minAccuracy);
            yMax = std::max(yMax, 100.0 * m_limits.minAccuracy);
        }
        if (!std::isfinite(xMin)) {
            xMin = 0.5;
            xMax = 10.0;
            yMin = 0.0;
            yMax = 100.0;
        }
        if (m_logScale) {
            m_plot->xAxis->setRange(xMin / 1.15, xMax * 1.15);
        } else {
            const double pad = xMax > xMin ? 0.06 * (xMax - xMin) : 0.1 * std::max(xMax, 1e-3);
            m_plot->xAxis->setRange(std::max(0.0, xMin - pad), xMax + pad);
        }
        const double yPad = std::max(1.0, 0.08 * (yMax - yMin));
        m_plot->yAxis->setRange(std::max(0.0, yMin - yPad), std::min(100.0, yMax + yPad));
    }
    syncConstraintItems();
    updateHypervolumePlot();
    updateInfo();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_hvPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ParetoView::syncConstraintItems()
{
    const QRect r = m_plot->axisRect()->rect();
    if (r.width() <= 1 || r.height() <= 1)
        return;
    // An absent constraint sits on the axis rect's edge, where it can be grabbed.
    const bool hasCeiling = std::isfinite(m_limits.maxMacs);
    const double cx = hasCeiling ? m_limits.maxMacs / 1e6 : m_plot->xAxis->pixelToCoord(r.right());
    m_ceilingLine->point1->setCoords(cx, 0);
    m_ceilingLine->point2->setCoords(cx, 1);
    m_ceilingLine->setPen(QPen(hasCeiling ? kCeilingColour : kInactiveColour, 2.0, Qt::DashLine));
    m_ceilingLabel->position->setCoords(cx, 0.02);
    m_ceilingLabel->setColor(hasCeiling ? kCeilingColour : kInactiveColour);
    m_ceilingLabel->setText(hasCeiling ? tr("MAC ceiling %1 M").arg(m_limits.maxMacs / 1e6, 0, 'f', 3)
                                       : tr("no MAC ceiling (drag)"));

    const bool hasFloor = m_limits.minAccuracy > 0;
    const double fy = hasFloor ? 100.0 * m_limits.minAccuracy : m_plot->yAxis->pixelToCoord(r.bottom());
    m_floorLine->point1->setCoords(1, fy); // positive keys: valid on a log axis too
    m_floorLine->point2->setCoords(10, fy);
    m_floorLine->setPen(QPen(hasFloor ? kFloorColour : kInactiveColour, 2.0, Qt::DashLine));
    m_floorLabel->position->setCoords(0.985, fy);
    m_floorLabel->setColor(hasFloor ? kFloorColour : kInactiveColour);
    m_floorLabel->setText(hasFloor ? tr("accuracy floor %1 %").arg(100.0 * m_limits.minAccuracy, 0, 'f', 1)
                                   : tr("no accuracy floor (drag)"));
}

void ParetoView::updateHypervolumePlot()
{
    QVector<double> keys, values;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto &[g, hv] : m_hypervolume) {
        keys.append(g);
        values.append(hv);
        lo = std::min(lo, hv);
        hi = std::max(hi, hv);
    }
    m_hvGraph->setData(keys, values, true);
    m_hvPlot->xAxis->setRange(-0.5, std::max({m_maxGeneration, m_plannedGenerations - 1, 1}) + 0.5);
    if (std::isfinite(lo)) {
        const double pad = hi > lo ? 0.15 * (hi - lo) : std::max(0.01, 0.1 * hi);
        m_hvPlot->yAxis->setRange(std::max(0.0, lo - pad), hi + pad);
    }
    m_hvMarker->setVisible(m_replayGeneration >= 0);
    m_hvMarker->point1->setCoords(m_replayGeneration, 0);
    m_hvMarker->point2->setCoords(m_replayGeneration, 1);
}

void ParetoView::updateSliderRange()
{
    const QSignalBlocker block(m_slider);
    const int last = std::max(0, m_maxGeneration);
    m_slider->setRange(0, last);
    m_slider->setEnabled(m_maxGeneration > 0);
    m_slider->setValue(m_replayGeneration < 0 ? last : m_replayGeneration);
    if (m_maxGeneration < 0)
        m_sliderLabel->setText(tr("No generation yet"));
    else if (m_replayGeneration < 0)
        m_sliderLabel->setText(tr("Generations 0–%1 (live)").arg(m_maxGeneration));
    else
        m_sliderLabel->setText(tr("Generations 0–%1 of %2").arg(m_replayGeneration).arg(m_maxGeneration));
}

void ParetoView::updateInfo()
{
    QString text = tr("%n candidate(s)", nullptr, int(m_points.size()));
    if (m_plotted != int(m_points.size()))
        text += tr(" (%1 shown)").arg(m_plotted);
    text += tr(" · front %1 · infeasible %2").arg(m_frontIds.size()).arg(m_infeasible);
    if (!m_hypervolume.empty()) {
        auto it = m_replayGeneration < 0 ? std::prev(m_hypervolume.end()) : m_hypervolume.upper_bound(m_replayGeneration);
        if (m_replayGeneration >= 0 && it != m_hypervolume.begin())
            it = std::prev(it);
        if (m_replayGeneration < 0 || it->first <= m_replayGeneration)
            text += tr(" · hypervolume %1 (generation %2)").arg(it->second, 0, 'f', 4).arg(it->first);
    }
    m_info->setText(text);
}

} // namespace edanas::ui
