#include "figureexport.h"

#include "edanas/version.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <qcustomplot.h>

#include <cmath>

namespace edanas::ui {

std::optional<FigureFormat> figureFormatFor(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return FigureFormat::Png;
    if (suffix == QLatin1String("svg"))
        return FigureFormat::Svg;
    if (suffix == QLatin1String("pdf"))
        return FigureFormat::Pdf;
    return std::nullopt;
}

QSizeF FigureSize::logical() const
{
    const double f = 96.0 / dpi;
    return {pixels.width() * f, pixels.height() * f};
}

QString FigureSize::validate() const
{
    if (pixels.width() < 16 || pixels.height() < 16 || pixels.width() > 20000 || pixels.height() > 20000)
        return QStringLiteral("size %1x%2 is out of range (16 to 20000 pixels a side)")
            .arg(pixels.width())
            .arg(pixels.height());
    if (dpi < 36 || dpi > 1200)
        return QStringLiteral("%1 dpi is out of range (36 to 1200)").arg(dpi);
    const QSizeF l = logical();
    if (l.width() < 16 || l.height() < 16)
        return QStringLiteral("%1x%2 pixels at %3 dpi leave too little room to draw in")
            .arg(pixels.width())
            .arg(pixels.height())
            .arg(dpi);
    return {};
}

Figure &Figure::add(QWidget *view, const QRectF &where)
{
    m_panels.push_back({view, where});
    return *this;
}

void Figure::paint(QPaintDevice *device, const QSizeF &logical, double scale, bool vector) const
{
    QCPPainter painter(device);
    if (vector)
        painter.setMode(QCPPainter::pmVectorized);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    painter.fillRect(QRectF(QPointF(), logical), Qt::white);
    for (const auto &panel : m_panels) {
        const QRectF r(panel.where.x() * logical.width(), panel.where.y() * logical.height(),
                       panel.where.width() * logical.width(), panel.where.height() * logical.height());
        const QSize size(int(std::lround(r.width())), int(std::lround(r.height())));
        painter.save();
        painter.translate(r.topLeft());
        painter.setClipRect(QRectF(QPointF(), r.size()));
        if (auto *plot = qobject_cast<QCustomPlot *>(panel.view)) {
            // the live views skip antialiasing for speed; a figure is drawn once
            const auto antialiased = plot->antialiasedElements();
            const auto notAntialiased = plot->notAntialiasedElements();
            plot->setAntialiasedElements(QCP::aeAll);
            plot->toPainter(&painter, size.width(), size.height());
            plot->setNotAntialiasedElements(notAntialiased);
            plot->setAntialiasedElements(antialiased);
            if (plot->isVisible())
                plot->replot(QCustomPlot::rpQueuedReplot); // its own size again
        } else {
            const QSize old = panel.view->size();
            panel.view->resize(size);
            panel.view->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
            if (panel.view->isVisible())
                panel.view->resize(old);
        }
        painter.restore();
    }
}

QImage Figure::toImage(const FigureSize &size) const
{
    QImage image(size.pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    // fonts are sized on the 96-dpi layout; the device's own dpi is set afterwards
    image.setDotsPerMeterX(int(std::lround(96 / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(96 / 0.0254)));
    paint(&image, size.logical(), size.dpi / 96.0, false);
    image.setDotsPerMeterX(int(std::lround(size.dpi / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(size.dpi / 0.0254)));
    return image;
}

QByteArray Figure::toPng(const FigureSize &size) const
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    toImage(size).save(&buffer, "PNG");
    return bytes;
}

QByteArray Figure::toSvg(const FigureSize &size, const QString &title) const
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QSizeF logical = size.logical();
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setResolution(96);
    svg.setSize(logical.toSize());
    svg.setViewBox(QRectF(QPointF(), logical));
    svg.setTitle(title);
    svg.setDescription(QStringLiteral("EDANAS Studio %1").arg(QString::fromLatin1(kVersion)));
    paint(&svg, logical, 1.0, true);
    return bytes;
}

QByteArray Figure::toPdf(const FigureSize &size, const QString &title) const
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QSizeF logical = size.logical();
    QPdfWriter pdf(&buffer);
    pdf.setResolution(96);
    pdf.setPageSize(QPageSize(logical * (72.0 / 96.0), QPageSize::Point, QString(), QPageSize::ExactMatch));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setTitle(title);
    pdf.setCreator(QStringLiteral("EDANAS Studio %1").arg(QString::fromLatin1(kVersion)));
    paint(&pdf, logical, 1.0, true);
    return bytes;
}

QString Figure::write(const QString &path, const FigureSize &size, const QString &title) const
{
    const auto format = figureFormatFor(path);
    if (!format)
        return QStringLiteral("%1: unknown figure format (the name must end in .png, .svg or .pdf)").arg(path);
    if (const QString why = size.validate(); !why.isEmpty())
        return QStringLiteral("%1: %2").arg(path, why);
    if (isEmpty())
        return QStringLiteral("%1: nothing to draw").arg(path);
    const QByteArray bytes = *format == FigureFormat::Png   ? toPng(size)
                             : *format == FigureFormat::Svg ? toSvg(size, title)
                                                            : toPdf(size, title);
    if (bytes.isEmpty())
        return QStringLiteral("%1: the figure could not be drawn").arg(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
    if (file.write(bytes) != bytes.size() || !file.commit())
        return QStringLiteral("%1: cannot write: %2").arg(path, file.errorString());
    return {};
}

} // namespace edanas::ui
