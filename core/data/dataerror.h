#pragma once

#include "fileerror.h"

namespace edanas::data {

/// The one error every data-set reader throws: it names the file (or folder) and
/// says what was wrong with it, in words a user can act on.
class DataError : public FileError
{
public:
    using FileError::FileError;
};

} // namespace edanas::data
