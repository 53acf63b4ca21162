#pragma once

#include <QStringList>

namespace edanas::cli {

/// Exit codes of the command line.
enum ExitCode { Ok = 0, Failed = 1, Usage = 2, Interrupted = 130 };

/// `edanas dataset info|preview ...`; `args` starts with the program name and "dataset".
int datasetCommand(const QStringList &args);
/// `edanas supernet train|info ...`
int supernetCommand(const QStringList &args);
/// `edanas search ...`: the headless EENN search.
int searchCommand(const QStringList &args);
/// `edanas worker --study URL ...`: measures a distributed search's candidates.
int workerCommand(const QStringList &args);
/// `edanas study show|export|copy|steer|plot|report|compare ...`
int studyCommand(const QStringList &args);
/// `edanas study plot ...` and `edanas study report ...` (widgets: need a QApplication);
/// `args` starts with "edanas study plot".
int studyPlot(const QStringList &args);
int studyReport(const QStringList &args);
/// `edanas study compare A B ...`: fronts of several studies on one data set, one reference.
int studyCompare(const QStringList &args);
/// `edanas export-model STUDY --out DIR ...`: the chosen network, deployable.
int exportModelCommand(const QStringList &args);

} // namespace edanas::cli
