#pragma once
// The fronts of several studies in one plot (`edanas study compare --out`): each study's
// non-dominated (MACs, accuracy) points as a step line, all points faint behind them.

#include <QColor>
#include <QString>

#include <utility>
#include <vector>

class QCustomPlot;
class QWidget;

namespace edanas::ui {

/// One study's points for the comparison plot.
struct ComparedFront
{
    QString name;                                  ///< legend text
    std::vector<std::pair<double, double>> points; ///< (MACs, accuracy 0..1), any order
};

/// A plot of the fronts, MMACs against top-1 accuracy (%), one colour per front, its
/// non-dominated points joined by a step line and its other points drawn faint. The
/// axes cover every front's non-dominated points; `title` goes above. Owned by `parent`.
QCustomPlot *frontComparisonPlot(const std::vector<ComparedFront> &fronts, const QString &title,
                                 QWidget *parent = nullptr);

} // namespace edanas::ui
