#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace edanas::data {
struct Dataset;
}

namespace edanas::ui {

/// Shows the open data set: source, format, shape, class counts per split and a strip
/// of sample images. Loading happens elsewhere; this view only displays.
class DatasetPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    void showLoading(const QString &path);
    void showDataset(std::shared_ptr<const data::Dataset> dataset);
    void showError(const QString &message);
    /// The supernet the search will use: its file and what it says about itself.
    void showSupernet(const QString &text);

    QString summaryText() const;
    int classRows() const;
    QString supernetText() const;

Q_SIGNALS:
    /// A link in the supernet's text was clicked ("log": its training log).
    void supernetLinkActivated(const QString &link);

private:
    QLabel *m_summary;
    QTableWidget *m_classes;
    QLabel *m_samples;
    QLabel *m_supernet;
};

} // namespace edanas::ui
