// MainWindow's layout: its docks (architecture, exit curves, candidates, search, data
// set, log) and its menus, built once at start-up.
#include "ui/mainwindow/mainwindow.h"

#include "ui/architecture/architectureview.h"
#include "ui/data/datasetpanel.h"
#include "ui/exits/exitcurvesview.h"
#include "ui/export/exportcontroller.h"
#include "ui/figures/studyfigures.h"

#include <qcustomplot.h>
#include "ui/exits/varianteditor.h"
#include "ui/pareto/paretoview.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/candidatetable.h"
#include "ui/search/searchpanel.h"
#include "ui/search/studyfollower.h"
#include "ui/training/trainingjob.h"
#include "ui/mainwindow/studytext.h"
#include "ui/widgets/recentlist.h"

#include "data/dataset.h"
#include "eenn/profilestore.h"
#include "space/searchspace.h"
#include "search/measure.h"
#include "study/records.h"
#include "study/study.h"
#include "supernet/checkpointinfo.h"
#include "supernet/fit.h"
#include "edanas/version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QScreen>
#include <QScrollArea>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QHBoxLayout>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QThread>

#include <cmath>

namespace edanas::ui {

namespace {

/// A dock's contents in a scroll area: a panel taller or wider than the room the
/// screen leaves scrolls instead of growing the window past the screen.
QWidget *scrollable(QWidget *content)
{
    auto *area = new QScrollArea;
    area->setObjectName(content->objectName() + QStringLiteral("Scroll"));
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    area->setWidget(content);
    area->setMinimumSize(180, 120);
    return area;
}

} // namespace

void MainWindow::createDocks()
{
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);

    m_searchDock = new QDockWidget(tr("Search"), this);
    m_searchDock->setObjectName(QStringLiteral("searchDock"));
    m_searchDock->setWidget(m_searchPanel); // its settings scroll, its run controls stay in view
    addDockWidget(Qt::LeftDockWidgetArea, m_searchDock);

    m_datasetDock = new QDockWidget(tr("Data set"), this);
    m_datasetDock->setObjectName(QStringLiteral("datasetDock"));
    m_datasetDock->setWidget(scrollable(m_datasetPanel));
    addDockWidget(Qt::LeftDockWidgetArea, m_datasetDock);

    m_tableDock = new QDockWidget(tr("Candidates"), this);
    m_tableDock->setObjectName(QStringLiteral("candidateDock"));
    m_tableDock->setWidget(m_table);
    addDockWidget(Qt::BottomDockWidgetArea, m_tableDock);

    m_log->setObjectName(QStringLiteral("log"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logDock = new QDockWidget(tr("Log"), this);
    m_logDock->setObjectName(QStringLiteral("logDock"));
    m_logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    splitDockWidget(m_tableDock, m_logDock, Qt::Horizontal);

    // the selected candidate: its architecture with its exits, and its per-exit curves
    m_architectureDock = new QDockWidget(tr("Architecture"), this);
    m_architectureDock->setObjectName(QStringLiteral("architectureDock"));
    m_architectureDock->setWidget(m_architecture);
    addDockWidget(Qt::TopDockWidgetArea, m_architectureDock);
    m_exitsDock = new QDockWidget(tr("Exit curves"), this);
    m_exitsDock->setObjectName(QStringLiteral("exitCurvesDock"));
    auto *exitsPanel = new QWidget(this);
    auto *exitsLayout = new QVBoxLayout(exitsPanel);
    exitsLayout->setContentsMargins(0, 0, 0, 0);
    exitsLayout->addWidget(m_exitCurves, 1);
    auto *buttons = new QHBoxLayout;
    auto *revert = new QPushButton(tr("Revert"), exitsPanel);
    auto *keep = new QPushButton(tr("Keep as candidate"), exitsPanel);
    keep->setToolTip(tr("Add the edited variant to the running search's archive, its exits as edited"));
    auto *inject = new QPushButton(tr("Inject into search"), exitsPanel);
    inject->setToolTip(tr("Send the edited variant to the running search's population"));
    buttons->addWidget(revert);
    buttons->addStretch(1);
    buttons->addWidget(keep);
    buttons->addWidget(inject);
    exitsLayout->addLayout(buttons);
    m_exitsDock->setWidget(scrollable(exitsPanel));
    addDockWidget(Qt::RightDockWidgetArea, m_exitsDock);
    connect(revert, &QPushButton::clicked, m_editor, [this] {
        if (m_editor->isActive())
            m_editor->revert();
    });
    connect(inject, &QPushButton::clicked, this, [this] {
        if (!m_editor->isActive())
            return;
        const QString why = m_search->inject(m_editor->variant());
        log(why.isEmpty() ? tr("Injected the edited variant of candidate %1: %2")
                                .arg(m_editor->candidateId())
                                .arg(QString::fromStdString(m_editor->variant().summary()))
                          : tr("Cannot inject: %1").arg(why));
    });
    connect(keep, &QPushButton::clicked, this, [this] {
        if (!m_editor->isActive())
            return;
        const QString why = m_search->keep(m_editor->variant());
        log(why.isEmpty() ? tr("Keeping the edited variant of candidate %1: %2")
                                .arg(m_editor->candidateId())
                                .arg(QString::fromStdString(m_editor->variant().summary()))
                          : tr("Cannot keep the variant: %1").arg(why));
    });
    connect(m_editor, &VariantEditor::candidateChanged, m_pareto, &ParetoView::clearVariant);
    connect(m_editor, &VariantEditor::changed, this, [this, inject, keep] {
        inject->setEnabled(m_editor->isModified() && m_search->isActive());
        keep->setEnabled(m_editor->isModified() && m_search->isActive());
        if (!m_editor->isActive())
            return;
        const auto &v = m_editor->evaluation();
        if (m_editor->isModified())
            m_pareto->setVariant(v.accuracy, v.averageMacsTrue, v.averageMacsPaper);
        else
            m_pareto->clearVariant();
        const auto &e = m_editor->evaluation();
        statusBar()->showMessage(tr("Candidate %1%2: accuracy %3 %, average %4 MMACs")
                                     .arg(m_editor->candidateId())
                                     .arg(m_editor->isModified() ? tr(" (edited)") : QString())
                                     .arg(100.0 * e.accuracy, 0, 'f', 2)
                                     .arg(e.averageMacsTrue / 1e6, 0, 'f', 3));
    });

    resizeDocks({m_searchDock, m_datasetDock}, {420, 380}, Qt::Vertical);
    resizeDocks({m_searchDock}, {380}, Qt::Horizontal);
    resizeDocks({m_tableDock, m_logDock}, {780, 330}, Qt::Horizontal);
    resizeDocks({m_tableDock}, {280}, Qt::Vertical);
    resizeDocks({m_exitsDock}, {340}, Qt::Horizontal);
    resizeDocks({m_architectureDock}, {190}, Qt::Vertical);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction *newStudy = file->addAction(tr("&New Study"), this, &MainWindow::newStudy);
    newStudy->setObjectName(QStringLiteral("newStudyAction"));
    newStudy->setShortcut(QKeySequence::New);
    QAction *openStudy = file->addAction(tr("&Open Study..."), this, &MainWindow::chooseStudy);
    openStudy->setObjectName(QStringLiteral("openStudyAction"));
    openStudy->setShortcut(QKeySequence::Open);
    QAction *openUrl = file->addAction(tr("Open Study &URL..."), this, [this] {
        bool ok = false;
        const QString url = QInputDialog::getText(
            this, tr("Open a study on a server"),
            tr("PostgreSQL study: postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME?study=NAME\n"
               "(without a password, PGPASSWORD and ~/.pgpass apply; none is ever stored or shown)"),
            QLineEdit::Normal, QStringLiteral("postgresql://"), &ok);
        if (ok && !url.trimmed().isEmpty())
            this->openStudy(url.trimmed());
    });
    openUrl->setObjectName(QStringLiteral("openStudyUrlAction"));
    QMenu *recentMenu = file->addMenu(tr("Open &Recent"));
    recentMenu->setObjectName(QStringLiteral("recentMenu"));
    m_recentStudies = new RecentList(QStringLiteral("recentStudies"), recentMenu, this);
    m_recentStudies->setPresentation(
        [](const QString &e) { return isServerStudy(e) ? e : QFileInfo(e).fileName(); },
        [](const QString &e) { return isServerStudy(e) || QFileInfo::exists(e); });
    connect(m_recentStudies, &RecentList::chosen, this, &MainWindow::openStudy);
    file->addSeparator();
    QAction *open = file->addAction(tr("Open &Data Set..."), this, &MainWindow::chooseDataset);
    open->setObjectName(QStringLiteral("openDatasetAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addSeparator();
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    exportMenu->setObjectName(QStringLiteral("exportMenu"));
    m_exports->populateMenu(exportMenu);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("quitAction"));

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_editor->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName(QStringLiteral("undoAction"));
    QAction *redo = m_editor->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setObjectName(QStringLiteral("redoAction"));
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu *search = menuBar()->addMenu(tr("&Search"));
    search->setObjectName(QStringLiteral("searchMenu"));
    search->setToolTipsVisible(true);
    m_startAction = search->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start"), this,
                                      &MainWindow::startSearch);
    m_startAction->setObjectName(QStringLiteral("startAction"));
    m_startAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_pauseAction = search->addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause"), this,
                                      [this] { steerRun(QStringLiteral("pause")); });
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(QKeySequence(Qt::Key_F6));
    m_resumeAction = search->addAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Resume"), this,
                                       [this] { steerRun(QStringLiteral("resume")); });
    m_resumeAction->setObjectName(QStringLiteral("resumeAction"));
    m_resumeAction->setShortcut(QKeySequence(Qt::Key_F7));
    m_stopAction = search->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this,
                                     [this] { steerRun(QStringLiteral("stop")); });
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    search->addSeparator();
    QAction *settings = search->addAction(tr("Se&ttings..."), this, &MainWindow::showSearchSettings);
    settings->setObjectName(QStringLiteral("searchSettingsAction"));
    settings->setShortcut(QKeySequence::Preferences);
    settings->setMenuRole(QAction::PreferencesRole);

    createSupernetMenu();

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    view->addAction(m_searchDock->toggleViewAction());
    view->addAction(m_tableDock->toggleViewAction());
    view->addAction(m_datasetDock->toggleViewAction());
    view->addAction(m_logDock->toggleViewAction());
    view->addSeparator();
    QAction *reset = view->addAction(tr("&Reset Zoom"), m_pareto, &ParetoView::resetZoom);
    reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction *logScale = view->addAction(tr("&Logarithmic MACs Axis"));
    logScale->setCheckable(true);
    logScale->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(logScale, &QAction::toggled, m_pareto, &ParetoView::setLogScale);
    connect(view, &QMenu::aboutToShow, logScale, [this, logScale] { logScale->setChecked(m_pareto->logScale()); });
    QAction *paperCost = view->addAction(tr("&Paper's Cost on the MACs Axis"));
    paperCost->setCheckable(true);
    connect(paperCost, &QAction::toggled, m_pareto, [this](bool on) {
        m_pareto->setCost(on ? ParetoView::Cost::Paper : ParetoView::Cost::True);
    });
    connect(view, &QMenu::aboutToShow, paperCost,
            [this, paperCost] { paperCost->setChecked(m_pareto->cost() == ParetoView::Cost::Paper); });
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

    onStateChanged(SearchController::State::Idle);
}

} // namespace edanas::ui
