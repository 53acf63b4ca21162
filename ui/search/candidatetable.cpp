#include "candidatetable.h"

#include "candidatefiltermodel.h"
#include "candidatemodel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTableView>
#include <QVBoxLayout>

namespace edanas::ui {

CandidateTable::CandidateTable(CandidateModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new CandidateFilterModel(this))
    , m_view(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_frontOnly(new QCheckBox(tr("Front only"), this))
    , m_hideBanned(new QCheckBox(tr("Hide banned"), this))
    , m_count(new QLabel(this))
{
    setObjectName(QStringLiteral("candidateTable"));
    m_proxy->setSourceModel(m_model);

    m_filter->setObjectName(QStringLiteral("candidateFilter"));
    m_filter->setPlaceholderText(tr("Filter: id, origin, note or architecture (e.g. r28, 3.2@)"));
    m_filter->setClearButtonEnabled(true);
    m_frontOnly->setObjectName(QStringLiteral("frontOnly"));
    m_hideBanned->setObjectName(QStringLiteral("hideBanned"));
    m_count->setObjectName(QStringLiteral("candidateCount"));

    m_view->setObjectName(QStringLiteral("candidateView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(CandidateModel::Id, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->setVisible(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setDefaultSectionSize(96);
    // wide enough for the headers; the numbers are shorter
    const QFontMetrics metrics = m_view->horizontalHeader()->fontMetrics();
    for (int c = 0; c < CandidateModel::ColumnCount; ++c) {
        const QString title = m_model->headerData(c, Qt::Horizontal).toString();
        m_view->setColumnWidth(c, std::max(48, metrics.horizontalAdvance(title) + 28));
    }
    m_view->setColumnWidth(CandidateModel::Note, 200);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_frontOnly);
    bar->addWidget(m_hideBanned);
    bar->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &CandidateFilterModel::setText);
    connect(m_frontOnly, &QCheckBox::toggled, m_proxy, &CandidateFilterModel::setFrontOnly);
    connect(m_hideBanned, &QCheckBox::toggled, m_proxy, &CandidateFilterModel::setHideBanned);
    connect(m_view, &QWidget::customContextMenuRequested, this, &CandidateTable::showContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &CandidateTable::onCurrentChanged);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &CandidateTable::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &CandidateTable::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &CandidateTable::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &CandidateTable::updateCount);
    updateCount();
}

void CandidateTable::selectCandidate(qint64 id)
{
    m_selecting = true;
    const int row = m_model->rowOf(id);
    const QModelIndex proxyIndex = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
    if (proxyIndex.isValid()) {
        m_view->selectionModel()->setCurrentIndex(
            proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(proxyIndex);
    } else {
        m_view->selectionModel()->clearSelection();
        m_view->selectionModel()->setCurrentIndex({}, QItemSelectionModel::NoUpdate);
    }
    m_selecting = false;
}

qint64 CandidateTable::selectedCandidate() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return -1;
    return rows.constFirst().data(CandidateModel::IdRole).toLongLong();
}

void CandidateTable::setSteeringEnabled(bool enabled)
{
    m_steeringEnabled = enabled;
}

void CandidateTable::onCurrentChanged()
{
    if (m_selecting)
        return;
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    Q_EMIT candidateSelected(current.isValid() ? current.data(CandidateModel::IdRole).toLongLong() : -1);
}

void CandidateTable::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const qint64 id = index.data(CandidateModel::IdRole).toLongLong();
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const CandidateFlags flags = m_model->flagsAt(row);
    const QString genomeJson = QString::fromStdString(m_model->candidate(row).genome.toJson());

    QMenu menu(this);
    menu.setObjectName(QStringLiteral("candidateMenu"));
    // The engine can pin and ban but not undo either: once set, the flag stays.
    QAction *pin = menu.addAction(flags.pinned ? tr("Pinned") : tr("Pin (keep in the population)"));
    pin->setObjectName(QStringLiteral("pinAction"));
    QAction *ban = menu.addAction(flags.banned ? tr("Banned") : tr("Ban (never in the population again)"));
    ban->setObjectName(QStringLiteral("banAction"));
    QAction *inject = menu.addAction(tr("Inject a copy into the population"));
    inject->setObjectName(QStringLiteral("injectAction"));
    pin->setEnabled(m_steeringEnabled && !flags.pinned);
    ban->setEnabled(m_steeringEnabled && !flags.banned);
    inject->setEnabled(m_steeringEnabled);
    if (!m_steeringEnabled) {
        const QString why = tr("Only while a search runs");
        pin->setToolTip(why);
        ban->setToolTip(why);
        inject->setToolTip(why);
    }
    menu.setToolTipsVisible(true);
    menu.addSeparator();
    QAction *fineTune = menu.addAction(tr("Fine-tune later"));
    fineTune->setObjectName(QStringLiteral("fineTuneAction"));
    fineTune->setCheckable(true);
    fineTune->setChecked(flags.fineTune);
    QAction *exportModel = menu.addAction(tr("Export the model (LibTorch, ONNX)..."));
    exportModel->setObjectName(QStringLiteral("exportModelAction"));
    QAction *fineTuneNow = menu.addAction(tr("Fine-tune and export the model..."));
    fineTuneNow->setObjectName(QStringLiteral("fineTuneExportAction"));
    QAction *report = menu.addAction(tr("Report on this candidate..."));
    report->setObjectName(QStringLiteral("reportAction"));
    menu.addSeparator();
    QAction *copy = menu.addAction(tr("Copy the genome (JSON)"));
    connect(fineTune, &QAction::toggled, this, [this, id](bool on) { m_model->setFineTune(id, on); });
    connect(exportModel, &QAction::triggered, this, [this, id] { Q_EMIT exportModelRequested(id); });
    connect(fineTuneNow, &QAction::triggered, this, [this, id] { Q_EMIT fineTuneRequested(id); });
    connect(report, &QAction::triggered, this, [this, id] { Q_EMIT reportRequested(id); });

    connect(pin, &QAction::triggered, this, [this, id] { Q_EMIT pinRequested(id); });
    connect(ban, &QAction::triggered, this, [this, id] { Q_EMIT banRequested(id); });
    connect(inject, &QAction::triggered, this, [this, id] { Q_EMIT injectRequested(id); });
    connect(copy, &QAction::triggered, this, [genomeJson] { QApplication::clipboard()->setText(genomeJson); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

void CandidateTable::updateCount()
{
    m_count->setText(tr("%1 of %2").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

} // namespace edanas::ui
