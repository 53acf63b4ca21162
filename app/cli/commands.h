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
/// `edanas study show|export ...`
int studyCommand(const QStringList &args);

} // namespace edanas::cli
