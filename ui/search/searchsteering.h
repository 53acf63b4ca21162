#pragma once

#include "eenn/profile.h"
#include "space/genome.h"

#include <QString>

#include <atomic>
#include <limits>
#include <memory>
#include <mutex>

namespace edanas::search {
class SearchEngine;
}
namespace edanas::space {
struct Genome;
}

namespace edanas::ui {

/// The steering wheel of one search, shared (std::shared_ptr) by the GUI thread, which
/// turns it, and the worker thread, which attaches the engine to it while the engine
/// runs. Every method may be called from any thread.
///
/// Why not slots on the worker: the worker's thread is blocked inside
/// SearchEngine::run(), so a queued call would only run after the search; and the GUI
/// must not call the worker directly because the worker may be deleted (deleteLater in
/// its own thread) at any moment. This object outlives both ends.
///
/// Invariant: m_engine is non-null only between attach() and detach(), and only
/// touched under m_mutex, so a steering call never races the engine's destruction.
/// Requests made before the engine is attached (pause, stop, constraints) are kept and
/// applied by attach().
class SearchSteering
{
public:
    SearchSteering(double maxMacs, double minAccuracy);

    // GUI side
    void pause();
    void resume();
    void stop();
    /// maxMacs in MACs (infinity: none), minAccuracy in 0..1.
    void setConstraints(double maxMacs, double minAccuracy);
    /// Empty when done, else why not (no running search, genome outside the space).
    QString pin(const space::Genome &genome);
    QString ban(const space::Genome &genome);
    /// Take a pin or a ban back (an undo in the Studio).
    QString unpin(const space::Genome &genome);
    QString unban(const space::Genome &genome);
    QString inject(const space::Genome &genome);
    QString keep(const space::Genome &genome);

    /// The running engine's cached exit profile of a candidate's backbone, or null.
    std::shared_ptr<const eenn::ExitProfile> cachedProfile(const space::Genome &genome) const;

    bool isPaused() const { return m_paused.load(); }
    bool isStopRequested() const { return m_stop.load(); }
    double maxMacs() const;
    double minAccuracy() const;

    // worker side
    void attach(search::SearchEngine *engine);
    void detach();

private:
    template<class F>
    QString withEngine(F &&f);

    mutable std::mutex m_mutex;
    search::SearchEngine *m_engine = nullptr; ///< guarded by m_mutex
    double m_maxMacs, m_minAccuracy;          ///< guarded by m_mutex
    std::atomic<bool> m_paused{false}, m_stop{false};
};

} // namespace edanas::ui
