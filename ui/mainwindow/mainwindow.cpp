#include "mainwindow.h"

#include "data/datasetpanel.h"

#include "data/dataset.h"
#include "supernet/checkpointinfo.h"
#include "edanas/version.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStatusBar>
#include <QThread>

namespace edanas::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_pareto(new QCustomPlot(this))
    , m_datasetPanel(new DatasetPanel(this))
    , m_log(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("EDANAS Studio"));

    // The Pareto view: accuracy against average MACs; candidates arrive with a study.
    m_pareto->setObjectName(QStringLiteral("paretoPlot"));
    m_pareto->xAxis->setLabel(tr("Average MACs (millions)"));
    m_pareto->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    m_pareto->yAxis->setRange(0, 100);
    m_pareto->xAxis->setRange(0, 10);
    m_pareto->plotLayout()->insertRow(0);
    m_pareto->plotLayout()->addElement(0, 0, new QCPTextElement(m_pareto, tr("Pareto front"),
                                                                QFont(font().family(), 11, QFont::Bold)));
    setCentralWidget(m_pareto);

    createDocks();
    createMenus();
    statusBar()->showMessage(tr("Ready"));

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1400, 900);
}

MainWindow::~MainWindow()
{
    // Loader threads post their result to this window: let them finish first.
    for (const QPointer<QThread> &thread : std::as_const(m_loaders)) {
        if (thread)
            thread->wait();
    }
}

void MainWindow::createDocks()
{
    m_datasetDock = new QDockWidget(tr("Data set"), this);
    m_datasetDock->setObjectName(QStringLiteral("datasetDock"));
    m_datasetDock->setWidget(m_datasetPanel);
    addDockWidget(Qt::LeftDockWidgetArea, m_datasetDock);

    m_log->setObjectName(QStringLiteral("log"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_logDock = new QDockWidget(tr("Log"), this);
    m_logDock->setObjectName(QStringLiteral("logDock"));
    m_logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction *open = file->addAction(tr("Open &Data Set..."), this, &MainWindow::chooseDataset);
    open->setObjectName(QStringLiteral("openDatasetAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("quitAction"));

    QMenu *search = menuBar()->addMenu(tr("&Search"));
    search->setObjectName(QStringLiteral("searchMenu"));
    search->setToolTipsVisible(true);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    view->addAction(m_datasetDock->toggleViewAction());
    view->addAction(m_logDock->toggleViewAction());
    view->addSeparator();
    QAction *fullScreen = view->addAction(tr("&Full Screen"));
    fullScreen->setCheckable(true);
    fullScreen->setShortcut(QKeySequence::FullScreen);
    connect(fullScreen, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? (windowState() | Qt::WindowFullScreen) : (windowState() & ~Qt::WindowFullScreen));
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *about = help->addAction(tr("&About EDANAS Studio"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(QMessageBox::Information, tr("About EDANAS Studio"),
                                tr("<h3>EDANAS Studio %1</h3>"
                                   "<p>Design early-exit neural networks: search the backbone, the "
                                   "exit placement and the exit thresholds together, for accuracy "
                                   "and average MACs, and steer the search by eye.</p>"
                                   "<p>Method: EDANAS (Gambella and Roveri, IJCNN 2023) and NACHOS "
                                   "(Gambella et al., 2024), over the Once-for-All MobileNetV3 space.</p>"
                                   "<p>Built with Qt %2, QCustomPlot, LibTorch and OpenCV.</p>")
                                    .arg(QString::fromLatin1(kVersion), QString::fromLatin1(qVersion())),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showSupernet(const QString &path)
{
    if (path.isEmpty()) {
        m_datasetPanel->showSupernet(tr("<b>Supernet:</b> none found (train one with "
                                        "<tt>edanas supernet train</tt>)."));
        return;
    }
    try {
        const auto info = supernet::readCheckpointInfo(path.toStdString());
        const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        const QJsonObject space = QJsonDocument::fromJson(QByteArray::fromStdString(info.spaceJson)).object();
        // The last line of the training log holds the latest accuracies.
        const QStringList lines = QString::fromStdString(info.trainingLog).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QString accuracy;
        if (!lines.isEmpty()) {
            const QJsonObject last = QJsonDocument::fromJson(lines.constLast().toUtf8()).object();
            const double big = last.value(QStringLiteral("largest")).toObject().value(QStringLiteral("accuracy"))
                                   .toObject().value(QStringLiteral("final")).toDouble();
            const double small = last.value(QStringLiteral("smallest")).toObject().value(QStringLiteral("accuracy"))
                                     .toObject().value(QStringLiteral("final")).toDouble();
            accuracy = tr("<br>validation top-1: largest %1 %, smallest %2 %").arg(100 * big, 0, 'f', 1).arg(100 * small, 0, 'f', 1);
        }
        m_datasetPanel->showSupernet(tr("<b>Supernet:</b> %1 space, trained on %2 (%3 of %4 epochs)%5<br><small>%6</small>")
                                         .arg(space.value(QStringLiteral("name")).toString(),
                                              QString::fromStdString(info.datasetName))
                                         .arg(state.value(QStringLiteral("next_epoch")).toInt())
                                         .arg(state.value(QStringLiteral("total_epochs")).toInt())
                                         .arg(accuracy, path.toHtmlEscaped()));
        log(tr("Supernet %1").arg(path));
    } catch (const std::exception &e) {
        m_datasetPanel->showSupernet(tr("<b>Supernet:</b> cannot be used: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        log(QString::fromStdString(e.what()));
    }
}

void MainWindow::chooseDataset()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open a data set folder (IDX, CIFAR binary, or one sub-folder per class)"),
        m_dataset ? QString::fromStdString(m_dataset->ref.path) : QString());
    if (!dir.isEmpty())
        openDataset(dir);
}

void MainWindow::openDataset(const QString &path, const QString &format)
{
    const int generation = ++m_loadGeneration;
    m_datasetPanel->showLoading(path);
    log(tr("Opening data set %1").arg(path));
    data::DatasetRef ref;
    ref.path = path.toStdString();
    try {
        ref.format = data::parseFormat(format.toStdString());
    } catch (const std::exception &e) {
        const QString message = QString::fromStdString(e.what());
        m_datasetPanel->showError(message);
        log(message);
        Q_EMIT datasetFailed(message);
        return;
    }

    // Decoding runs on a worker thread; the result comes back as a queued call on the
    // GUI thread (this window is the context object).
    QThread *thread = QThread::create([this, ref, generation] {
        QElapsedTimer timer;
        timer.start();
        try {
            auto ds = std::make_shared<const data::Dataset>(data::loadDataset(ref));
            const double seconds = timer.nsecsElapsed() / 1e9;
            QMetaObject::invokeMethod(this, [this, ds, seconds, generation] {
                if (generation == m_loadGeneration)
                    onDatasetReady(ds, seconds);
            }, Qt::QueuedConnection);
        } catch (const std::exception &e) {
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(this, [this, message, generation] {
                if (generation != m_loadGeneration)
                    return;
                m_datasetPanel->showError(message);
                log(message);
                statusBar()->showMessage(tr("Could not open the data set"));
                Q_EMIT datasetFailed(message);
            }, Qt::QueuedConnection);
        }
    });
    thread->setObjectName(QStringLiteral("datasetLoader"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_loaders.removeAll(nullptr);
    m_loaders.append(thread);
    thread->start();
}

void MainWindow::onDatasetReady(std::shared_ptr<const data::Dataset> dataset, double seconds)
{
    m_dataset = std::move(dataset);
    m_datasetPanel->showDataset(m_dataset);
    const QString msg = tr("Data set %1: %2 training and %3 test images, %4 classes (loaded in %5 s)")
                            .arg(QString::fromStdString(m_dataset->name))
                            .arg(m_dataset->train.size())
                            .arg(m_dataset->test.size())
                            .arg(m_dataset->classCount())
                            .arg(seconds, 0, 'f', 2);
    log(msg);
    statusBar()->showMessage(msg);
    Q_EMIT datasetLoaded();
}

void MainWindow::log(const QString &message)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + message);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace edanas::ui
