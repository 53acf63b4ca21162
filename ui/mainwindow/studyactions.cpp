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
#include "ui/document/studydocument.h"
#include "ui/jobs/jobrunner.h"
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

void MainWindow::onFlagsRestored(qint64 id, const CandidateFlags &from, const CandidateFlags &to)
{
    // an undone pin or ban is taken back by the running search (the flag itself is
    // the document's); a search that ended keeps nothing to take back
    if (!m_search->isActive() && !m_remoteSearch)
        return;
    const int row = m_candidates->rowOf(id);
    if (row < 0)
        return;
    const space::Genome &genome = m_candidates->candidate(row).genome;
    auto steer = [&](const QString &what) {
        const QString error = steerGenome(what, genome);
        log(error.isEmpty() ? tr("Candidate %1: %2 (undo/redo)").arg(id).arg(what)
                            : tr("Cannot %1 candidate %2: %3").arg(what).arg(id).arg(error));
    };
    if (from.pinned != to.pinned)
        steer(to.pinned ? QStringLiteral("pin") : QStringLiteral("unpin"));
    if (from.banned != to.banned)
        steer(to.banned ? QStringLiteral("ban") : QStringLiteral("unban"));
}

void MainWindow::newStudy()
{
    if (m_search->isActive()) {
        log(tr("Stop the running search before starting a new study"));
        return;
    }
    m_jobs->supersede(QStringLiteral("study")); // a study still loading is no longer wanted
    m_follower->stop();
    setRemoteSearch({});
    m_candidates->clear();
    m_pareto->clear();
    selectCandidate(-1);
    m_studyPath.clear();
    m_studyReadOnly = false;
    m_document->setStudy({}, false);
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
    m_follower->stop();
    setRemoteSearch({});
    log(tr("Opening study %1").arg(shownStudy(path)));
    statusBar()->showMessage(tr("Opening %1…").arg(shownStudy(path)));
    // Read as a job (its own read-only connection); a newer study to open supersedes it.
    auto contents = std::make_shared<StudyContents>();
    startLoad(QStringLiteral("study"), tr("Opening study %1").arg(shownStudy(path)),
              [path, contents] { *contents = readStudy(path); },
              [this, contents](const QString &error) {
                  if (error.isEmpty()) {
                      showStudy(*contents);
                      return;
                  }
                  log(error);
                  statusBar()->showMessage(tr("Could not open the study"));
                  Q_EMIT studyFailed(error);
              });
}

void MainWindow::showStudy(const StudyContents &contents)
{
    if (m_search->isActive())
        return; // a search started meanwhile: its study wins
    m_candidates->clear();
    m_pareto->clear();
    selectCandidate(-1);
    const auto &c = contents.config;
    m_pareto->setPlannedGenerations(c.generations);
    m_pareto->setCost(c.trueCost ? ParetoView::Cost::True : ParetoView::Cost::Paper);
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
    m_document->setStudy(contents.path, m_studyReadOnly);
    m_document->setLimits(search::limitsOf(c));
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
    if (what == QLatin1String("pin"))
        return m_search->pin(genome);
    if (what == QLatin1String("ban"))
        return m_search->ban(genome);
    if (what == QLatin1String("unpin"))
        return m_search->unpin(genome);
    if (what == QLatin1String("unban"))
        return m_search->unban(genome);
    return m_search->inject(genome);
}

void MainWindow::requestRemote(const QString &what, const std::string &json)
{
    // written by the document's writer thread, in order with the user's other edits
    log(tr("Asked the search writing %1 to %2").arg(shownStudy(m_studyPath), what));
    m_document->requestSearch(what, json);
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
