#pragma once

#include "searchtypes.h"

#include "search/pareto.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>

#include <limits>
#include <vector>

namespace edanas::ui {

/// Every evaluated candidate of a study, one row each in the order they were evaluated,
/// with the user's flags (pinned, banned, note) and whether it is on the current
/// feasible front. Candidates arriving from a running search are buffered and appended
/// in batches (one insertion per coalescing interval), so a fast search does not cost
/// a layout per candidate.
///
/// Display role: formatted text; SortRole: the raw number (for QSortFilterProxyModel).
class CandidateModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        Generation,
        Accuracy,
        MacsTrue,
        MacsPaper,
        StaticMacs,
        Params,
        SramMemory,
        FlashMemory,
        Exits,
        OnFront,
        Status,
        Origin,
        Note,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, IdRole };

    explicit CandidateModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    /// Buffers a candidate; it becomes a row at the next flush (at most ~25 per second).
    void addCandidate(const search::CandidateSnapshot &candidate, const CandidateFlags &flags = {});
    /// Appends what is buffered now (one insertion) and refreshes the front flags.
    void flush();
    /// Removes every row.
    void clear();

    /// The limits and cost measure the front is computed with: the search's
    /// (search::limitsOf), feasibility as the engine rules it.
    void setLimits(const search::Limits &limits);
    const search::Limits &limits() const { return m_limits; }
    /// Changes the MAC ceiling and the accuracy floor only (a drag on the plot).
    void setConstraints(double maxMacs, double minAccuracy);
    double maxMacs() const { return m_limits.maxMacs; }
    double minAccuracy() const { return m_limits.minAccuracy; }

    /// The user's edits of a candidate's flags: each changes the row and emits flagsEdited.
    void setPinned(qint64 id, bool pinned);
    void setBanned(qint64 id, bool banned);
    void setNote(qint64 id, const QString &note);
    /// Marks a candidate to be fine-tuned later (a flag for the user; kept in the study).
    void setFineTune(qint64 id, bool marked);
    /// Sets a candidate's flags as they are (an undo; no flagsEdited).
    void setFlags(qint64 id, const CandidateFlags &flags);

    /// -1 when unknown (or still buffered).
    int rowOf(qint64 id) const;
    qint64 idAt(int row) const;
    const search::CandidateSnapshot &candidate(int row) const { return m_rows[std::size_t(row)]; }
    const CandidateFlags &flagsAt(int row) const { return m_flags[std::size_t(row)]; }
    bool isOnFront(int row) const { return m_onFront[std::size_t(row)] != 0; }
    int frontSize() const;
    int pendingCount() const { return int(m_pending.size()); }

Q_SIGNALS:
    /// The user changed a candidate's flags or note from `before` to `flags`
    /// (StudyDocument makes it an undo step and writes it to the study).
    void flagsEdited(qint64 id, const edanas::ui::CandidateFlags &flags, const edanas::ui::CandidateFlags &before);

private:
    void updateFront();
    void emitRowChanged(int row, int first, int last);

    std::vector<search::CandidateSnapshot> m_rows;
    std::vector<CandidateFlags> m_flags;
    std::vector<char> m_onFront;
    QHash<qint64, int> m_rowOfId;
    std::vector<search::CandidateSnapshot> m_pending;
    std::vector<CandidateFlags> m_pendingFlags;
    QTimer m_flushTimer;
    search::Limits m_limits;
};

} // namespace edanas::ui
