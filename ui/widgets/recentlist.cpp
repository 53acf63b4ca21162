#include "recentlist.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace edanas::ui {

RecentList::RecentList(const QString &settingsKey, QMenu *menu, QObject *parent, int max)
    : QObject(parent)
    , m_key(settingsKey)
    , m_menu(menu)
    , m_max(max)
    , m_label([](const QString &e) { return QFileInfo(e).fileName(); })
    , m_available([](const QString &e) { return QFileInfo::exists(e); })
{
    m_menu->setToolTipsVisible(true);
    rebuild();
}

void RecentList::setPresentation(std::function<QString(const QString &)> label,
                                 std::function<bool(const QString &)> available)
{
    m_label = std::move(label);
    m_available = std::move(available);
    rebuild();
}

QStringList RecentList::entries() const
{
    return QSettings().value(m_key).toStringList();
}

void RecentList::add(const QString &entry)
{
    QStringList list = entries();
    list.removeAll(entry);
    list.prepend(entry);
    while (list.size() > m_max)
        list.removeLast();
    QSettings().setValue(m_key, list);
    rebuild();
}

void RecentList::clear()
{
    QSettings().remove(m_key);
    rebuild();
}

void RecentList::rebuild()
{
    m_menu->clear();
    const QStringList list = entries();
    for (int i = 0; i < list.size(); ++i) {
        const QString entry = list.at(i);
        QAction *a = m_menu->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(m_label(entry)));
        a->setToolTip(entry);
        a->setEnabled(m_available(entry));
        connect(a, &QAction::triggered, this, [this, entry] { Q_EMIT chosen(entry); });
    }
    if (!list.isEmpty())
        m_menu->addSeparator();
    QAction *clearAction = m_menu->addAction(tr("&Clear the List"), this, &RecentList::clear);
    clearAction->setEnabled(!list.isEmpty());
}

} // namespace edanas::ui
