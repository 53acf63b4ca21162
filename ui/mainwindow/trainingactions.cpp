// The Studio's supernet training: Supernet > Train Supernet..., the Training dock, and
// what follows a training (its supernet becomes the one in use). MainWindow's members
// for that, apart from the window's other jobs.
#include "ui/mainwindow/mainwindow.h"

#include "ui/training/traindialog.h"
#include "ui/training/trainingjob.h"
#include "ui/training/trainingview.h"

#include "data/dataset.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QStandardPaths>
#include <QStatusBar>

namespace edanas::ui {

void MainWindow::createTraining(QMenu *supernetMenu)
{
    m_training = new TrainingJob(this);
    m_trainingView = new TrainingView(m_training, this);
    m_trainingDock = new QDockWidget(tr("Training"), this);
    m_trainingDock->setObjectName(QStringLiteral("trainingDock"));
    m_trainingDock->setWidget(m_trainingView);
    addDockWidget(Qt::RightDockWidgetArea, m_trainingDock);
    tabifyDockWidget(m_exitsDock, m_trainingDock);
    m_trainingDock->hide();

    QAction *train = supernetMenu->addAction(tr("&Train Supernet..."), this, &MainWindow::chooseTraining);
    train->setObjectName(QStringLiteral("trainSupernetAction"));
    train->setToolTip(tr("Train a supernet on the open data set, in the background"));

    connect(m_training, &TrainingJob::started, this, [this](int startEpoch, int total) {
        log(startEpoch > 0 ? tr("Training %1: resuming after epoch %2 of %3").arg(m_training->outPath()).arg(startEpoch).arg(total)
                           : tr("Training %1: %2 epochs").arg(m_training->outPath()).arg(total));
    });
    connect(m_training, &TrainingJob::epochDone, this, [this](const supernet::EpochReport &r) {
        const double big = r.largest.accuracy.empty() ? 0.0 : r.largest.accuracy.back();
        const double small = r.smallest.accuracy.empty() ? 0.0 : r.smallest.accuracy.back();
        log(tr("Training: epoch %1 of %2 (%3): loss %4, validation top-1 at the head: largest %5 %, smallest %6 %")
                .arg(r.epoch)
                .arg(r.totalEpochs)
                .arg(QString::fromStdString(supernet::phaseName(r.phase)))
                .arg(r.loss, 0, 'f', 4)
                .arg(100 * big, 0, 'f', 2)
                .arg(100 * small, 0, 'f', 2));
    });
    connect(m_training, &TrainingJob::finished, this, [this](bool completed, const QString &error) {
        const QString out = m_training->outPath();
        if (completed) {
            log(tr("Training finished: %1").arg(out));
            statusBar()->showMessage(tr("Supernet trained: %1").arg(out));
            openSupernet(out);
        } else if (!error.isEmpty()) {
            log(tr("Training could not run: %1").arg(error));
            statusBar()->showMessage(tr("Training failed (see the log)"));
        } else {
            log(tr("Training cancelled: %1 keeps the last complete epoch").arg(out));
        }
        Q_EMIT trainingFinished(completed, error);
    });
}

void MainWindow::chooseTraining()
{
    if (!m_dataset) {
        statusBar()->showMessage(tr("Open a data set first (File > Open Data Set)"));
        return;
    }
    if (m_training->isRunning()) {
        m_trainingDock->show();
        m_trainingDock->raise();
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/supernets");
    QDir().mkpath(dir);
    const QString name = QString::fromStdString(m_dataset->name);
    auto *dialog = new TrainDialog(name, qint64(m_dataset->train.size()), m_dataset->train.channels,
                                   m_dataset->classCount(), QStringLiteral("%1/%2-ofa-mbv3.pt").arg(dir, name), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        startTraining(dialog->space(), dialog->config(), dialog->outPath());
    });
    dialog->open();
}

bool MainWindow::startTraining(const QString &space, const supernet::TrainConfig &config, const QString &outPath)
{
    if (!m_dataset || m_training->isRunning() || outPath.isEmpty())
        return false;
    TrainingJob::Request request;
    request.dataset = m_dataset;
    request.space = space;
    request.config = config;
    request.outPath = QFileInfo(outPath).absoluteFilePath();
    m_trainingDock->show();
    m_trainingDock->raise();
    log(tr("Training a %1 supernet on %2 into %3").arg(space, QString::fromStdString(m_dataset->name), request.outPath));
    return m_training->start(request);
}

} // namespace edanas::ui
