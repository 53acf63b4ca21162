#include "ui/mainwindow/mainwindow.h"

#include "data/dataset.h"
#include "runtime.h"
#include "supernet/checkpointinfo.h"
#include "edanas/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>


int main(int argc, char *argv[])
{
    edanas::ensurePassiveWaitPolicy(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("EDANAS Studio"));
    QApplication::setOrganizationName(QStringLiteral("EDANAS"));
    QApplication::setApplicationVersion(QString::fromLatin1(edanas::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("io.github.edanas.Studio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.edanas.Studio")));

    edanas::initTorchThreads();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Design early-exit neural networks by architecture search."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"),
                                        QStringLiteral("Data set to open (default: %1).")
                                            .arg(QString::fromStdString(edanas::data::defaultDatasetPath())),
                                        QStringLiteral("path"));
    const QCommandLineOption formatOption(QStringLiteral("format"),
                                          QStringLiteral("Data-set format: auto, idx, cifar10, cifar100, folder."),
                                          QStringLiteral("format"), QStringLiteral("auto"));
    const QCommandLineOption supernetOption(QStringLiteral("supernet"),
                                            QStringLiteral("Supernet checkpoint (default: the shipped one)."),
                                            QStringLiteral("file"));
    parser.addOption(dataOption);
    parser.addOption(supernetOption);
    parser.addOption(formatOption);
    parser.addPositionalArgument(QStringLiteral("study"), QStringLiteral("A study file to open (optional)."),
                                 QStringLiteral("[study]"));
    parser.process(app);

    edanas::ui::MainWindow window;
    window.show();
    window.showSupernet(parser.isSet(supernetOption) ? parser.value(supernetOption)
                                                     : QString::fromStdString(edanas::supernet::defaultSupernetPath()));
    window.openDataset(parser.isSet(dataOption) ? parser.value(dataOption)
                                                : QString::fromStdString(edanas::data::defaultDatasetPath()),
                       parser.value(formatOption));
    if (!parser.positionalArguments().isEmpty())
        window.openStudy(parser.positionalArguments().constFirst());
    return app.exec();
}
