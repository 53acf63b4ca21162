// LibTorch archives a user gives the programs (supernet checkpoints, exported model.pt
// files), damaged so that their records still match their CRC-32s: each is refused with
// one error naming the file, where LibTorch 1.13 alone crashed, allocated what a pickle
// claimed, or handed over a tensor that did not fit its network. The damaged files are
// the minimized reproducers of fuzz/fuzz_checkpoint.cpp's findings, in
// fuzz/regressions/fuzz_checkpoint/ (written from its seeds by Python's zipfile, see
// fuzz/README.md); the checks themselves are tested on pickles and TorchScript built here.
#include "export/eennarchive.h"
#include "fileerror.h"
#include "supernet/checkpoint.h"
#include "torcharchive.h"

#include <QTemporaryDir>
#include <QtTest>

#include <string>
#include <vector>

using namespace edanas;

namespace {

std::string regression(const char *name)
{
    return std::string(EDANAS_SOURCE_DIR) + "/fuzz/regressions/fuzz_checkpoint/" + name;
}

// The message of the CheckpointError that reading the file as a checkpoint throws, ""
// when it is read.
template <typename Fn>
std::string refusal(Fn fn)
{
    try {
        fn();
    } catch (const supernet::CheckpointError &e) {
        return e.what();
    } catch (const FileError &e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string &s, const std::string &part)
{
    return s.find(part) != std::string::npos;
}

std::string pickleProblem(const std::string &bytes)
{
    return checkPickle(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
}

} // namespace

class TestArchives : public QObject
{
    Q_OBJECT

private slots:
    // Each reproducer, the reader that met it, and what its refusal must say (after
    // "FILE: ").
    void reproducersAreRefused_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reader"); // info, load (a checkpoint) or export
        QTest::addColumn<QString>("says");
        // data.pkl puts the first tensor 1,000,000 elements into a 4-byte storage
        QTest::newRow("tensor past its storage")
            << "tensor-past-its-storage.pt" << "info"
            << "tensor \"edanas.mean\" reaches past the 4 bytes stored for it";
        QTest::newRow("tensor past its storage, loaded")
            << "tensor-past-its-storage.pt" << "load" << "reaches past the 4 bytes stored for it";
        // the optimizer's count of parameter groups (one int64; the key "param_groups/size"
        // of its archive "param_groups") at storage offset 255: LibTorch's Optimizer::load
        // reads it with item(), past its storage
        QTest::newRow("optimizer tensor past its storage")
            << "optimizer-tensor-past-its-storage.pt" << "info"
            << "tensor \"optimizer/param_groups/param_groups/size\" reaches past the 8 bytes stored for it";
        // a string's length set to 2^31 - 1: LibTorch allocated what it claimed
        QTest::newRow("pickle length") << "pickle-length-past-its-record.pt" << "info"
                                       << "data.pkl\" is not a sound pickle: it claims 2147483647 bytes";
        // LONG_BINPUT 989,856,081 where entry 256 is next: LibTorch resized its memo
        // table to that (15.8 GB)
        QTest::newRow("pickle memo index") << "pickle-memo-index-past-its-entries.pt" << "info"
                                           << "data.pkl\" is not a sound pickle: it puts memo entry 989856081 of 256";
        // data/76, the storage of "edanas.mean" (1 float), cut to 2 bytes: LibTorch made
        // the storage 4 bytes over a 2-byte allocation, and reading the mean read past it
        QTest::newRow("storage past its record")
            << "storage-past-its-record.pt" << "export"
            << "record \"model.pt/data.pkl\" makes storage \"76\" 1 elements of 4 bytes, but its record holds 2 bytes";
        // LibTorch 1.13's TorchScript importer dereferences a null pointer on this class body
        QTest::newRow("TorchScript") << "torchscript-importer-crash.pt" << "load"
                                     << "code/__torch__.py\" holds TorchScript other than a module's attribute "
                                        "declarations (line 3)";
        // constants.pkl pops two values from an empty stack: LibTorch's unpickler read
        // before its stack (SEGV, in the normal build too)
        QTest::newRow("unpickler stack") << "unpickler-stack-underflow.pt" << "info"
                                         << "constants.pkl\" is not a sound pickle: it takes 2 values where 0 are on "
                                            "the stack";
        // the stem's weight [4, 1, 3, 3] stored as [1, 4, 3, 3]: the same bytes, so its
        // digest matches; torch::load would give the network that shape
        QTest::newRow("exported tensor of another shape")
            << "export-tensor-of-another-shape.pt" << "export"
            << "is damaged: tensor \"stem\" has the wrong shape for its genome";
    }

    void reproducersAreRefused()
    {
        QFETCH(QString, file);
        QFETCH(QString, reader);
        QFETCH(QString, says);
        const std::string path = regression(file.toStdString().c_str());
        const std::string msg = refusal([&] {
            if (reader == QLatin1String("info"))
                supernet::readCheckpointInfo(path);
            else if (reader == QLatin1String("load"))
                supernet::loadCheckpoint(path);
            else
                deploy::loadEennArchive(path);
        });
        QVERIFY2(msg.rfind(path + ": ", 0) == 0 && contains(msg, says.toStdString()), msg.c_str());
    }

    // A training resumes with the optimizer's state its checkpoint holds. LibTorch's
    // Optimizer::load takes a momentum buffer of any shape, and the next step failed on
    // it (or broadcast it) with LibTorch's own error, naming no file.
    void optimizerStateMustFitItsNetwork()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // the smallest network of the ofa-mbv3 structure (fuzz_checkpoint's seeds are of it)
        const std::string spaceFile = std::string(EDANAS_SOURCE_DIR) + "/fuzz/micro-space.json";
        QFile file(QString::fromStdString(spaceFile));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const space::SearchSpace s = space::SearchSpace::fromJson(file.readAll().toStdString(), spaceFile);
        supernet::CheckpointInfo info;
        info.datasetName = "test";
        info.datasetHash = std::string(64, '0');
        info.mean = {0.5f};
        info.std = {0.25f};
        info.state = "{}";
        torch::manual_seed(3);
        supernet::Supernet net(s);
        torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        net->setActive(space::Genome::largest(s));
        net->forwardGenome(torch::ones({2, 1, 8, 8})).final.sum().backward();
        sgd.step();
        const std::string good = dir.filePath("good.pt").toStdString();
        supernet::saveCheckpoint(good, *net, info, &sgd);

        // read back as the trainer resumes: the buffers are the ones saved
        supernet::Supernet again = supernet::loadCheckpoint(good);
        torch::optim::SGD resumed(again->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        supernet::loadCheckpoint(good, nullptr, &resumed);
        const auto params = net->parameters(), resumedParams = again->parameters();
        int buffers = 0;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto key = [](const torch::Tensor &t) { return c10::guts::to_string(t.unsafeGetTensorImpl()); };
            const auto mine = sgd.state().find(key(params[i]));
            const auto theirs = resumed.state().find(key(resumedParams[i]));
            QCOMPARE(theirs != resumed.state().end(), mine != sgd.state().end());
            if (mine == sgd.state().end())
                continue;
            const auto &a = static_cast<torch::optim::SGDParamState &>(*mine->second).momentum_buffer();
            const auto &b = static_cast<torch::optim::SGDParamState &>(*theirs->second).momentum_buffer();
            QVERIFY(torch::equal(a, b));
            ++buffers;
        }
        QVERIFY(buffers > 0);

        // one buffer of another shape than its parameter
        auto &first = static_cast<torch::optim::SGDParamState &>(*sgd.state().at(
            c10::guts::to_string(params[0].unsafeGetTensorImpl())));
        first.momentum_buffer(torch::zeros({params[0].numel() + 1}));
        const std::string bad = dir.filePath("bad.pt").toStdString();
        supernet::saveCheckpoint(bad, *net, info, &sgd);
        supernet::Supernet victim = supernet::loadCheckpoint(bad); // the weights are sound
        torch::optim::SGD victimSgd(victim->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        const std::string msg = refusal([&] { supernet::loadCheckpoint(bad, nullptr, &victimSgd); });
        QVERIFY2(msg.rfind(bad + ": ", 0) == 0
                     && contains(msg, "is damaged: its optimizer state for parameter 0 has the wrong shape or type"),
                 msg.c_str());

        // an optimizer of other parameters than the saved one's: LibTorch's own check,
        // now with the file named
        torch::optim::SGD fewer(std::vector<torch::Tensor>{victim->parameters()[0]},
                                torch::optim::SGDOptions(0.1).momentum(0.9));
        const std::string other = refusal([&] { supernet::loadCheckpoint(good, nullptr, &fewer); });
        QVERIFY2(other.rfind(good + ": is damaged: its optimizer state cannot be read (", 0) == 0, other.c_str());
    }

    void picklesAreWalked()
    {
        using namespace std::string_literals;
        QCOMPARE(pickleProblem("\x80\x02K\x01."s), std::string());           // PROTO 2, BININT1 1, STOP
        QCOMPARE(pickleProblem("\x80\x02X\x02\x00\x00\x00hi."s), std::string()); // BINUNICODE "hi"
        QCOMPARE(pickleProblem("cmod\nname\n."s), std::string());            // GLOBAL, two lines
        // a length of 3 takes "hi." as the string: no STOP after it
        QVERIFY(contains(pickleProblem("\x80\x02X\x03\x00\x00\x00hi."s), "without its STOP"));
        QVERIFY(contains(pickleProblem("\x80\x02X\x09\x00\x00\x00hi."s), "claims 9 bytes where 3 are left"));
        QVERIFY(contains(pickleProblem("\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\x7f."s), "claims"));
        QVERIFY(contains(pickleProblem("\x80\x02K"s), "ends inside an argument"));
        QVERIFY(contains(pickleProblem("\x80\x02\xff."s), "unknown opcode (opcode 0xff at byte 2)"));
        QVERIFY(contains(pickleProblem("K\x01.K"s), "goes on after its end"));
        QVERIFY(contains(pickleProblem("cmod\nname"s), "ends inside a line"));
        QVERIFY(contains(pickleProblem(""s), "without its STOP"));
        // memo entries: put in order, got once put
        QCOMPARE(pickleProblem("K\x01q\x00h\x00q\x01q\x00p2\ng1\n\x94h\x03."s), std::string());
        QVERIFY(contains(pickleProblem("K\x01q\x01."s), "puts memo entry 1 of 0"));
        QVERIFY(contains(pickleProblem("K\x01q\x00h\x01."s), "gets memo entry 1 of 1"));
        QVERIFY(contains(pickleProblem("K\x01j\x00\x00\x00\x00."s), "gets memo entry 0 of 0"));
        QVERIFY(contains(pickleProblem("K\x01p1x\n."s), "memo index that is not a number"));
        // persistent ids: only tensor storages, as LibTorch's pickler writes them
        std::vector<PickledStorage> storages;
        const std::string storage = "(X\x07\x00\x00\x00storageq\x00" "ctorch\nFloatStorage\nq\x01X\x01\x00\x00\x00"
                                    "0X\x03\x00\x00\x00" "cpuq\x02K\x06tQ"s;
        const std::string again = "(h\x00h\x01X\x01\x00\x00\x00" "1h\x02M\x00\x01tQ"s; // memoized strings
        const std::string both = "\x80\x02" + storage + again + "\x86.";
        const std::string problem = checkPickle(reinterpret_cast<const std::uint8_t *>(both.data()), both.size(), &storages);
        QVERIFY2(problem.empty(), problem.c_str());
        QCOMPARE(storages.size(), std::size_t(2));
        QCOMPARE(storages[0].key, std::string("0"));
        QCOMPARE(storages[0].type, std::string("torch\nFloatStorage"));
        QCOMPARE(storages[0].count, std::uint64_t(6));
        QCOMPARE(storages[1].key, std::string("1"));
        QCOMPARE(storages[1].count, std::uint64_t(256));
        QVERIFY(contains(pickleProblem("(K\x01K\x02tQ."s), "persistent id other than a tensor storage"));
        QVERIFY(contains(pickleProblem("K\x01Q."s), "persistent id other than a tensor storage"));
        QVERIFY(contains(pickleProblem("t."s), "closes a MARK it never opened"));
        // the stack's depth: what each opcode takes must have been pushed
        QVERIFY(contains(pickleProblem("K\x01R."s), "takes 2 values where 1 are on the stack"));
        QVERIFY(contains(pickleProblem("."s), "takes 1 values where 0"));
        QVERIFY(contains(pickleProblem("(K\x01" "e."s), "adds items to nothing"));
        QVERIFY(contains(pickleProblem("}(K\x01u."s), "sets a key without a value"));
        QVERIFY(contains(pickleProblem("K\x01(a."s), "takes 2 values where 0")); // a MARK hides what is below
        // {1: 2} and [1, 2, 3], as a tuple
        QCOMPARE(pickleProblem("}(K\x01K\x02u]K\x01" "a(K\x02K\x03" "e\x86."s), std::string());
    }

    void moduleCodeIsWhatOutputArchiveWrites()
    {
        const auto problem = [](const std::string &code) { return checkModuleCode(code.data(), code.size()); };
        const std::string good = "class Module(Module):\n"
                                 "  __parameters__ = [\"param.stem\", \"edanas.mean\", ]\n"
                                 "  __buffers__ = []\n"
                                 "  __annotations__ = []\n"
                                 "  __annotations__[\"param.stem\"] = Tensor\n"
                                 "  __annotations__[\"edanas.version\"] = int\n"
                                 "  lr : float\n"
                                 "  nesterov : bool\n"
                                 "  optimizer : __torch__.___torch_mangle_0.Module\n"
                                 "\n";
        QCOMPARE(problem(good), std::string());
        QVERIFY(contains(problem("class Module(Module):\n  def forward(self, x):\n    return x\n"), "(line 2)"));
        QVERIFY(contains(problem("class Other(Module):\n"), "(line 1)"));
        QVERIFY(contains(problem("class Module(Module):\n  __buffers__ = [\"a\\\"b\", ]\n"), "(line 2)"));
        QVERIFY(contains(problem("class Module(Module):\n  __parameters__ = [\"a\"]\n"), "(line 2)"));
        QVERIFY(contains(problem("class Module(Module):\n  x : __torch__.___torch_mangle_.Module\n"), "(line 2)"));
        QVERIFY(contains(problem("class Module(Module):\n  x : List[int]\n"), "(line 2)"));
        QVERIFY(contains(problem("class Module(Module):\n  __annotations__[\"a\"] = Tensor  \n"), "(line 2)"));
    }
};

QTEST_GUILESS_MAIN(TestArchives)
#include "tst_archives.moc"
