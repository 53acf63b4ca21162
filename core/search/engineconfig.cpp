// A search's configuration: the evaluator options it implies, and its JSON as the study
// stores it (SearchConfig::toJson, SearchConfig::fromJson).
#include "engine.h"

#include "eenn/evaluator.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace edanas::search {

eenn::EvaluatorOptions SearchConfig::evaluatorOptions() const
{
    return evaluatorOptions(validationImages);
}

eenn::EvaluatorOptions SearchConfig::evaluatorOptions(std::int64_t images) const
{
    eenn::EvaluatorOptions o;
    o.validationImages = images;
    o.recalibrationImages = recalibrationImages;
    o.validationShare = validationShare;
    return o;
}

std::string SearchConfig::toJson() const
{
    QJsonObject o{{"format", "edanas-search"},
                  {"encoding", QString::fromStdString(encodingName(encoding))},
                  {"population", population},
                  {"generations", generations},
                  {"seed", QString::number(seed)},
                  {"true_cost", trueCost},
                  {"max_macs", std::isfinite(maxMacs) ? QJsonValue(maxMacs) : QJsonValue()},
                  {"min_accuracy", minAccuracy},
                  {"stall_generations", stallGenerations},
                  {"validation_images", double(validationImages)},
                  {"recalibration_images", double(recalibrationImages)},
                  {"final_validation_images", double(finalValidationImages)},
                  {"validation_share", validationShare},
                  {"crossover", crossover == Crossover::TwoPoint ? "two-point" : "uniform"},
                  {"mutation", mutation == Mutation::Polynomial ? "polynomial" : "uniform"},
                  {"crossover_probability", crossoverProbability},
                  {"mutation_rate", mutationRate},
                  {"exit_search_budget", exitSearchBudget},
                  {"objective_params", objectiveParams},
                  {"objective_sram", objectiveSram},
                  {"max_params", std::isfinite(maxParams) ? QJsonValue(maxParams) : QJsonValue()},
                  {"max_sram_bytes", std::isfinite(maxSramBytes) ? QJsonValue(maxSramBytes) : QJsonValue()}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

SearchConfig SearchConfig::fromJson(const std::string &json, const std::string &source)
{
    QJsonParseError err{};
    const auto doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        throw std::invalid_argument(source + ": the search configuration is not a JSON object");
    const auto o = doc.object();
    auto bad = [&](const char *key, const std::string &what) {
        return std::invalid_argument(source + ": search configuration \"" + key + "\": " + what);
    };
    SearchConfig c;
    try {
        c.encoding = parseEncoding(o.value("encoding").toString().toStdString());
    } catch (const std::invalid_argument &e) {
        throw bad("encoding", e.what());
    }
    auto integer = [&](const char *key, int lo, int hi) {
        const double v = o.value(key).toDouble(-1e300);
        if (v != std::floor(v) || v < lo || v > hi)
            throw bad(key, "expected a whole number in " + std::to_string(lo) + ".." + std::to_string(hi));
        return int(v);
    };
    c.population = integer("population", 2, 100000);
    c.generations = integer("generations", 1, 1000000);
    bool ok = false;
    c.seed = o.value("seed").toString().toULongLong(&ok);
    if (!ok)
        throw bad("seed", "expected an unsigned integer in a string");
    c.trueCost = o.value("true_cost").toBool(true);
    c.maxMacs = o.value("max_macs").isNull() ? std::numeric_limits<double>::infinity() : o.value("max_macs").toDouble(-1);
    if (!(c.maxMacs > 0))
        throw bad("max_macs", "expected a positive number or null");
    c.minAccuracy = o.value("min_accuracy").toDouble(-1);
    if (c.minAccuracy < 0 || c.minAccuracy > 1)
        throw bad("min_accuracy", "expected a number in 0..1");
    c.stallGenerations = integer("stall_generations", 0, 1000000);
    c.validationImages = integer("validation_images", 0, 100000000);
    c.recalibrationImages = integer("recalibration_images", 1, 100000000);
    c.finalValidationImages = integer("final_validation_images", -1, 100000000);
    c.validationShare = o.value("validation_share").toDouble(-1);
    if (c.validationShare <= 0 || c.validationShare >= 1)
        throw bad("validation_share", "expected a number between 0 and 1");
    const auto cross = o.value("crossover").toString();
    if (cross != "two-point" && cross != "uniform")
        throw bad("crossover", "expected two-point or uniform");
    c.crossover = cross == "uniform" ? Crossover::Uniform : Crossover::TwoPoint;
    const auto mut = o.value("mutation").toString();
    if (mut != "polynomial" && mut != "uniform")
        throw bad("mutation", "expected polynomial or uniform");
    c.mutation = mut == "uniform" ? Mutation::Uniform : Mutation::Polynomial;
    c.crossoverProbability = o.value("crossover_probability").toDouble(-1);
    if (c.crossoverProbability < 0 || c.crossoverProbability > 1)
        throw bad("crossover_probability", "expected a number in 0..1");
    c.mutationRate = o.value("mutation_rate").toDouble(-1);
    if (c.mutationRate > 1)
        throw bad("mutation_rate", "expected at most 1 (negative: 1 / genes)");
    c.exitSearchBudget = integer("exit_search_budget", 1, 100000000);
    c.objectiveParams = o.value("objective_params").toBool(false);
    // before the microcontroller SRAM arena, peak memory was another figure: never read it as this one
    for (const char *old : {"objective_peak_memory", "max_peak_bytes"})
        if (o.contains(old))
            throw bad(old, "is the older peak-memory figure, not the microcontroller SRAM arena this EDANAS "
                           "searches with (objective_sram, max_sram_bytes)");
    c.objectiveSram = o.value("objective_sram").toBool(false);
    for (auto [key, field] : {std::pair{"max_params", &c.maxParams}, std::pair{"max_sram_bytes", &c.maxSramBytes}}) {
        *field = o.value(key).isNull() || o.value(key).isUndefined() ? std::numeric_limits<double>::infinity()
                                                                      : o.value(key).toDouble(-1);
        if (!(*field > 0))
            throw bad(key, "expected a positive number or null");
    }
    return c;
}

} // namespace edanas::search
