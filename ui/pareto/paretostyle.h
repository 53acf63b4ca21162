#pragma once
// ParetoView's look and feel, shared by its source files (paretoview.cpp: data and
// drawing; paretoviewsetup.cpp: building the plots; paretointeraction.cpp: the mouse).
// Not for other users.

#include <qcustomplot.h>

#include <QColor>

#include <algorithm>
#include <utility>
#include <vector>

namespace edanas::ui::pareto {

inline constexpr int kCoalesceMs = 40;   // at most ~25 replots per second
inline constexpr int kHandleRadius = 6;  // pixels either side of a constraint line
inline constexpr int kPickRadius = 8;    // pixels around a point for hover and click
inline constexpr int kPlayStepMs = 600;

inline const QColor kFrontColour(200, 30, 45);
inline const QColor kCeilingColour(200, 90, 0);
inline const QColor kFloorColour(30, 110, 200);
inline const QColor kInactiveColour(150, 150, 150);
inline const QColor kInfeasibleColour(190, 190, 190);

/// Viridis-like, darkened at the yellow end so that late generations stay visible on white.
inline QCPColorGradient generationGradient()
{
    QCPColorGradient g;
    g.setColorStopAt(0.00, QColor(68, 1, 84));
    g.setColorStopAt(0.25, QColor(59, 82, 139));
    g.setColorStopAt(0.50, QColor(33, 145, 140));
    g.setColorStopAt(0.75, QColor(94, 201, 98));
    g.setColorStopAt(1.00, QColor(200, 200, 20));
    return g;
}

inline void setSortedData(QCPGraph *graph, std::vector<std::pair<double, double>> &points)
{
    std::sort(points.begin(), points.end());
    QVector<double> keys, values;
    keys.reserve(int(points.size()));
    values.reserve(int(points.size()));
    for (const auto &[k, v] : points) {
        keys.append(k);
        values.append(v);
    }
    graph->setData(keys, values, /*alreadySorted=*/true);
}

/// A filled circle with a darker rim, pre-rendered once: QCustomPlot then blits it per
/// point instead of rasterising an antialiased ellipse (10,000 points: ~3 ms instead of
/// ~30 ms per replot).
inline QCPScatterStyle dot(const QColor &colour, int size)
{
    QPixmap pixmap(size + 2, size + 2);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(colour.darker(135), 1.0));
    p.setBrush(colour);
    p.drawEllipse(QRectF(1.0, 1.0, size, size));
    p.end();
    return QCPScatterStyle(pixmap);
}


} // namespace edanas::ui::pareto
