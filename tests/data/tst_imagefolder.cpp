// Image folders read with OpenCV: layout, colour conversion, resizing, bad folders.
#include "fixtures.h"
#include "testutil.h"

#include "data/dataset.h"
#include "data/imagefolder.h"

#include <QTemporaryDir>
#include <QFile>
#include <QDir>

#include <QTest>

using namespace edanas;

class TestImageFolder : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const std::string &name) const { return m_dir.path().toStdString() + "/" + name; }

private Q_SLOTS:
    void readsClassesInOrderAsRgb()
    {
        const std::string root = path("colors");
        test::writeImage(root + "/red/a.png", 8, 8, 3, 255, 0, 0);
        test::writeImage(root + "/red/b.bmp", 8, 8, 3, 250, 0, 0);
        test::writeImage(root + "/blue/a.png", 8, 8, 3, 0, 0, 255);
        test::writeBytes(root + "/blue/notes.txt", {'h', 'i'}); // not an image: ignored
        data::DatasetRef ref;
        ref.path = root;
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.ref.format, data::Format::ImageFolder);
        QCOMPARE(ds.classNames, (std::vector<std::string>{"blue", "red"}));
        QCOMPARE(ds.train.size(), std::int64_t(3));
        QCOMPARE(ds.train.channels, 3);
        QCOMPARE(ds.test.size(), std::int64_t(0));
        // blue/a.png first (label 0), stored as RGB
        QCOMPARE(ds.train.labels[0], 0);
        QCOMPARE(int(ds.train.image(0)[0]), 0);
        QCOMPARE(int(ds.train.image(0)[2]), 255);
        QCOMPARE(ds.train.labels[1], 1);
        QCOMPARE(int(ds.train.image(1)[0]), 255);
        QCOMPARE(int(ds.train.image(1)[1]), 0);
    }

    void trainTestLayoutAndResizing()
    {
        const std::string root = path("split");
        test::writeImage(root + "/train/cat/1.png", 16, 16, 1, 10, 0, 0);
        test::writeImage(root + "/train/cat/2.png", 32, 48, 1, 20, 0, 0); // other size: scaled and cropped
        test::writeImage(root + "/train/dog/1.png", 16, 16, 1, 30, 0, 0);
        test::writeImage(root + "/val/dog/1.jpg", 64, 64, 3, 40, 40, 40); // colour in a gray set: converted
        data::DatasetRef ref;
        ref.path = root;
        const auto ds = data::loadDataset(ref);
        QCOMPARE(ds.train.channels, 1);
        QCOMPARE(ds.train.height, 16);
        QCOMPARE(ds.train.width, 16);
        QCOMPARE(ds.train.size(), std::int64_t(3));
        QCOMPARE(int(ds.train.image(1)[0]), 20);
        QCOMPARE(ds.test.size(), std::int64_t(1));
        QCOMPARE(ds.test.height, 16);
        QCOMPARE(ds.test.channels, 1);
        QCOMPARE(ds.test.labels[0], 1); // "dog" in the training classes
        QVERIFY(std::abs(int(ds.test.image(0)[0]) - 40) <= 2); // JPEG is lossy
    }

    void requestedSizeAndColour()
    {
        const std::string root = path("sized");
        test::writeImage(root + "/a/1.png", 20, 30, 1, 90, 0, 0);
        data::ImageFolderOptions o;
        o.imageSize = 12;
        o.color = data::ColorMode::Rgb;
        const auto c = data::readImageFolder(root, o);
        QCOMPARE(c.set.height, 12);
        QCOMPARE(c.set.width, 12);
        QCOMPARE(c.set.channels, 3);
        QCOMPARE(int(c.set.image(0)[4]), 90);
    }

    void noClasses()
    {
        const std::string root = path("flat");
        test::writeImage(root + "/loose.png", 4, 4, 1, 1, 0, 0);
        EXPECT_DATA_ERROR(data::readImageFolder(root, {}), root, "no class sub-folders");
    }

    void emptyClass()
    {
        const std::string root = path("empty");
        test::writeImage(root + "/a/1.png", 4, 4, 1, 1, 0, 0);
        QVERIFY(QDir().mkpath(QString::fromStdString(root + "/b")));
        test::writeBytes(root + "/b/readme.txt", {'x'});
        EXPECT_DATA_ERROR(data::readImageFolder(root, {}), root + "/b", "empty class");
    }

    void corruptImage()
    {
        const std::string root = path("corrupt");
        test::writeImage(root + "/a/1.png", 4, 4, 1, 1, 0, 0);
        test::writeImage(root + "/a/2.png", 4, 4, 1, 1, 0, 0);
        test::writeBytes(root + "/a/3.png", {0x89, 'P', 'N', 'G', 1, 2, 3}); // a cut-off PNG
        EXPECT_DATA_ERROR(data::readImageFolder(root, {}), root + "/a/3.png", "cannot be read as an image");
        // corrupt as the very first image too
        const std::string root2 = path("corrupt2");
        test::writeBytes(root2 + "/a/0.jpg", {0xff, 0xd8, 0xff, 0, 0});
        EXPECT_DATA_ERROR(data::readImageFolder(root2, {}), root2 + "/a/0.jpg", "cannot be read as an image");
    }

    void unreadableImage()
    {
        // A link whose target is gone: named like an image, unreadable even for root.
        const std::string root = path("unreadable");
        test::writeImage(root + "/a/1.png", 4, 4, 1, 1, 0, 0);
        QVERIFY(QFile::link(QString::fromStdString(root + "/a/gone.png"), QString::fromStdString(root + "/a/2.png")));
        EXPECT_DATA_ERROR(data::readImageFolder(root, {}), root + "/a/2.png", "cannot be read as an image");
    }

    void unknownTestClass()
    {
        const std::string root = path("unknown");
        test::writeImage(root + "/train/a/1.png", 4, 4, 1, 1, 0, 0);
        test::writeImage(root + "/test/zebra/1.png", 4, 4, 1, 1, 0, 0);
        data::DatasetRef ref;
        ref.path = root;
        EXPECT_DATA_ERROR(data::loadDataset(ref), root + "/test/zebra", "training split does not have");
    }

    void missingAndFile()
    {
        EXPECT_DATA_ERROR(data::readImageFolder(path("missing"), {}), path("missing"), "does not exist");
        const std::string file = path("afile.png");
        test::writeImage(file, 4, 4, 1, 1, 0, 0);
        EXPECT_DATA_ERROR(data::readImageFolder(file, {}), file, "is a file");
        data::DatasetRef ref;
        ref.path = file;
        ref.format = data::Format::ImageFolder;
        EXPECT_DATA_ERROR(data::loadDataset(ref), file, "is a file");
    }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "tst_imagefolder.moc"
