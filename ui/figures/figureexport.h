#pragma once

#include <QByteArray>
#include <QImage>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class QPaintDevice;

namespace edanas::ui {

/// The file formats a figure is written in.
enum class FigureFormat { Png, Svg, Pdf };

/// The format a file name's suffix names (.png, .svg, .pdf; any case), or none.
std::optional<FigureFormat> figureFormatFor(const QString &path);

/// How big a figure is: `pixels` wide and high at `dpi` dots per inch, so its physical
/// size is pixels / dpi inches. Fonts keep their point size: a PNG at 300 dpi has the
/// layout of one at 96 dpi drawn 3.1 times finer. SVG and PDF get the same layout, as
/// vectors, at the same physical size.
struct FigureSize
{
    QSize pixels{1600, 1000};
    int dpi = 150;

    /// The size the views are laid out at (device-independent pixels, 96 per inch).
    QSizeF logical() const;
    /// Empty when usable, else why not (sizes 16..20000 pixels, 36..1200 dpi).
    QString validate() const;
};

/// One or more views drawn side by side into one picture. A QCustomPlot panel is
/// drawn as vectors through its own painter code; any other widget through
/// QWidget::render() (its paintEvent, so vectors too in SVG and PDF). The widgets must
/// outlive the Figure; they are resized (QCustomPlot: its viewport) only while drawn.
class Figure
{
public:
    /// Adds `view` at `where`, given in fractions (0..1) of the figure's width and height.
    Figure &add(QWidget *view, const QRectF &where = QRectF(0, 0, 1, 1));
    bool isEmpty() const { return m_panels.empty(); }

    QImage toImage(const FigureSize &size) const;
    QByteArray toPng(const FigureSize &size) const;
    QByteArray toSvg(const FigureSize &size, const QString &title = QString()) const;
    QByteArray toPdf(const FigureSize &size, const QString &title = QString()) const;

    /// Writes the figure in the format the suffix of `path` names, replacing the file
    /// only once the new one is complete. Returns an empty string when done, else one
    /// message naming the file and what was wrong.
    QString write(const QString &path, const FigureSize &size, const QString &title = QString()) const;

private:
    /// Draws every panel on `device`, laid out at `logical` and scaled by `scale`.
    void paint(QPaintDevice *device, const QSizeF &logical, double scale, bool vector) const;

    struct Panel
    {
        QWidget *view;
        QRectF where;
    };
    std::vector<Panel> m_panels;
};

} // namespace edanas::ui
