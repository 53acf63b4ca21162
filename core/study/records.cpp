#include "study/records.h"

#include "study/studyerror.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace edanas::study {

namespace {

std::string text(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

QJsonDocument parse(const std::string &json, const std::string &source, const char *what)
{
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (error.error != QJsonParseError::NoError)
        throw StudyError(source, std::string(what) + " is not valid JSON (" + error.errorString().toStdString()
                                     + " at byte " + std::to_string(error.offset) + ")");
    return doc;
}

QJsonObject object(const std::string &json, const std::string &source, const char *what)
{
    if (json.empty()) // nothing recorded: every figure at its default
        return {};
    const auto doc = parse(json, source, what);
    if (!doc.isObject())
        throw StudyError(source, std::string(what) + " is not a JSON object");
    return doc.object();
}

QJsonArray array(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

std::vector<double> doubles(const QJsonValue &v)
{
    std::vector<double> out;
    for (const auto &x : v.toArray())
        out.push_back(x.toDouble());
    return out;
}

QJsonValue maxMacsValue(double maxMacs)
{
    return std::isfinite(maxMacs) ? QJsonValue(maxMacs) : QJsonValue();
}

} // namespace

std::string CandidateFigures::toJson() const
{
    return text({{"share", array(share)},
                 {"exit_accuracy", array(exitAccuracy)},
                 {"static_accuracy", staticAccuracy},
                 {"rule", QString::fromStdString(rule)},
                 {"recalibration_seconds", recalibrationSeconds},
                 {"forward_seconds", forwardSeconds},
                 {"cached_profile", cachedProfile}});
}

CandidateFigures CandidateFigures::fromJson(const std::string &json, const std::string &source)
{
    const auto o = object(json, source, "a candidate's figures");
    CandidateFigures f;
    f.share = doubles(o.value("share"));
    f.exitAccuracy = doubles(o.value("exit_accuracy"));
    f.staticAccuracy = o.value("static_accuracy").toDouble();
    f.rule = o.value("rule").toString().toStdString();
    f.recalibrationSeconds = o.value("recalibration_seconds").toDouble();
    f.forwardSeconds = o.value("forward_seconds").toDouble();
    f.cachedProfile = o.value("cached_profile").toBool();
    return f;
}

std::string GenerationStats::toJson() const
{
    return text({{"evaluated", double(evaluated)},
                 {"candidates_per_minute", candidatesPerMinute},
                 {"recalibration_seconds", recalibrationSeconds},
                 {"forward_seconds", forwardSeconds},
                 {"other_seconds", otherSeconds},
                 {"reference_macs", referenceMacs}});
}

GenerationStats GenerationStats::fromJson(const std::string &json, const std::string &source)
{
    const auto o = object(json, source, "a generation's statistics");
    GenerationStats g;
    g.evaluated = std::int64_t(o.value("evaluated").toDouble());
    g.candidatesPerMinute = o.value("candidates_per_minute").toDouble();
    g.recalibrationSeconds = o.value("recalibration_seconds").toDouble();
    g.forwardSeconds = o.value("forward_seconds").toDouble();
    g.otherSeconds = o.value("other_seconds").toDouble();
    g.referenceMacs = o.value("reference_macs").toDouble();
    return g;
}

std::string Constraints::toJson() const
{
    return text({{"max_macs", maxMacsValue(maxMacs)}, {"min_accuracy", minAccuracy}});
}

namespace {

Constraints constraintsFrom(const QJsonObject &o, const std::string &source)
{
    const QJsonValue maxMacs = o.value("max_macs");
    const QJsonValue minAccuracy = o.value("min_accuracy");
    if (!(maxMacs.isNull() || maxMacs.isUndefined() || (maxMacs.isDouble() && maxMacs.toDouble() > 0.0)))
        throw StudyError(source, "constraints: \"max_macs\" must be null or a positive number");
    if (!minAccuracy.isDouble() || !(minAccuracy.toDouble() >= 0.0 && minAccuracy.toDouble() <= 1.0))
        throw StudyError(source, "constraints: \"min_accuracy\" must be a number in 0..1");
    Constraints c;
    c.maxMacs = maxMacs.isDouble() ? maxMacs.toDouble() : std::numeric_limits<double>::infinity();
    c.minAccuracy = minAccuracy.toDouble();
    return c;
}

} // namespace

Constraints Constraints::fromJson(const std::string &json, const std::string &source)
{
    return constraintsFrom(object(json, source, "constraints"), source);
}

std::optional<Constraints> lastConstraints(const Study &s)
{
    std::optional<Constraints> last;
    for (const EventRecord &e : s.events())
        if (e.type == kConstraintsEvent)
            last = Constraints::fromJson(e.json, s.path() + ": event " + std::to_string(e.id));
    return last;
}

std::string CoordinatorStatus::toJson() const
{
    return text({{"status", QString::fromStdString(status)},
                 {"max_macs", maxMacsValue(constraints.maxMacs)},
                 {"min_accuracy", constraints.minAccuracy},
                 {"lease_seconds", leaseSeconds}});
}

CoordinatorStatus CoordinatorStatus::fromJson(const std::string &json, const std::string &source)
{
    const auto o = object(json, source, "the coordinator's status");
    CoordinatorStatus c;
    c.status = o.value("status").toString().toStdString();
    c.constraints = constraintsFrom(o, source);
    c.leaseSeconds = o.value("lease_seconds").toDouble(c.leaseSeconds);
    if (!(c.leaseSeconds > 0.0))
        throw StudyError(source, "the coordinator's status: \"lease_seconds\" must be positive");
    return c;
}

std::string finalFrontJson(const std::vector<FinalFrontRow> &rows)
{
    QJsonArray a;
    for (const auto &r : rows)
        a.append(QJsonObject{{"id", double(r.id)},
                             {"images", double(r.images)},
                             {"accuracy", r.accuracy},
                             {"macs_true", r.macsTrue},
                             {"macs_paper", r.macsPaper},
                             {"share", array(r.share)},
                             {"exit_accuracy", array(r.exitAccuracy)}});
    return QJsonDocument(a).toJson(QJsonDocument::Compact).toStdString();
}

std::vector<FinalFrontRow> finalFrontFromJson(const std::string &json, const std::string &source)
{
    const auto doc = parse(json, source, "the final front");
    if (!doc.isArray())
        throw StudyError(source, "the final front is not a JSON array");
    std::vector<FinalFrontRow> rows;
    for (const auto &v : doc.array()) {
        const auto o = v.toObject();
        FinalFrontRow r;
        r.id = std::int64_t(o.value("id").toDouble());
        r.images = std::int64_t(o.value("images").toDouble());
        r.accuracy = o.value("accuracy").toDouble(-1.0);
        r.macsTrue = o.value("macs_true").toDouble();
        r.macsPaper = o.value("macs_paper").toDouble();
        r.share = doubles(o.value("share"));
        r.exitAccuracy = doubles(o.value("exit_accuracy"));
        if (!v.isObject() || r.id <= 0 || r.images <= 0 || !(r.accuracy >= 0.0 && r.accuracy <= 1.0)
            || !(r.macsTrue > 0.0) || !std::isfinite(r.macsTrue))
            throw StudyError(source, "the final front's row " + std::to_string(rows.size() + 1)
                                         + " lacks a candidate id, a positive number of images, an accuracy in "
                                           "0..1 or positive MACs");
        rows.push_back(std::move(r));
    }
    return rows;
}

std::optional<std::vector<FinalFrontRow>> readFinalFront(const Study &s)
{
    const auto state = s.state(kFinalFrontState);
    if (!state)
        return std::nullopt;
    return finalFrontFromJson(*state, s.path());
}

void writeFinalFront(Study &s, const std::vector<FinalFrontRow> &rows)
{
    s.setState(kFinalFrontState, finalFrontJson(rows));
}

std::vector<std::int64_t> readFineTuneLater(const Study &s)
{
    std::vector<std::int64_t> ids;
    const auto state = s.state(kFineTuneLaterState);
    if (!state)
        return ids;
    const auto doc = parse(*state, s.path(), "the \"fine-tune later\" marks");
    if (!doc.isArray())
        throw StudyError(s.path(), "the \"fine-tune later\" marks are not a JSON array");
    for (const auto &v : doc.array())
        if (v.isDouble())
            ids.push_back(std::int64_t(v.toDouble()));
    return ids;
}

void setFineTuneLater(Study &s, std::int64_t id, bool marked)
{
    auto ids = readFineTuneLater(s);
    ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    if (marked)
        ids.push_back(id);
    QJsonArray a;
    for (auto x : ids)
        a.append(double(x));
    s.setState(kFineTuneLaterState, QJsonDocument(a).toJson(QJsonDocument::Compact).toStdString());
}

} // namespace edanas::study
