// The Studio's supernet: opening one (Supernet > Open Supernet..., recent supernets),
// and whether it fits the open data set (channels, classes, the data set it learnt).
// MainWindow's members for that, apart from the window's other jobs.
#include "ui/mainwindow/mainwindow.h"

#include "ui/architecture/architectureview.h"
#include "ui/data/datasetpanel.h"
#include "ui/widgets/recentlist.h"

#include "data/dataset.h"
#include "space/searchspace.h"
#include "supernet/checkpointinfo.h"
#include "supernet/fit.h"

#include <QAction>
#include <QDialog>
#include <QFontDatabase>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QVBoxLayout>
#include <QDir>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
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
    // the supernets that come with the Studio, each with what it reaches
    QMenu *shipped = menu->addMenu(tr("Open &Shipped Supernet"));
    shipped->setObjectName(QStringLiteral("shippedSupernetMenu"));
    shipped->setToolTipsVisible(true);
    connect(shipped, &QMenu::aboutToShow, this, [this, shipped] { fillShippedSupernets(shipped); });
    fillShippedSupernets(shipped);
    menu->addSeparator();
    createTraining(menu);
}

namespace {

/// "s1.b4 91.1 · s2.b4 92.7 · head 93.2" from an epoch report's {"accuracy": {...}}
/// (positions in block order, the head last).
QString perExit(const QJsonObject &subnet)
{
    const QJsonObject acc = subnet.value(QStringLiteral("accuracy")).toObject();
    QStringList keys = acc.keys(); // "final" sorts first; s<stage>.b<block> sort in order
    keys.removeAll(QStringLiteral("final"));
    QStringList parts;
    for (const QString &k : keys)
        parts << QStringLiteral("%1 %2").arg(k).arg(100 * acc.value(k).toDouble(), 0, 'f', 1);
    if (acc.contains(QStringLiteral("final")))
        parts << MainWindow::tr("head %1").arg(100 * acc.value(QStringLiteral("final")).toDouble(), 0, 'f', 1);
    return parts.join(QStringLiteral(" · "));
}

/// The training log (one JSON object per epoch) as lines a person reads.
QString readableLog(const std::string &log)
{
    QStringList out;
    for (const QString &line : QString::fromStdString(log).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
        if (o.isEmpty())
            continue;
        out << MainWindow::tr("epoch %1 (%2 %3): loss %4, %5 images/s, %6 s")
                   .arg(o.value(QStringLiteral("epoch")).toInt())
                   .arg(o.value(QStringLiteral("phase")).toString())
                   .arg(o.value(QStringLiteral("phase_epoch")).toInt())
                   .arg(o.value(QStringLiteral("loss")).toDouble(), 0, 'f', 4)
                   .arg(o.value(QStringLiteral("images_per_second")).toDouble(), 0, 'f', 0)
                   .arg(o.value(QStringLiteral("seconds")).toDouble(), 0, 'f', 0)
            << MainWindow::tr("  largest  %1").arg(perExit(o.value(QStringLiteral("largest")).toObject()))
            << MainWindow::tr("  smallest %1").arg(perExit(o.value(QStringLiteral("smallest")).toObject()));
    }
    return out.join(QLatin1Char('\n'));
}

} // namespace

void MainWindow::showSupernet(const QString &path)
{
    m_supernetPath = path; // a bad one is reported again, with the engine's message, at start
    m_supernetLog.clear();
    if (path.isEmpty()) {
        m_datasetPanel->showSupernet(tr("<b>Supernet:</b> none found (Supernet &gt; Train Supernet..., or "
                                        "<tt>edanas supernet train</tt>)."));
        return;
    }
    try {
        const auto info = supernet::readCheckpointInfo(path.toStdString());
        const QJsonObject state = QJsonDocument::fromJson(QByteArray::fromStdString(info.state)).object();
        const QJsonObject space = QJsonDocument::fromJson(QByteArray::fromStdString(info.spaceJson)).object();
        m_architecture->setSpace(space::SearchSpace::fromJson(info.spaceJson, path.toStdString()));
        m_supernetLog = readableLog(info.trainingLog);
        // the last epoch's line holds the latest accuracies, at every exit
        const QStringList lines = QString::fromStdString(info.trainingLog).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QString accuracy;
        if (!lines.isEmpty()) {
            const QJsonObject last = QJsonDocument::fromJson(lines.constLast().toUtf8()).object();
            accuracy = tr("<br>validation top-1 per exit (%):<br>&nbsp;largest: %1<br>&nbsp;smallest: %2")
                           .arg(perExit(last.value(QStringLiteral("largest")).toObject()),
                                perExit(last.value(QStringLiteral("smallest")).toObject()));
        }
        m_datasetPanel->showSupernet(
            tr("<b>Supernet:</b> %1 space, trained on %2 (%3 of %4 epochs)%5%6<br><small>%7</small>")
                .arg(space.value(QStringLiteral("name")).toString(), QString::fromStdString(info.datasetName))
                .arg(state.value(QStringLiteral("next_epoch")).toInt())
                .arg(state.value(QStringLiteral("total_epochs")).toInt())
                .arg(accuracy,
                     m_supernetLog.isEmpty() ? QString() : tr("<br><a href=\"log\">Training log...</a>"),
                     path.toHtmlEscaped()));
        log(tr("Supernet %1").arg(path));
    } catch (const std::exception &e) {
        m_datasetPanel->showSupernet(
            tr("<b>Supernet:</b> cannot be used: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        log(QString::fromStdString(e.what()));
    }
}

void MainWindow::showSupernetLog()
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("supernetLogDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Training log of %1").arg(QFileInfo(m_supernetPath).fileName()));
    auto *text = new QPlainTextEdit(m_supernetLog, dialog);
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    dialog->resize(900, 500);
    dialog->show();
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

void MainWindow::fillShippedSupernets(QMenu *menu)
{
    menu->clear();
    const QString fallback = QString::fromStdString(supernet::defaultSupernetPath());
    if (fallback.isEmpty()) {
        menu->addAction(tr("(none installed)"))->setEnabled(false);
        return;
    }
    const QString defaultPath = QFileInfo(fallback).absoluteFilePath();
    for (const QFileInfo &f : QDir(QFileInfo(fallback).absolutePath()).entryInfoList({QStringLiteral("*.pt")}, QDir::Files)) {
        const QString path = f.absoluteFilePath();
        QString text = f.completeBaseName();
        try {
            const auto info = supernet::readCheckpointInfo(path.toStdString());
            const auto space = QJsonDocument::fromJson(QByteArray::fromStdString(info.spaceJson)).object();
            text = tr("%1, trained on %2").arg(space.value(QStringLiteral("name")).toString(text),
                                               QString::fromStdString(info.datasetName));
        } catch (const std::exception &) {
            text += tr(" (unreadable)");
        }
        // the documented accuracy beside it: the final head of the largest and smallest subnet
        QFile doc(f.absolutePath() + QLatin1Char('/') + f.completeBaseName() + QStringLiteral(".accuracy.json"));
        if (doc.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(doc.readAll()).object();
            auto head = [&o](const char *subnet) {
                const auto exits = o.value(QStringLiteral("subnets")).toObject().value(QLatin1String(subnet)).toObject()
                                       .value(QStringLiteral("exits")).toArray();
                return exits.isEmpty() ? -1.0 : exits.last().toObject().value(QStringLiteral("accuracy")).toDouble(-1.0);
            };
            if (head("largest") >= 0.0 && head("smallest") >= 0.0)
                text += tr(": %1 % largest, %2 % smallest (%L3 %4 images)")
                            .arg(100.0 * head("largest"), 0, 'f', 1)
                            .arg(100.0 * head("smallest"), 0, 'f', 1)
                            .arg(o.value(QStringLiteral("images")).toInteger())
                            .arg(o.value(QStringLiteral("split")).toString());
        }
        if (path == defaultPath)
            text += tr(" [default]");
        QAction *a = menu->addAction(text, this, [this, path] { openSupernet(path); });
        a->setToolTip(path);
        a->setCheckable(true);
        a->setChecked(path == QFileInfo(m_supernetPath).absoluteFilePath());
    }
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
    // the default first, so a data set that several shipped supernets fit gets the default
    const QString shipped = QString::fromStdString(supernet::defaultSupernetPath());
    add(shipped);
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
