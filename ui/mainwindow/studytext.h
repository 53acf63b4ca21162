#pragma once
// How the main window names studies and constraints (shared by its .cpp files).

#include "study/study.h"

#include <QString>

#include <cmath>

namespace edanas::ui {

/// A study as the window names it: a PostgreSQL URL without its password.
inline QString shownStudy(const QString &study)
{
    return QString::fromStdString(study::redactedLocation(study.toStdString()));
}

inline bool isServerStudy(const QString &study)
{
    return study::isServerLocation(study.toStdString());
}

inline QString constraintText(double maxMacs, double minAccuracy)
{
    return QStringLiteral("MAC ceiling %1, accuracy floor %2")
        .arg(std::isfinite(maxMacs) ? QStringLiteral("%1 M").arg(maxMacs / 1e6, 0, 'f', 3) : QStringLiteral("none"),
             minAccuracy > 0 ? QStringLiteral("%1 %").arg(100.0 * minAccuracy, 0, 'f', 1) : QStringLiteral("none"));
}

} // namespace edanas::ui
