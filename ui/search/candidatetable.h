#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace edanas::ui {

class CandidateFilterModel;
class CandidateModel;

/// The candidate table dock's contents: a sortable, filterable view of a
/// CandidateModel, with a context menu to pin, ban or inject a copy of a candidate,
/// mark it to fine-tune later, export its model or report on it.
/// Selection is by candidate id, so that it survives sorting and filtering.
class CandidateTable : public QWidget
{
    Q_OBJECT

public:
    explicit CandidateTable(CandidateModel *model, QWidget *parent = nullptr);

    /// Selects and shows the candidate's row (nothing when it is filtered out or
    /// unknown); -1 clears the selection. Emits no candidateSelected.
    void selectCandidate(qint64 id);
    /// -1 when nothing is selected.
    qint64 selectedCandidate() const;
    /// Whether pin, ban and inject are offered (a search is running).
    void setSteeringEnabled(bool enabled);

    QTableView *view() const { return m_view; }
    CandidateFilterModel *proxy() const { return m_proxy; }
    CandidateModel *model() const { return m_model; }

Q_SIGNALS:
    void candidateSelected(qint64 id);
    void pinRequested(qint64 id);
    void banRequested(qint64 id);
    void injectRequested(qint64 id);
    void exportModelRequested(qint64 id);
    void fineTuneRequested(qint64 id);
    void reportRequested(qint64 id);

private:
    void showContextMenu(const QPoint &pos);
    void onCurrentChanged();
    void updateCount();

    CandidateModel *m_model;
    CandidateFilterModel *m_proxy;
    QTableView *m_view;
    QLineEdit *m_filter;
    QCheckBox *m_frontOnly;
    QCheckBox *m_hideBanned;
    QLabel *m_count;
    bool m_steeringEnabled = false;
    bool m_selecting = false; ///< set while selectCandidate() changes the selection
};

} // namespace edanas::ui
