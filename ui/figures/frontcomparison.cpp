#include "frontcomparison.h"

#include <qcustomplot.h>

#include <algorithm>
#include <limits>

namespace edanas::ui {

namespace {

// colour-blind-safe (Okabe-Ito), in the order the studies are named
const QColor kColours[] = {QColor(0xd5, 0x5e, 0x00), QColor(0x00, 0x72, 0xb2), QColor(0x00, 0x9e, 0x73),
                           QColor(0xcc, 0x79, 0xa7), QColor(0xe6, 0x9f, 0x00), QColor(0x56, 0xb4, 0xe9)};

} // namespace

QCustomPlot *frontComparisonPlot(const std::vector<ComparedFront> &fronts, const QString &title, QWidget *parent)
{
    auto *plot = new QCustomPlot(parent);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = plot->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, titleFont));
    plot->xAxis->setLabel(QObject::tr("Average MACs (millions)"));
    plot->yAxis->setLabel(QObject::tr("Top-1 accuracy (%)"));
    plot->legend->setVisible(true);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);

    double xMin = std::numeric_limits<double>::infinity(), xMax = 0.0;
    double yMin = std::numeric_limits<double>::infinity(), yMax = 0.0;
    for (std::size_t f = 0; f < fronts.size(); ++f) {
        const QColor colour = kColours[f % std::size(kColours)];
        auto points = fronts[f].points;
        std::sort(points.begin(), points.end(), [](const auto &a, const auto &b) {
            return a.first != b.first ? a.first < b.first : a.second > b.second;
        });
        QVector<double> allX, allY, frontX, frontY;
        double best = -1.0;
        for (const auto &[macs, accuracy] : points) {
            allX << macs / 1e6;
            allY << 100.0 * accuracy;
            if (accuracy > best) {
                best = accuracy;
                frontX << macs / 1e6;
                frontY << 100.0 * accuracy;
            }
        }
        QColor faint = colour;
        faint.setAlpha(70);
        auto *cloud = plot->addGraph();
        cloud->removeFromLegend();
        cloud->setLineStyle(QCPGraph::lsNone);
        cloud->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, faint, faint, 4));
        cloud->setData(allX, allY, true);
        auto *line = plot->addGraph();
        line->setName(fronts[f].name);
        line->setLineStyle(QCPGraph::lsStepLeft);
        line->setPen(QPen(colour, 2.0));
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 2.0), Qt::white, 8));
        line->setData(frontX, frontY, true);
        for (int i = 0; i < frontX.size(); ++i) {
            xMin = std::min(xMin, frontX[i]);
            xMax = std::max(xMax, frontX[i]);
            yMin = std::min(yMin, frontY[i]);
            yMax = std::max(yMax, frontY[i]);
        }
    }
    if (xMax > 0.0) {
        const double dx = std::max(0.05 * (xMax - xMin), 0.05), dy = std::max(0.05 * (yMax - yMin), 0.1);
        plot->xAxis->setRange(std::max(0.0, xMin - dx), xMax + dx);
        plot->yAxis->setRange(yMin - dy, std::min(100.0, yMax + dy));
    }
    return plot;
}

} // namespace edanas::ui
