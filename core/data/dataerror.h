#pragma once

#include <stdexcept>
#include <string>

namespace edanas::data {

/// The one error every data-set reader throws: it names the file (or folder) and
/// says what was wrong with it, in words a user can act on.
class DataError : public std::runtime_error
{
public:
    DataError(std::string file, const std::string &problem)
        : std::runtime_error(file + ": " + problem)
        , m_file(std::move(file))
        , m_problem(problem)
    {
    }

    const std::string &file() const noexcept { return m_file; }
    const std::string &problem() const noexcept { return m_problem; }

private:
    std::string m_file;
    std::string m_problem;
};

} // namespace edanas::data
