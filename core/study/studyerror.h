#pragma once

#include <stdexcept>
#include <string>

namespace edanas::study {

/// The one error the study store throws: it names the study file and says what was
/// wrong, in words a user can act on. Nothing the user had is changed when it is thrown.
class StudyError : public std::runtime_error
{
public:
    StudyError(std::string file, const std::string &problem)
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

} // namespace edanas::study
