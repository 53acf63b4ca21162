// An export's output folder (OutDir: created, checked, cleaned up after a failure) and
// how its text files are written (writeText).
#include "exportsteps.h"

#include "fileerror.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace edanas::deploy {

namespace fs = std::filesystem;

void writeText(const fs::path &path, const std::string &text)
{
    const std::string tmp = path.string() + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !f.write(text.data(), std::streamsize(text.size())) || !f.flush()) {
            std::remove(tmp.c_str());
            throw FileError(path.string(), "cannot be written");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw FileError(path.string(), "cannot be written (" + ec.message() + ")");
    }
}

OutDir::OutDir(const std::string &dir, bool overwrite)
    : m_dir(dir)
{
    if (dir.empty())
        throw std::invalid_argument("no output folder named");
    std::error_code ec;
    if (fs::exists(m_dir, ec) && !fs::is_directory(m_dir, ec))
        throw FileError(dir, "exists and is not a folder");
    if (fs::is_directory(m_dir, ec)) {
        std::string present;
        for (const auto &n : exportFileNames())
            if (fs::exists(m_dir / n, ec))
                present += (present.empty() ? "" : ", ") + n;
        for (const auto &n : segmentFilesIn())
            present += (present.empty() ? "" : ", ") + n;
        if (!present.empty() && !overwrite)
            throw FileError(dir, "already holds " + present + "; nothing was written (overwrite replaces them)");
    } else {
        fs::create_directories(m_dir, ec);
        if (ec)
            throw FileError(dir, "cannot be created (" + ec.message() + ")");
        m_created = true;
    }
    // can it take files?
    const auto probe = m_dir / ".edanas-export.partial";
    {
        std::ofstream f(probe, std::ios::binary | std::ios::trunc);
        if (!f || !(f << "probe") || !f.flush()) {
            f.close();
            fs::remove(probe, ec);
            cleanUp();
            throw FileError(dir, "is not writable");
        }
    }
    fs::remove(probe, ec);
}

void OutDir::removeStale(const std::vector<std::string> &rewritten)
{
    std::error_code ec;
    auto names = exportFileNames();
    for (const auto &n : segmentFilesIn())
        names.push_back(n);
    for (const auto &n : names)
        if (std::find(rewritten.begin(), rewritten.end(), n) == rewritten.end())
            fs::remove(m_dir / n, ec);
}

std::vector<std::string> OutDir::segmentFilesIn() const
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(m_dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && isSegmentFileName(it->path().filename().string()))
            names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

void OutDir::cleanUp()
{
    std::error_code ec;
    for (const auto &p : m_written)
        fs::remove(p, ec);
    m_written.clear();
    if (m_created && fs::is_empty(m_dir, ec))
        fs::remove(m_dir, ec);
}

} // namespace edanas::deploy
