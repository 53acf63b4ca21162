// Fuzz target: the LibTorch archives a user's files are, read the whole way through
// LibTorch: supernet checkpoints (readCheckpointInfo, loadCheckpoint) and exported
// model.pt files (deploy::loadEennArchive). fuzz_zip covers the zip check every such file
// passes first; this target gets past it, because its mutator (below) mutates one record
// of the archive at a time and writes the archive again with the records' CRC-32s, so
// that LibTorch's unpickler, its TorchScript importer and our code after them see the
// mutated contents.
//
// Each input is a zip archive, written to a scratch file (in /dev/shm when it exists)
// and given to the readers of the format it names (see LLVMFuzzerTestOneInput). Properties:
// - a refusal is the reader's own error (CheckpointError, FileError) naming the file; no
//   other exception (LibTorch's c10::Error included) comes out;
// - a checkpoint's info has as many normalisation means as deviations, one per input
//   channel of its space, deviations > 0; loadCheckpoint gives the info readCheckpointInfo
//   gave, and its supernet runs its largest subnet on a batch of zeros; a checkpoint
//   with an optimizer's state loads it into an SGD optimizer of the network, which
//   then takes a step, as a resumed training does;
// - an exported network read back has the same normalisation property, every tensor
//   of the shape its genome gives, and runs (forward and infer) on a batch of zeros;
// - the input file is left byte for byte as it was.
//
// With EDANAS_FUZZ_WRITE_SEEDS=DIR, LLVMFuzzerInitialize writes the seeds (checkpoints of
// a two-stage space, float32 and float16, and an exported early-exit network of it) into
// DIR and exits: make-seeds.sh cannot write LibTorch archives.
#include "fuzz_common.h"

#include "export/eennarchive.h"
#include "fileerror.h"
#include "supernet/checkpoint.h"

#include <QCoreApplication>

#include <torch/torch.h>
#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace edanas;

// libFuzzer's; absent from the replay build, which never calls the custom mutator
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerMutate(std::uint8_t *data, std::size_t size,
                                                             std::size_t maxSize);

namespace {

std::string g_path;

// --- a minimal zip codec: reads stored and deflated records, writes stored ones; no zip64 ---

struct Record
{
    std::string name;
    std::vector<std::uint8_t> data;
};

std::uint32_t le(const std::uint8_t *p, int n)
{
    std::uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}

void put(std::vector<std::uint8_t> &out, std::uint32_t v, int n)
{
    for (int i = 0; i < n; ++i)
        out.push_back(std::uint8_t(v >> (8 * i)));
}

// A deflated record's contents; false when they do not inflate to `size` bytes.
bool inflateRaw(const std::uint8_t *data, std::size_t packed, std::size_t size, std::vector<std::uint8_t> &out)
{
    out.assign(size, 0);
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return false;
    z.next_in = const_cast<std::uint8_t *>(data);
    z.avail_in = uInt(packed);
    z.next_out = out.data();
    z.avail_out = uInt(size);
    const int rc = inflate(&z, Z_FINISH);
    const bool ok = rc == Z_STREAM_END && z.total_out == size;
    inflateEnd(&z);
    return ok;
}

// The records of an archive, from its central directory (deflated ones inflated); false
// for zip64 archives and damaged structure.
bool readZip(const std::uint8_t *data, std::size_t size, std::vector<Record> &records)
{
    if (size < 22)
        return false;
    std::size_t eocd = size - 22;
    for (;; --eocd) {
        if (le(data + eocd, 4) == 0x06054b50)
            break;
        if (eocd == 0 || size - eocd > 22 + 65535)
            return false;
    }
    const std::uint32_t count = le(data + eocd + 10, 2);
    std::size_t at = le(data + eocd + 16, 4);
    for (std::uint32_t i = 0; i < count; ++i) {
        if (at > size || size - at < 46 || le(data + at, 4) != 0x02014b50)
            return false;
        const std::uint32_t method = le(data + at + 10, 2), packed = le(data + at + 20, 4), plain = le(data + at + 24, 4);
        const std::size_t nameLen = le(data + at + 28, 2), extra = le(data + at + 30, 2), comment = le(data + at + 32, 2);
        const std::size_t local = le(data + at + 42, 4);
        if ((method != 0 && method != 8) || (method == 0 && packed != plain) || plain > (1u << 24)
            || size - at - 46 < nameLen)
            return false;
        Record r;
        r.name.assign(reinterpret_cast<const char *>(data + at + 46), nameLen);
        if (local > size || size - local < 30 || le(data + local, 4) != 0x04034b50)
            return false;
        const std::size_t start = local + 30 + le(data + local + 26, 2) + le(data + local + 28, 2);
        if (start > size || size - start < packed)
            return false;
        if (method == 0)
            r.data.assign(data + start, data + start + packed);
        else if (!inflateRaw(data + start, packed, plain, r.data))
            return false;
        records.push_back(std::move(r));
        at += 46 + nameLen + extra + comment;
    }
    return true;
}

std::vector<std::uint8_t> writeZip(const std::vector<Record> &records)
{
    std::vector<std::uint8_t> out, central;
    for (const Record &r : records) {
        const auto crc = std::uint32_t(crc32_z(0, r.data.data(), r.data.size()));
        const auto offset = std::uint32_t(out.size());
        put(out, 0x04034b50, 4);
        put(out, 20, 2); // version needed
        put(out, 0, 2);  // flags
        put(out, 0, 2);  // stored
        put(out, 0, 4);  // time, date
        put(out, crc, 4);
        put(out, std::uint32_t(r.data.size()), 4);
        put(out, std::uint32_t(r.data.size()), 4);
        put(out, std::uint32_t(r.name.size()), 2);
        put(out, 0, 2);
        out.insert(out.end(), r.name.begin(), r.name.end());
        out.insert(out.end(), r.data.begin(), r.data.end());
        put(central, 0x02014b50, 4);
        put(central, 20, 2);
        put(central, 20, 2);
        put(central, 0, 2);
        put(central, 0, 2);
        put(central, 0, 4);
        put(central, crc, 4);
        put(central, std::uint32_t(r.data.size()), 4);
        put(central, std::uint32_t(r.data.size()), 4);
        put(central, std::uint32_t(r.name.size()), 2);
        put(central, 0, 2); // extra
        put(central, 0, 2); // comment
        put(central, 0, 2); // disk
        put(central, 0, 2); // internal attributes
        put(central, 0, 4); // external attributes
        put(central, offset, 4);
        central.insert(central.end(), r.name.begin(), r.name.end());
    }
    const auto centralAt = std::uint32_t(out.size());
    out.insert(out.end(), central.begin(), central.end());
    put(out, 0x06054b50, 4);
    put(out, 0, 4); // disks
    put(out, std::uint32_t(records.size()), 2);
    put(out, std::uint32_t(records.size()), 2);
    put(out, std::uint32_t(central.size()), 4);
    put(out, centralAt, 4);
    put(out, 0, 2);
    return out;
}

std::vector<std::uint8_t> readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes;
    char block[1 << 16];
    while (in.read(block, sizeof block) || in.gcount() > 0)
        bytes.insert(bytes.end(), block, block + in.gcount());
    return bytes;
}

bool named(const std::exception &e)
{
    return std::strncmp(e.what(), g_path.c_str(), g_path.size()) == 0;
}

void checkNormalisation(const std::vector<float> &mean, const std::vector<float> &std, const space::SearchSpace &s)
{
    FUZZ_CHECK(mean.size() == std.size());
    FUZZ_CHECK(mean.size() == std::size_t(s.inputChannels));
    for (std::size_t i = 0; i < mean.size(); ++i)
        FUZZ_CHECK(std::isfinite(mean[i]) && std::isfinite(std[i]) && std[i] > 0);
}

void readCheckpoint(bool withOptimizer)
{
    supernet::CheckpointInfo info;
    try {
        info = supernet::readCheckpointInfo(g_path);
    } catch (const supernet::CheckpointError &e) {
        FUZZ_CHECK(named(e));
        return;
    }
    space::SearchSpace s;
    try {
        s = space::SearchSpace::fromJson(info.spaceJson, g_path);
    } catch (const space::SpaceError &) {
    }
    try {
        supernet::CheckpointInfo again;
        supernet::Supernet net = supernet::loadCheckpoint(g_path, &again);
        FUZZ_CHECK(again.spaceJson == info.spaceJson && again.mean == info.mean && again.std == info.std
                   && again.datasetHash == info.datasetHash && again.state == info.state);
        checkNormalisation(info.mean, info.std, net->space());
        torch::NoGradGuard noGrad;
        const space::Genome g = space::Genome::largest(net->space());
        net->setActive(g);
        const auto out = net->forwardGenome(torch::zeros({1, net->space().inputChannels, g.resolution, g.resolution}));
        FUZZ_CHECK(out.final.size(0) == 1 && out.final.size(1) == net->space().classes);
        if (withOptimizer) {
            // as a training resumes: the optimizer's state into an optimizer of the
            // network's parameters, then a step
            torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
            (void)supernet::loadCheckpoint(g_path, nullptr, &sgd);
            for (auto &p : net->parameters())
                p.mutable_grad() = torch::zeros_like(p);
            sgd.step();
        }
    } catch (const supernet::CheckpointError &e) {
        FUZZ_CHECK(named(e));
    }
}

void readExport()
{
    try {
        deploy::EennArchiveInfo info;
        supernet::StaticEenn net = deploy::loadEennArchive(g_path, &info);
        const space::SearchSpace s = space::SearchSpace::fromJson(info.spaceJson, g_path);
        checkNormalisation(info.mean, info.std, s);
        torch::NoGradGuard noGrad;
        const int r = net->genome().resolution;
        const auto x = torch::zeros({2, s.inputChannels, r, r});
        const auto out = net->forward(x);
        FUZZ_CHECK(out.final.size(0) == 2 && out.final.size(1) == s.classes);
        FUZZ_CHECK(out.exits.size() == net->genome().exits.size());
        const auto early = net->infer(x);
        FUZZ_CHECK(early.predictions.numel() == 2);
    } catch (const FileError &e) {
        FUZZ_CHECK(named(e));
    }
}

void writeSeeds(const std::string &dir)
{
    std::filesystem::create_directories(dir);
    // the smallest network of the ofa-mbv3 structure: LibTorch's import costs with each
    // tensor and each line of TorchScript the archive holds
    const std::string spaceFile = EDANAS_FUZZ_SOURCE_DIR "/micro-space.json";
    const auto json = readFile(spaceFile);
    const space::SearchSpace s = space::SearchSpace::fromJson(std::string(json.begin(), json.end()), spaceFile);
    torch::manual_seed(1);
    supernet::Supernet net(s);
    supernet::CheckpointInfo info;
    info.datasetName = "seed";
    info.datasetHash = std::string(64, '0');
    info.mean = {0.25f};
    info.std = {0.5f};
    info.trainingLog = "{\"epoch\":1}\n";
    info.state = "{\"complete\":true}";
    supernet::saveCheckpoint(dir + "/checkpoint.pt", *net, info);
    supernet::saveCheckpoint(dir + "/checkpoint-half.pt", *net, info, nullptr, true);
    {
        // as training saves it to resume: with the optimizer's state after one step
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
        net->setActive(space::Genome::largest(s));
        net->forwardGenome(torch::zeros({2, 1, 8, 8})).final.sum().backward();
        sgd.step();
        supernet::saveCheckpoint(dir + "/checkpoint-optimizer.pt", *net, info, &sgd);
    }
    space::Genome g = space::Genome::smallest(s);
    const auto positions = space::allowedExitPositions(s, g);
    FUZZ_CHECK(!positions.empty());
    g.exits = {space::ExitSpec{positions.front().first, positions.front().second, 0.5}};
    supernet::StaticEenn eenn(*net, g);
    eenn->fuseBatchNorm();
    eenn->eval();
    deploy::saveEennArchive(dir + "/model.pt", *eenn, s, info.mean, info.std);
    // The seeds as the mutator writes archives again: LibTorch must read those too, or
    // the mutator would only ever produce files it refuses.
    for (const char *name : {"checkpoint.pt", "model.pt"}) {
        const auto bytes = readFile(dir + "/" + name);
        std::vector<Record> records;
        FUZZ_CHECK(readZip(bytes.data(), bytes.size(), records));
        const auto again = writeZip(records);
        const std::string copy = dir + "/rewritten-" + name;
        std::ofstream(copy, std::ios::binary).write(reinterpret_cast<const char *>(again.data()),
                                                    std::streamsize(again.size()));
    }
    // every seed must be accepted, or the fuzzer would start from refusals
    for (const char *name : {"checkpoint.pt", "checkpoint-half.pt", "checkpoint-optimizer.pt", "rewritten-checkpoint.pt"})
        (void)supernet::loadCheckpoint(dir + "/" + name);
    for (const char *name : {"model.pt", "rewritten-model.pt"})
        (void)deploy::loadEennArchive(dir + "/" + name);
}

} // namespace

// LibTorch 1.13 leaks its zip reader's state (mz_zip_reader_init's allocations, about
// 20 KB) when PyTorchStreamReader's constructor throws for a file it refuses, e.g. one
// whose "version" record is not a number; not ours to fix. LibTorch has no frame
// pointers, so the leak's stack ends in libtorch_cpu.so and only the library can name it.
extern "C" const char *__lsan_default_suppressions()
{
    return "leak:libtorch_cpu.so\n";
}

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv); // resourceDir() asks it where the program lives
    torch::set_num_threads(1);
    if (const char *dir = std::getenv("EDANAS_FUZZ_WRITE_SEEDS")) {
        try {
            writeSeeds(dir);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "cannot write the seeds: %s\n", e.what());
            std::exit(1);
        }
        std::exit(0);
    }
    std::error_code ec;
    std::string tmp = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
    if (const char *t = std::getenv("TMPDIR"); t && tmp != "/dev/shm")
        tmp = t;
    g_path = tmp + "/fuzz-checkpoint-" + std::to_string(getpid()) + ".pt";
    return 0;
}

// One record's contents mutated by libFuzzer's own mutations, the archive written again
// with that record's new CRC-32 and sizes; in one case of eight, or for an input that is
// no archive of stored records, the bytes as they are (the zip structure itself).
// Records other than the tensors' data/N (the pickles, the TorchScript code, the version)
// are picked half the time.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t *data, std::size_t size, std::size_t maxSize,
                                               unsigned seed)
{
    std::minstd_rand rng(seed);
    std::vector<Record> records;
    if (rng() % 8 == 0 || !readZip(data, size, records) || records.empty())
        return LLVMFuzzerMutate(data, size, maxSize);
    std::vector<std::size_t> meta;
    for (std::size_t i = 0; i < records.size(); ++i)
        if (records[i].name.find("/data/") == std::string::npos)
            meta.push_back(i);
    Record &r = (!meta.empty() && rng() % 2 == 0) ? records[meta[rng() % meta.size()]]
                                                   : records[rng() % records.size()];
    const std::size_t others = writeZip(records).size() - r.data.size();
    if (others + 1 >= maxSize)
        return LLVMFuzzerMutate(data, size, maxSize);
    const std::size_t room = std::min(maxSize - others, r.data.size() + 256);
    const std::size_t used = r.data.size();
    r.data.resize(std::max<std::size_t>(room, 1));
    r.data.resize(LLVMFuzzerMutate(r.data.data(), used, r.data.size()));
    const auto out = writeZip(records);
    if (out.size() > maxSize)
        return LLVMFuzzerMutate(data, size, maxSize);
    std::memcpy(data, out.data(), out.size());
    return out.size();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    {
        std::ofstream out(g_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), std::streamsize(size));
    }
    // Each reader imports the archive through LibTorch, the bulk of an execution's time:
    // an input goes to the reader its format string names, and one in 16 (by a hash of
    // the input, so runs repeat) to both, for the refusal of the other's format.
    const auto says = [&](const char *word) { return memmem(data, size, word, std::strlen(word)) != nullptr; };
    const bool checkpoint = says("edanas-supernet"), exported = says("edanas-eenn");
    const bool both = (crc32_z(0, data, size) & 15) == 0 || checkpoint == exported;
    try {
        if (checkpoint || both)
            readCheckpoint(says("optimizer"));
        if (exported || both)
            readExport();
    } catch (const std::exception &e) {
        FUZZ_FAIL("an exception other than the reader's own: %s", e.what());
    }
    const auto back = readFile(g_path);
    FUZZ_CHECK(back.size() == size && (size == 0 || std::memcmp(back.data(), data, size) == 0));
    return 0;
}
