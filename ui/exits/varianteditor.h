#pragma once

#include "eenn/profile.h"
#include "space/genome.h"

#include <QHash>
#include <QObject>

#include <memory>

class QUndoStack;

namespace edanas::ui {

/// The exits of one candidate being edited: its backbone's exit profile, the exit
/// configuration as it is now (the "variant") and its figures, re-evaluated from the
/// profile after every edit (no network run). Every edit is an undoable command on
/// the undo stack it is given (the Studio's: StudyDocument's, shared with the other
/// edits of the study) or its own; successive drags of the same exit merge into one
/// step. Each candidate's edits are kept when another one is selected, and come back
/// with it; undoing an edit of a candidate not shown asks for it (revisitRequested).
/// Lives on the GUI thread.
class VariantEditor : public QObject
{
    Q_OBJECT

public:
    /// `undoStack`: the stack edits go onto (not owned); null: an own one.
    explicit VariantEditor(QObject *parent = nullptr, QUndoStack *undoStack = nullptr);
    ~VariantEditor() override;

    /// Starts editing `genome`'s exits over `profile` (its backbone's), as this candidate's
    /// earlier edits left them (the undo history stays).
    void setCandidate(std::int64_t id, const space::Genome &genome, std::shared_ptr<const eenn::ExitProfile> profile);
    void clear();
    /// Forgets every candidate's edits (another study is shown; its stack was cleared).
    void forgetEdits();
    bool isActive() const { return m_profile != nullptr; }

    std::int64_t candidateId() const { return m_id; }
    const eenn::ExitProfile *profile() const { return m_profile.get(); }
    const eenn::ExitConfig &original() const { return m_original; }
    const eenn::ExitConfig &config() const { return m_config; }
    const eenn::ExitEvaluation &evaluation() const { return m_evaluation; }
    /// The candidate's genome with the edited exits.
    space::Genome variant() const;
    bool isModified() const;

    /// Edits (each one undoable). `exit` indexes the configuration's exits, `position`
    /// the profile's positions. Invalid edits (a position taken, out of range) are ignored
    /// and return false.
    bool moveExit(int exit, int position, bool dragging = false);
    bool setThreshold(int exit, double threshold, bool dragging = false);
    bool addExit(int position, double threshold);
    bool removeExit(int exit);
    /// Back to the candidate's own exits (one undo step); false when not modified.
    bool revert();
    /// Ends a drag: the next drag of the same exit starts a new undo step.
    void finishDrag();

    QUndoStack *undoStack() const { return m_undo; }

    /// Applies a configuration to candidate `id`'s exits (used by the undo commands).
    void apply(std::int64_t id, const eenn::ExitConfig &config);

Q_SIGNALS:
    /// After every change of the configuration, with its new figures.
    void changed();
    void candidateChanged();
    /// An undo or redo changed the exits of candidate `id`, which is not the one being
    /// edited: select it to show the change.
    void revisitRequested(std::int64_t id);

private:
    bool push(const QString &text, const eenn::ExitConfig &after, int mergeId);

    QUndoStack *m_undo;
    std::int64_t m_id = 0;
    space::Genome m_genome;
    std::shared_ptr<const eenn::ExitProfile> m_profile;
    eenn::ExitConfig m_original, m_config;
    eenn::ExitEvaluation m_evaluation;
    int m_dragSerial = 0; ///< distinguishes successive drags for merging
    QHash<std::int64_t, eenn::ExitConfig> m_edits; ///< each edited candidate's exits now
};

} // namespace edanas::ui
