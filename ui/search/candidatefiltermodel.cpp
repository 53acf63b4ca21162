#include "candidatefiltermodel.h"

#include "candidatemodel.h"

namespace edanas::ui {

CandidateFilterModel::CandidateFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(CandidateModel::SortRole);
    // the front flag changes under a running search: re-filter and re-sort on changes
    setDynamicSortFilter(true);
}

void CandidateFilterModel::setFrontOnly(bool on)
{
    if (on == m_frontOnly)
        return;
    m_frontOnly = on;
    invalidateRowsFilter();
}

void CandidateFilterModel::setHideBanned(bool on)
{
    if (on == m_hideBanned)
        return;
    m_hideBanned = on;
    invalidateRowsFilter();
}

void CandidateFilterModel::setText(const QString &text)
{
    const QString t = text.trimmed();
    if (t == m_text)
        return;
    m_text = t;
    invalidateRowsFilter();
}

bool CandidateFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    const auto *model = qobject_cast<const CandidateModel *>(sourceModel());
    if (!model)
        return true;
    if (m_frontOnly && !model->isOnFront(sourceRow))
        return false;
    const CandidateFlags &flags = model->flagsAt(sourceRow);
    if (m_hideBanned && flags.banned)
        return false;
    if (m_text.isEmpty())
        return true;
    const auto &c = model->candidate(sourceRow);
    return QString::number(c.id) == m_text
           || QString::fromStdString(c.origin).contains(m_text, Qt::CaseInsensitive)
           || flags.note.contains(m_text, Qt::CaseInsensitive)
           || QString::fromStdString(c.genome.summary()).contains(m_text, Qt::CaseInsensitive);
}

} // namespace edanas::ui
