#include "candidatemodel.h"


#include <QBrush>
#include <QColor>
#include <QFont>

#include <cmath>

namespace edanas::ui {

namespace {

constexpr int kFlushMs = 40; // at most ~25 insertions per second

QString millions(double v, int decimals = 3)
{
    return QString::number(v / 1e6, 'f', decimals);
}

} // namespace

CandidateModel::CandidateModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &CandidateModel::flush);
}

int CandidateModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CandidateModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CandidateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Id: return tr("ID");
        case Generation: return tr("Gen.");
        case Accuracy: return tr("Accuracy (%)");
        case MacsTrue: return tr("Avg MMACs (true)");
        case MacsPaper: return tr("Avg MMACs (paper)");
        case StaticMacs: return tr("Static MMACs");
        case Params: return tr("Params (M)");
        case SramMemory: return tr("SRAM (KiB)");
        case FlashMemory: return tr("Flash (KiB)");
        case Exits: return tr("Exits");
        case OnFront: return tr("Front");
        case Status: return tr("Status");
        case Origin: return tr("Origin");
        case Note: return tr("Note");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Accuracy: return tr("Top-1 accuracy of the early-exit network on the validation images");
        case MacsTrue: return tr("Average multiply-accumulates per input, counting every exit classifier an input passed through");
        case MacsPaper: return tr("Average multiply-accumulates per input as EDANAS counts them (only the exit taken)");
        case StaticMacs: return tr("MACs of the whole network run to the end, every exit classifier included");
        case SramMemory:
            return tr("SRAM on a microcontroller: the largest int8 tensor arena of the early-exit network along its "
                      "execution order (docs/DEPLOY.md)");
        case FlashMemory:
            return tr("Flash on a microcontroller: int8 weights, int32 biases and float scales of the early-exit "
                      "network (docs/DEPLOY.md)");
        case Exits: return tr("Early exits (the final classifier not counted)");
        case OnFront: return tr("On the feasible Pareto front under the current constraints");
        case Status: return tr("Pinned candidates stay in the population; banned ones never return");
        case Note: return tr("Your note (double-click to edit)");
        }
    }
    return {};
}

QVariant CandidateModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &c = m_rows[std::size_t(index.row())];
    const auto &f = m_flags[std::size_t(index.row())];
    const bool front = m_onFront[std::size_t(index.row())] != 0;
    const int col = index.column();

    if (role == IdRole)
        return qint64(c.id);
    if (role == SortRole) {
        switch (col) {
        case Id: return qint64(c.id);
        case Generation: return c.generation;
        case Accuracy: return c.accuracy;
        case MacsTrue: return c.macsTrue;
        case MacsPaper: return c.macsPaper;
        case StaticMacs: return c.staticMacs;
        case Params: return c.params;
        case SramMemory: return c.sramBytes;
        case FlashMemory: return c.flashBytes;
        case Exits: return int(c.genome.exits.size());
        case OnFront: return front ? 1 : 0;
        case Status: return (f.pinned ? 4 : 0) + (f.banned ? 2 : 0) + (f.fineTune ? 1 : 0);
        case Origin: return QString::fromStdString(c.origin);
        case Note: return f.note;
        }
        return {};
    }
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        switch (col) {
        case Id: return QString::number(c.id);
        case Generation: return QString::number(c.generation);
        case Accuracy: return QString::number(100.0 * c.accuracy, 'f', 2);
        case MacsTrue: return millions(c.macsTrue);
        case MacsPaper: return millions(c.macsPaper);
        case StaticMacs: return millions(c.staticMacs);
        case Params: return millions(c.params);
        case SramMemory: return QString::number(c.sramBytes / 1024.0, 'f', 1);
        case FlashMemory: return QString::number(c.flashBytes / 1024.0, 'f', 1);
        case Exits: return QString::number(c.genome.exits.size());
        case OnFront: return front ? tr("yes") : QString();
        case Status: {
            QStringList s;
            if (f.pinned)
                s << tr("pinned");
            if (f.banned)
                s << tr("banned");
            if (f.fineTune)
                s << tr("fine-tune later");
            return s.join(QStringLiteral(", "));
        }
        case Origin: return QString::fromStdString(c.origin);
        case Note: return f.note;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        if (col <= Exits)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::FontRole && front) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::ForegroundRole && f.banned)
        return QBrush(QColor(150, 150, 150));
    if (role == Qt::ToolTipRole)
        return QString::fromStdString(c.genome.summary());
    return {};
}

Qt::ItemFlags CandidateModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Note)
        f |= Qt::ItemIsEditable;
    return f;
}

bool CandidateModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || index.column() != Note)
        return false;
    setNote(idAt(index.row()), value.toString());
    return true;
}

void CandidateModel::addCandidate(const search::CandidateSnapshot &candidate, const CandidateFlags &flags)
{
    m_pending.push_back(candidate);
    m_pendingFlags.push_back(flags);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void CandidateModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.empty())
        return;
    const int first = int(m_rows.size());
    const int last = first + int(m_pending.size()) - 1;
    beginInsertRows({}, first, last);
    for (std::size_t i = 0; i < m_pending.size(); ++i) {
        m_rowOfId.insert(qint64(m_pending[i].id), int(m_rows.size()));
        m_rows.push_back(std::move(m_pending[i]));
        m_flags.push_back(std::move(m_pendingFlags[i]));
        m_onFront.push_back(0);
    }
    m_pending.clear();
    m_pendingFlags.clear();
    endInsertRows();
    updateFront();
}

void CandidateModel::clear()
{
    m_flushTimer.stop();
    m_pending.clear();
    m_pendingFlags.clear();
    if (m_rows.empty())
        return;
    beginResetModel();
    m_rows.clear();
    m_flags.clear();
    m_onFront.clear();
    m_rowOfId.clear();
    endResetModel();
}

void CandidateModel::setLimits(const search::Limits &limits)
{
    m_limits = limits;
    updateFront();
}

void CandidateModel::setConstraints(double maxMacs, double minAccuracy)
{
    m_limits.maxMacs = maxMacs;
    m_limits.minAccuracy = minAccuracy;
    updateFront();
}

void CandidateModel::updateFront()
{
    const std::size_t n = m_rows.size();
    std::vector<double> cost(n), accuracy(n);
    std::vector<char> feasible(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto &c = m_rows[i];
        cost[i] = m_limits.trueCost ? c.macsTrue : c.macsPaper;
        accuracy[i] = c.accuracy;
        feasible[i] = m_limits.feasible(c.accuracy, c.macsTrue, c.macsPaper, c.params, c.sramBytes);
    }
    std::vector<char> onFront(n, 0);
    for (int i : search::paretoFront(cost, accuracy, feasible))
        onFront[std::size_t(i)] = 1;
    // one dataChanged over the span of rows whose flag changed
    int lo = -1, hi = -1;
    for (std::size_t i = 0; i < n; ++i) {
        if (onFront[i] != m_onFront[i]) {
            if (lo < 0)
                lo = int(i);
            hi = int(i);
        }
    }
    m_onFront = std::move(onFront);
    if (lo >= 0)
        Q_EMIT dataChanged(index(lo, 0), index(hi, ColumnCount - 1), {Qt::DisplayRole, SortRole, Qt::FontRole});
}

void CandidateModel::emitRowChanged(int row, int first, int last)
{
    Q_EMIT dataChanged(index(row, first), index(row, last));
}

void CandidateModel::setPinned(qint64 id, bool pinned)
{
    const int row = rowOf(id);
    if (row < 0 || m_flags[std::size_t(row)].pinned == pinned)
        return;
    const CandidateFlags before = m_flags[std::size_t(row)];
    m_flags[std::size_t(row)].pinned = pinned;
    emitRowChanged(row, 0, ColumnCount - 1);
    Q_EMIT flagsEdited(id, m_flags[std::size_t(row)], before);
}

void CandidateModel::setBanned(qint64 id, bool banned)
{
    const int row = rowOf(id);
    if (row < 0 || m_flags[std::size_t(row)].banned == banned)
        return;
    const CandidateFlags before = m_flags[std::size_t(row)];
    m_flags[std::size_t(row)].banned = banned;
    emitRowChanged(row, 0, ColumnCount - 1);
    Q_EMIT flagsEdited(id, m_flags[std::size_t(row)], before);
}

void CandidateModel::setFineTune(qint64 id, bool marked)
{
    const int row = rowOf(id);
    if (row < 0 || m_flags[std::size_t(row)].fineTune == marked)
        return;
    const CandidateFlags before = m_flags[std::size_t(row)];
    m_flags[std::size_t(row)].fineTune = marked;
    emitRowChanged(row, 0, ColumnCount - 1);
    Q_EMIT flagsEdited(id, m_flags[std::size_t(row)], before);
}

void CandidateModel::setNote(qint64 id, const QString &note)
{
    const int row = rowOf(id);
    if (row < 0 || m_flags[std::size_t(row)].note == note)
        return;
    const CandidateFlags before = m_flags[std::size_t(row)];
    m_flags[std::size_t(row)].note = note;
    emitRowChanged(row, Note, Note);
    Q_EMIT flagsEdited(id, m_flags[std::size_t(row)], before);
}

void CandidateModel::setFlags(qint64 id, const CandidateFlags &flags)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_flags[std::size_t(row)] = flags;
    emitRowChanged(row, 0, ColumnCount - 1);
}

int CandidateModel::rowOf(qint64 id) const
{
    return m_rowOfId.value(id, -1);
}

qint64 CandidateModel::idAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? qint64(m_rows[std::size_t(row)].id) : -1;
}

int CandidateModel::frontSize() const
{
    return int(std::count(m_onFront.begin(), m_onFront.end(), char(1)));
}

} // namespace edanas::ui
