#include "study/location.h"

#include "study/study.h"
#include "study/studyerror.h"

#include <QUrl>

#include <algorithm>

namespace edanas::study {

namespace {

bool startsWith(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

std::size_t schemeLength(const std::string &s)
{
    if (startsWith(s, "postgresql://"))
        return 13;
    if (startsWith(s, "postgres://"))
        return 11;
    return 0;
}

// libpq's quoting of a conninfo value: single quotes, backslash-escaped.
QString conninfoValue(const QString &v)
{
    QString out = v;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

std::string redact(const std::string &url)
{
    const std::size_t start = schemeLength(url);
    if (start == 0)
        return url;
    std::string out = url;
    // the last '@' before the parameters ends the user info, even in a malformed URL
    // whose password holds a '/'
    const std::size_t query = std::min(out.find('?', start), out.size());
    const std::size_t at = query == 0 ? std::string::npos : out.rfind('@', query - 1);
    if (at != std::string::npos && at >= start) {
        const std::size_t colon = out.find(':', start);
        if (colon != std::string::npos && colon < at)
            out.erase(colon, at - colon);
    }
    // a password among the parameters
    const std::size_t q = out.find('?');
    if (q != std::string::npos) {
        std::string kept;
        std::size_t from = q + 1;
        while (from <= out.size()) {
            std::size_t amp = out.find('&', from);
            if (amp == std::string::npos)
                amp = out.size();
            const std::string item = out.substr(from, amp - from);
            if (!startsWith(item, "password=") && item != "password")
                kept += (kept.empty() ? "" : "&") + item;
            from = amp + 1;
        }
        out = out.substr(0, q) + (kept.empty() ? "" : "?" + kept);
    }
    return out;
}

QString percentDecoded(const std::string &s)
{
    return QUrl::fromPercentEncoding(QByteArray::fromStdString(s));
}

} // namespace

Location parseLocation(const std::string &location)
{
    Location l;
    const std::size_t start = schemeLength(location);
    if (start == 0) {
        l.shown = location;
        return l;
    }
    l.server = true;
    l.shown = redact(location);
    const auto bad = [&](const std::string &what) -> StudyError {
        return StudyError(l.shown, "is not a valid study URL: " + what
                                       + " (expected postgresql://[USER[:PASSWORD]@][HOST][:PORT]/DBNAME?study=NAME)");
    };
    const std::size_t queryAt = location.find('?', start);
    const std::string head = location.substr(start, queryAt == std::string::npos ? std::string::npos : queryAt - start);
    const std::string query = queryAt == std::string::npos ? std::string() : location.substr(queryAt + 1);
    const std::size_t slash = head.find('/');
    if (slash == std::string::npos)
        throw bad("no database name");
    std::string authority = head.substr(0, slash);
    l.database = percentDecoded(head.substr(slash + 1));
    if (const std::size_t at = authority.rfind('@'); at != std::string::npos) {
        const std::string userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const std::size_t colon = userinfo.find(':');
        l.user = percentDecoded(userinfo.substr(0, colon));
        if (colon != std::string::npos)
            l.password = percentDecoded(userinfo.substr(colon + 1));
        if (l.user.isEmpty())
            throw bad("an empty user name before '@'");
    }
    std::string host = authority, port;
    if (startsWith(authority, "[")) {
        const std::size_t close = authority.find(']');
        if (close == std::string::npos)
            throw bad("an IPv6 address without its closing ']'");
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':')
                throw bad("'" + authority.substr(close + 1) + "' after the IPv6 address");
            port = authority.substr(close + 2);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    l.host = percentDecoded(host);
    const auto setPort = [&](const std::string &text) {
        bool ok = false;
        const int v = QString::fromStdString(text).toInt(&ok);
        if (!ok || v < 1 || v > 65535)
            throw bad("port '" + text + "' is not a number in 1..65535");
        l.port = v;
    };
    if (authority.find(':') != std::string::npos || !port.empty())
        setPort(port);
    QStringList options;
    if (!query.empty()) {
        for (const QString &item : QString::fromStdString(query).split(QLatin1Char('&'))) {
            const qsizetype eq = item.indexOf(QLatin1Char('='));
            if (eq <= 0)
                throw bad("parameter '" + (item.startsWith(QLatin1String("password")) ? std::string("password")
                                                                                       : item.toStdString())
                          + "' has no value");
            const QString key = item.left(eq);
            const QString value = percentDecoded(item.mid(eq + 1).toStdString());
            for (const QChar ch : key)
                if (!(ch.isLower() || ch == QLatin1Char('_')))
                    throw bad("parameter name '" + key.toStdString() + "' is not a libpq parameter");
            if (key == QLatin1String("study"))
                l.study = value;
            else if (key == QLatin1String("host"))
                l.host = value;
            else if (key == QLatin1String("port"))
                setPort(value.toStdString());
            else if (key == QLatin1String("user"))
                l.user = value;
            else if (key == QLatin1String("password"))
                l.password = value;
            else if (key == QLatin1String("dbname"))
                l.database = value;
            else if (value.contains(QLatin1Char(';')))
                throw bad("the value of '" + key.toStdString() + "' contains ';'");
            else
                options << key + QLatin1Char('=') + conninfoValue(value);
        }
    }
    if (l.database.isEmpty())
        throw bad("no database name");
    if (l.study.isEmpty())
        throw bad("no study name (add ?study=NAME)");
    if (l.study.size() > 40)
        throw bad("the study name is longer than 40 characters");
    for (const QChar ch : l.study)
        if (!(ch.isLetterOrNumber() && ch.unicode() < 128) && ch != QLatin1Char('_') && ch != QLatin1Char('-'))
            throw bad("the study name '" + l.study.toStdString() + "' may only hold letters, digits, '_' and '-'");
    l.options = options.join(QLatin1Char(';'));
    return l;
}

bool isServerLocation(const std::string &location) { return schemeLength(location) != 0; }

std::string redactedLocation(const std::string &location) { return redact(location); }

} // namespace edanas::study
