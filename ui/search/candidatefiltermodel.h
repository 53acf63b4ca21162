#pragma once

#include <QSortFilterProxyModel>

namespace edanas::ui {

/// Sorts the candidate table by the raw numbers (CandidateModel::SortRole) and filters
/// it: text (in the id, origin, note or the genome's summary) and "front only".
class CandidateFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit CandidateFilterModel(QObject *parent = nullptr);

    void setFrontOnly(bool on);
    bool frontOnly() const { return m_frontOnly; }
    void setHideBanned(bool on);
    bool hideBanned() const { return m_hideBanned; }
    /// Case-insensitive substring; empty: everything.
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_frontOnly = false;
    bool m_hideBanned = false;
    QString m_text;
};

} // namespace edanas::ui
