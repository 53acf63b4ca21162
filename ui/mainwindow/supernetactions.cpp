// The Studio's supernet: opening one (Supernet > Open Supernet..., recent supernets),
// and whether it fits the open data set (channels, classes, the data set it learnt).
// MainWindow's members for that, apart from the window's other jobs.
#include "ui/mainwindow/mainwindow.h"

#include "ui/data/datasetpanel.h"
#include "ui/widgets/recentlist.h"

#include "data/dataset.h"
#include "space/searchspace.h"
#include "supernet/checkpointinfo.h"
#include "supernet/fit.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace edanas::ui {

void MainWindow::createSupernetMenu()
{
    QMenu *menu = menuBar()->addMenu(tr("Super&net"));
    menu->setObjectName(QStringLiteral("supernetMenu"));
    QAction *open = menu->addAction(tr("&Open Supernet..."), this, &MainWindow::chooseSupernet);
    open->setObjectName(QStringLiteral("openSupernetAction"));
    open->setToolTip(tr("A trained supernet checkpoint (.pt) for the open data set"));
    QMenu *recent = menu->addMenu(tr("Open &Recent Supernet"));
    recent->setObjectName(QStringLiteral("recentSupernetMenu"));
    m_recentSupernets = new RecentList(QStringLiteral("recentSupernets"), recent, this);
    connect(m_recentSupernets, &RecentList::chosen, this, &MainWindow::openSupernet);
    menu->addSeparator();
    createTraining(menu);
}

void MainWindow::chooseSupernet()
{
    const QString start = m_supernetPath.isEmpty() ? QString() : QFileInfo(m_supernetPath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a trained supernet"), start,
                                                      tr("Supernet checkpoints (*.pt);;All files (*)"));
    if (!path.isEmpty())
        openSupernet(path);
}

bool MainWindow::openSupernet(const QString &path)
{
    QString problem;
    try {
        const auto info = supernet::readCheckpointInfo(path.toStdString());
        if (m_dataset)
            problem = QString::fromStdString(
                supernet::datasetMismatch(path.toStdString(), info, *m_dataset, m_datasetHash.toStdString()));
    } catch (const std::exception &e) {
        problem = QString::fromStdString(e.what());
    }
    if (!problem.isEmpty()) {
        log(tr("Supernet not opened: %1").arg(problem));
        statusBar()->showMessage(tr("Supernet not opened"));
        showSupernetProblem(tr("This supernet cannot be used"),
                            tr("%1\n\nThe supernet in use stays %2.")
                                .arg(problem, m_supernetPath.isEmpty() ? tr("none") : m_supernetPath));
        Q_EMIT supernetRefused(problem);
        return false;
    }
    showSupernet(path);
    m_recentSupernets->add(QFileInfo(path).absoluteFilePath());
    return true;
}

QString MainWindow::supernetMismatch() const
{
    if (!m_dataset)
        return {};
    if (m_supernetPath.isEmpty())
        return tr("No supernet is open.");
    try {
        const auto info = supernet::readCheckpointInfo(m_supernetPath.toStdString());
        return QString::fromStdString(
            supernet::datasetMismatch(m_supernetPath.toStdString(), info, *m_dataset, m_datasetHash.toStdString()));
    } catch (const std::exception &e) {
        return QString::fromStdString(e.what());
    }
}

QStringList MainWindow::recentSupernets() const
{
    return m_recentSupernets->entries();
}

QStringList MainWindow::supernetsToTry() const
{
    // the one in use, then the recent ones, then the shipped ones
    QStringList out;
    auto add = [&out](const QString &p) {
        const QString absolute = QFileInfo(p).absoluteFilePath();
        if (!p.isEmpty() && !out.contains(absolute) && QFileInfo::exists(absolute))
            out << absolute;
    };
    add(m_supernetPath);
    for (const QString &p : recentSupernets())
        add(p);
    const QString shipped = QString::fromStdString(supernet::defaultSupernetPath());
    if (!shipped.isEmpty())
        for (const QFileInfo &f : QDir(QFileInfo(shipped).absolutePath()).entryInfoList({QStringLiteral("*.pt")}, QDir::Files))
            add(f.absoluteFilePath());
    return out;
}

void MainWindow::applySupernetFit(const QString &fitting, const QString &problem)
{
    if (!fitting.isEmpty()) {
        if (QFileInfo(fitting).absoluteFilePath() != QFileInfo(m_supernetPath).absoluteFilePath()) {
            log(tr("The supernet %1 was trained on this data set: it is now the one in use").arg(fitting));
            showSupernet(fitting);
        }
        return;
    }
    const QString name = m_dataset ? QString::fromStdString(m_dataset->name) : QString();
    const QString train =
        tr("edanas supernet train --space ofa-mbv3 --data %1 --out %2.pt").arg(m_datasetPath, name.isEmpty() ? QStringLiteral("supernet") : name);
    log(tr("No supernet fits the data set %1: %2").arg(name, problem));
    m_datasetPanel->showSupernet(tr("<b>Supernet:</b> none fits this data set. %1<br>Train one for it: "
                                    "<tt>%2</tt>, then Supernet &gt; Open Supernet.")
                                     .arg(problem.toHtmlEscaped(), train.toHtmlEscaped()));
    showSupernetProblem(tr("No supernet fits this data set"),
                        tr("None of the supernets at hand (the one in use, the recent ones and the shipped ones) "
                           "was trained for %1.\n\n%2\n\nA search needs a supernet trained on the data set it "
                           "searches. Train one for it (docs/SUPERNET.md has the recipe and the time it takes):\n\n"
                           "%3\n\nthen open it with Supernet > Open Supernet.")
                            .arg(name, problem, train));
    Q_EMIT supernetMismatched(problem);
}

void MainWindow::showSupernetProblem(const QString &title, const QString &text)
{
    if (m_supernetBox)
        m_supernetBox->close();
    m_supernetBox = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    m_supernetBox->setObjectName(QStringLiteral("supernetProblemBox"));
    m_supernetBox->setAttribute(Qt::WA_DeleteOnClose);
    m_supernetBox->open();
}

} // namespace edanas::ui
