#include "searchspace.h"
#include "json.h"

#include "edanas/version.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace edanas::space {

std::string activationName(Activation a)
{
    return a == Activation::Relu ? "relu" : "hswish";
}

std::string placementName(ExitPlacement p)
{
    return p == ExitPlacement::StageEnds ? "stage-end" : "any-block";
}

std::string eecTypeName(EecType t)
{
    return t == EecType::Edanas ? "edanas" : "nachos";
}

int makeDivisible(double value, int divisor)
{
    int v = std::max(divisor, int(value + divisor / 2.0) / divisor * divisor);
    if (v < 0.9 * value)
        v += divisor;
    return v;
}

int expandedWidth(int inputWidth, int expansion)
{
    return expansion == 1 ? inputWidth : makeDivisible(std::round(double(inputWidth) * expansion), 8);
}

int squeezeWidth(int channels)
{
    return makeDivisible(channels / 4, 8);
}

namespace {

constexpr int kFormatVersion = 1;

// Reads typed values out of a JSON object, naming the place of any problem.
class Reader
{
public:
    Reader(std::string source)
        : m_source(std::move(source))
    {
    }

    [[noreturn]] void fail(const std::string &place, const std::string &what) const
    {
        throw SpaceError(m_source + ": " + (place.empty() ? "" : place + ": ") + what);
    }

    QJsonValue member(const QJsonObject &o, const std::string &place, const char *key, bool required = true) const
    {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() && required)
            fail(place, std::string("missing \"") + key + "\"");
        return v;
    }

    static std::string join(const std::string &place, const char *key)
    {
        return place.empty() ? key : place + "." + key;
    }

    int integer(const QJsonObject &o, const std::string &place, const char *key, int lo, int hi,
                std::optional<int> fallback = std::nullopt) const
    {
        const QJsonValue v = member(o, place, key, !fallback);
        if (v.isUndefined())
            return *fallback;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d))
            fail(join(place, key), "expected an integer");
        if (d < lo || d > hi)
            fail(join(place, key), "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi)
                                       + ", got " + QString::number(d, 'g', 15).toStdString());
        return int(d);
    }

    std::string string(const QJsonObject &o, const std::string &place, const char *key,
                       std::optional<std::string> fallback = std::nullopt) const
    {
        const QJsonValue v = member(o, place, key, !fallback);
        if (v.isUndefined())
            return *fallback;
        if (!v.isString())
            fail(join(place, key), "expected a string");
        return v.toString().toStdString();
    }

    bool boolean(const QJsonObject &o, const std::string &place, const char *key, bool fallback) const
    {
        const QJsonValue v = member(o, place, key, false);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool())
            fail(join(place, key), "expected true or false");
        return v.toBool();
    }

    QJsonObject object(const QJsonObject &o, const std::string &place, const char *key) const
    {
        const QJsonValue v = member(o, place, key);
        if (!v.isObject())
            fail(join(place, key), "expected an object");
        return v.toObject();
    }

    std::vector<int> intList(const QJsonObject &o, const std::string &place, const char *key, int lo, int hi) const
    {
        const QJsonValue v = member(o, place, key);
        const std::string here = join(place, key);
        if (!v.isArray() || v.toArray().isEmpty())
            fail(here, "expected a non-empty list of integers");
        std::vector<int> out;
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const double d = a.at(i).toDouble(std::nan(""));
            if (!a.at(i).isDouble() || d != std::floor(d) || d < lo || d > hi)
                fail(here + "[" + std::to_string(i) + "]",
                     "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
            out.push_back(int(d));
        }
        std::vector<int> sorted = out;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            fail(here, "lists a value twice");
        return sorted;
    }

    Activation activation(const QJsonObject &o, const std::string &place, const char *key) const
    {
        const std::string s = string(o, place, key);
        if (s == "relu")
            return Activation::Relu;
        if (s == "hswish" || s == "h-swish")
            return Activation::HSwish;
        fail(join(place, key), "expected \"relu\" or \"hswish\", got \"" + s + "\"");
    }

private:
    std::string m_source;
};

} // namespace

SearchSpace SearchSpace::fromJson(const std::string &json, const std::string &source)
{
    const QJsonObject root = parseJsonObject(json, source);
    Reader r(source);
    if (r.string(root, "", "format") != "edanas-space")
        r.fail("format", "expected \"edanas-space\"");
    const int version = r.integer(root, "", "version", 1, 1 << 20);
    if (version != kFormatVersion)
        r.fail("version", "this program reads version " + std::to_string(kFormatVersion) + ", the file is version "
                              + std::to_string(version));

    SearchSpace s;
    s.name = r.string(root, "", "name");
    s.description = r.string(root, "", "description", std::string());

    const QJsonObject stem = r.object(root, "", "stem");
    s.stemWidth = r.integer(stem, "stem", "width", 1, 4096);
    s.stemKernel = r.integer(stem, "stem", "kernel", 1, 11, 3);
    s.stemStride = r.integer(stem, "stem", "stride", 1, 4, 2);
    s.stemActivation = r.activation(stem, "stem", "activation");

    const QJsonObject first = r.object(root, "", "first_block");
    s.firstBlockWidth = r.integer(first, "first_block", "width", 1, 4096);
    s.firstBlockKernel = r.integer(first, "first_block", "kernel", 1, 11, 3);
    if (r.integer(first, "first_block", "expansion", 1, 1, 1) != 1)
        r.fail("first_block.expansion", "expected 1");
    s.firstBlockActivation = r.activation(first, "first_block", "activation");
    s.firstBlockSqueezeExcite = r.boolean(first, "first_block", "se", false);

    const QJsonValue stagesValue = r.member(root, "", "stages");
    if (!stagesValue.isArray() || stagesValue.toArray().size() < 2 || stagesValue.toArray().size() > 8)
        r.fail("stages", "expected a list of 2 to 8 stages");
    const QJsonArray stages = stagesValue.toArray();
    for (qsizetype i = 0; i < stages.size(); ++i) {
        const std::string place = "stages[" + std::to_string(i) + "]";
        if (!stages.at(i).isObject())
            r.fail(place, "expected an object");
        const QJsonObject o = stages.at(i).toObject();
        StageSpec st;
        st.width = r.integer(o, place, "width", 1, 4096);
        st.stride = r.integer(o, place, "stride", 1, 2);
        st.activation = r.activation(o, place, "activation");
        st.squeezeExcite = r.boolean(o, place, "se", false);
        s.stages.push_back(st);
    }

    const QJsonObject head = r.object(root, "", "head");
    s.headWidth = r.integer(head, "head", "width", 1, 16384);
    s.featureWidth = r.integer(head, "head", "feature_width", 1, 16384);

    const QJsonObject choices = r.object(root, "", "choices");
    s.depths = r.intList(choices, "choices", "depth", 1, 8);
    s.kernels = r.intList(choices, "choices", "kernel", 1, 9);
    s.expansions = r.intList(choices, "choices", "expansion", 1, 8);
    s.resolutions = r.intList(choices, "choices", "resolution", 8, 1024);
    for (std::size_t i = 0; i < s.kernels.size(); ++i)
        if (s.kernels[i] % 2 == 0)
            r.fail("choices.kernel", "kernel sizes must be odd, got " + std::to_string(s.kernels[i]));

    const QJsonObject exits = r.object(root, "", "exits");
    for (int st : r.intList(exits, "exits", "stages", 1, int(s.stages.size()) - 1))
        s.exitStages.push_back(st - 1);
    const std::string placement = r.string(exits, "exits", "placement", std::string("stage-end"));
    if (placement == "stage-end")
        s.exitPlacement = ExitPlacement::StageEnds;
    else if (placement == "any-block")
        s.exitPlacement = ExitPlacement::AnyBlock;
    else
        r.fail("exits.placement", "expected \"stage-end\" or \"any-block\", got \"" + placement + "\"");
    const std::string eec = r.string(exits, "exits", "classifier", std::string("edanas"));
    if (eec == "edanas")
        s.eecType = EecType::Edanas;
    else if (eec == "nachos")
        s.eecType = EecType::Nachos;
    else
        r.fail("exits.classifier", "expected \"edanas\" or \"nachos\", got \"" + eec + "\"");

    s.inputChannels = r.integer(root, "", "input_channels", 1, 4, 3);
    s.classes = r.integer(root, "", "classes", 2, 100000, 10);
    s.validate(source);
    return s;
}

void SearchSpace::validate(const std::string &source) const
{
    auto fail = [&](const std::string &what) { throw SpaceError(source + ": " + what); };
    if (name.empty())
        fail("name: expected a non-empty name");
    if (stages.size() < 2)
        fail("stages: expected at least 2 stages");
    if (depths.empty() || kernels.empty() || expansions.empty() || resolutions.empty())
        fail("choices: every choice list needs at least one value");
    if (exitStages.empty())
        fail("exits.stages: expected at least one stage with an exit");
    for (int st : exitStages)
        if (st < 0 || st >= stageCount() - 1)
            fail("exits.stages: stage " + std::to_string(st + 1) + " cannot hold an exit (1.."
                 + std::to_string(stageCount() - 1) + ")");
    if (inputChannels < 1 || classes < 2)
        fail("input channels must be >= 1 and classes >= 2");
}

std::string SearchSpace::toJson() const
{
    QJsonObject root;
    root[QStringLiteral("format")] = QStringLiteral("edanas-space");
    root[QStringLiteral("version")] = kFormatVersion;
    root[QStringLiteral("name")] = QString::fromStdString(name);
    root[QStringLiteral("description")] = QString::fromStdString(description);
    root[QStringLiteral("stem")] = QJsonObject{{"width", stemWidth},
                                                {"kernel", stemKernel},
                                                {"stride", stemStride},
                                                {"activation", QString::fromStdString(activationName(stemActivation))}};
    root[QStringLiteral("first_block")] = QJsonObject{
        {"width", firstBlockWidth},
        {"kernel", firstBlockKernel},
        {"expansion", 1},
        {"activation", QString::fromStdString(activationName(firstBlockActivation))},
        {"se", firstBlockSqueezeExcite}};
    QJsonArray st;
    for (const auto &s : stages)
        st.append(QJsonObject{{"width", s.width},
                              {"stride", s.stride},
                              {"activation", QString::fromStdString(activationName(s.activation))},
                              {"se", s.squeezeExcite}});
    root[QStringLiteral("stages")] = st;
    root[QStringLiteral("head")] = QJsonObject{{"width", headWidth}, {"feature_width", featureWidth}};
    auto list = [](const std::vector<int> &v) {
        QJsonArray a;
        for (int x : v)
            a.append(x);
        return a;
    };
    root[QStringLiteral("choices")] = QJsonObject{{"depth", list(depths)},
                                                   {"kernel", list(kernels)},
                                                   {"expansion", list(expansions)},
                                                   {"resolution", list(resolutions)}};
    std::vector<int> exitOneBased;
    for (int e : exitStages)
        exitOneBased.push_back(e + 1);
    root[QStringLiteral("exits")] = QJsonObject{{"stages", list(exitOneBased)},
                                                 {"placement", QString::fromStdString(placementName(exitPlacement))},
                                                 {"classifier", QString::fromStdString(eecTypeName(eecType))}};
    root[QStringLiteral("input_channels")] = inputChannels;
    root[QStringLiteral("classes")] = classes;
    return QJsonDocument(root).toJson(QJsonDocument::Compact).toStdString();
}

std::string resourceDir()
{
    if (const char *env = std::getenv("EDANAS_RESOURCES"); env && *env)
        return env;
    const QString appDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    if (!appDir.isEmpty()) {
        const QString installed = QDir(appDir).absoluteFilePath(QStringLiteral("../share/edanas-studio"));
        if (QFileInfo::exists(installed + QStringLiteral("/presets")))
            return QDir::cleanPath(installed).toStdString();
    }
    return kSourceResources;
}

std::vector<std::string> SearchSpace::presetNames()
{
    return {"ofa-mbv3", "mbv3-small-input", "tiny"};
}

SearchSpace SearchSpace::load(const std::string &nameOrPath)
{
    std::string path = nameOrPath;
    const auto names = presetNames();
    if (std::find(names.begin(), names.end(), nameOrPath) != names.end())
        path = resourceDir() + "/presets/" + nameOrPath + ".json";
    QFile f(QString::fromStdString(path));
    if (!QFileInfo::exists(f.fileName())) {
        std::string list;
        for (const auto &n : names)
            list += (list.empty() ? "" : ", ") + n;
        throw SpaceError(path + ": does not exist (built-in presets: " + list + ")");
    }
    if (QFileInfo(f.fileName()).isDir())
        throw SpaceError(path + ": is a directory, but a search-space JSON file was expected");
    if (!f.open(QIODevice::ReadOnly))
        throw SpaceError(path + ": cannot be read: " + f.errorString().toStdString());
    return fromJson(f.readAll().toStdString(), path);
}

} // namespace edanas::space
