#include "studydocument.h"

#include "ui/search/candidatemodel.h"

#include "search/measure.h"
#include "study/records.h"
#include "study/study.h"

#include <QUndoCommand>
#include <QUndoStack>

#include <array>
#include <cmath>

namespace edanas::ui {

namespace {

QString macsText(double macs)
{
    return std::isfinite(macs) ? QObject::tr("%1 MMACs").arg(macs / 1e6, 0, 'f', 2) : QObject::tr("none");
}

bool sameFlags(const CandidateFlags &a, const CandidateFlags &b)
{
    return a.pinned == b.pinned && a.banned == b.banned && a.fineTune == b.fineTune && a.note == b.note;
}

constexpr int kConstraintsId = 0x40000000; ///< + drag serial; exit edits use small ids

} // namespace

/// The MAC ceiling and accuracy floor before and after; a drag is one command (the
/// calls of one drag merge).
class ConstraintsCommand : public QUndoCommand
{
public:
    ConstraintsCommand(StudyDocument *doc, double fromMacs, double fromAccuracy, double toMacs, double toAccuracy,
                       int mergeId, bool settle)
        : m_doc(doc), m_from{fromMacs, fromAccuracy}, m_to{toMacs, toAccuracy}, m_mergeId(mergeId), m_settle(settle)
    {
        updateText();
    }
    void undo() override { m_doc->applyConstraints(m_from[0], m_from[1], true); }
    void redo() override
    {
        m_doc->applyConstraints(m_to[0], m_to[1], m_settle);
        m_settle = true; // a later redo is a whole step
    }
    int id() const override { return m_mergeId; }
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *o = dynamic_cast<const ConstraintsCommand *>(other);
        if (!o || o->m_mergeId != m_mergeId || m_mergeId < 0)
            return false;
        m_to = o->m_to;
        updateText();
        return true;
    }

private:
    void updateText()
    {
        setText(QObject::tr("Constraints: MAC ceiling %1, accuracy floor %2 %")
                    .arg(macsText(m_to[0]))
                    .arg(100.0 * m_to[1], 0, 'f', 1));
    }
    StudyDocument *m_doc;
    std::array<double, 2> m_from, m_to;
    int m_mergeId;
    bool m_settle;
};

/// One candidate's flags before and after (a pin, a ban, a note, a "fine-tune later"
/// mark). The model applied the first change itself; this writes it.
class FlagsCommand : public QUndoCommand
{
public:
    FlagsCommand(StudyDocument *doc, qint64 id, CandidateFlags from, CandidateFlags to)
        : m_doc(doc), m_id(id), m_from(std::move(from)), m_to(std::move(to))
    {
        QString what;
        if (m_from.pinned != m_to.pinned)
            what = m_to.pinned ? QObject::tr("Pin") : QObject::tr("Unpin");
        else if (m_from.banned != m_to.banned)
            what = m_to.banned ? QObject::tr("Ban") : QObject::tr("Unban");
        else if (m_from.fineTune != m_to.fineTune)
            what = m_to.fineTune ? QObject::tr("Mark for fine-tuning") : QObject::tr("Unmark for fine-tuning");
        else
            what = QObject::tr("Note on");
        setText(QObject::tr("%1 candidate %2").arg(what).arg(id));
    }
    void undo() override { m_doc->applyFlags(m_id, m_to, m_from, true); }
    void redo() override
    {
        m_doc->applyFlags(m_id, m_from, m_to, !m_first);
        m_first = false;
    }

private:
    StudyDocument *m_doc;
    qint64 m_id;
    CandidateFlags m_from, m_to;
    bool m_first = true;
};

StudyDocument::StudyDocument(CandidateModel *candidates, QObject *parent)
    : QObject(parent)
    , m_candidates(candidates)
    , m_undo(new QUndoStack(this))
{
    m_writer.setMaxThreadCount(1);
    connect(m_candidates, &CandidateModel::flagsEdited, this, &StudyDocument::onFlagsEdited);
}

StudyDocument::~StudyDocument()
{
    m_writer.waitForDone();
}

void StudyDocument::setStudy(const QString &path, bool readOnly)
{
    m_path = path;
    m_readOnly = readOnly;
    m_undo->clear();
    m_dragging = false;
    Q_EMIT studyChanged();
}

void StudyDocument::setLimits(const search::Limits &limits)
{
    m_limits = limits;
    Q_EMIT limitsChanged(m_limits);
}

void StudyDocument::editConstraints(double maxMacs, double minAccuracy, bool dragging)
{
    maxMacs = maxMacs > 0 ? maxMacs : std::numeric_limits<double>::infinity();
    minAccuracy = std::clamp(minAccuracy, 0.0, 1.0);
    if (!m_dragging)
        ++m_dragSerial;
    const bool wasDragging = m_dragging;
    m_dragging = dragging;
    if (maxMacs == m_limits.maxMacs && minAccuracy == m_limits.minAccuracy) {
        if (!dragging && wasDragging)
            Q_EMIT constraintsSettled(maxMacs, minAccuracy); // the release where the drag left it
        return;
    }
    m_undo->push(new ConstraintsCommand(this, m_limits.maxMacs, m_limits.minAccuracy, maxMacs, minAccuracy,
                                        kConstraintsId + (m_dragSerial & 0xffffff), !dragging));
}

void StudyDocument::applyConstraints(double maxMacs, double minAccuracy, bool settle)
{
    m_limits.maxMacs = maxMacs;
    m_limits.minAccuracy = minAccuracy;
    Q_EMIT limitsChanged(m_limits);
    if (settle)
        Q_EMIT constraintsSettled(maxMacs, minAccuracy);
}

void StudyDocument::onFlagsEdited(qint64 id, const CandidateFlags &flags, const CandidateFlags &before)
{
    if (m_applying || sameFlags(flags, before))
        return;
    m_undo->push(new FlagsCommand(this, id, before, flags));
}

void StudyDocument::applyFlags(qint64 id, const CandidateFlags &from, const CandidateFlags &to, bool restored)
{
    if (restored) {
        m_applying = true;
        m_candidates->setFlags(id, to);
        m_applying = false;
    }
    writeFlags(id, to);
    if (restored)
        Q_EMIT flagsRestored(id, from, to);
}

void StudyDocument::writeFlags(qint64 id, const CandidateFlags &flags)
{
    if (m_path.isEmpty())
        return;
    if (m_readOnly) {
        Q_EMIT message(tr("%1 is open read-only: the flags and note of candidate %2 are not saved").arg(m_path).arg(id));
        return;
    }
    // A Study connection lives and dies within one task (thread affinity). The running
    // search's own connection and this one share the file safely (WAL, 5 s lock wait).
    const std::string path = m_path.toStdString();
    m_writer.start([this, path, id, flags] {
        try {
            study::Study s = study::Study::open(path);
            s.updateCandidateFlags(id, flags.pinned, flags.banned, flags.note.toStdString());
            study::setFineTuneLater(s, id, flags.fineTune);
        } catch (const std::exception &e) {
            // the document waits for this pool before it is destroyed
            const QString text = tr("Could not save a candidate's flags: %1").arg(QString::fromUtf8(e.what()));
            QMetaObject::invokeMethod(this, [this, text] { Q_EMIT message(text); }, Qt::QueuedConnection);
        }
    });
}

void StudyDocument::requestSearch(const QString &what, const std::string &json)
{
    const std::string path = m_path.toStdString();
    const std::string type = std::string(search::kSteeringRequest) + what.toStdString();
    m_writer.start([this, path, type, json] {
        try {
            study::Study s = study::Study::open(path);
            s.addEvent(0, type, json);
        } catch (const std::exception &e) {
            const QString text = tr("Could not steer the search: %1").arg(QString::fromUtf8(e.what()));
            QMetaObject::invokeMethod(this, [this, text] { Q_EMIT message(text); }, Qt::QueuedConnection);
        }
    });
}

void StudyDocument::waitForWrites()
{
    m_writer.waitForDone();
}

} // namespace edanas::ui
