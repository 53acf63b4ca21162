#pragma once

#include "profile.h"

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace edanas::eenn {

/// A stored profile that cannot be read back; the message names its source.
class ProfileError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A profile as bytes (a versioned header, then the arrays deflated with zlib): what a
/// study stores. Reading checks every size against the header before allocating and
/// throws ProfileError naming `source` for anything short, corrupt or from another
/// format version.
std::string serializeProfile(const ExitProfile &profile);
ExitProfile deserializeProfile(const std::string &bytes, const std::string &source);

/// Profiles by backbone, so that a backbone met again (by the search, or selected in
/// the Studio) is never run twice: a thread-safe cache holding at most `maxBytes` of
/// profiles, the least recently used going first. The key is the backbone hash (which
/// includes the resolution) and a tag for the samples profiled (which split, how many).
class ProfileCache
{
public:
    explicit ProfileCache(std::size_t maxBytes = std::size_t(512) << 20);

    std::shared_ptr<const ExitProfile> find(std::uint64_t backboneHash, std::uint64_t samplesTag);
    void insert(std::uint64_t backboneHash, std::uint64_t samplesTag, std::shared_ptr<const ExitProfile> profile);
    std::size_t size() const;
    std::size_t bytes() const;
    std::int64_t hits() const;
    std::int64_t misses() const;

private:
    using Key = std::pair<std::uint64_t, std::uint64_t>;
    struct KeyHash
    {
        std::size_t operator()(const Key &k) const { return std::size_t(k.first * 0x9E3779B97F4A7C15ull ^ k.second); }
    };
    struct Entry
    {
        Key key;
        std::shared_ptr<const ExitProfile> profile;
    };
    void evict(); // with m_mutex held

    mutable std::mutex m_mutex;
    std::size_t m_maxBytes, m_bytes = 0;
    std::int64_t m_hits = 0, m_misses = 0;
    std::list<Entry> m_order; ///< most recently used first
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> m_index;
};

} // namespace edanas::eenn
