#pragma once

#include <stdexcept>
#include <string>

namespace edanas {

/// An error about one file (or folder): the message is "FILE: PROBLEM", and both parts
/// stay available. The modules' own errors (data::DataError, study::StudyError) are
/// this with a type of their own, so callers can tell them apart.
class FileError : public std::runtime_error
{
public:
    FileError(std::string file, const std::string &problem)
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

} // namespace edanas
