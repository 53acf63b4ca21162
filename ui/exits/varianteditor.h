#pragma once

#include "eenn/profile.h"
#include "space/genome.h"

#include <QObject>

#include <memory>

class QUndoStack;

namespace edanas::ui {

/// The exits of one candidate being edited: its backbone's exit profile, the exit
/// configuration as it is now (the "variant") and its figures, re-evaluated from the
/// profile after every edit (no network run). Every edit is an undoable command on
/// the editor's QUndoStack; successive drags of the same exit merge into one step.
/// Lives on the GUI thread.
class VariantEditor : public QObject
{
    Q_OBJECT

public:
    explicit VariantEditor(QObject *parent = nullptr);
    ~VariantEditor() override;

    /// Starts editing `genome`'s exits over `profile` (its backbone's); clears the undo history.
    void setCandidate(std::int64_t id, const space::Genome &genome, std::shared_ptr<const eenn::ExitProfile> profile);
    void clear();
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
    /// Ends a drag: the next drag of the same exit starts a new undo step.
    void finishDrag();

    QUndoStack *undoStack() const { return m_undo; }

    /// Applies a configuration directly (used by the undo commands).
    void apply(const eenn::ExitConfig &config);

Q_SIGNALS:
    /// After every change of the configuration, with its new figures.
    void changed();
    void candidateChanged();

private:
    bool push(const QString &text, const eenn::ExitConfig &after, int mergeId);

    QUndoStack *m_undo;
    std::int64_t m_id = 0;
    space::Genome m_genome;
    std::shared_ptr<const eenn::ExitProfile> m_profile;
    eenn::ExitConfig m_original, m_config;
    eenn::ExitEvaluation m_evaluation;
    int m_dragSerial = 0; ///< distinguishes successive drags for merging
};

} // namespace edanas::ui
