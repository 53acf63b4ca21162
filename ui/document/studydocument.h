#pragma once

#include "ui/search/searchtypes.h"

#include "search/pareto.h"

#include <QObject>
#include <QThreadPool>

#include <string>

class QUndoStack;

namespace edanas::ui {

class CandidateModel;

/// The study the Studio shows, as a document: which study it is and whether the
/// user's edits can be written to it, the limits its front is ruled by (MAC ceiling,
/// accuracy floor, cost measure), the user's flags and notes, and the one undo stack
/// for everything the user edits (constraint drags, pins, bans, notes, "fine-tune
/// later" marks, and the exit edits of the VariantEditor, which pushes onto the same
/// stack). Views observe it (limitsChanged) and send the user's edits to it; none
/// keeps its own copy of a constraint to pass around.
///
/// Study I/O: the user's flags and notes, and steering requests to a search another
/// process runs, are written to the study by one writer thread, in order; the GUI
/// thread never opens the study. Lives in the GUI thread.
class StudyDocument : public QObject
{
    Q_OBJECT

public:
    /// `candidates` holds the flags (the table shows them); the document applies and
    /// writes every change of them.
    explicit StudyDocument(CandidateModel *candidates, QObject *parent = nullptr);
    /// Waits for the writes in flight.
    ~StudyDocument() override;

    QUndoStack *undoStack() const { return m_undo; }

    /// A study is now shown (its file or server address; "" none): a new document,
    /// with an empty undo history. `readOnly`: flags and notes are not written.
    void setStudy(const QString &path, bool readOnly);
    QString path() const { return m_path; }
    bool isReadOnly() const { return m_readOnly; }

    const search::Limits &limits() const { return m_limits; }
    double maxMacs() const { return m_limits.maxMacs; }
    double minAccuracy() const { return m_limits.minAccuracy; }
    /// The limits of a study opened or a search started: not an edit (no undo step).
    void setLimits(const search::Limits &limits);
    /// The user moves the MAC ceiling (MACs; infinity: none) or the accuracy floor
    /// (0..1). Calls with `dragging` true are one undo step, ended by a call with
    /// `dragging` false (the release), which also settles the constraints.
    void editConstraints(double maxMacs, double minAccuracy, bool dragging);

    /// Writes a steering request for the search another process runs on this study
    /// (`request.<what>` event; search/measure.h), in order with the flag writes.
    void requestSearch(const QString &what, const std::string &json = "{}");
    /// Blocks until every write so far has landed (tests).
    void waitForWrites();

Q_SIGNALS:
    /// The limits changed (an edit, an undo or redo, a study opened): views redraw.
    void limitsChanged(const edanas::search::Limits &limits);
    /// A constraint edit is complete (a drag released, an undo, a redo): a running
    /// search should take the new constraints.
    void constraintsSettled(double maxMacs, double minAccuracy);
    /// An undo or a redo changed a candidate's flags from `from` to `to` (a pin or a
    /// ban undone should be taken back by the search too).
    void flagsRestored(qint64 id, const edanas::ui::CandidateFlags &from, const edanas::ui::CandidateFlags &to);
    /// The study changed (setStudy): edits of the previous one are gone.
    void studyChanged();
    /// What went wrong writing, for the log.
    void message(const QString &text);

private:
    friend class ConstraintsCommand;
    friend class FlagsCommand;
    void applyConstraints(double maxMacs, double minAccuracy, bool settle);
    void applyFlags(qint64 id, const CandidateFlags &from, const CandidateFlags &to, bool restored);
    void writeFlags(qint64 id, const CandidateFlags &flags);
    void onFlagsEdited(qint64 id, const CandidateFlags &flags, const CandidateFlags &before);

    CandidateModel *m_candidates;
    QUndoStack *m_undo;
    QString m_path;
    bool m_readOnly = false;
    search::Limits m_limits;
    int m_dragSerial = 0;
    bool m_dragging = false;
    bool m_applying = false; ///< an undo command is changing the model's flags
    QThreadPool m_writer;    ///< one thread: writes land in order
};

} // namespace edanas::ui
