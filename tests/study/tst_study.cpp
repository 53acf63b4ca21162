// The study store: everything round-trips exactly, bad files are refused untouched, a
// writer killed with SIGKILL loses nothing it reported committed, and a read-only
// reader follows a writer in another process or thread.
//
// The crash and reader tests run the helper named by EDANAS_STUDY_CRASHWRITER
// (tests/study/crashwriter.cpp).
#include "study/study.h"
#include "eenn/profilestore.h"

#include "fixtures.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <limits>
#include <thread>

using namespace edanas::study;

namespace {

// Must match crashCandidate() in crashwriter.cpp.
CandidateRecord crashCandidate(std::int64_t n)
{
    CandidateRecord c;
    c.id = n;
    c.generation = int(n / 10);
    c.genomeHash = std::uint64_t(n) * 0x9E3779B97F4A7C15ull;
    c.genomeJson = "{\"n\":" + std::to_string(n) + "}";
    for (int k = 0; k < 12; ++k)
        c.genes.push_back(int((n + k) % 5));
    c.objectives = {1.0 / double(n), double(n) * 1e6};
    c.accuracy = double(n) / 1000.0;
    c.figuresJson = "{\"pad\":\"" + std::string(16000, char('a' + n % 26)) + "\",\"n\":" + std::to_string(n) + "}";
    c.origin = "offspring";
    c.note = std::to_string(n);
    return c;
}

bool same(const CandidateRecord &a, const CandidateRecord &b)
{
    return a.id == b.id && a.generation == b.generation && a.genomeJson == b.genomeJson
        && a.genomeHash == b.genomeHash && a.genes == b.genes && a.objectives == b.objectives
        && a.violation == b.violation && a.accuracy == b.accuracy && a.macsTrue == b.macsTrue
        && a.macsPaper == b.macsPaper && a.staticMacs == b.staticMacs && a.params == b.params
        && a.sramBytes == b.sramBytes && a.flashBytes == b.flashBytes && a.figuresJson == b.figuresJson && a.origin == b.origin
        && a.evalSeconds == b.evalSeconds && a.pinned == b.pinned && a.banned == b.banned && a.note == b.note;
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return "unreadable";
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

// Runs statements on `path` over a raw connection of its own, closed before returning.
bool rawSql(const QString &path, const QStringList &statements)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        ok = db.open();
        for (const QString &sql : statements)
            ok = ok && QSqlQuery(db).exec(sql);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return ok;
}

#define REQUIRE_CRASHWRITER()                                                                          \
    QVERIFY2(QFileInfo(crashWriter()).isExecutable(),                                                 \
             "EDANAS_STUDY_CRASHWRITER must name the crashwriter helper program")

QString crashWriter() { return qEnvironmentVariable("EDANAS_STUDY_CRASHWRITER"); }

} // namespace

class TestStudy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString fresh(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
    }

    // Found by fuzz_study: a damaged file gave a candidate whose NOT NULL columns were
    // NULL (read as 0 and ""). It is refused as damaged, naming the column.
    void candidateWithMissingValuesIsRefused()
    {
        const QString file = fresh(QStringLiteral("nulls.edanas"));
        {
            Study s = Study::create(file.toStdString(), StudyInfo{});
            s.addCandidate(crashCandidate(1));
        }
        // a damaged schema that lets NULL in, as a damaged page can yield
        QVERIFY(rawSql(file, {"PRAGMA writable_schema = ON",
                              "UPDATE sqlite_master SET sql = replace(sql, 'genome_hash INTEGER NOT NULL UNIQUE',"
                              " 'genome_hash INTEGER UNIQUE') WHERE name = 'candidates'"}));
        QVERIFY(rawSql(file, {"UPDATE candidates SET genome_hash = NULL WHERE id = 1"}));
        const Study r = Study::open(file.toStdString(), true);
        try {
            (void)r.candidates();
            QFAIL("a damaged candidate was read");
        } catch (const StudyError &e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(file + ": is damaged: a candidate has no genome_hash"),
                     e.what());
        }
    }

    // An exit profile stored in a study, with 256 bytes inverted inside it in the file:
    // refused with a message naming the study (the CRC-32 stored with the profile).
    void damagedStoredProfileIsRefused()
    {
        edanas::eenn::ExitProfile p;
        p.resize(2000, 5);
        p.classes = 10;
        QRandomGenerator rng(15);
        for (int q = 0; q < p.positions; ++q) {
            p.position[std::size_t(q)] = q + 1 < p.positions ? std::pair{q + 1, 0} : std::pair{-1, -1};
            p.backboneMacs[std::size_t(q)] = 1000 * (q + 1);
            p.exitMacs[std::size_t(q)] = 100;
        }
        for (std::size_t i = 0; i < p.correct.size(); ++i) {
            p.correct[i] = std::uint8_t(rng.bounded(2));
            p.predicted[i] = std::int16_t(rng.bounded(10));
            p.maxSoftmax[i] = float(rng.generateDouble());
            p.margin[i] = float(rng.generateDouble());
            p.entropy[i] = float(rng.generateDouble());
            p.confidence[i] = float(rng.generateDouble());
        }
        const std::string bytes = edanas::eenn::serializeProfile(p);
        QVERIFY(bytes.size() > 1000);
        const std::string path = fresh(QStringLiteral("profiles.edanas")).toStdString();
        StudyInfo info;
        info.configJson = "{}";
        Study::create(path, info).putProfile(77, 32, bytes); // closed: the log is checkpointed into the file
        QVERIFY(!QFile::exists(QString::fromStdString(path + "-wal")));
        QCOMPARE(edanas::eenn::deserializeProfile(*Study::open(path, true).profile(77, 32), path).samples, 2000);

        // 256 bytes from the 164th byte of the profile on: inside the part SQLite keeps
        // in the row's own page
        edanas::test::invertBytesAfter(path, bytes.substr(100, 64), 64, 256);
        const auto damaged = Study::open(path, true).profile(77, 32);
        QVERIFY(damaged && damaged->size() == bytes.size() && *damaged != bytes);
        try {
            edanas::eenn::deserializeProfile(*damaged, path);
            QFAIL("a damaged profile was read");
        } catch (const edanas::eenn::ProfileError &e) {
            const std::string msg = e.what();
            QVERIFY2(msg.rfind(path + ": ", 0) == 0 && msg.find("CRC-32") != std::string::npos, msg.c_str());
        }
    }

    void roundTrip()
    {
        const std::string path = fresh("roundtrip.study").toStdString();
        const StudyInfo info{"{\"population\":40}", "/data/fmnist", "sha256:aa", "/ckpt/supernet.pt", "sha256:bb",
                             "mobilenet-ee", "genes-v1", "0.1.0", 0xFFFFFFFFFFFFFFFFull, ""};
        CandidateRecord a;
        a.generation = 3;
        a.genomeJson = "{\"stages\":[1,2],\"name\":\"\xC3\xBC\"}";
        a.genomeHash = 0xFEDCBA9876543210ull; // >= 2^63
        a.genes = {0, 3, -1, 7, 2147483647};
        a.objectives = {0.1, 1e-300, std::numeric_limits<double>::infinity(), 123456789.12345679, 5e-324};
        a.violation = 0.25;
        a.accuracy = 0.9123456789;
        a.macsTrue = 1.5e7;
        a.macsPaper = 1.25e7;
        a.staticMacs = 3e7;
        a.params = 123456;
        a.sramBytes = 19968;
        a.flashBytes = 3587481.5;
        a.figuresJson = "{\"share\":[0.5,0.5]}";
        a.origin = "baseline";
        a.evalSeconds = 2.75;
        a.pinned = true;
        a.note = "note, with comma";
        CandidateRecord b; // every text and list empty
        b.genomeHash = 1;

        std::string big(4 << 20, '\0');
        for (std::size_t i = 0; i < big.size(); i += 3)
            big[i] = char(i * 31 % 251);
        const std::string bytes("a\0b\xff", 4);
        const std::uint64_t backbone = 0x8000000000000001ull;
        {
            Study s = Study::create(path, info);
            QCOMPARE(s.path(), path);
            a.id = s.addCandidate(a);
            b.id = s.addCandidate(b);
            QCOMPARE(a.id, std::int64_t(1));
            QCOMPARE(b.id, std::int64_t(2));
            s.addGeneration({0, 0.5, {b.id, a.id}, {a.id, b.id}, "{}", ""});
            s.addGeneration({1, 0.75, {a.id}, {a.id}, "{\"x\":1}", "2024-01-01T00:00:00Z"});
            QVERIFY_THROWS_EXCEPTION(StudyError, s.addGeneration({2, 0.8, {99}, {}, "", ""}));
            QCOMPARE(s.addEvent(0, "pause", "{}"), std::int64_t(1));
            QCOMPARE(s.addEvent(1, "note", "{\"text\":\"hello\"}"), std::int64_t(2));
            s.putProfile(backbone, 32, "old");
            s.putProfile(backbone, 32, big);
            s.putProfile(backbone, 64, "");
            s.setState("optimizer", bytes);
        }

        const Study r = Study::open(path, true);
        QVERIFY(r.isReadOnly());
        const StudyInfo got = r.info();
        QCOMPARE(got.configJson, info.configJson);
        QCOMPARE(got.datasetPath, info.datasetPath);
        QCOMPARE(got.datasetHash, info.datasetHash);
        QCOMPARE(got.checkpointPath, info.checkpointPath);
        QCOMPARE(got.checkpointHash, info.checkpointHash);
        QCOMPARE(got.spaceName, info.spaceName);
        QCOMPARE(got.encoding, info.encoding);
        QCOMPARE(got.appVersion, info.appVersion);
        QCOMPARE(got.seed, info.seed);
        QVERIFY(!got.created.empty());

        const auto all = r.candidates();
        QCOMPARE(all.size(), std::size_t(2));
        QVERIFY(same(all[0], a));
        QVERIFY(same(all[1], b));
        QCOMPARE(r.candidates(a.id).size(), std::size_t(1));
        QVERIFY(r.candidates(b.id).empty());
        QVERIFY(r.candidateByHash(a.genomeHash) && same(*r.candidateByHash(a.genomeHash), a));
        QVERIFY(!r.candidateByHash(12345));

        const auto gens = r.generations();
        QCOMPARE(gens.size(), std::size_t(2));
        QCOMPARE(gens[0].generation, 0);
        QCOMPARE(gens[0].hypervolume, 0.5);
        QCOMPARE(gens[0].front, (std::vector<std::int64_t>{b.id, a.id}));
        QCOMPARE(gens[0].population, (std::vector<std::int64_t>{a.id, b.id}));
        QCOMPARE(gens[0].statsJson, std::string("{}"));
        QVERIFY(!gens[0].time.empty());
        QCOMPARE(gens[1].front, (std::vector<std::int64_t>{a.id}));
        QCOMPARE(gens[1].statsJson, std::string("{\"x\":1}"));
        QCOMPARE(gens[1].time, std::string("2024-01-01T00:00:00Z"));

        const auto events = r.events();
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[1].id, std::int64_t(2));
        QCOMPARE(events[1].generation, 1);
        QCOMPARE(events[1].type, std::string("note"));
        QCOMPARE(events[1].json, std::string("{\"text\":\"hello\"}"));
        QVERIFY(!events[0].time.empty());

        QVERIFY(r.profile(backbone, 32) == big);
        QCOMPARE(r.profile(backbone, 64), std::optional<std::string>(""));
        QVERIFY(!r.profile(backbone, 16));
        QVERIFY(!r.profile(backbone - 1, 32));
        QCOMPARE(r.state("optimizer"), std::optional<std::string>(bytes));
        QVERIFY(!r.state("missing"));

        {
            Study w = Study::open(path);
            w.updateCandidateFlags(b.id, true, true, "banned: too slow");
            QVERIFY_THROWS_EXCEPTION(StudyError, w.updateCandidateFlags(99, false, false, ""));
        }
        const auto flagged = r.candidates(a.id); // the reader sees the committed change
        QVERIFY(flagged[0].pinned && flagged[0].banned);
        QCOMPARE(flagged[0].note, std::string("banned: too slow"));
    }

    void readOnlyRefusesWrites()
    {
        const std::string path = fresh("readonly.study").toStdString();
        Study::create(path, {}).addCandidate(crashCandidate(1));
        const QByteArray before = fileHash(QString::fromStdString(path));
        Study r = Study::open(path, true);
        try {
            r.addCandidate(crashCandidate(2));
            QFAIL("a read-only study accepted a candidate");
        } catch (const StudyError &e) {
            QVERIFY2(e.file() == path && std::string(e.what()).find("read-only") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(StudyError, r.setState("k", "v"));
        QVERIFY_THROWS_EXCEPTION(StudyError, r.putProfile(1, 1, "p"));
        QVERIFY_THROWS_EXCEPTION(StudyError, r.addEvent(0, "t", ""));
        QCOMPARE(r.candidates().size(), std::size_t(1));
        QCOMPARE(fileHash(QString::fromStdString(path)), before);
        // Whatever the read-only connection left beside the file, a writer still works.
        Study w = Study::open(path);
        QCOMPARE(w.addCandidate(crashCandidate(2)), std::int64_t(2));
        QCOMPARE(r.candidates(1).size(), std::size_t(1));
    }

    void duplicateHashRefused()
    {
        const std::string path = fresh("duplicate.study").toStdString();
        Study s = Study::create(path, {});
        s.addCandidate(crashCandidate(1));
        CandidateRecord again = crashCandidate(2);
        again.genomeHash = crashCandidate(1).genomeHash;
        try {
            s.addCandidate(again);
            QFAIL("a duplicate genome hash was accepted");
        } catch (const StudyError &e) {
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("already candidate 1") != std::string::npos, e.what());
        }
        QCOMPARE(s.candidates().size(), std::size_t(1));
        QCOMPARE(s.addCandidate(crashCandidate(2)), std::int64_t(2)); // the store still works
    }

    void createRefusesExistingFile_data()
    {
        QTest::addColumn<bool>("isStudy");
        QTest::newRow("other file") << false;
        QTest::newRow("study") << true;
    }

    void createRefusesExistingFile()
    {
        QFETCH(bool, isStudy);
        const QString file = fresh(isStudy ? "existing.study" : "existing.txt");
        if (isStudy)
            Study::create(file.toStdString(), {}).addCandidate(crashCandidate(1));
        else
            writeFile(file, "precious user data\n");
        const QByteArray before = fileHash(file);
        try {
            Study::create(file.toStdString(), {});
            QFAIL("create() overwrote an existing file");
        } catch (const StudyError &e) {
            QVERIFY2(e.file() == file.toStdString() && e.problem().find("already exists") != std::string::npos,
                     e.what());
        }
        QCOMPARE(fileHash(file), before);
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing" << "no such file";
        QTest::newRow("empty") << "empty" << "is empty";
        QTest::newRow("random bytes") << "random" << "not an SQLite database";
        QTest::newRow("foreign SQLite") << "foreign" << "no meta table";
        QTest::newRow("foreign meta") << "foreignmeta" << "not an EDANAS study";
        QTest::newRow("foreign meta columns") << "foreigncolumns" << "not an EDANAS study";
        // version 1 stored another peak-memory figure under peak_activation: refused, never mixed in
        QTest::newRow("schema version 1") << "schema1"
                                          << "schema version 1, written by an older EDANAS, whose peak memory is not "
                                             "the microcontroller SRAM";
        QTest::newRow("schema version 3") << "schema3" << "schema version 3, but this EDANAS reads only schema version 2";
        QTest::newRow("folder") << "folder" << "not a file";
    }

    void refusals()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QDir dir(m_dir.path());
        QVERIFY(dir.mkpath(kind) && dir.cd(kind));
        const QString file = dir.filePath("case.study");
        if (kind == "empty") {
            writeFile(file, {});
        } else if (kind == "random") {
            QByteArray bytes(70000, '\0');
            for (int i = 0; i < bytes.size(); ++i)
                bytes[i] = char((i * 2654435761u) >> 13);
            writeFile(file, bytes);
        } else if (kind == "foreign") {
            QVERIFY(rawSql(file, {"CREATE TABLE songs (title TEXT)", "INSERT INTO songs VALUES ('x')"}));
        } else if (kind == "foreignmeta") {
            QVERIFY(rawSql(file, {"CREATE TABLE meta (key TEXT, value TEXT)",
                                  "INSERT INTO meta VALUES ('format', 'photo-album')"}));
        } else if (kind == "foreigncolumns") {
            QVERIFY(rawSql(file, {"CREATE TABLE meta (name TEXT)", "INSERT INTO meta VALUES ('x')"}));
        } else if (kind == "schema1") {
            // what the previous EDANAS wrote: the same tables, peak_activation instead of the MCU memory
            Study::create(file.toStdString(), {}).addCandidate(crashCandidate(1));
            QVERIFY(rawSql(file, {"UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                                  "ALTER TABLE candidates RENAME COLUMN sram_bytes TO peak_activation",
                                  "ALTER TABLE candidates DROP COLUMN flash_bytes"}));
        } else if (kind == "schema3") {
            Study::create(file.toStdString(), {}).addCandidate(crashCandidate(1));
            QVERIFY(rawSql(file, {"UPDATE meta SET value = '3' WHERE key = 'schema_version'"}));
        } else if (kind == "folder") {
            QVERIFY(dir.mkdir("case.study"));
        }
        const QByteArray before = fileHash(file);
        const QStringList filesBefore = dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        for (const bool readOnly : {false, true}) {
            try {
                Study::open(file.toStdString(), readOnly);
                QFAIL("a file that is not a study of this version was opened");
            } catch (const StudyError &e) {
                QCOMPARE(e.file(), file.toStdString());
                QVERIFY2(std::string(e.what()).find(file.toStdString()) != std::string::npos, e.what());
                QVERIFY2(e.problem().find(expected.toStdString()) != std::string::npos, e.what());
            }
            QCOMPARE(fileHash(file), before);
            QCOMPARE(dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot), filesBefore);
        }
    }

    // The helper is killed with SIGKILL five times at arbitrary moments; each time,
    // every id it reported (and nothing else, half-written or otherwise) is in the
    // study, and a writer resumes from it.
    void killedWriterLosesNothing()
    {
        REQUIRE_CRASHWRITER();
        const QString file = fresh("crash.study");
        std::size_t total = 0;
        for (int round = 0; round < 5; ++round) {
            QProcess p;
            p.start(crashWriter(), {file});
            QVERIFY2(p.waitForStarted(), qPrintable(p.errorString()));
            std::vector<std::int64_t> reported;
            const auto take = [&](const QByteArray &line) {
                if (!line.isEmpty() && line != "ready")
                    reported.push_back(line.toLongLong());
            };
            while (reported.size() < 30) {
                if (!p.canReadLine() && !p.waitForReadyRead(30000))
                    QFAIL(qPrintable("the writer stopped: " + p.readAllStandardError()));
                while (p.canReadLine())
                    take(p.readLine().trimmed());
            }
            QThread::msleep(QRandomGenerator::global()->bounded(30)); // anywhere in a commit
            p.kill();
            QVERIFY(p.waitForFinished(10000));
            QCOMPARE(p.exitStatus(), QProcess::CrashExit);
            for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
                take(line.trimmed()); // written before the kill, so committed too

            // As the Studio would: read-only first, straight after the kill.
            const auto all = Study::open(file.toStdString(), true).candidates();
            QVERIFY(all.size() >= total + reported.size());
            for (std::size_t i = 0; i < all.size(); ++i)
                QVERIFY2(same(all[i], crashCandidate(std::int64_t(i + 1))), qPrintable(QString::number(i + 1)));
            for (const std::int64_t id : reported)
                QVERIFY(id >= 1 && std::size_t(id) <= all.size());
            qInfo("round %d: %zu ids reported, %zu candidates in the study", round, reported.size(), all.size());

            Study s = Study::open(file.toStdString());
            QCOMPARE(s.candidates().size(), all.size());
            total = all.size() + 1;
            QCOMPARE(s.addCandidate(crashCandidate(std::int64_t(total))), std::int64_t(total));
        }
    }

    void readerFollowsWriterProcess()
    {
        REQUIRE_CRASHWRITER();
        const QString file = fresh("follow.study");
        const std::int64_t count = 300;
        QProcess p;
        p.start(crashWriter(), {file, QString::number(count)});
        while (!p.canReadLine())
            QVERIFY2(p.waitForReadyRead(30000), p.readAllStandardError().constData());
        QCOMPARE(p.readLine().trimmed(), QByteArray("ready"));

        const Study r = Study::open(file.toStdString(), true);
        std::int64_t last = 0;
        int polls = 0, growths = 0;
        QElapsedTimer timer;
        timer.start();
        while (last < count && timer.elapsed() < 120000) {
            const auto fresh = r.candidates(last);
            ++polls;
            for (const CandidateRecord &c : fresh) {
                QVERIFY2(same(c, crashCandidate(last + 1)), qPrintable(QString::number(last + 1)));
                last = c.id;
            }
            growths += !fresh.empty();
            QThread::msleep(2);
        }
        QCOMPARE(last, count);
        QVERIFY2(growths > 1, "the reader never saw the study grow");
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        qInfo("reader: %d polls, %d saw new candidates", polls, growths);
    }

    void readerFollowsWriterThread()
    {
        const std::string path = fresh("thread.study").toStdString();
        Study::create(path, {});
        const std::int64_t count = 200;
        std::string writerError;
        std::thread writer([&] {
            try {
                Study w = Study::open(path);
                for (std::int64_t n = 1; n <= count; ++n)
                    w.addCandidate(crashCandidate(n));
            } catch (const std::exception &e) {
                writerError = e.what();
            }
        });
        // No QVERIFY and no exception until the writer is joined.
        std::int64_t last = 0;
        int growths = 0;
        bool complete = true;
        std::string readerError;
        try {
            const Study r = Study::open(path, true);
            QElapsedTimer timer;
            timer.start();
            while (complete && last < count && timer.elapsed() < 120000) {
                const auto fresh = r.candidates(last);
                for (const CandidateRecord &c : fresh) {
                    complete = complete && same(c, crashCandidate(last + 1));
                    last = c.id;
                }
                growths += !fresh.empty();
            }
        } catch (const std::exception &e) {
            readerError = e.what();
        }
        writer.join();
        QVERIFY2(writerError.empty(), writerError.c_str());
        QVERIFY2(readerError.empty(), readerError.c_str());
        QVERIFY(complete);
        QCOMPARE(last, count);
        QVERIFY(growths > 1);
    }

    // Not timed against a budget: prints what 1,000 commits cost on this disk.
    void thousandCandidates()
    {
        const std::string path = fresh("thousand.study").toStdString();
        Study s = Study::create(path, {});
        CandidateRecord c = crashCandidate(1);
        c.id = 0;
        c.figuresJson.resize(1000);
        QElapsedTimer timer;
        timer.start();
        for (int n = 1; n <= 1000; ++n) {
            c.genomeHash = std::uint64_t(n);
            s.addCandidate(c);
        }
        const qint64 ms = timer.elapsed();
        QCOMPARE(s.candidates().size(), std::size_t(1000));
        qInfo("1,000 addCandidate calls: %lld ms (%.2f ms each)", ms, double(ms) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "tst_study.moc"
