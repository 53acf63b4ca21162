// The Studio's study: opening one (File > Open Study..., recent studies), showing it,
// following a study another process writes and steering that search through it, and
// writing the user's flags and notes back. MainWindow's members for that, apart from the
// window's other jobs.
#include "ui/mainwindow/mainwindow.h"

#include "ui/architecture/architectureview.h"
#include "ui/figures/studyfigures.h"
#include "ui/mainwindow/studytext.h"
#include "ui/pareto/paretoview.h"
#include "ui/search/candidatemodel.h"
#include "ui/search/searchpanel.h"
#include "ui/search/studyfollower.h"
#include "ui/widgets/recentlist.h"

#include "search/measure.h"
#include "study/records.h"
#include "study/study.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QStatusBar>
#include <QThread>

namespace edanas::ui {

bool MainWindow::steerCandidate(qint64 id, const QString &what)
{
    const int row = m_candidates->rowOf(id);
    if (row < 0)
        return false;
    const QString error = steerGenome(what, m_candidates->candidate(row).genome);
    if (!error.isEmpty())
        log(tr("Cannot %1 candidate %2: %3").arg(what).arg(id).arg(error));
    return error.isEmpty();
}

void MainWindow::pinCandidate(qint64 id)
{
    if (!steerCandidate(id, QStringLiteral("pin")))
        return;
    m_candidates->setPinned(id, true);
    log(tr("Candidate %1 pinned: it stays in the population").arg(id));
}

void MainWindow::banCandidate(qint64 id)
{
    if (!steerCandidate(id, QStringLiteral("ban")))
        return;
    m_candidates->setBanned(id, true);
    log(tr("Candidate %1 banned: it will not return to the population").arg(id));
}

void MainWindow::injectCandidate(qint64 id)
{
    if (steerCandidate(id, QStringLiteral("inject")))
        log(tr("A copy of candidate %1 is injected into the next generation").arg(id));
}

void MainWindow::saveFlags(qint64 id, const CandidateFlags &flags)
{
    if (m_studyPath.isEmpty())
        return;
    if (m_studyReadOnly) {
        log(tr("%1 is open read-only: the flags and note of candidate %2 are not saved").arg(shownStudy(m_studyPath)).arg(id));
        return;
    }
    // One writer thread, so that edits land in order; a Study connection lives and dies
    // within one task (thread affinity). The running search's own connection and this
    // one share the file safely (WAL, 5 s lock wait).
    const std::string path = m_studyPath.toStdString();
    m_flagWriter.start([this, path, id, flags] {
        try {
            study::Study s = study::Study::open(path);
            s.updateCandidateFlags(id, flags.pinned, flags.banned, flags.note.toStdString());
            study::setFineTuneLater(s, id, flags.fineTune);
        } catch (const std::exception &e) {
            // the window waits for this pool before it is destroyed
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(this, [this, message] {
                log(tr("Could not save a candidate's flags: %1").arg(message));
            }, Qt::QueuedConnection);
        }
    });
}

void MainWindow::newStudy()
{
    if (m_search->isActive()) {
        log(tr("Stop the running search before starting a new study"));
        return;
    }
    ++m_studyLoadGeneration; // a study still loading is no longer wanted
    m_follower->stop();
    setRemoteSearch({});
    m_candidates->clear();
    m_pareto->clear();
    selectCandidate(-1);
    m_studyPath.clear();
    m_studyReadOnly = false;
    m_searchPanel->proposeNewStudyPath();
    updateTitle();
    statusBar()->showMessage(tr("New study: set up the search and start it"));
}

void MainWindow::chooseStudy()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a study"),
                                                      m_studyPath.isEmpty() ? SearchPanel::defaultStudyFolder() : m_studyPath,
                                                      tr("EDANAS studies (*.edanas);;All files (*)"));
    if (!path.isEmpty())
        openStudy(path);
}

void MainWindow::openStudy(const QString &path)
{
    if (m_search->isActive()) {
        const QString message = tr("Stop the running search before opening another study");
        log(message);
        Q_EMIT studyFailed(message);
        return;
    }
    const int generation = ++m_studyLoadGeneration;
    m_follower->stop();
    setRemoteSearch({});
    log(tr("Opening study %1").arg(shownStudy(path)));
    statusBar()->showMessage(tr("Opening %1…").arg(shownStudy(path)));
    // Read on a worker thread (its own read-only connection); the result comes back as
    // a queued call on the GUI thread (this window is the context object).
    QThread *thread = QThread::create([this, path, generation] {
        try {
            auto contents = std::make_shared<const StudyContents>(readStudy(path));
            QMetaObject::invokeMethod(this, [this, contents, generation] {
                if (generation == m_studyLoadGeneration)
                    showStudy(*contents);
            }, Qt::QueuedConnection);
        } catch (const std::exception &e) {
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(this, [this, message, generation] {
                if (generation != m_studyLoadGeneration)
                    return;
                log(message);
                statusBar()->showMessage(tr("Could not open the study"));
                Q_EMIT studyFailed(message);
            }, Qt::QueuedConnection);
        }
    });
    thread->setObjectName(QStringLiteral("studyLoader"));
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    m_loaders.removeAll(nullptr);
    m_loaders.append(thread);
    thread->start();
}

void MainWindow::showStudy(const StudyContents &contents)
{
    if (m_search->isActive())
        return; // a search started meanwhile: its study wins
    m_candidates->clear();
    m_pareto->clear();
    selectCandidate(-1);
    const auto &c = contents.config;
    m_candidates->setLimits(search::limitsOf(c));
    m_pareto->setLimits(search::limitsOf(c));
    m_pareto->setPlannedGenerations(c.generations);
    m_pareto->setCost(c.trueCost ? ParetoView::Cost::True : ParetoView::Cost::Paper);
    m_searchPanel->setConstraints(c.maxMacs, c.minAccuracy);
    for (std::size_t i = 0; i < contents.candidates.size(); ++i) {
        m_candidates->addCandidate(contents.candidates[i], contents.flags[i]);
        m_pareto->addCandidate(contents.candidates[i]);
    }
    for (const auto &g : contents.generations)
        m_pareto->addGeneration(g);
    m_candidates->flush();
    m_studyPath = contents.path;
    // The candidates are shown, never changed; the user's flags, notes and "fine-tune
    // later" marks are written back (each in its own transaction, safe beside a
    // headless search writing the same file) unless the file cannot be written.
    m_studyReadOnly = !isServerStudy(contents.path) && !QFileInfo(contents.path).isWritable();
    try { // the study's own space: it may come from another supernet than the default
        m_architecture->setSpace(studySpace(contents));
    } catch (const std::exception &e) {
        log(tr("The architecture of %1's candidates cannot be drawn: %2").arg(contents.path, QString::fromUtf8(e.what())));
    }
    updateTitle();
    addRecentStudy(contents.path);
    const QString msg = tr("Study %1: %2 candidates, %3 generations (%4 space, %5 encoding%6)")
                            .arg(shownStudy(contents.path))
                            .arg(contents.candidates.size())
                            .arg(contents.generations.size())
                            .arg(contents.spaceName, QString::fromStdString(search::encodingName(c.encoding)),
                                 m_studyReadOnly ? tr("; read-only") : QString());
    log(msg);
    statusBar()->showMessage(msg);
    // another process may be writing it (a headless search, a distributed search's
    // coordinator and workers): what it adds appears as it lands
    m_follower->follow(contents.path, cursorAfter(contents));
    setRemoteSearch(contents.coordinatorStatus);
    Q_EMIT studyLoaded(int(contents.candidates.size()));
}

void MainWindow::setRemoteSearch(const QString &status)
{
    if (m_search->isActive())
        return; // this process's own search decides what the controls do
    const bool live = status == QLatin1String("running") || status == QLatin1String("paused");
    if (live && !m_remoteSearch)
        log(tr("%1 is being searched by another process: Pause, Resume, Stop, the constraints, pin, ban and inject "
               "reach it through the study").arg(shownStudy(m_studyPath)));
    m_remoteSearch = live;
    using S = SearchController::State;
    onStateChanged(!live ? S::Idle : status == QLatin1String("paused") ? S::Paused : S::Running);
    if (!live && !status.isEmpty())
        statusBar()->showMessage(tr("%1: its search has %2").arg(shownStudy(m_studyPath), status));
}

void MainWindow::steerRun(const QString &what)
{
    if (m_remoteSearch) {
        requestRemote(what);
        return;
    }
    if (what == QLatin1String("pause"))
        m_search->pause();
    else if (what == QLatin1String("resume"))
        m_search->resume();
    else
        m_search->stop();
}

QString MainWindow::steerGenome(const QString &what, const space::Genome &genome)
{
    if (m_remoteSearch) {
        requestRemote(what, genome.toJson());
        return {};
    }
    return what == QLatin1String("pin")   ? m_search->pin(genome)
           : what == QLatin1String("ban") ? m_search->ban(genome)
                                          : m_search->inject(genome);
}

void MainWindow::requestRemote(const QString &what, const std::string &json)
{
    // written by the flag writer's thread, in order with the user's other edits
    const std::string path = m_studyPath.toStdString();
    const std::string type = std::string(search::kSteeringRequest) + what.toStdString();
    log(tr("Asked the search writing %1 to %2").arg(shownStudy(m_studyPath), what));
    m_flagWriter.start([this, path, type, json] {
        try {
            study::Study s = study::Study::open(path);
            s.addEvent(0, type, json);
        } catch (const std::exception &e) {
            const QString message = QString::fromStdString(e.what());
            QMetaObject::invokeMethod(this, [this, message] { log(tr("Could not steer the search: %1").arg(message)); },
                                      Qt::QueuedConnection);
        }
    });
}

void MainWindow::onFollowed(const StudyContents &update)
{
    if (m_search->isActive() || update.path != m_studyPath)
        return;
    for (std::size_t i = 0; i < update.candidates.size(); ++i) {
        m_candidates->addCandidate(update.candidates[i], update.flags[i]);
        m_pareto->addCandidate(update.candidates[i]);
    }
    for (const auto &g : update.generations) {
        m_pareto->addGeneration(g);
        log(tr("%1: generation %2 landed, front %3, hypervolume %4")
                .arg(shownStudy(update.path))
                .arg(g.generation)
                .arg(g.front.size())
                .arg(g.hypervolume, 0, 'f', 5));
    }
    m_candidates->flush();
    setRemoteSearch(update.coordinatorStatus);
    const QString status = update.coordinatorStatus.isEmpty()
                               ? QString()
                               : tr(" (its coordinator: %1)").arg(update.coordinatorStatus);
    statusBar()->showMessage(tr("Following %1: %2 new candidates%3")
                                 .arg(shownStudy(update.path))
                                 .arg(update.candidates.size())
                                 .arg(status));
    Q_EMIT studyFollowed(int(update.candidates.size()), int(update.generations.size()));
}

QStringList MainWindow::recentStudies() const
{
    return m_recentStudies->entries();
}

void MainWindow::addRecentStudy(const QString &path)
{
    // a server study is remembered without its password (PGPASSWORD or ~/.pgpass give it)
    m_recentStudies->add(isServerStudy(path) ? shownStudy(path) : QFileInfo(path).absoluteFilePath());
}

} // namespace edanas::ui
