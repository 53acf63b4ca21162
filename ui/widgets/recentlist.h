#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

class QMenu;

namespace edanas::ui {

/// A most-recent-first list of files (or URLs) kept in QSettings under one key, at most
/// `max` entries, shown in a menu ("&1  name", the full entry as the tool tip, greyed
/// when it cannot be opened now, and "Clear the List"); choosing one emits chosen().
class RecentList : public QObject
{
    Q_OBJECT

public:
    RecentList(const QString &settingsKey, QMenu *menu, QObject *parent, int max = 8);

    /// How an entry is named in the menu (default: its file name) and whether it can be
    /// opened now (default: the file exists).
    void setPresentation(std::function<QString(const QString &)> label, std::function<bool(const QString &)> available);

    QStringList entries() const;
    /// Puts `entry` first (once); the caller normalises it (absolute path, no password).
    void add(const QString &entry);
    void clear();
    /// Fills the menu again (after setPresentation, or when files may have come or gone).
    void rebuild();

Q_SIGNALS:
    void chosen(const QString &entry);

private:
    QString m_key;
    QMenu *m_menu;
    int m_max;
    std::function<QString(const QString &)> m_label;
    std::function<bool(const QString &)> m_available;
};

} // namespace edanas::ui
