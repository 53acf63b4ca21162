#pragma once

#include <QMainWindow>

#include <QList>
#include <QPointer>

#include <memory>

class QAction;
class QCustomPlot;
class QDockWidget;
class QPlainTextEdit;
class QThread;

namespace edanas::data {
struct Dataset;
}

namespace edanas::ui {

class DatasetPanel;

/// The Studio's main window: the central Pareto view, docks around it, the menus.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Shows what a supernet checkpoint says about itself (no weights are loaded).
    void showSupernet(const QString &path);

    /// Loads a data set in a background thread; datasetLoaded or datasetFailed follows.
    void openDataset(const QString &path, const QString &format = QStringLiteral("auto"));

    std::shared_ptr<const data::Dataset> dataset() const { return m_dataset; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }

Q_SIGNALS:
    void datasetLoaded();
    void datasetFailed(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void createDocks();
    void chooseDataset();
    void showAbout();
    void log(const QString &message);
    void onDatasetReady(std::shared_ptr<const data::Dataset> dataset, double seconds);

    QCustomPlot *m_pareto;
    DatasetPanel *m_datasetPanel;
    QPlainTextEdit *m_log;
    QDockWidget *m_datasetDock = nullptr;
    QDockWidget *m_logDock = nullptr;
    std::shared_ptr<const data::Dataset> m_dataset;
    QList<QPointer<QThread>> m_loaders; ///< waited for on destruction
    int m_loadGeneration = 0; ///< ignores results of loads that were superseded
};

} // namespace edanas::ui
