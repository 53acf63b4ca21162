#include "checkpoint.h"

#include "archivedtensor.h"

#include "edanas/version.h"
#include "torcharchive.h"
#include "zipcheck.h"

#include <torch/serialize.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace edanas::supernet {

namespace {

const char *const kMagicKey = "edanas.format";
const char *const kMagic = "edanas-supernet";

void writeString(torch::serialize::OutputArchive &a, const std::string &key, const std::string &value)
{
    a.write(key, c10::IValue(value));
}

std::string readString(torch::serialize::InputArchive &a, const std::string &key, const std::string &path)
{
    c10::IValue v;
    if (!a.try_read(key, v) || !v.isString())
        throw CheckpointError(path + ": is not an EDANAS supernet checkpoint (no \"" + key + "\" entry)");
    return v.toStringRef();
}

// Each tensor's digest: a CRC-32 of its bytes as stored (float32, or float16 for a
// half checkpoint), written at save under "edanas.digests" as lines "KEY CRC".
std::string tensorDigest(const torch::Tensor &t)
{
    const torch::Tensor c = t.contiguous();
    return crc32Hex(c.data_ptr(), c.nbytes());
}

std::map<std::string, std::string> parseDigests(const std::string &text, const std::string &path)
{
    std::map<std::string, std::string> digests;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto space = line.rfind(' ');
        if (space == std::string::npos || space == 0 || line.size() - space - 1 != 8)
            throw CheckpointError(path + ": is damaged: its tensor digests (\"edanas.digests\") are garbled");
        digests[line.substr(0, space)] = line.substr(space + 1);
    }
    return digests;
}

// Reads the whole file, checks every record of the zip archive against its CRC-32
// (LibTorch's reader does not) and the pickles' lengths against their records (LibTorch
// allocates what they claim), then parses it from memory.
void openArchive(torch::serialize::InputArchive &a, const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw CheckpointError(path + ": does not exist");
    if (fs::is_directory(path, ec))
        throw CheckpointError(path + ": is a directory, but a checkpoint file was expected");
    const std::string problem = readTorchArchive(path, a);
    if (problem == kUnreadableArchive)
        throw CheckpointError(path + ": cannot be read");
    if (!problem.empty())
        throw CheckpointError(path + ": is not a readable checkpoint (corrupt or truncated: " + problem + ")");
}

CheckpointInfo readInfo(torch::serialize::InputArchive &a, const std::string &path)
{
    if (readString(a, kMagicKey, path) != kMagic)
        throw CheckpointError(path + ": is not an EDANAS supernet checkpoint");
    CheckpointInfo info;
    c10::IValue v;
    if (!a.try_read("edanas.version", v) || !v.isInt())
        throw CheckpointError(path + ": has no format version");
    info.formatVersion = int(v.toInt());
    if (info.formatVersion != kCheckpointVersion)
        throw CheckpointError(path + ": is a checkpoint of format version " + std::to_string(info.formatVersion)
                              + "; this program reads version " + std::to_string(kCheckpointVersion));
    info.spaceJson = readString(a, "edanas.space", path);
    info.datasetName = readString(a, "edanas.dataset_name", path);
    info.datasetHash = readString(a, "edanas.dataset_hash", path);
    info.trainingLog = readString(a, "edanas.training_log", path);
    info.state = readString(a, "edanas.state", path);
    info.createdBy = readString(a, "edanas.created_by", path);
    torch::Tensor mean, stdev;
    if (!a.try_read("edanas.mean", mean) || !a.try_read("edanas.std", stdev))
        throw CheckpointError(path + ": has no input normalisation");
    std::string problem;
    info.mean = archivedFloats(mean, problem);
    if (!problem.empty())
        throw CheckpointError(path + ": is damaged: the tensor \"edanas.mean\" (its normalisation means) " + problem);
    info.std = archivedFloats(stdev, problem);
    if (!problem.empty())
        throw CheckpointError(path + ": is damaged: the tensor \"edanas.std\" (its normalisation deviations) " + problem);
    if (problem = normalisationProblem(info.mean, info.std, 0); !problem.empty())
        throw CheckpointError(path + ": is damaged: it " + problem);
    return info;
}

// The optimizer's state as the archive holds it, into `optimizer`, whose parameters are
// the network's. LibTorch's Optimizer::load throws its own errors (c10::Error) for a
// damaged state and takes a momentum buffer of any shape or type, which the next step
// then fails on (or broadcasts): both refused here with the file named. (Every tensor in
// the archive was checked against its storage when it was read: readTorchArchive.)
void loadOptimizerState(torch::optim::Optimizer &optimizer, torch::serialize::InputArchive &opt,
                        const std::string &path)
{
    try {
        optimizer.load(opt);
    } catch (const std::exception &e) {
        const std::string what = e.what();
        throw CheckpointError(path + ": is damaged: its optimizer state cannot be read ("
                              + what.substr(0, what.find('\n')) + ")");
    }
    std::size_t index = 0;
    for (const auto &group : optimizer.param_groups()) {
        for (const torch::Tensor &p : group.params()) {
            const auto it = optimizer.state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
            if (it != optimizer.state().end()) {
                torch::Tensor buffer;
                if (const auto *sgd = dynamic_cast<const torch::optim::SGDParamState *>(it->second.get()))
                    buffer = sgd->momentum_buffer();
                if (buffer.defined() && (buffer.sizes() != p.sizes() || buffer.scalar_type() != p.scalar_type()))
                    throw CheckpointError(path + ": is damaged: its optimizer state for parameter "
                                          + std::to_string(index) + " has the wrong shape or type");
            }
            ++index;
        }
    }
}

} // namespace

void saveCheckpoint(const std::string &path, const SupernetImpl &net, const CheckpointInfo &info,
                    torch::optim::Optimizer *optimizer, bool half)
{
    torch::serialize::OutputArchive a;
    writeString(a, kMagicKey, kMagic);
    a.write("edanas.version", c10::IValue(int64_t(kCheckpointVersion)));
    writeString(a, "edanas.space", net.space().toJson());
    writeString(a, "edanas.dataset_name", info.datasetName);
    writeString(a, "edanas.dataset_hash", info.datasetHash);
    writeString(a, "edanas.training_log", info.trainingLog);
    writeString(a, "edanas.state", info.state);
    writeString(a, "edanas.created_by", std::string("edanas ") + kVersion);
    // no normalisation: the identity, one mean and deviation per input channel
    const auto channels = std::size_t(net.space().inputChannels);
    a.write("edanas.mean", torch::tensor(info.mean.empty() ? std::vector<float>(channels, 0.f) : info.mean));
    a.write("edanas.std", torch::tensor(info.std.empty() ? std::vector<float>(channels, 1.f) : info.std));
    std::string digests;
    auto write = [&](const std::string &key, const torch::Tensor &t) {
        a.write(key, t);
        digests += key + " " + tensorDigest(t) + "\n";
    };
    for (const auto &p : net.named_parameters())
        write("param." + p.key(), half ? p.value().detach().to(torch::kHalf) : p.value().detach());
    for (const auto &b : net.named_buffers())
        write("buffer." + b.key(), b.value()); // statistics stay float32: variances overflow float16
    writeString(a, "edanas.digests", digests);
    if (optimizer) {
        torch::serialize::OutputArchive opt;
        optimizer->save(opt);
        a.write("optimizer", opt);
    }
    const std::string tmp = path + ".partial";
    try {
        a.save_to(tmp);
    } catch (const std::exception &e) {
        std::remove(tmp.c_str());
        throw CheckpointError(path + ": cannot be written (" + std::string(e.what()).substr(0, 200) + ")");
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        throw CheckpointError(path + ": cannot be written (" + ec.message() + ")");
}

std::string defaultSupernetPath()
{
    const std::string p = space::resourceDir() + "/supernet/fashion-mnist-ofa-mbv3.pt";
    std::error_code ec;
    return fs::exists(p, ec) ? p : std::string();
}

CheckpointInfo readCheckpointInfo(const std::string &path)
{
    torch::serialize::InputArchive a;
    openArchive(a, path);
    return readInfo(a, path);
}

Supernet loadCheckpoint(const std::string &path, CheckpointInfo *infoOut, torch::optim::Optimizer *optimizer)
{
    torch::serialize::InputArchive a;
    openArchive(a, path);
    CheckpointInfo info = readInfo(a, path);
    space::SearchSpace space;
    try {
        space = space::SearchSpace::fromJson(info.spaceJson, path + " (its search space)");
    } catch (const space::SpaceError &e) {
        throw CheckpointError(e.what());
    }
    if (const std::string problem = normalisationProblem(info.mean, info.std, space.inputChannels); !problem.empty())
        throw CheckpointError(path + ": is damaged: it " + problem);
    // Checkpoints written before the digests were introduced have none: their records
    // were checked against the archive's CRC-32s in openArchive().
    std::map<std::string, std::string> digests;
    if (c10::IValue d; a.try_read("edanas.digests", d)) {
        if (!d.isString())
            throw CheckpointError(path + ": is damaged: its tensor digests (\"edanas.digests\") are not text");
        digests = parseDigests(d.toStringRef(), path);
    }
    Supernet net(space);
    torch::NoGradGuard noGrad;
    auto readInto = [&](const std::string &key, torch::Tensor &target) {
        torch::Tensor t;
        if (!a.try_read(key, t))
            throw CheckpointError(path + ": lacks the tensor \"" + key + "\" (written by another version?)");
        if (const std::string problem = archivedTensorProblem(t); !problem.empty())
            throw CheckpointError(path + ": is damaged: tensor \"" + key + "\" " + problem);
        if (!t.is_floating_point())
            throw CheckpointError(path + ": is damaged: tensor \"" + key + "\" is not floating-point");
        if (t.sizes() != target.sizes())
            throw CheckpointError(path + ": tensor \"" + key + "\" has the wrong shape");
        if (!digests.empty()) {
            const auto it = digests.find(key);
            if (it == digests.end())
                throw CheckpointError(path + ": is damaged: tensor \"" + key + "\" has no digest");
            if (tensorDigest(t) != it->second)
                throw CheckpointError(path + ": is damaged: tensor \"" + key
                                      + "\" does not match the digest written with it");
        }
        target.copy_(t.to(target.scalar_type()));
    };
    for (auto &p : net->named_parameters())
        readInto("param." + p.key(), p.value());
    for (auto &b : net->named_buffers())
        readInto("buffer." + b.key(), b.value());
    if (optimizer) {
        torch::serialize::InputArchive opt;
        if (a.try_read("optimizer", opt))
            loadOptimizerState(*optimizer, opt, path);
    }
    net->eval();
    if (infoOut)
        *infoOut = info;
    return net;
}

void checkCompatible(const std::string &path, const CheckpointInfo &info, const space::SearchSpace &space,
                     const std::string &datasetHash)
{
    space::SearchSpace mine;
    try {
        mine = space::SearchSpace::fromJson(info.spaceJson, path);
    } catch (const space::SpaceError &e) {
        throw CheckpointError(e.what());
    }
    if (!(mine == space))
        throw CheckpointError(path + ": was trained for the search space \"" + mine.name + "\" ("
                              + std::to_string(mine.inputChannels) + " input channels, " + std::to_string(mine.classes)
                              + " classes), not for \"" + space.name + "\" (" + std::to_string(space.inputChannels)
                              + " input channels, " + std::to_string(space.classes) + " classes)");
    if (!datasetHash.empty() && info.datasetHash != datasetHash)
        throw CheckpointError(path + ": was trained on the data set \"" + info.datasetName + "\" (content hash "
                              + info.datasetHash.substr(0, 12) + "...), not on this one (content hash "
                              + datasetHash.substr(0, 12) + "...)");
}

} // namespace edanas::supernet
