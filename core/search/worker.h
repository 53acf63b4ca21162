#pragma once
// A worker of a distributed search: it claims the tasks a coordinator (SearchEngine in
// distributed mode) puts in a study, measures each candidate as the coordinator would,
// and stores its figures and exit profile with the task's completion, in one
// transaction. A claim is a lease kept alive by a heartbeat from a second thread (with
// its own connection); a worker killed at any moment loses nothing: its task goes back
// to the others when the lease runs out, and a late completion is refused.

#include "data/dataset.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace edanas::search {

struct WorkerOptions
{
    std::string study;          ///< a study file or postgresql:// URL
    std::string checkpointPath; ///< "" = the one the study names
    std::string datasetPath;    ///< "" = the one the study names
    double pollSeconds = 0.5;   ///< how often an idle worker looks for tasks
    std::string name;           ///< "" = worker@HOST:PID
};

class Worker
{
public:
    /// Opens the study, loads the supernet and the data set and checks that they are
    /// the ones the study was made with (the hashes it records). Throws an exception
    /// whose message names what does not match, or which file is at fault.
    explicit Worker(WorkerOptions options);
    ~Worker();

    /// Claims and measures tasks until the coordinator says the search has finished or
    /// stopped and none is left to claim, or stop() is called; `log` gets a line per
    /// event. Returns how many candidates this worker stored.
    std::int64_t run(const std::function<void(const std::string &)> &log);
    /// Thread-safe (and async-signal-safe): finish the current candidate, then return.
    void stop() { m_stop = true; }

    const std::string &name() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
    std::atomic<bool> m_stop{false};
};

} // namespace edanas::search
