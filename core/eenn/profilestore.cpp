#include "profilestore.h"

#include <zlib.h>

#include <cstring>

namespace edanas::eenn {

namespace {

constexpr char kMagic[8] = {'E', 'D', 'A', 'N', 'A', 'S', 'P', 'F'};
// Version 2 appends a CRC-32 of everything before it and of the deflated data to the
// header; version 1 (no CRC-32; zlib's Adler-32 covers the data) is still read.
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kHeaderV1 = 8 + 4 + 3 * 4 + 2 * 8;
constexpr std::size_t kHeader = kHeaderV1 + 4;
constexpr std::size_t kPerPosition = 2 * 4 + 2 * 8;
constexpr std::size_t kPerCell = 1 + 2 + 4 * 4;

// The host is little-endian (x86-64, arm64): values are copied as they are.
template<typename T> void put(std::string &out, const T &v) { out.append(reinterpret_cast<const char *>(&v), sizeof v); }
template<typename T> void putArray(std::string &out, const std::vector<T> &v)
{
    out.append(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(T));
}
template<typename T> T get(const char *&p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
}
template<typename T> void getArray(const char *&p, std::vector<T> &v)
{
    if (v.empty())
        return; // data() may be null, and memcpy from or to null is undefined even for 0 bytes
    std::memcpy(v.data(), p, v.size() * sizeof(T));
    p += v.size() * sizeof(T);
}

std::size_t rawSize(std::int64_t samples, std::int64_t positions)
{
    return std::size_t(positions) * kPerPosition + std::size_t(samples) * std::size_t(positions) * kPerCell;
}

} // namespace

std::string serializeProfile(const ExitProfile &p)
{
    std::string raw;
    raw.reserve(rawSize(p.samples, p.positions));
    for (int q = 0; q < p.positions; ++q) {
        put(raw, std::int32_t(p.position[std::size_t(q)].first));
        put(raw, std::int32_t(p.position[std::size_t(q)].second));
        put(raw, std::int64_t(p.backboneMacs[std::size_t(q)]));
        put(raw, std::int64_t(p.exitMacs[std::size_t(q)]));
    }
    putArray(raw, p.correct);
    putArray(raw, p.predicted);
    putArray(raw, p.maxSoftmax);
    putArray(raw, p.margin);
    putArray(raw, p.entropy);
    putArray(raw, p.confidence);

    uLongf packed = compressBound(uLong(raw.size()));
    std::string out(kHeader + packed, '\0');
    if (compress2(reinterpret_cast<Bytef *>(&out[kHeader]), &packed, reinterpret_cast<const Bytef *>(raw.data()),
                  uLong(raw.size()), 1)
        != Z_OK)
        throw ProfileError("could not compress an exit profile");
    out.resize(kHeader + packed);
    std::string header;
    header.append(kMagic, sizeof kMagic);
    put(header, kVersion);
    put(header, std::int32_t(p.samples));
    put(header, std::int32_t(p.positions));
    put(header, std::int32_t(p.classes));
    put(header, std::uint64_t(raw.size()));
    put(header, std::uint64_t(packed));
    uLong crc = crc32(0L, reinterpret_cast<const Bytef *>(header.data()), uInt(header.size()));
    crc = crc32_z(crc, reinterpret_cast<const Bytef *>(out.data() + kHeader), z_size_t(packed));
    put(header, std::uint32_t(crc));
    out.replace(0, kHeader, header);
    return out;
}

ExitProfile deserializeProfile(const std::string &bytes, const std::string &source)
{
    auto fail = [&](const std::string &what) { return ProfileError(source + ": " + what); };
    if (bytes.size() < kHeaderV1 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw fail("not an exit profile (" + std::to_string(bytes.size()) + " bytes, no profile header)");
    const char *h = bytes.data() + sizeof kMagic;
    const auto version = get<std::uint32_t>(h);
    if (version != 1 && version != kVersion)
        throw fail("exit profile format version " + std::to_string(version) + ", this program reads versions 1 and "
                   + std::to_string(kVersion));
    const std::size_t header = version == 1 ? kHeaderV1 : kHeader;
    if (bytes.size() < header)
        throw fail("not an exit profile (" + std::to_string(bytes.size()) + " bytes, a header cut short)");
    const auto samples = get<std::int32_t>(h);
    const auto positions = get<std::int32_t>(h);
    const auto classes = get<std::int32_t>(h);
    const auto raw = get<std::uint64_t>(h);
    const auto packed = get<std::uint64_t>(h);
    if (samples < 0 || samples > 100'000'000 || positions < 1 || positions > 4096 || classes < 0)
        throw fail("exit profile header out of range (" + std::to_string(samples) + " samples, "
                   + std::to_string(positions) + " positions, " + std::to_string(classes) + " classes)");
    if (raw != rawSize(samples, positions))
        throw fail("exit profile header claims " + std::to_string(raw) + " bytes of data, "
                   + std::to_string(samples) + " x " + std::to_string(positions) + " needs "
                   + std::to_string(rawSize(samples, positions)));
    if (packed != bytes.size() - header)
        throw fail("exit profile truncated or padded: header says " + std::to_string(packed)
                   + " compressed bytes, there are " + std::to_string(bytes.size() - header));
    if (version >= 2) {
        uLong crc = crc32(0L, reinterpret_cast<const Bytef *>(bytes.data()), uInt(kHeaderV1));
        crc = crc32_z(crc, reinterpret_cast<const Bytef *>(bytes.data() + header), z_size_t(packed));
        if (std::uint32_t(crc) != get<std::uint32_t>(h))
            throw fail("exit profile damaged: its bytes do not match the CRC-32 stored with them");
    }
    std::string data(raw, '\0');
    uLongf got = uLongf(raw);
    const int rc = uncompress(reinterpret_cast<Bytef *>(data.data()), &got,
                              reinterpret_cast<const Bytef *>(bytes.data() + header), uLong(packed));
    if (rc != Z_OK || got != raw)
        throw fail("exit profile data corrupt (zlib: " + std::string(zError(rc)) + ")");

    ExitProfile p;
    p.resize(samples, positions);
    p.classes = classes;
    const char *d = data.data();
    for (int q = 0; q < positions; ++q) {
        const int stage = get<std::int32_t>(d);
        const int block = get<std::int32_t>(d);
        p.position[std::size_t(q)] = {stage, block};
        p.backboneMacs[std::size_t(q)] = get<std::int64_t>(d);
        p.exitMacs[std::size_t(q)] = get<std::int64_t>(d);
        if (p.backboneMacs[std::size_t(q)] < 0 || p.exitMacs[std::size_t(q)] < 0)
            throw fail("exit profile has negative MACs at position " + std::to_string(q));
    }
    getArray(d, p.correct);
    getArray(d, p.predicted);
    getArray(d, p.maxSoftmax);
    getArray(d, p.margin);
    getArray(d, p.entropy);
    getArray(d, p.confidence);
    for (auto c : p.correct)
        if (c > 1)
            throw fail("exit profile data corrupt (a correctness flag other than 0 or 1)");
    return p;
}

ProfileCache::ProfileCache(std::size_t maxBytes)
    : m_maxBytes(maxBytes)
{
}

std::shared_ptr<const ExitProfile> ProfileCache::find(std::uint64_t backboneHash, std::uint64_t samplesTag)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_index.find({backboneHash, samplesTag});
    if (it == m_index.end()) {
        ++m_misses;
        return nullptr;
    }
    ++m_hits;
    m_order.splice(m_order.begin(), m_order, it->second);
    return it->second->profile;
}

void ProfileCache::insert(std::uint64_t backboneHash, std::uint64_t samplesTag,
                          std::shared_ptr<const ExitProfile> profile)
{
    if (!profile)
        return;
    std::lock_guard lock(m_mutex);
    const Key key{backboneHash, samplesTag};
    if (const auto it = m_index.find(key); it != m_index.end()) {
        m_bytes -= it->second->profile->bytes();
        m_order.erase(it->second);
        m_index.erase(it);
    }
    m_bytes += profile->bytes();
    m_order.push_front({key, std::move(profile)});
    m_index[key] = m_order.begin();
    evict();
}

void ProfileCache::evict()
{
    // The newest entry stays even when it alone is over the budget.
    while (m_bytes > m_maxBytes && m_order.size() > 1) {
        const auto &last = m_order.back();
        m_bytes -= last.profile->bytes();
        m_index.erase(last.key);
        m_order.pop_back();
    }
}

std::size_t ProfileCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_order.size();
}

std::size_t ProfileCache::bytes() const
{
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

std::int64_t ProfileCache::hits() const
{
    std::lock_guard lock(m_mutex);
    return m_hits;
}

std::int64_t ProfileCache::misses() const
{
    std::lock_guard lock(m_mutex);
    return m_misses;
}

} // namespace edanas::eenn
