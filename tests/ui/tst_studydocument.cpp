// The study document: one undo stack for constraint drags, pins, bans, notes,
// "fine-tune later" marks and exit edits; each undo step restores the table, the limits
// the views observe, and what is written to the study file.
#include "ui/document/studydocument.h"
#include "ui/exits/varianteditor.h"
#include "exitfixture.h"
#include "ui/jobs/jobrunner.h"
#include "ui/search/candidatemodel.h"

#include "study/records.h"
#include "study/study.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUndoStack>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

using namespace edanas;

namespace {

search::CandidateSnapshot candidate(std::int64_t id, double accuracy, double macs)
{
    search::CandidateSnapshot c;
    c.id = id;
    c.accuracy = accuracy;
    c.macsTrue = macs;
    c.macsPaper = 0.8 * macs;
    c.staticMacs = 1.5 * macs;
    c.origin = "random";
    return c;
}

/// A study file holding candidates 1..n (what the document writes flags into).
void writeStudy(const QString &path, int n)
{
    study::Study s = study::Study::create(path.toStdString(), {});
    for (int i = 1; i <= n; ++i) {
        study::CandidateRecord r;
        r.genomeJson = "{}";
        r.genomeHash = std::uint64_t(i);
        r.accuracy = 0.5;
        s.addCandidate(r);
    }
}

bool markedForFineTuning(const QString &path, std::int64_t id)
{
    const auto marked = study::readFineTuneLater(study::Study::open(path.toStdString(), true));
    return std::find(marked.begin(), marked.end(), id) != marked.end();
}

study::CandidateRecord stored(const QString &path, std::int64_t id)
{
    for (const auto &c : study::Study::open(path.toStdString(), true).candidates())
        if (c.id == id)
            return c;
    return {};
}

std::shared_ptr<const eenn::ExitProfile> profile()
{
    return test::randomExitProfile(200, 5);
}

space::Genome genome()
{
    return test::twoExitGenome();
}

} // namespace

class TestStudyDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aConstraintDragIsOneStep()
    {
        ui::CandidateModel model;
        ui::StudyDocument doc(&model);
        connect(&doc, &ui::StudyDocument::limitsChanged, &model, &ui::CandidateModel::setLimits);
        model.addCandidate(candidate(1, 0.6, 2e6));
        model.addCandidate(candidate(2, 0.8, 6e6));
        model.flush();
        search::Limits limits;
        doc.setLimits(limits); // a study opened: not a step
        QCOMPARE(doc.undoStack()->count(), 0);
        QCOMPARE(model.frontSize(), 2);

        QSignalSpy settled(&doc, &ui::StudyDocument::constraintsSettled);
        for (double macs : {9e6, 7e6, 5e6})
            doc.editConstraints(macs, 0.0, true);
        QCOMPARE(settled.count(), 0); // a search is steered at the release, not on the way
        QCOMPARE(model.maxMacs(), 5e6); // the views follow every move
        doc.editConstraints(4e6, 0.0, false);
        QCOMPARE(doc.undoStack()->count(), 1);
        QCOMPARE(settled.count(), 1);
        QCOMPARE(settled.last().at(0).toDouble(), 4e6);
        QCOMPARE(model.frontSize(), 1); // candidate 2 is past the ceiling

        doc.editConstraints(4e6, 0.7, false); // a second edit: a second step
        QCOMPARE(doc.undoStack()->count(), 2);
        QCOMPARE(model.frontSize(), 0);

        doc.undoStack()->undo();
        doc.undoStack()->undo();
        QVERIFY(std::isinf(doc.maxMacs()));
        QCOMPARE(doc.minAccuracy(), 0.0);
        QVERIFY(std::isinf(model.maxMacs()));
        QCOMPARE(model.frontSize(), 2);
        QCOMPARE(settled.count(), 4); // each undo settles: the search takes it back
        QVERIFY(std::isinf(settled.last().at(0).toDouble()));
        doc.undoStack()->redo();
        QCOMPARE(doc.maxMacs(), 4e6);
        QCOMPARE(model.maxMacs(), 4e6);
    }

    void flagsAndNotesAreUndoneInTheTableAndTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("flags.edanas"));
        writeStudy(path, 3);
        ui::CandidateModel model;
        ui::StudyDocument doc(&model);
        doc.setStudy(path, false);
        for (int id = 1; id <= 3; ++id)
            model.addCandidate(candidate(id, 0.5 + 0.1 * id, 1e6 * id));
        model.flush();
        QSignalSpy restored(&doc, &ui::StudyDocument::flagsRestored);

        model.setPinned(1, true);
        model.setBanned(2, true);
        QVERIFY(model.setData(model.index(model.rowOf(3), ui::CandidateModel::Note), QStringLiteral("looks good")));
        model.setFineTune(3, true);
        QCOMPARE(doc.undoStack()->count(), 4);
        QCOMPARE(doc.undoStack()->undoText(), QStringLiteral("Mark for fine-tuning candidate 3"));
        QCOMPARE(restored.count(), 0); // the user's own edits are not "restored"
        doc.waitForWrites();
        QVERIFY(stored(path, 1).pinned);
        QVERIFY(stored(path, 2).banned);
        QCOMPARE(stored(path, 3).note, std::string("looks good"));
        QVERIFY(markedForFineTuning(path, 3));

        for (int i = 0; i < 4; ++i)
            doc.undoStack()->undo();
        QVERIFY(!model.flagsAt(model.rowOf(1)).pinned);
        QVERIFY(!model.flagsAt(model.rowOf(2)).banned);
        QCOMPARE(model.flagsAt(model.rowOf(3)).note, QString());
        QVERIFY(!model.flagsAt(model.rowOf(3)).fineTune);
        QCOMPARE(restored.count(), 4);
        // the ban undone: from banned to not (the Studio unbans in the running search)
        const auto unban = std::find_if(restored.begin(), restored.end(),
                                        [](const QList<QVariant> &r) { return r.at(0).toLongLong() == 2; });
        QVERIFY(unban != restored.end());
        QVERIFY(unban->at(1).value<ui::CandidateFlags>().banned);
        QVERIFY(!unban->at(2).value<ui::CandidateFlags>().banned);
        doc.waitForWrites();
        QVERIFY(!stored(path, 1).pinned);
        QVERIFY(!stored(path, 2).banned);
        QCOMPARE(stored(path, 3).note, std::string());
        QVERIFY(!markedForFineTuning(path, 3));

        doc.undoStack()->redo(); // the pin again
        QVERIFY(model.flagsAt(model.rowOf(1)).pinned);
        doc.waitForWrites();
        QVERIFY(stored(path, 1).pinned);

        // another study: a new history
        doc.setStudy({}, false);
        QCOMPARE(doc.undoStack()->count(), 0);
    }

    void aReadOnlyStudyIsNotWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ro.edanas"));
        writeStudy(path, 1);
        const QByteArray before = [&] {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        ui::CandidateModel model;
        ui::StudyDocument doc(&model);
        doc.setStudy(path, true);
        model.addCandidate(candidate(1, 0.5, 1e6));
        model.flush();
        QSignalSpy messages(&doc, &ui::StudyDocument::message);
        model.setPinned(1, true);
        doc.waitForWrites();
        QCOMPARE(messages.count(), 1);
        QVERIFY(messages.first().first().toString().contains(QLatin1String("read-only")));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
        QCOMPARE(doc.undoStack()->count(), 1); // still undoable in the window
    }

    void exitEditsShareTheStackAndOutliveTheSelection()
    {
        ui::CandidateModel model;
        ui::StudyDocument doc(&model);
        ui::VariantEditor editor(nullptr, doc.undoStack());
        QSignalSpy revisit(&editor, &ui::VariantEditor::revisitRequested);
        const auto p = profile();
        editor.setCandidate(1, genome(), p);
        QVERIFY(editor.moveExit(1, 3));
        doc.editConstraints(5e6, 0.5, false); // a constraint between two exit edits
        editor.setCandidate(2, genome(), p);  // another candidate: the history stays
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 2}));
        QVERIFY(editor.setThreshold(0, 0.9));
        QCOMPARE(doc.undoStack()->count(), 3);
        QCOMPARE(doc.undoStack()->undoText(), QStringLiteral("Change threshold of candidate 2"));

        editor.setCandidate(1, genome(), p); // back: candidate 1's edit is still there
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 3}));
        QVERIFY(editor.isModified());

        doc.undoStack()->undo(); // candidate 2's threshold, while 1 is shown: asks for 2
        QCOMPARE(revisit.count(), 1);
        QCOMPARE(revisit.first().first().value<std::int64_t>(), std::int64_t(2));
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 3})); // 1 unchanged
        editor.setCandidate(2, genome(), p);
        QCOMPARE(editor.config().thresholds[0], 0.5); // 2 as the undo left it
        doc.undoStack()->undo(); // the constraint
        QVERIFY(std::isinf(doc.maxMacs()));
        doc.undoStack()->undo(); // candidate 1's move
        QCOMPARE(revisit.count(), 2);
        editor.setCandidate(1, genome(), p);
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 2}));
        QVERIFY(!editor.isModified());

        // a new study forgets the edits
        doc.undoStack()->redo();
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 3}));
        connect(&doc, &ui::StudyDocument::studyChanged, &editor, &ui::VariantEditor::forgetEdits);
        doc.setStudy(QStringLiteral("other.edanas"), true);
        editor.setCandidate(1, genome(), p);
        QCOMPARE(editor.config().exits, (std::vector<int>{0, 2}));
    }

    void jobsReportCancelAndSupersede()
    {
        ui::JobRunner runner;
        // a job's work runs off the GUI thread; its result comes back on it
        std::atomic<bool> offThread{false};
        QThread *gui = QThread::currentThread();
        QString error = QStringLiteral("unset");
        ui::Job::Outcome outcome = ui::Job::Outcome::Failed;
        ui::Job *job = runner.start(
            QStringLiteral("count"),
            [&, gui](const ui::JobContext &c) {
                offThread = QThread::currentThread() != gui;
                c.progress(QStringLiteral("half way"));
            },
            [&](ui::Job::Outcome o, const QString &e) {
                QCOMPARE(QThread::currentThread(), gui);
                outcome = o;
                error = e;
            });
        QSignalSpy progress(job, &ui::Job::progress);
        QTRY_VERIFY(runner.isIdle());
        QVERIFY(offThread);
        QCOMPARE(outcome, ui::Job::Outcome::Done);
        QCOMPARE(error, QString());

        // an exception is a failure with its message
        runner.start(QStringLiteral("fail"), [](const ui::JobContext &) { throw std::runtime_error("disk full"); },
                     [&](ui::Job::Outcome o, const QString &e) {
                         outcome = o;
                         error = e;
                     });
        QTRY_VERIFY(runner.isIdle());
        QCOMPARE(outcome, ui::Job::Outcome::Failed);
        QCOMPARE(error, QStringLiteral("disk full"));

        // cancelled: the work sees the flag and stops
        std::atomic<bool> started{false};
        runner.start(QStringLiteral("long"),
                     [&](const ui::JobContext &c) {
                         started = true;
                         while (!c.isCancelled())
                             QThread::msleep(5);
                         throw std::runtime_error("cancelled");
                     },
                     [&](ui::Job::Outcome o, const QString &) { outcome = o; });
        QTRY_VERIFY(started.load());
        QCOMPARE(runner.cancellableJobs().size(), 1);
        runner.cancelAll();
        QTRY_VERIFY(runner.isIdle());
        QCOMPARE(outcome, ui::Job::Outcome::Cancelled);

        // a newer job of the same group supersedes the older: only the newer one's result
        QStringList results;
        ui::JobRunner::Options options;
        options.group = QStringLiteral("load");
        options.cancellable = false;
        std::atomic<bool> release{false};
        runner.start(QStringLiteral("old"), [&](const ui::JobContext &) { while (!release) QThread::msleep(5); },
                     [&](ui::Job::Outcome, const QString &) { results << QStringLiteral("old"); }, options);
        runner.start(QStringLiteral("new"), [](const ui::JobContext &) {},
                     [&](ui::Job::Outcome, const QString &) { results << QStringLiteral("new"); }, options);
        QVERIFY(runner.cancellableJobs().isEmpty());
        release = true;
        QTRY_VERIFY(runner.isIdle());
        QCOMPARE(results, QStringList{QStringLiteral("new")});
    }
};

QTEST_MAIN(TestStudyDocument)
#include "tst_studydocument.moc"
