// The Studio's supernet training: Supernet > Train Supernet..., the Training dock, and
// what follows a training (its supernet becomes the one in use). MainWindow's members
// for that, apart from the window's other jobs.
#include "ui/mainwindow/mainwindow.h"

#include "ui/training/traindialog.h"
#include "ui/training/trainingjob.h"
#include "ui/training/trainingview.h"

#include "data/dataset.h"
#include "supernet/checkpointinfo.h"
#include "supernet/estimate.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

namespace edanas::ui {

namespace {

const QString kLastTrainingKey = QStringLiteral("lastTraining");

} // namespace

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
    QAction *resume = supernetMenu->addAction(tr("Res&ume Training"), this, [this] { resumeTraining(); });
    resume->setObjectName(QStringLiteral("resumeTrainingAction"));
    resume->setToolTip(tr("Go on with the last training started here, after its last complete epoch "
                          "(also after the Studio was closed)"));
    connect(supernetMenu, &QMenu::aboutToShow, this, [this, resume] {
        resume->setEnabled(!m_training->isRunning() && !unfinishedTraining().isEmpty());
    });

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
        if (m_closeAfterTraining) {
            m_closeAfterTraining = false;
            close();
        }
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
    // the images an epoch sees: the training split, as the trainer draws it
    const qint64 trainingSplit = supernet::imagesPerEpoch(*m_dataset, supernet::TrainConfig{});
    auto *dialog = new TrainDialog(name, trainingSplit, m_dataset->train.channels,
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
    QSettings().setValue(kLastTrainingKey, request.outPath);
    m_trainingDock->show();
    m_trainingDock->raise();
    log(tr("Training a %1 supernet on %2 into %3").arg(space, QString::fromStdString(m_dataset->name), request.outPath));
    return m_training->start(request);
}

void MainWindow::askToStopTraining()
{
    if (m_stopTrainingBox) {
        m_stopTrainingBox->raise();
        return;
    }
    m_stopTrainingBox = new QMessageBox(
        QMessageBox::Question, tr("A supernet is training"),
        tr("%1 is still training. Stop it and close?\n\nThe checkpoint keeps the last complete epoch; "
           "Supernet > Resume Training goes on from there.")
            .arg(m_training->outPath()),
        QMessageBox::Yes | QMessageBox::No, this);
    m_stopTrainingBox->setObjectName(QStringLiteral("stopTrainingBox"));
    m_stopTrainingBox->setAttribute(Qt::WA_DeleteOnClose);
    m_stopTrainingBox->button(QMessageBox::Yes)->setText(tr("Stop and Close"));
    m_stopTrainingBox->button(QMessageBox::No)->setText(tr("Keep Training"));
    connect(m_stopTrainingBox, &QMessageBox::finished, this, [this](int result) {
        if (result != QMessageBox::Yes || !m_training->isRunning())
            return;
        m_closeAfterTraining = true;
        log(tr("Closing: stopping the training after the batch under way"));
        statusBar()->showMessage(tr("Stopping the training before closing…"));
        m_training->cancel();
    });
    m_stopTrainingBox->open();
}

QString MainWindow::unfinishedTraining() const
{
    const QString path = QSettings().value(kLastTrainingKey).toString();
    if (path.isEmpty() || !QFileInfo::exists(path))
        return {};
    try {
        const auto info = supernet::readCheckpointInfo(path.toStdString());
        const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        return state.value(QStringLiteral("complete")).toBool() ? QString() : path;
    } catch (const std::exception &) {
        return {};
    }
}

bool MainWindow::resumeTraining()
{
    const QString path = unfinishedTraining();
    auto refuse = [this](const QString &why) {
        log(tr("Cannot resume the training: %1").arg(why));
        statusBar()->showMessage(tr("Cannot resume the training (see the log)"));
        return false;
    };
    if (path.isEmpty())
        return refuse(tr("no unfinished training was started here"));
    if (m_training->isRunning())
        return refuse(tr("a training runs"));
    try {
        const auto info = supernet::readCheckpointInfo(path.toStdString());
        const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        const QJsonObject space = QJsonDocument::fromJson(QByteArray::fromStdString(info.spaceJson)).object();
        if (!m_dataset || m_datasetHash.toStdString() != info.datasetHash)
            return refuse(tr("%1 trains on the data set \"%2\": open it first (File > Open Data Set)")
                              .arg(path, QString::fromStdString(info.datasetName)));
        const auto config = supernet::TrainConfig::fromJson(
            QJsonDocument(state.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact).toStdString());
        return startTraining(space.value(QStringLiteral("name")).toString(), config, path);
    } catch (const std::exception &e) {
        return refuse(QString::fromStdString(e.what()));
    }
}

} // namespace edanas::ui
