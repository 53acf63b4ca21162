// The elastic supernet: forward passes, extraction, the cost model against counted
// MACs, channel sorting, batch-norm recalibration and checkpoints.
#include "cost/cost.h"
#include "data/batchloader.h"
#include "space/architecture.h"
#include "supernet/checkpoint.h"
#include "supernet/extract.h"
#include "supernet/recalibrate.h"
#include "supernet/supernet.h"

#include "fixtures.h"

#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <numeric>

using namespace edanas;
using namespace edanas::supernet;
using space::Genome;
using space::SearchSpace;

namespace {

SearchSpace spaceFor(const char *name, int channels, space::EecType eec = space::EecType::Edanas)
{
    auto s = SearchSpace::load(name);
    s.inputChannels = channels;
    s.classes = 10;
    s.eecType = eec;
    return s;
}

// Random weights and batch-norm statistics, so that every parameter matters.
void scramble(SupernetImpl &net, std::uint64_t seed)
{
    torch::manual_seed(seed);
    torch::NoGradGuard g;
    for (auto &p : net.parameters())
        p.add_(torch::randn_like(p) * 0.1);
    for (auto &b : net.named_buffers()) {
        if (b.key().find("running_var") != std::string::npos)
            b.value().copy_(torch::rand_like(b.value()) + 0.5);
        else
            b.value().copy_(torch::randn_like(b.value()) * 0.1);
    }
}

Genome withExits(const SearchSpace &s, Genome g, std::mt19937_64 &rng)
{
    for (const auto &[st, b] : space::allowedExitPositions(s, g))
        if (rng() % 2 == 0)
            g.exits.push_back({st, b, 0.5});
    return g;
}

double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestSupernet : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void forwardShapesAndEarlyStop()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        net->eval();
        torch::NoGradGuard g;
        Genome genome = Genome::largest(s);
        net->setActive(genome);
        const auto x = torch::randn({3, 1, 20, 20});
        const auto out = net->forward(x, {{0, 0}, {0, 1}, {3, 1}});
        QCOMPARE(out.exits.size(), std::size_t(3));
        QCOMPARE(out.exits[1].sizes().vec(), (std::vector<int64_t>{3, 10}));
        QCOMPARE(out.final.sizes().vec(), (std::vector<int64_t>{3, 10}));
        const auto early = net->forward(x, {{0, 0}, {0, 1}}, false);
        QVERIFY(!early.final.defined());
        QVERIFY(maxDiff(early.exits[1], out.exits[1]) == 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, net->forward(x, {{4, 0}}));
        genome.depth[1] = 1;
        net->setActive(genome);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, net->forward(x, {{1, 1}})); // block 2 inactive
    }

    void extractionMatchesTheSupernet_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("eec");
        QTest::newRow("tiny edanas") << "tiny" << int(space::EecType::Edanas);
        QTest::newRow("tiny nachos") << "tiny" << int(space::EecType::Nachos);
        QTest::newRow("ofa-mbv3 edanas") << "ofa-mbv3" << int(space::EecType::Edanas);
        QTest::newRow("ofa-mbv3 nachos") << "ofa-mbv3" << int(space::EecType::Nachos);
    }

    void extractionMatchesTheSupernet()
    {
        QFETCH(QString, preset);
        QFETCH(int, eec);
        const auto s = spaceFor(preset.toLatin1().constData(), 3, space::EecType(eec));
        Supernet net(s);
        scramble(*net, 1);
        net->eval();
        torch::NoGradGuard g;
        std::mt19937_64 rng(5);
        const int trials = preset == "tiny" ? 12 : 6;
        for (int t = 0; t < trials; ++t) {
            const Genome genome = withExits(s, Genome::random(s, rng), rng);
            net->setActive(genome);
            const auto x = torch::randn({2, 3, genome.resolution, genome.resolution});
            const auto a = net->forwardGenome(x);
            StaticEenn extracted(*net, genome);
            extracted->eval();
            const auto b = extracted->forward(x);
            QCOMPARE(b.exits.size(), a.exits.size());
            for (std::size_t e = 0; e < a.exits.size(); ++e)
                QVERIFY2(maxDiff(a.exits[e], b.exits[e]) < 1e-5, genome.summary().c_str());
            QVERIFY2(maxDiff(a.final, b.final) < 1e-5, genome.summary().c_str());
            // folding batch norm into the convolutions: the same outputs up to rounding
            extracted->fuseBatchNorm();
            const auto f = extracted->forward(x);
            const double scale = a.final.abs().max().item<double>() + 1.0;
            QVERIFY2(maxDiff(a.final, f.final) < 1e-4 * scale, genome.summary().c_str());
            for (std::size_t e = 0; e < a.exits.size(); ++e)
                QVERIFY(maxDiff(a.exits[e], f.exits[e]) < 1e-4 * (a.exits[e].abs().max().item<double>() + 1.0));
        }
    }

    void costModelAgreesWithCountedMacs_data()
    {
        extractionMatchesTheSupernet_data();
    }

    void costModelAgreesWithCountedMacs()
    {
        QFETCH(QString, preset);
        QFETCH(int, eec);
        const auto s = spaceFor(preset.toLatin1().constData(), 1, space::EecType(eec));
        Supernet net(s);
        net->eval();
        torch::NoGradGuard g;
        std::mt19937_64 rng(17);
        const int trials = preset == "tiny" ? 40 : 20;
        for (int t = 0; t < trials; ++t) {
            const Genome genome = withExits(s, Genome::random(s, rng), rng);
            StaticEenn extracted(*net, genome);
            const auto cost = cost::computeCost(s, genome);
            MacCounter counter;
            extracted->forward(torch::randn({2, 1, genome.resolution, genome.resolution}));
            std::int64_t expected = cost.staticMacs;
            for (std::size_t e = 0; e + 1 < cost.exits.size(); ++e)
                expected += cost.exits[e].exitMacs;
            QCOMPARE(counter.macs(), expected);
            QCOMPARE(extracted->parameterCount(), cost.params);
        }
    }

    void kernelTransformStartsAsCentreCrop()
    {
        const auto s = spaceFor("ofa-mbv3", 3);
        Supernet net(s);
        const auto &block = net->blocks[2][0];
        const auto w7 = block->depthwise;
        QVERIFY(maxDiff(block->kernelWeights(5), w7.narrow(2, 1, 5).narrow(3, 1, 5)) < 1e-7);
        QVERIFY(maxDiff(block->kernelWeights(3), w7.narrow(2, 2, 3).narrow(3, 2, 3)) < 1e-7);
        // a trained transform changes the smaller kernels, not the largest
        {
            torch::NoGradGuard g;
            block->transforms[1].add_(torch::randn_like(block->transforms[1]) * 0.1);
        }
        QVERIFY(maxDiff(block->kernelWeights(5), w7.narrow(2, 1, 5).narrow(3, 1, 5)) > 1e-3);
        QVERIFY(maxDiff(block->kernelWeights(7), w7) == 0.0);
    }

    void sortingChannelsKeepsTheLargestNetwork()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        scramble(*net, 2);
        net->eval();
        torch::NoGradGuard g;
        net->setActive(Genome::largest(s));
        const auto x = torch::randn({4, 1, 20, 20});
        const auto before = net->forward(x, {{0, 1}, {2, 1}});
        net->sortChannels();
        const auto after = net->forward(x, {{0, 1}, {2, 1}});
        QVERIFY(maxDiff(before.final, after.final) < 1e-5);
        QVERIFY(maxDiff(before.exits[1], after.exits[1]) < 1e-5);
        // and the kept channels are the important ones: importance is non-increasing
        const auto &b = net->blocks[1][0];
        const auto importance = b->project.abs().sum({0, 2, 3});
        QVERIFY((importance.slice(0, 1) <= importance.slice(0, 0, -1) + 1e-6).all().item<bool>());
    }

    void recalibrationSetsBatchStatistics()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        scramble(*net, 3);
        data::ImageSet set;
        set.height = set.width = 20;
        set.channels = 1;
        torch::manual_seed(4);
        const auto pixels = torch::randint(0, 256, {256 * 400}, torch::kUInt8);
        set.pixels.assign(pixels.data_ptr<std::uint8_t>(), pixels.data_ptr<std::uint8_t>() + pixels.numel());
        set.labels.assign(256, 0);
        std::vector<std::int64_t> all(256);
        std::iota(all.begin(), all.end(), 0);
        data::BatchLoader loader(set, all, 256, {}, false, 0);
        Genome genome = Genome::smallest(s);
        genome.resolution = 20; // the stored size: no resizing between the two passes
        net->setActive(genome);
        const std::vector<Position> positions{{0, 0}};
        // One batch: the running statistics become that batch's statistics, so the
        // evaluation-mode output matches the training-mode output on the same batch.
        QCOMPARE(recalibrateBatchNorm(*net, positions, loader, 256), std::int64_t(256));
        QVERIFY(!net->is_training());
        data::Batch batch;
        loader.reset();
        loader.next(batch);
        torch::NoGradGuard g;
        const auto eval = net->forward(batch.images, positions);
        net->train();
        net->setBatchNormMomentum(0.0); // do not touch the statistics
        const auto train = net->forward(batch.images, positions);
        const double scale = train.final.abs().max().item<double>();
        QVERIFY2(maxDiff(eval.final, train.final) < 2e-2 * scale + 1e-4,
                 QByteArray::number(maxDiff(eval.final, train.final)).constData());
        QVERIFY(maxDiff(eval.exits[0], train.exits[0]) < 2e-2 * train.exits[0].abs().max().item<double>() + 1e-4);
    }

    void checkpointRoundTrip()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        scramble(*net, 6);
        net->eval();
        CheckpointInfo info;
        info.datasetName = "unit";
        info.datasetHash = std::string(64, 'a');
        info.mean = {0.5f};
        info.std = {0.25f};
        info.state = "{\"complete\":true}";
        const std::string path = m_dir.path().toStdString() + "/net.pt";
        saveCheckpoint(path, *net, info);
        CheckpointInfo back;
        Supernet loaded = loadCheckpoint(path, &back);
        QCOMPARE(back.datasetHash, info.datasetHash);
        QCOMPARE(back.mean, info.mean);
        QCOMPARE(back.state, info.state);
        torch::NoGradGuard g;
        std::mt19937_64 rng(1);
        const Genome genome = withExits(s, Genome::random(s, rng), rng);
        net->setActive(genome);
        loaded->setActive(genome);
        const auto x = torch::randn({2, 1, genome.resolution, genome.resolution});
        QVERIFY(maxDiff(net->forwardGenome(x).final, loaded->forwardGenome(x).final) == 0.0);
        // half precision storage: the same network to float16 rounding
        // a variance beyond float16's range survives half-precision storage
        net->blocks[0][0]->depthwiseBn->runningVar.fill_(1e6);
        const std::string half = m_dir.path().toStdString() + "/half.pt";
        saveCheckpoint(half, *net, info, nullptr, true);
        Supernet h = loadCheckpoint(half);
        QVERIFY(torch::equal(h->blocks[0][0]->depthwiseBn->runningVar, net->blocks[0][0]->depthwiseBn->runningVar));
        h->setActive(genome);
        QVERIFY(maxDiff(net->forwardGenome(x).final, h->forwardGenome(x).final) < 5e-2);
        checkCompatible(path, back, s, info.datasetHash);
    }

    void badCheckpointsAreRefused()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        CheckpointInfo info;
        info.datasetName = "unit";
        info.datasetHash = std::string(64, 'b');
        const std::string path = m_dir.path().toStdString() + "/good.pt";
        saveCheckpoint(path, *net, info);
        info = readCheckpointInfo(path);
        auto refused = [](auto fn, const std::string &file, const std::string &phrase) {
            try {
                fn();
            } catch (const CheckpointError &e) {
                const std::string msg = e.what();
                return msg.find(file) != std::string::npos && msg.find(phrase) != std::string::npos;
            }
            return false;
        };
        // another space, another data set
        auto other = spaceFor("tiny", 3);
        QVERIFY(refused([&] { checkCompatible(path, info, other, info.datasetHash); }, path, "3 input channels"));
        QVERIFY(refused([&] { checkCompatible(path, info, s, std::string(64, 'c')); }, path, "data set"));
        // truncated and corrupt files
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::string cut = m_dir.path().toStdString() + "/cut.pt";
        std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() / 2));
        QVERIFY(refused([&] { loadCheckpoint(cut); }, cut, "corrupt or truncated"));
        const std::string junk = m_dir.path().toStdString() + "/junk.pt";
        std::ofstream(junk, std::ios::binary) << "not a checkpoint at all";
        QVERIFY(refused([&] { readCheckpointInfo(junk); }, junk, "corrupt or truncated"));
        QVERIFY(refused([&] { loadCheckpoint(m_dir.path().toStdString() + "/none.pt"); }, "none.pt", "does not exist"));
        QVERIFY(refused([&] { loadCheckpoint(m_dir.path().toStdString()); }, m_dir.path().toStdString(), "directory"));
        // another format version
        torch::serialize::OutputArchive a;
        a.write("edanas.format", c10::IValue(std::string("edanas-supernet")));
        a.write("edanas.version", c10::IValue(int64_t(99)));
        const std::string future = m_dir.path().toStdString() + "/future.pt";
        a.save_to(future);
        QVERIFY(refused([&] { loadCheckpoint(future); }, future, "version 99"));
        // a failed save leaves nothing behind and keeps what was there
        QVERIFY(refused([&] { saveCheckpoint(m_dir.path().toStdString() + "/no/dir/x.pt", *net, info); }, "x.pt",
                        "cannot be written"));
    }

    // A checkpoint with 256 bytes inverted inside one weight tensor loaded without a
    // word (its head then scored 10 %). Now the archive's CRC-32s refuse it; made
    // consistent again (as a tool re-packing the archive would), the digest written
    // with each tensor refuses it, naming the tensor. The shipped checkpoint, written
    // before the digests, still loads, and a damaged copy of it is refused too.
    void damagedCheckpointsAreRefused()
    {
        const auto s = spaceFor("tiny", 1);
        Supernet net(s);
        scramble(*net, 8);
        CheckpointInfo info;
        info.datasetName = "unit";
        info.datasetHash = std::string(64, 'd');
        const std::string dir = m_dir.path().toStdString();
        const std::string intact = dir + "/intact.pt", damaged = dir + "/damaged.pt";
        saveCheckpoint(intact, *net, info);
        std::filesystem::copy_file(intact, damaged);
        // the largest weight tensor, found in the file by its first 64 bytes
        auto largest = [](SupernetImpl &n) {
            std::pair<std::string, torch::Tensor> l;
            for (const auto &p : n.named_parameters())
                if (!l.second.defined() || p.value().numel() > l.second.numel())
                    l = {p.key(), p.value().detach().contiguous()};
            return l;
        };
        const auto [key, weight] = largest(*net);
        QVERIFY(weight.nbytes() >= 256 + 256);
        const std::string head(static_cast<const char *>(weight.data_ptr()), 64);
        const auto at = test::invertBytesAfter(damaged, head, 256, 256);

        auto refusal = [](auto fn) -> std::string {
            try {
                fn();
            } catch (const CheckpointError &e) {
                return e.what();
            }
            return "accepted";
        };
        std::string msg = refusal([&] { loadCheckpoint(damaged); });
        QVERIFY2(msg.rfind(damaged + ": ", 0) == 0 && msg.find("CRC-32") != std::string::npos, msg.c_str());
        msg = refusal([&] { readCheckpointInfo(damaged); });
        QVERIFY2(msg.rfind(damaged + ": ", 0) == 0 && msg.find("CRC-32") != std::string::npos, msg.c_str());
        test::rewriteZipCrc(damaged, at);
        msg = refusal([&] { loadCheckpoint(damaged); });
        QVERIFY2(msg.rfind(damaged + ": ", 0) == 0 && msg.find("\"param." + key + "\"") != std::string::npos
                     && msg.find("digest") != std::string::npos,
                 msg.c_str());
        QCOMPARE(refusal([&] { loadCheckpoint(intact); }), std::string("accepted"));

        const std::string shipped = defaultSupernetPath();
        QVERIFY(!shipped.empty());
        Supernet ref = loadCheckpoint(shipped);
        const std::string shippedDamaged = dir + "/shipped-damaged.pt";
        std::filesystem::copy_file(shipped, shippedDamaged);
        const auto [shippedKey, shippedWeight] = largest(*ref);
        QVERIFY(shippedWeight.nbytes() >= 2 * (256 + 256));
        // stored as float32, or as float16 by `supernet train --half`
        std::string shippedHead(static_cast<const char *>(shippedWeight.data_ptr()), 64);
        std::ifstream in(shipped, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (bytes.find(shippedHead) == std::string::npos) {
            const auto half = shippedWeight.to(torch::kHalf).contiguous();
            shippedHead.assign(static_cast<const char *>(half.data_ptr()), 64);
        }
        test::invertBytesAfter(shippedDamaged, shippedHead, 256, 256);
        msg = refusal([&] { loadCheckpoint(shippedDamaged); });
        QVERIFY2(msg.rfind(shippedDamaged + ": ", 0) == 0 && msg.find("CRC-32") != std::string::npos, msg.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSupernet)
#include "tst_supernet.moc"
