// Editing a candidate's exits: every edit re-evaluated from the profile, undo and redo,
// a drag as one undo step, and edits that cannot be made refused.
#include "ui/exits/varianteditor.h"
#include "exitfixture.h"

#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace edanas;

namespace {

std::shared_ptr<const eenn::ExitProfile> profile()
{
    return test::randomExitProfile(500, 3);
}

space::Genome genome()
{
    return test::twoExitGenome();
}

} // namespace

class TestVariantEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void editsAreEvaluatedFromTheProfile()
    {
        ui::VariantEditor e;
        QSignalSpy changed(&e, &ui::VariantEditor::changed);
        const auto p = profile();
        e.setCandidate(7, genome(), p);
        QCOMPARE(e.config().exits, (std::vector<int>{0, 2}));
        QVERIFY(!e.isModified());
        QVERIFY(e.moveExit(1, 3));
        QCOMPARE(e.config().exits, (std::vector<int>{0, 3}));
        QCOMPARE(e.evaluation().accuracy, eenn::evaluate(*p, e.config()).accuracy);
        QCOMPARE(e.evaluation().averageMacsTrue, eenn::evaluate(*p, e.config()).averageMacsTrue);
        QVERIFY(e.setThreshold(0, 0.9));
        QVERIFY(e.addExit(1, 0.4));
        QCOMPARE(e.config().exits, (std::vector<int>{0, 1, 3}));
        QCOMPARE(e.config().thresholds, (std::vector<double>{0.9, 0.4, 0.3}));
        QVERIFY(e.removeExit(0));
        QCOMPARE(e.config().exits, (std::vector<int>{1, 3}));
        QVERIFY(e.isModified());
        QCOMPARE(changed.count(), 1 + 4);
        // the variant genome carries the edited exits at the profile's positions
        const auto v = e.variant();
        QCOMPARE(v.exits.size(), std::size_t(2));
        QCOMPARE(v.exits[0].stage, 1);
        QCOMPARE(v.exits[1].stage, 3);
        QCOMPARE(v.exits[1].threshold, 0.3);
    }

    void undoAndRedo()
    {
        ui::VariantEditor e;
        const auto p = profile();
        e.setCandidate(1, genome(), p);
        const auto before = e.evaluation().accuracy;
        e.setThreshold(0, 0.95);
        e.removeExit(1);
        QCOMPARE(e.undoStack()->count(), 2);
        e.undoStack()->undo();
        e.undoStack()->undo();
        QVERIFY(!e.isModified());
        QCOMPARE(e.evaluation().accuracy, before);
        e.undoStack()->redo();
        QCOMPARE(e.config().thresholds[0], 0.95);
        QCOMPARE(e.config().exits.size(), std::size_t(2));
    }

    void aDragIsOneStep()
    {
        ui::VariantEditor e;
        e.setCandidate(1, genome(), profile());
        for (double t : {0.45, 0.4, 0.35, 0.3, 0.25})
            QVERIFY(e.setThreshold(0, t, true));
        e.finishDrag();
        QCOMPARE(e.undoStack()->count(), 1);
        // moving an exit across another changes its index on the way: still one step
        QVERIFY(e.moveExit(0, 1, true));
        QVERIFY(e.moveExit(0, 3, true)); // exit 0 at 1 -> 3, passing the exit at 2
        e.finishDrag();
        QCOMPARE(e.config().exits, (std::vector<int>{2, 3}));
        QCOMPARE(e.undoStack()->count(), 2);
        QVERIFY(e.setThreshold(1, 0.6, true)); // a new drag: a new step
        QCOMPARE(e.undoStack()->count(), 3);
        e.undoStack()->undo();
        e.undoStack()->undo();
        QCOMPARE(e.config().exits, (std::vector<int>{0, 2}));
        QCOMPARE(e.config().thresholds[0], 0.25);
    }

    void impossibleEditsAreRefused()
    {
        ui::VariantEditor e;
        QVERIFY(!e.moveExit(0, 1)); // nothing being edited
        e.setCandidate(1, genome(), profile());
        QVERIFY(!e.moveExit(0, 2));      // taken
        QVERIFY(!e.moveExit(0, 4));      // the final head is not an early exit
        QVERIFY(!e.addExit(2, 0.5));     // taken
        QVERIFY(!e.removeExit(5));
        QVERIFY(!e.setThreshold(0, std::nan("")));
        QCOMPARE(e.undoStack()->count(), 0);
    }
};

QTEST_MAIN(TestVariantEditor)
#include "tst_varianteditor.moc"
