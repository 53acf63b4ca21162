// Steering requests another process wrote into the study (search/measure.h), applied
// by the running search as its own steering methods would apply them.
#include "engine.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <limits>
#include <stdexcept>

namespace edanas::search {

void SearchEngine::applyRequest(const std::string &what, const std::string &json, const std::string &source,
                                const space::SearchSpace &space)
{
    if (what == "pause") {
        pause();
    } else if (what == "resume") {
        resume();
    } else if (what == "stop") {
        stop();
    } else if (what == "constraints") {
        const auto o = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
        const QJsonValue maxMacs = o.value("max_macs");
        const double minAccuracy = o.value("min_accuracy").toDouble(-1.0);
        if (!(maxMacs.isNull() || maxMacs.toDouble() > 0) || !(minAccuracy >= 0.0 && minAccuracy <= 1.0))
            throw std::invalid_argument(source + ": constraints out of range");
        setConstraints(maxMacs.isNull() ? std::numeric_limits<double>::infinity() : maxMacs.toDouble(), minAccuracy);
    } else if (what == "pin" || what == "ban" || what == "inject") {
        auto g = space::Genome::fromJson(json, source);
        g.validate(space, source);
        what == "pin" ? pin(g) : what == "ban" ? ban(g) : inject(g);
    } else {
        throw std::invalid_argument(source + ": unknown request '" + what + "'");
    }
}

} // namespace edanas::search
