// The study store: everything round-trips exactly, bad files are refused untouched, a
// writer killed with SIGKILL loses nothing it reported committed, and a read-only
// reader follows a writer in another process or thread. The tests that do not depend
// on the file run twice: on SQLite files and on a PostgreSQL server of their own
// (tests/common/pgcluster.h), started by main() and stopped at the end.
//
// The crash and reader tests run the helper named by EDANAS_STUDY_CRASHWRITER
// (tests/study/crashwriter.cpp).
#include "study/records.h"
#include "study/study.h"
#include "eenn/profilestore.h"

#include "fixtures.h"
#include "pgcluster.h"

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
#include <QScopeGuard>
#include <QUrl>

#include <algorithm>
#include <iostream>
#include <limits>
#include <set>
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

// The tests both stores pass; `m_pg` chooses the store.
class StudyTests : public QObject
{
    Q_OBJECT

protected:
    explicit StudyTests(const edanas::test::PgCluster *pg)
        : m_pg(pg)
    {
    }

    const edanas::test::PgCluster *m_pg;
    QTemporaryDir m_dir;

    QString fresh(const QString &name) const { return m_dir.filePath(name); }
    // A new study's location: a file, or a URL (study names take no dots).
    std::string location(QString name) const
    {
        if (!m_pg)
            return fresh(name).toStdString();
        return m_pg->url(name.replace(QLatin1Char('.'), QLatin1Char('_')).toStdString());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
    }

    void roundTrip()
    {
        const std::string path = location("roundtrip.study");
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
        const std::string path = location("readonly.study");
        Study::create(path, {}).addCandidate(crashCandidate(1));
        const QByteArray before = m_pg ? QByteArray() : fileHash(QString::fromStdString(path));
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
        QVERIFY(r.events().empty() && !r.state("k") && !r.profile(1, 1));
        if (!m_pg)
            QCOMPARE(fileHash(QString::fromStdString(path)), before);
        // Whatever the read-only connection left beside the file, a writer still works.
        Study w = Study::open(path);
        QCOMPARE(w.addCandidate(crashCandidate(2)), std::int64_t(2));
        QCOMPARE(r.candidates(1).size(), std::size_t(1));
    }

    void duplicateHashRefused()
    {
        const std::string path = location("duplicate.study");
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

    void createRefusesExistingStudy()
    {
        const std::string path = location("existing.study");
        Study::create(path, {}).addCandidate(crashCandidate(1));
        try {
            Study::create(path, {});
            QFAIL("create() overwrote an existing study");
        } catch (const StudyError &e) {
            QVERIFY2(e.file() == path && e.problem().find("already exists") != std::string::npos, e.what());
        }
        const auto all = Study::open(path, true).candidates();
        QCOMPARE(all.size(), std::size_t(1));
        QVERIFY(same(all[0], crashCandidate(1)));
    }

    // The helper is killed with SIGKILL five times at arbitrary moments; each time,
    // every id it reported (and nothing else, half-written or otherwise) is in the
    // study, and a writer resumes from it.
    void killedWriterLosesNothing()
    {
        REQUIRE_CRASHWRITER();
        const QString file = QString::fromStdString(location("crash.study"));
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
        const QString file = QString::fromStdString(location("follow.study"));
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
        const std::string path = location("thread.study");
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
        const std::string path = location("thousand.study");
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
        qInfo("1,000 addCandidate calls (%s): %lld ms (%.2f ms each)", m_pg ? "PostgreSQL" : "SQLite", ms,
              double(ms) / 1000.0);
    }

    // Claims go to one worker at a time, the heartbeat keeps them, and only the
    // worker holding a claim completes its task; a known genome completes it without a
    // second candidate.
    void tasksAreClaimedAndCompletedOnce()
    {
        Study s = Study::create(location("tasks.study"), {});
        for (int n = 1; n <= 3; ++n)
            QCOMPARE(s.addTask(0, "{\"n\":" + std::to_string(n) + "}", {n, 0, n}, "random"), std::int64_t(n));
        const auto a = s.claimTask("a", 600);
        const auto b = s.claimTask("b", 600);
        QVERIFY(a && b);
        QCOMPARE(a->id, std::int64_t(1));
        QCOMPARE(b->id, std::int64_t(2));
        QCOMPARE(a->genes, (std::vector<int>{1, 0, 1}));
        QCOMPARE(a->genomeJson, std::string("{\"n\":1}"));
        QCOMPARE(a->worker, std::string("a"));
        QCOMPARE(a->claims, 1);
        QVERIFY(a->state == TaskRecord::State::Claimed);
        QVERIFY(s.renewLease(1, "a", 600));
        QVERIFY(!s.renewLease(1, "b", 600));
        QVERIFY(!s.completeTask(2, "a", crashCandidate(7))); // b holds it
        QVERIFY(s.candidates().empty());
        const auto first = s.completeTask(1, "a", crashCandidate(7));
        QVERIFY(first);
        QVERIFY(!s.completeTask(1, "a", crashCandidate(8))); // done already
        QVERIFY(!s.renewLease(1, "a", 600));
        QCOMPARE(s.completeTask(2, "b", crashCandidate(7)), first); // the same genome: no second candidate
        QCOMPARE(s.candidates().size(), std::size_t(1));
        const auto c = s.claimTask("a", 600);
        QVERIFY(c && c->id == 3);
        QVERIFY(!s.claimTask("b", 600)); // none left
        const auto all = s.tasks(0);
        QCOMPARE(all.size(), std::size_t(3));
        QVERIFY(all[0].state == TaskRecord::State::Done && all[0].candidateId == *first);
        QVERIFY(all[1].state == TaskRecord::State::Done && all[1].candidateId == *first);
        QVERIFY(all[2].state == TaskRecord::State::Claimed && all[2].candidateId == 0);
        QVERIFY(s.tasks(1).empty());
        QVERIFY_THROWS_EXCEPTION(StudyError, Study::open(s.path(), true).claimTask("r", 1));
    }

    // A claim whose lease ran out goes to the next worker; the first can then neither
    // renew nor complete it.
    void expiredLeaseIsClaimedAgain()
    {
        Study s = Study::create(location("lease.study"), {});
        s.addTask(0, "{}", {1}, "random");
        QVERIFY(s.claimTask("a", 0.2));
        std::optional<TaskRecord> again;
        QElapsedTimer timer;
        timer.start();
        while (!again && timer.elapsed() < 60000) { // no timing asserted: only that it comes
            QThread::msleep(50);
            again = s.claimTask("b", 600);
        }
        QVERIFY(again);
        QCOMPARE(again->id, std::int64_t(1));
        QCOMPARE(again->claims, 2);
        QVERIFY(!s.renewLease(1, "a", 600));
        QVERIFY(!s.completeTask(1, "a", crashCandidate(1)));
        QVERIFY(s.completeTask(1, "b", crashCandidate(1)));
        QCOMPARE(s.candidates().size(), std::size_t(1));
    }

    // Two worker processes on twelve tasks; the first is killed with SIGKILL in the
    // middle of a task, a third is started: every task ends done, each with its own
    // candidate, stored once.
    void killedWorkerLosesNothing()
    {
        REQUIRE_CRASHWRITER();
        const std::string path = location("workers.study");
        const int count = 12;
        {
            Study s = Study::create(path, {});
            for (int n = 1; n <= count; ++n)
                s.addTask(0, "{}", {n}, "random");
        }
        const auto start = [&](QProcess &p, const char *name) {
            p.start(crashWriter(), {"worker", QString::fromStdString(path), name, "3"});
            return p.waitForStarted();
        };
        QProcess first, second, third;
        QVERIFY(start(first, "first"));
        QVERIFY(start(second, "second"));
        // the first worker is killed while it holds its second claim
        QByteArray out;
        int claims = 0;
        while (claims < 2) {
            QVERIFY2(first.waitForReadyRead(60000), first.readAllStandardError().constData());
            while (first.canReadLine())
                claims += first.readLine().startsWith("claimed ");
        }
        first.kill();
        QVERIFY(first.waitForFinished(10000));
        QVERIFY(start(third, "third"));
        QVERIFY2(second.waitForFinished(120000) && second.exitCode() == 0, second.readAllStandardError().constData());
        QVERIFY2(third.waitForFinished(120000) && third.exitCode() == 0, third.readAllStandardError().constData());

        const Study r = Study::open(path, true);
        const auto tasks = r.tasks();
        const auto candidates = r.candidates();
        QCOMPARE(tasks.size(), std::size_t(count));
        QCOMPARE(candidates.size(), std::size_t(count));
        std::set<std::int64_t> used;
        bool reclaimed = false;
        for (const TaskRecord &t : tasks) {
            QVERIFY(t.state == TaskRecord::State::Done);
            QVERIFY(used.insert(t.candidateId).second);
            const auto c = std::find_if(candidates.begin(), candidates.end(),
                                        [&](const CandidateRecord &x) { return x.id == t.candidateId; });
            QVERIFY(c != candidates.end());
            QCOMPARE(c->genomeHash, crashCandidate(1000 + t.id).genomeHash);
            reclaimed = reclaimed || (t.claims == 2 && t.worker != "first");
        }
        QVERIFY2(reclaimed, "the killed worker's claim was not taken over");
    }

    // A study copied to the other store and back holds exactly what it held.
    void copyToOtherStoreAndBack()
    {
        const std::string original = location("copysource.study");
        const StudyInfo info{"{\"population\":4}", "/data", "sha256:d", "/ckpt", "sha256:c", "tiny", "studio", "0.1",
                             42, "2025-06-01T10:00:00.000Z"};
        {
            Study s = Study::create(original, info);
            for (std::int64_t n = 1; n <= 5; ++n)
                s.addCandidate(crashCandidate(n * 3)); // ids with gaps
            s.addGeneration({0, 0.25, {6, 3}, {3, 6, 9}, "{\"e\":1}", ""});
            s.addEvent(0, "pause", "{}");
            s.addEvent(1, "pin", "{\"x\":1}");
            s.putProfile(0x8000000000000001ull, 32, std::string("p\0q", 3));
            s.setState("optimizer", std::string("\xff\0", 2));
            s.addTask(0, "{}", {1, 2}, "random");
            s.addTask(0, "{}", {3}, "offspring");
            CandidateRecord done = crashCandidate(99);
            done.id = 0; // gets id 16
            s.completeTask(s.claimTask("w", 60)->id, "w", done);
        }
        const Study from = Study::open(original, true);
        // through a file and back: server -> file -> server, or file -> file -> file
        const std::string other = fresh(m_pg ? "copied-from-server.study" : "copied.study").toStdString();
        const std::string back = location("copyback.study");
        {
            Study copied = Study::copy(from, other);
            Study::copy(copied, back);
        }
        // a copy never replaces a study
        QVERIFY_THROWS_EXCEPTION(StudyError, Study::copy(from, back));
        for (const std::string &path : {other, back}) {
            const Study c = Study::open(path, true);
            const StudyInfo got = c.info();
            QCOMPARE(got.configJson, info.configJson);
            QCOMPARE(got.created, info.created);
            QCOMPARE(got.seed, info.seed);
            QCOMPARE(got.checkpointHash, info.checkpointHash);
            const auto a = from.candidates(), b = c.candidates();
            QCOMPARE(b.size(), a.size());
            for (std::size_t i = 0; i < a.size(); ++i)
                QVERIFY(same(a[i], b[i]));
            const auto ga = from.generations(), gb = c.generations();
            QCOMPARE(gb.size(), std::size_t(1));
            QCOMPARE(gb[0].front, ga[0].front);
            QCOMPARE(gb[0].population, ga[0].population);
            QCOMPARE(gb[0].time, ga[0].time);
            QCOMPARE(gb[0].statsJson, ga[0].statsJson);
            const auto ea = from.events(), eb = c.events();
            QCOMPARE(eb.size(), std::size_t(2));
            for (std::size_t i = 0; i < 2; ++i)
                QVERIFY(ea[i].id == eb[i].id && ea[i].time == eb[i].time && ea[i].type == eb[i].type
                        && ea[i].json == eb[i].json && ea[i].generation == eb[i].generation);
            QCOMPARE(c.profile(0x8000000000000001ull, 32), std::optional<std::string>(std::string("p\0q", 3)));
            QCOMPARE(c.state("optimizer"), std::optional<std::string>(std::string("\xff\0", 2)));
            const auto ta = from.tasks(), tb = c.tasks();
            QCOMPARE(tb.size(), std::size_t(2));
            for (std::size_t i = 0; i < 2; ++i)
                QVERIFY(ta[i].id == tb[i].id && ta[i].genes == tb[i].genes && ta[i].state == tb[i].state
                        && ta[i].candidateId == tb[i].candidateId && ta[i].worker == tb[i].worker
                        && ta[i].origin == tb[i].origin && ta[i].claims == tb[i].claims);
        }
        // ids go on after the copied ones
        Study w = Study::open(back);
        CandidateRecord next = crashCandidate(100);
        next.id = 0;
        QCOMPARE(w.addCandidate(next), std::int64_t(17));
        QCOMPARE(w.addEvent(2, "resume", "{}"), std::int64_t(3));
    }
};

/// SQLite files: the shared tests, and what only a file can show.
class TestStudySqlite : public StudyTests
{
    Q_OBJECT

public:
    TestStudySqlite()
        : StudyTests(nullptr)
    {
    }

private Q_SLOTS:
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

    // The typed records of study/records.h: what is written is read back; what another
    // program or a damaged file put there is refused naming the study.
    void typedRecords()
    {
        const QString file = fresh(QStringLiteral("records.edanas"));
        const std::string path = file.toStdString();
        {
            Study s = Study::create(path, StudyInfo{});
            QVERIFY(!readFinalFront(s));
            QVERIFY(readFineTuneLater(s).empty());
            QVERIFY(!lastConstraints(s));

            const std::vector<FinalFrontRow> rows{{7, 6000, 0.9053, 2.029e6, 1.8e6, {0.5, 0.5}, {0.95, 0.86}},
                                                  {9, 6000, 0.9115, 2.473e6, 2.1e6, {1.0}, {0.9115}}};
            writeFinalFront(s, rows);
            setFineTuneLater(s, 9, true);
            setFineTuneLater(s, 7, true);
            setFineTuneLater(s, 9, false);
            setFineTuneLater(s, 7, true); // marked twice: once
            s.addEvent(1, kConstraintsEvent, Constraints{2.5e6, 0.85}.toJson());
            s.addEvent(2, kConstraintsEvent, Constraints{}.toJson()); // none: infinity, stored as null
        }
        const Study r = Study::open(path, true);
        const auto front = readFinalFront(r);
        QVERIFY(front && front->size() == 2);
        QCOMPARE((*front)[1].id, std::int64_t(9));
        QCOMPARE((*front)[1].images, std::int64_t(6000));
        QCOMPARE((*front)[1].accuracy, 0.9115);
        QCOMPARE((*front)[1].macsTrue, 2.473e6);
        QCOMPARE((*front)[0].share, (std::vector<double>{0.5, 0.5}));
        QCOMPARE((*front)[0].exitAccuracy, (std::vector<double>{0.95, 0.86}));
        QCOMPARE(readFineTuneLater(r), std::vector<std::int64_t>{7});
        const auto last = lastConstraints(r);
        QVERIFY(last);
        QVERIFY(std::isinf(last->maxMacs));
        QCOMPARE(last->minAccuracy, 0.0);
        QVERIFY(QString::fromStdString(Constraints{}.toJson()).contains(QStringLiteral("\"max_macs\":null")));

        // figures, statistics and the coordinator's status round-trip
        CandidateFigures f;
        f.share = {0.25, 0.75};
        f.exitAccuracy = {0.99, 0.8};
        f.staticAccuracy = 0.9;
        f.rule = "margin";
        f.cachedProfile = true;
        const auto g = CandidateFigures::fromJson(f.toJson(), "x");
        QCOMPARE(g.share, f.share);
        QCOMPARE(g.exitAccuracy, f.exitAccuracy);
        QCOMPARE(g.staticAccuracy, 0.9);
        QCOMPARE(g.rule, std::string("margin"));
        QVERIFY(g.cachedProfile);
        QCOMPARE(CandidateFigures::fromJson("{}", "x").staticAccuracy, 0.0); // an older study's figures
        const GenerationStats stats{42, 17.5, 1, 2, 3, 1.5e7};
        const auto back = GenerationStats::fromJson(stats.toJson(), "x");
        QCOMPARE(back.evaluated, std::int64_t(42));
        QCOMPARE(back.candidatesPerMinute, 17.5);
        QCOMPARE(back.referenceMacs, 1.5e7);
        const auto coordinator = CoordinatorStatus::fromJson(CoordinatorStatus{"running", {3e6, 0.5}, 30}.toJson(), "x");
        QCOMPARE(coordinator.status, std::string("running"));
        QCOMPARE(coordinator.constraints.maxMacs, 3e6);
        QCOMPARE(coordinator.leaseSeconds, 30.0);

        // refusals name where the text came from and what is wrong
        auto refused = [](auto read, const char *expected) {
            try {
                read();
            } catch (const StudyError &e) {
                return QString::fromUtf8(e.what()).contains(QLatin1String(expected));
            }
            return false;
        };
        QVERIFY(refused([] { CandidateFigures::fromJson("[1,2]", "s.edanas: candidate 3"); },
                        "s.edanas: candidate 3: a candidate's figures is not a JSON object"));
        QVERIFY(refused([] { Constraints::fromJson("{\"max_macs\": -1, \"min_accuracy\": 0.5}", "s"); },
                        "\"max_macs\" must be null or a positive number"));
        QVERIFY(refused([] { Constraints::fromJson("{\"max_macs\": null, \"min_accuracy\": 1.5}", "s"); },
                        "\"min_accuracy\" must be a number in 0..1"));
        QVERIFY(refused([] { finalFrontFromJson("{\"id\": 1}", "s"); }, "the final front is not a JSON array"));
        QVERIFY(refused([] { finalFrontFromJson("[{\"id\": 1, \"images\": 10, \"accuracy\": 2, \"macs_true\": 5}]", "s"); },
                        "the final front's row 1 lacks"));
        QVERIFY(refused([] { GenerationStats::fromJson("{", "s"); }, "is not valid JSON"));
        // a damaged state in the file: the study is named
        {
            Study w = Study::open(path);
            w.setState(kFinalFrontState, "[{\"id\": \"seven\"}]");
        }
        QVERIFY(refused([&] { readFinalFront(Study::open(path, true)); }, qPrintable(file + ": the final front's row 1")));
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


    void createRefusesExistingFile()
    {
        const QString file = fresh("existing.txt");
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
            // what the previous EDANAS wrote: the same tables but the task table,
            // peak_activation instead of the MCU memory
            Study::create(file.toStdString(), {}).addCandidate(crashCandidate(1));
            QVERIFY(rawSql(file, {"UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                                  "ALTER TABLE candidates RENAME COLUMN sram_bytes TO peak_activation",
                                  "ALTER TABLE candidates DROP COLUMN flash_bytes", "DROP TABLE tasks"}));
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

};

/// The same tests on a PostgreSQL server, and what only a server can show.
class TestStudyPostgres : public StudyTests
{
    Q_OBJECT

public:
    explicit TestStudyPostgres(const edanas::test::PgCluster &pg)
        : StudyTests(&pg)
    {
    }

private Q_SLOTS:
    void urls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected"); // in the message; empty: the URL is good
        QTest::addColumn<QString>("shown");    // path() or the message's location
        const QString sock = m_pg->socketDir();
        QTest::newRow("socket in host=") << "postgresql://edanas@/postgres?host=" + sock + "&study=u1" << ""
                                         << "postgresql://edanas@/postgres?host=" + sock + "&study=u1";
        QTest::newRow("password in URL") << "postgresql://edanas:test-s3cret-pw@/postgres?host=" + sock + "&study=u2"
                                         << "" << "postgresql://edanas@/postgres?host=" + sock + "&study=u2";
        const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(sock));
        QTest::newRow("percent-encoded socket host")
            << "postgres://edanas@" + encoded + "/postgres?study=u3&application_name=edanas%20test" << ""
            << "postgres://edanas@" + encoded + "/postgres?study=u3&application_name=edanas%20test";
        QTest::newRow("password parameter") << "postgresql:///postgres?user=edanas&password=test-s3cret-pw&host=" + sock
                                                   + "&study=u4&sslmode=disable"
                                            << ""
                                            << "postgresql:///postgres?user=edanas&host=" + sock
                                                   + "&study=u4&sslmode=disable";
        QTest::newRow("no study") << "postgresql://edanas:pw@/postgres?host=" + sock << "no study name"
                                  << "postgresql://edanas@/postgres?host=" + sock;
        QTest::newRow("no database") << "postgresql://edanas@localhost?study=x" << "no database name"
                                     << "postgresql://edanas@localhost?study=x";
        QTest::newRow("bad port") << "postgresql://h:99999/db?study=x" << "port '99999'"
                                  << "postgresql://h:99999/db?study=x";
        QTest::newRow("bad study name") << "postgresql:///db?study=a.b" << "may only hold letters"
                                        << "postgresql:///db?study=a.b";
        QTest::newRow("parameter without value") << "postgresql:///db?study=x&sslmode" << "has no value"
                                                 << "postgresql:///db?study=x&sslmode";
        QTest::newRow("unknown libpq parameter") << "postgresql://edanas@/postgres?host=" + sock + "&study=x&colour=red"
                                                 << "invalid connection option \"colour\""
                                                 << "postgresql://edanas@/postgres?host=" + sock + "&study=x&colour=red";
        QTest::newRow("no server there") << "postgresql://edanas:secret@/postgres?host=" + sock + "/nothing&study=x"
                                         << "cannot be reached: "
                                         << "postgresql://edanas@/postgres?host=" + sock + "/nothing&study=x";
        QTest::newRow("wrong password") << "postgresql://edanas:wrong-pw@/postgres?host=" + sock + "&study=x"
                                        << "password authentication failed"
                                        << "postgresql://edanas@/postgres?host=" + sock + "&study=x";
    }

    // Good URLs reach the server (a URL's password without PGPASSWORD); bad ones get
    // one message naming the URL, never its password.
    void urls()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        QFETCH(QString, shown);
        const QByteArray saved = qgetenv("PGPASSWORD");
        if (url.contains(QLatin1String("password")) || url.contains(QLatin1String(":wrong")))
            qunsetenv("PGPASSWORD");
        const auto restore = qScopeGuard([&] { qputenv("PGPASSWORD", saved); });
        QCOMPARE(QString::fromStdString(redactedLocation(url.toStdString())), shown);
        if (expected.isEmpty()) {
            Study s = Study::create(url.toStdString(), {});
            QCOMPARE(QString::fromStdString(s.path()), shown);
            s.addCandidate(crashCandidate(1));
            QCOMPARE(Study::open(url.toStdString(), true).candidates().size(), std::size_t(1));
            return;
        }
        try {
            Study::open(url.toStdString());
            QFAIL("a bad URL was opened");
        } catch (const StudyError &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith(shown + ": "), e.what());
            QVERIFY2(what.contains(expected), e.what());
            QVERIFY2(!what.contains(QLatin1String("wrong-pw")) && !what.contains(QLatin1String(":pw"))
                         && !what.contains(QLatin1String("secret")),
                     e.what());
        }
    }

    // A study written through a URL with its password: the password is nowhere in it.
    void passwordNeverStored()
    {
        const std::string url = m_pg->url("secretless", true);
        {
            Study s = Study::create(url, {"{}", "/d", "h", "/c", "h", "tiny", "studio", "0", 1, ""});
            s.addCandidate(crashCandidate(1));
            s.addEvent(0, "pause", "{}");
            s.setState("k", "v");
        }
        const QString dump = m_pg->scalar(QStringLiteral(
            "SELECT string_agg(t, ' ') FROM (SELECT key || value AS t FROM edanas_secretless.meta UNION ALL "
            "SELECT json FROM edanas_secretless.events UNION ALL SELECT key || encode(value, 'escape') FROM "
            "edanas_secretless.state) x"));
        QVERIFY(!dump.isEmpty());
        QVERIFY2(!dump.contains(QLatin1String(edanas::test::PgCluster::password())), qPrintable(dump));
        QVERIFY(Study::open(url, true).path().find(edanas::test::PgCluster::password()) == std::string::npos);
    }

    // Another schema version, a schema that is not a study, no such study: refused, and
    // the database holds what it held.
    void refusals_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing" << "no such study: database 'postgres' holds no study named 'r_missing'";
        QTest::newRow("foreign schema") << "foreign" << "no meta table";
        QTest::newRow("foreign meta") << "foreignmeta" << "not an EDANAS study";
        QTest::newRow("schema version 3") << "schema3" << "schema version 3, but this EDANAS reads only schema version 2";
    }

    void refusals()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString study = "r_" + kind, schema = "edanas_" + study;
        if (kind == "foreign") {
            m_pg->exec({"CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".songs (title TEXT)",
                        "INSERT INTO " + schema + ".songs VALUES ('x')"});
        } else if (kind == "foreignmeta") {
            m_pg->exec({"CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".meta (key TEXT, value TEXT)",
                        "INSERT INTO " + schema + ".meta VALUES ('format', 'photo-album')"});
        } else if (kind == "schema3") {
            Study::create(m_pg->url(study.toStdString()), {}).addCandidate(crashCandidate(1));
            m_pg->exec({"UPDATE " + schema + ".meta SET value = '3' WHERE key = 'schema_version'"});
        }
        const QString snapshot = QStringLiteral(
            "SELECT count(*) || ' ' || coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables"
            " WHERE schemaname = '%1'").arg(schema);
        const QString tablesBefore = m_pg->scalar(snapshot);
        for (const bool readOnly : {false, true}) {
            try {
                Study::open(m_pg->url(study.toStdString()), readOnly);
                QFAIL("a schema that is not a study of this version was opened");
            } catch (const StudyError &e) {
                QCOMPARE(e.file(), m_pg->url(study.toStdString()));
                QVERIFY2(e.problem().find(expected.toStdString()) != std::string::npos, e.what());
            }
        }
        QCOMPARE(m_pg->scalar(snapshot), tablesBefore);
        if (kind == "schema3")
            QCOMPARE(m_pg->scalar("SELECT value FROM " + schema + ".meta WHERE key = 'schema_version'"),
                     QStringLiteral("3"));
    }

    // Ids grow in commit order with three writers at once: a reader polling with the
    // last id it saw misses none and sees none twice.
    void concurrentWritersKeepIdsInCommitOrder()
    {
        const std::string url = m_pg->url("concurrent");
        Study::create(url, {});
        const int perWriter = 60;
        std::vector<std::string> errors(3);
        std::vector<std::thread> writers;
        for (int k = 0; k < 3; ++k)
            writers.emplace_back([&, k] {
                try {
                    Study w = Study::open(url);
                    for (int n = 1; n <= perWriter; ++n) {
                        CandidateRecord c = crashCandidate(n);
                        c.id = 0;
                        c.genomeHash = std::uint64_t(k) * 1000000 + std::uint64_t(n);
                        c.figuresJson.resize(200);
                        w.addCandidate(c);
                    }
                } catch (const std::exception &e) {
                    errors[std::size_t(k)] = e.what();
                }
            });
        std::int64_t last = 0;
        std::set<std::int64_t> seen;
        bool twice = false;
        std::string readerError;
        try {
            const Study r = Study::open(url, true);
            QElapsedTimer timer;
            timer.start();
            while (std::int64_t(seen.size()) < 3 * perWriter && timer.elapsed() < 120000)
                for (const CandidateRecord &c : r.candidates(last)) {
                    twice = twice || !seen.insert(c.id).second;
                    last = c.id;
                }
        } catch (const std::exception &e) {
            readerError = e.what();
        }
        for (auto &w : writers)
            w.join();
        for (const auto &e : errors)
            QVERIFY2(e.empty(), e.c_str());
        QVERIFY2(readerError.empty(), readerError.c_str());
        QVERIFY(!twice);
        QCOMPARE(seen.size(), std::size_t(3 * perWriter));
        QCOMPARE(*seen.rbegin(), std::int64_t(3 * perWriter));
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    int status = 0;
    {
        TestStudySqlite t;
        status |= QTest::qExec(&t, argc, argv);
    }
    std::unique_ptr<edanas::test::PgCluster> cluster;
    try {
        cluster = std::make_unique<edanas::test::PgCluster>();
    } catch (const std::exception &e) {
        std::cerr << "FAIL: " << e.what() << std::endl;
        return 1;
    }
    // libpq's convention for the password; one test unsets it to show a URL's own
    qputenv("PGPASSWORD", edanas::test::PgCluster::password());
    {
        TestStudyPostgres t(*cluster);
        status |= QTest::qExec(&t, argc, argv);
    }
    return status;
}

#include "tst_study.moc"
