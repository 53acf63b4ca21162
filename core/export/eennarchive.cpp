#include "eennarchive.h"

#include "fileerror.h"
#include "supernet/archivedtensor.h"

#include "edanas/version.h"
#include "torcharchive.h"
#include "zipcheck.h"

#include <torch/serialize.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace edanas::deploy {

namespace {

const char *const kFormat = "edanas-eenn";
constexpr std::int64_t kArchiveVersion = 1;

std::string readString(torch::serialize::InputArchive &a, const std::string &key, const std::string &path)
{
    c10::IValue v;
    if (!a.try_read(key, v) || !v.isString())
        throw FileError(path, "is not an exported EDANAS network (no \"" + key + "\" entry)");
    return v.toStringRef();
}

// "KEY CRC" lines, one per parameter and buffer of the network, in its order: a
// CRC-32 of each tensor's bytes, written at save as "edanas.digests" and compared at load.
std::string digests(const supernet::StaticEennImpl &net)
{
    std::string out;
    auto add = [&](const std::string &key, const torch::Tensor &t) {
        const torch::Tensor c = t.detach().contiguous();
        out += key + " " + crc32Hex(c.data_ptr(), c.nbytes()) + "\n";
    };
    for (const auto &p : net.named_parameters())
        add(p.key(), p.value());
    for (const auto &b : net.named_buffers())
        add(b.key(), b.value());
    return out;
}

} // namespace

void saveEennArchive(const std::string &path, const supernet::StaticEennImpl &net, const space::SearchSpace &space,
                     const std::vector<float> &mean, const std::vector<float> &std)
{
    torch::serialize::OutputArchive a;
    net.save(a);
    a.write("edanas.format", c10::IValue(std::string(kFormat)));
    a.write("edanas.version", c10::IValue(kArchiveVersion));
    a.write("edanas.space", c10::IValue(space.toJson()));
    a.write("edanas.genome", c10::IValue(net.genome().toJson()));
    a.write("edanas.mean", torch::tensor(mean));
    a.write("edanas.std", torch::tensor(std));
    a.write("edanas.created_by", c10::IValue(std::string("edanas ") + kVersion));
    a.write("edanas.digests", c10::IValue(digests(net)));
    const std::string tmp = path + ".partial";
    try {
        a.save_to(tmp);
    } catch (const std::exception &e) {
        std::remove(tmp.c_str());
        throw std::runtime_error(path + ": cannot be written (" + std::string(e.what()).substr(0, 200) + ")");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw std::runtime_error(path + ": cannot be written (" + ec.message() + ")");
    }
}

supernet::StaticEenn loadEennArchive(const std::string &path, EennArchiveInfo *infoOut)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw FileError(path, "no such file");
    // Every record of the zip archive is checked against its CRC-32 first (LibTorch's
    // reader does not, and would load a damaged tensor without a word), and the pickles'
    // lengths against their records (LibTorch allocates what they claim).
    torch::serialize::InputArchive a;
    if (const std::string problem = supernet::readTorchArchive(path, a); problem == supernet::kUnreadableArchive)
        throw FileError(path, problem);
    else if (!problem.empty())
        throw FileError(path, "is not a readable LibTorch archive (" + problem + ")");
    if (readString(a, "edanas.format", path) != kFormat)
        throw FileError(path, "is not an exported EDANAS network");
    c10::IValue version;
    if (!a.try_read("edanas.version", version) || !version.isInt() || version.toInt() != kArchiveVersion)
        throw FileError(path, "is an exported network of another format version");
    EennArchiveInfo info;
    info.spaceJson = readString(a, "edanas.space", path);
    info.genomeJson = readString(a, "edanas.genome", path);
    info.createdBy = readString(a, "edanas.created_by", path);
    // archives written before the digests were introduced have none (their records
    // were checked against the archive's CRC-32s above)
    std::string storedDigests;
    if (c10::IValue d; a.try_read("edanas.digests", d)) {
        if (!d.isString())
            throw FileError(path, "is damaged: its tensor digests (\"edanas.digests\") are not text");
        storedDigests = d.toStringRef();
    }
    torch::Tensor mean, stdev;
    if (!a.try_read("edanas.mean", mean) || !a.try_read("edanas.std", stdev))
        throw FileError(path, "has no input normalisation");
    std::string problem;
    info.mean = supernet::archivedFloats(mean, problem);
    if (!problem.empty())
        throw FileError(path, "is damaged: the tensor \"edanas.mean\" (its normalisation means) " + problem);
    info.std = supernet::archivedFloats(stdev, problem);
    if (!problem.empty())
        throw FileError(path, "is damaged: the tensor \"edanas.std\" (its normalisation deviations) " + problem);
    supernet::StaticEenn net{nullptr};
    // what each tensor's shape must be, from the network the genome describes
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> shapes;
    try {
        const auto space = space::SearchSpace::fromJson(info.spaceJson, path + " (its search space)");
        if (problem = supernet::normalisationProblem(info.mean, info.std, space.inputChannels); !problem.empty())
            throw FileError(path, "is damaged: it " + problem);
        const auto genome = space::Genome::fromJson(info.genomeJson, path + " (its genome)");
        // a network of the right structure: its weights are replaced by the archive's
        supernet::Supernet skeleton(space);
        net = supernet::StaticEenn(*skeleton, genome);
        net->fuseBatchNorm();
        for (const auto &p : net->named_parameters())
            shapes.emplace_back(p.key(), p.value().sizes().vec());
        for (const auto &b : net->named_buffers())
            shapes.emplace_back(b.key(), b.value().sizes().vec());
        net->load(a);
    } catch (const FileError &) {
        throw;
    } catch (const std::exception &e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw FileError(path, "cannot be read back into a network (" + what + ")");
    }
    // torch::load gives a module's tensors the archive's sizes, whatever they were
    std::size_t i = 0;
    auto check = [&](const std::string &key, const torch::Tensor &t) {
        if (const std::string bad = supernet::archivedTensorProblem(t); !bad.empty())
            throw FileError(path, "is damaged: tensor \"" + key + "\" " + bad);
        if (t.scalar_type() != torch::kFloat32)
            throw FileError(path, "is damaged: tensor \"" + key + "\" is not float32");
        if (i >= shapes.size() || shapes[i].first != key || t.sizes() != c10::IntArrayRef(shapes[i].second))
            throw FileError(path, "is damaged: tensor \"" + key + "\" has the wrong shape for its genome");
        ++i;
    };
    for (const auto &p : net->named_parameters())
        check(p.key(), p.value());
    for (const auto &b : net->named_buffers())
        check(b.key(), b.value());
    if (!storedDigests.empty()) {
        std::istringstream want(storedDigests), got(digests(*net));
        std::string w, g;
        while (std::getline(want, w)) {
            if (!std::getline(got, g) || w != g) {
                const std::string key = w.substr(0, w.rfind(' '));
                throw FileError(path, "is damaged: tensor \"" + key + "\" does not match the digest written with it");
            }
        }
        if (std::getline(got, g))
            throw FileError(path, "is damaged: its tensor digests do not cover tensor \""
                                      + g.substr(0, g.rfind(' ')) + "\"");
    }
    net->eval();
    if (infoOut)
        *infoOut = info;
    return net;
}

} // namespace edanas::deploy
