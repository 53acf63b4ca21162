#pragma once

// Internal to core/space: the one way its JSON texts are parsed.

#include "searchspace.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <string>

namespace edanas::space {

/// Parses `json` as a JSON object; throws SpaceError naming `source`, with the offset
/// of a syntax error.
inline QJsonObject parseJsonObject(const std::string &json, const std::string &source)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError)
        throw SpaceError(source + ": not valid JSON at offset " + std::to_string(err.offset) + ": "
                         + err.errorString().toStdString());
    if (!doc.isObject())
        throw SpaceError(source + ": expected a JSON object at the top level");
    return doc.object();
}

} // namespace edanas::space
