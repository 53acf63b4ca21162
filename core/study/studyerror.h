#pragma once

#include "fileerror.h"

namespace edanas::study {

/// The one error the study store throws: it names the study file and says what was
/// wrong, in words a user can act on. Nothing the user had is changed when it is thrown.
class StudyError : public FileError
{
public:
    using FileError::FileError;
};

} // namespace edanas::study
