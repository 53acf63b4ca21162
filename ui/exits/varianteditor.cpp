#include "varianteditor.h"

#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <cmath>

namespace edanas::ui {

namespace {

/// One edit of the exit configuration: before and after, both complete. Drags of the
/// same exit merge (same id) so that a whole drag is one undo step.
class ExitEditCommand : public QUndoCommand
{
public:
    ExitEditCommand(VariantEditor *editor, std::int64_t candidate, const QString &text, eenn::ExitConfig before,
                    eenn::ExitConfig after, int mergeId)
        : QUndoCommand(QObject::tr("%1 of candidate %2").arg(text).arg(candidate))
        , m_editor(editor)
        , m_candidate(candidate)
        , m_before(std::move(before))
        , m_after(std::move(after))
        , m_mergeId(mergeId)
    {
    }

    void undo() override { m_editor->apply(m_candidate, m_before); }
    void redo() override { m_editor->apply(m_candidate, m_after); }
    int id() const override { return m_mergeId; }
    bool mergeWith(const QUndoCommand *other) override
    {
        // the stack may be shared with other kinds of commands
        const auto *o = dynamic_cast<const ExitEditCommand *>(other);
        if (!o || o->id() != id() || o->m_candidate != m_candidate)
            return false;
        m_after = o->m_after;
        return true;
    }

private:
    VariantEditor *m_editor;
    std::int64_t m_candidate;
    eenn::ExitConfig m_before, m_after;
    int m_mergeId;
};

} // namespace

VariantEditor::VariantEditor(QObject *parent, QUndoStack *undoStack)
    : QObject(parent)
    , m_undo(undoStack ? undoStack : new QUndoStack(this))
{
}

VariantEditor::~VariantEditor() = default;

void VariantEditor::setCandidate(std::int64_t id, const space::Genome &genome,
                                 std::shared_ptr<const eenn::ExitProfile> profile)
{
    m_id = id;
    m_genome = genome;
    m_profile = std::move(profile);
    m_original = eenn::configFromGenome(*m_profile, genome);
    m_config = m_original;
    m_evaluation = eenn::evaluate(*m_profile, m_config);
    if (const auto edited = m_edits.constFind(id); edited != m_edits.constEnd()) {
        try { // this candidate's earlier edits
            m_evaluation = eenn::evaluate(*m_profile, *edited);
            m_config = *edited;
        } catch (const std::invalid_argument &) {
            m_evaluation = eenn::evaluate(*m_profile, m_config);
        }
    }
    Q_EMIT candidateChanged();
    Q_EMIT changed();
}

void VariantEditor::clear()
{
    m_profile.reset();
    m_id = 0;
    m_config = m_original = {};
    m_evaluation = {};
    Q_EMIT candidateChanged();
}

space::Genome VariantEditor::variant() const
{
    return m_profile ? eenn::genomeWithConfig(*m_profile, m_genome, m_config) : m_genome;
}

bool VariantEditor::isModified() const
{
    return m_config.exits != m_original.exits || m_config.thresholds != m_original.thresholds;
}

void VariantEditor::forgetEdits()
{
    m_edits.clear();
}

void VariantEditor::apply(std::int64_t id, const eenn::ExitConfig &config)
{
    m_edits.insert(id, config);
    if (id != m_id || !m_profile) {
        Q_EMIT revisitRequested(id);
        return;
    }
    m_config = config;
    m_evaluation = eenn::evaluate(*m_profile, m_config);
    Q_EMIT changed();
}

bool VariantEditor::push(const QString &text, const eenn::ExitConfig &after, int mergeId)
{
    try {
        eenn::evaluate(*m_profile, after); // validates
    } catch (const std::invalid_argument &) {
        return false;
    }
    m_undo->push(new ExitEditCommand(this, m_id, text, m_config, after, mergeId));
    return true;
}

bool VariantEditor::moveExit(int exit, int position, bool dragging)
{
    if (!m_profile || exit < 0 || exit >= int(m_config.exits.size()) || position < 0
        || position >= m_profile->positions - 1)
        return false;
    if (m_config.exits[std::size_t(exit)] == position)
        return true;
    if (std::find(m_config.exits.begin(), m_config.exits.end(), position) != m_config.exits.end())
        return false; // taken
    eenn::ExitConfig after = m_config;
    const double t = after.thresholds[std::size_t(exit)];
    after.exits.erase(after.exits.begin() + exit);
    after.thresholds.erase(after.thresholds.begin() + exit);
    const auto at = std::size_t(std::lower_bound(after.exits.begin(), after.exits.end(), position) - after.exits.begin());
    after.exits.insert(after.exits.begin() + std::ptrdiff_t(at), position);
    after.thresholds.insert(after.thresholds.begin() + std::ptrdiff_t(at), t);
    // a drag keeps one undo step even while the exit's index changes on the way
    return push(tr("Move exit"), after, dragging ? m_dragSerial * 64 : -1);
}

bool VariantEditor::setThreshold(int exit, double threshold, bool dragging)
{
    if (!m_profile || exit < 0 || exit >= int(m_config.exits.size()) || !std::isfinite(threshold))
        return false;
    eenn::ExitConfig after = m_config;
    after.thresholds[std::size_t(exit)] = threshold;
    return push(tr("Change threshold"), after, dragging ? m_dragSerial * 64 + 32 + std::min(exit, 31) : -1);
}

bool VariantEditor::addExit(int position, double threshold)
{
    if (!m_profile || position < 0 || position >= m_profile->positions - 1
        || std::find(m_config.exits.begin(), m_config.exits.end(), position) != m_config.exits.end())
        return false;
    eenn::ExitConfig after = m_config;
    const auto at = std::size_t(std::lower_bound(after.exits.begin(), after.exits.end(), position) - after.exits.begin());
    after.exits.insert(after.exits.begin() + std::ptrdiff_t(at), position);
    after.thresholds.insert(after.thresholds.begin() + std::ptrdiff_t(at), threshold);
    return push(tr("Add exit"), after, -1);
}

bool VariantEditor::removeExit(int exit)
{
    if (!m_profile || exit < 0 || exit >= int(m_config.exits.size()))
        return false;
    eenn::ExitConfig after = m_config;
    after.exits.erase(after.exits.begin() + exit);
    after.thresholds.erase(after.thresholds.begin() + exit);
    return push(tr("Remove exit"), after, -1);
}

bool VariantEditor::revert()
{
    if (!m_profile || !isModified())
        return false;
    return push(tr("Revert exits"), m_original, -1);
}

void VariantEditor::finishDrag()
{
    ++m_dragSerial;
}

} // namespace edanas::ui
