#include "studyexport.h"

#include "records.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStringList>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace edanas::study {

namespace {

QJsonObject candidateJson(const CandidateRecord &r, bool onFront)
{
    const auto genome = QJsonDocument::fromJson(QByteArray::fromStdString(r.genomeJson)).object();
    const auto figures = CandidateFigures::fromJson(r.figuresJson, "candidate " + std::to_string(r.id));
    auto array = [](const std::vector<double> &v) {
        QJsonArray a;
        for (double x : v)
            a.append(x);
        return a;
    };
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.genomeHash));
    return QJsonObject{{"id", double(r.id)},
                       {"generation", r.generation},
                       {"hash", QString::fromLatin1(hash)},
                       {"accuracy", r.accuracy},
                       {"macs_true", r.macsTrue},
                       {"macs_paper", r.macsPaper},
                       {"static_macs", r.staticMacs},
                       {"params", r.params},
                       {"sram_bytes", r.sramBytes},
                       {"flash_bytes", r.flashBytes},
                       {"violation", r.violation},
                       {"on_front", onFront},
                       {"origin", QString::fromStdString(r.origin)},
                       {"pinned", r.pinned},
                       {"banned", r.banned},
                       {"eval_seconds", r.evalSeconds},
                       {"share", array(figures.share)},
                       {"exit_accuracy", array(figures.exitAccuracy)},
                       {"genome", genome},
                       {"note", QString::fromStdString(r.note)}};
}

std::string csvField(const QString &s)
{
    QString q = s;
    if (q.contains(QLatin1Char(',')) || q.contains(QLatin1Char('"')) || q.contains(QLatin1Char('\n'))) {
        q.replace(QLatin1String("\""), QLatin1String("\"\""));
        q = QLatin1Char('"') + q + QLatin1Char('"');
    }
    return q.toStdString();
}

} // namespace

ExportedCandidates exportCandidates(const Study &s, bool frontOnly, ExportFormat format)
{
    const auto gens = s.generations();
    const std::vector<std::int64_t> front = gens.empty() ? std::vector<std::int64_t>{} : gens.back().front;
    QJsonArray rows;
    for (const auto &r : s.candidates()) {
        const bool on = std::find(front.begin(), front.end(), r.id) != front.end();
        if (!frontOnly || on)
            rows.append(candidateJson(r, on));
    }
    ExportedCandidates out;
    out.rows = int(rows.size());
    if (format == ExportFormat::Json) {
        out.text = QJsonDocument(rows).toJson(QJsonDocument::Indented).toStdString();
        return out;
    }
    // one row per candidate; lists as "a;b;c", the genome as its JSON text
    const QStringList keys{"id", "generation", "hash", "accuracy", "macs_true", "macs_paper", "static_macs",
                           "params", "sram_bytes", "flash_bytes", "violation", "on_front", "origin", "pinned",
                           "banned", "eval_seconds", "share", "exit_accuracy", "genome", "note"};
    out.text = keys.join(QLatin1Char(',')).toStdString() + "\n";
    for (const auto &row : rows) {
        const auto o = row.toObject();
        std::string line;
        for (const auto &k : keys) {
            const auto v = o.value(k);
            QString cell;
            if (v.isArray()) {
                QStringList parts;
                for (const auto &x : v.toArray())
                    parts << QString::number(x.toDouble(), 'g', 10);
                cell = parts.join(QLatin1Char(';'));
            } else if (v.isObject()) {
                cell = QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
            } else if (v.isBool()) {
                cell = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
            } else if (v.isDouble()) {
                cell = QString::number(v.toDouble(), 'g', 12);
            } else {
                cell = v.toString();
            }
            line += (line.empty() ? "" : ",") + csvField(cell);
        }
        out.text += line + "\n";
    }
    return out;
}

void writeFileAtomically(const std::string &path, const std::string &text)
{
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly))
        throw std::runtime_error(path + ": cannot write: " + file.errorString().toStdString());
    if (file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit())
        throw std::runtime_error(path + ": cannot write: " + file.errorString().toStdString());
}

} // namespace edanas::study
