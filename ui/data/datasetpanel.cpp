#include "datasetpanel.h"

#include "data/dataset.h"
#include "data/split.h"

#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QTableWidget>
#include <QVBoxLayout>

namespace edanas::ui {

DatasetPanel::DatasetPanel(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_classes(new QTableWidget(this))
    , m_samples(new QLabel(this))
    , m_supernet(new QLabel(this))
{
    m_supernet->setObjectName(QStringLiteral("supernetSummary"));
    m_supernet->setWordWrap(true);
    m_supernet->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    connect(m_supernet, &QLabel::linkActivated, this, &DatasetPanel::supernetLinkActivated);
    m_summary->setObjectName(QStringLiteral("datasetSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_classes->setObjectName(QStringLiteral("datasetClasses"));
    m_classes->setColumnCount(4);
    m_classes->setHorizontalHeaderLabels({tr("Class"), tr("Train"), tr("Validation"), tr("Test")});
    m_classes->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_classes->horizontalHeader()->setStretchLastSection(true);
    m_classes->verticalHeader()->setVisible(false);
    m_classes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_samples->setObjectName(QStringLiteral("datasetSamples"));
    m_samples->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_samples);
    layout->addWidget(m_supernet); // what a search needs first, the class counts below
    layout->addWidget(m_classes, 1);
}

void DatasetPanel::showLoading(const QString &path)
{
    m_summary->setText(tr("Loading %1 ...").arg(path));
    m_classes->setRowCount(0);
    m_samples->clear();
}

void DatasetPanel::showError(const QString &message)
{
    m_summary->setText(tr("<b>Could not open the data set.</b><br>%1").arg(message.toHtmlEscaped()));
    m_classes->setRowCount(0);
    m_samples->clear();
}

void DatasetPanel::showDataset(std::shared_ptr<const data::Dataset> ds)
{
    const auto split = data::stratifiedSplit(ds->train.labels, ds->classCount(), 0.1, 0);
    const auto trainCounts = data::classCounts(ds->train.labels, ds->classCount(), split.train);
    const auto valCounts = data::classCounts(ds->train.labels, ds->classCount(), split.validation);
    const auto testCounts = data::classCounts(ds->test.labels, ds->classCount());

    m_summary->setText(tr("<b>%1</b> (%2)<br>%3<br>%4 x %5 pixels, %6 channel(s), %7 classes<br>"
                          "%8 training images (%9 train + %10 validation), %11 test images")
                           .arg(QString::fromStdString(ds->name).toHtmlEscaped(),
                                QString::fromStdString(data::formatName(ds->ref.format)),
                                QString::fromStdString(ds->ref.path).toHtmlEscaped())
                           .arg(ds->train.height)
                           .arg(ds->train.width)
                           .arg(ds->train.channels)
                           .arg(ds->classCount())
                           .arg(ds->train.size())
                           .arg(qint64(split.train.size()))
                           .arg(qint64(split.validation.size()))
                           .arg(ds->test.size()));

    m_classes->setRowCount(ds->classCount());
    for (int c = 0; c < ds->classCount(); ++c) {
        m_classes->setItem(c, 0, new QTableWidgetItem(QString::fromStdString(ds->classNames[std::size_t(c)])));
        const qint64 values[] = {trainCounts[std::size_t(c)], valCounts[std::size_t(c)],
                                 ds->test.size() ? testCounts[std::size_t(c)] : 0};
        for (int k = 0; k < 3; ++k) {
            auto *item = new QTableWidgetItem;
            item->setData(Qt::DisplayRole, values[k]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_classes->setItem(c, k + 1, item);
        }
    }

    // A strip with the first image of each class (up to 10).
    const int n = std::min(ds->classCount(), 10);
    const int cell = 40;
    QImage strip(n * cell, cell, QImage::Format_RGB888);
    strip.fill(Qt::white);
    for (int c = 0; c < n; ++c) {
        std::int64_t idx = -1;
        for (std::int64_t i = 0; i < ds->train.size() && idx < 0; ++i)
            if (ds->train.labels[std::size_t(i)] == c)
                idx = i;
        if (idx < 0)
            continue;
        const auto &set = ds->train;
        QImage img(set.image(idx), set.width, set.height, set.width * set.channels,
                   set.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        const QImage scaled = img.scaled(cell - 2, cell - 2, Qt::KeepAspectRatio, Qt::FastTransformation)
                                  .convertToFormat(QImage::Format_RGB888);
        for (int y = 0; y < scaled.height(); ++y)
            std::copy(scaled.constScanLine(y), scaled.constScanLine(y) + scaled.width() * 3,
                      strip.scanLine(y + 1) + (c * cell + 1) * 3);
    }
    m_samples->setPixmap(QPixmap::fromImage(strip));
    m_samples->setToolTip(tr("The first training image of each class"));
}

void DatasetPanel::showSupernet(const QString &text)
{
    m_supernet->setText(text);
}

QString DatasetPanel::supernetText() const
{
    return m_supernet->text();
}

QString DatasetPanel::summaryText() const
{
    return m_summary->text();
}

int DatasetPanel::classRows() const
{
    return m_classes->rowCount();
}

} // namespace edanas::ui
