#pragma once

// Shared checks for the data tests.

#include "data/dataerror.h"

#include <QTest>

#include <string>

namespace edanas::test {

/// Runs `fn` and checks it throws a DataError naming `file` whose message contains `phrase`.
template<typename Fn>
bool throwsDataError(Fn fn, const std::string &file, const std::string &phrase, std::string *why)
{
    try {
        fn();
    } catch (const data::DataError &e) {
        const std::string msg = e.what();
        if (msg.find(file) == std::string::npos) {
            *why = "message does not name " + file + ": " + msg;
            return false;
        }
        if (msg.find(phrase) == std::string::npos) {
            *why = "message lacks '" + phrase + "': " + msg;
            return false;
        }
        return true;
    } catch (const std::exception &e) {
        *why = std::string("not a DataError: ") + e.what();
        return false;
    }
    *why = "no error for " + file;
    return false;
}

} // namespace edanas::test

#define EXPECT_DATA_ERROR(expr, file, phrase)                                                     \
    do {                                                                                          \
        std::string why_;                                                                         \
        QVERIFY2(edanas::test::throwsDataError([&] { (void)(expr); }, (file), (phrase), &why_),   \
                 why_.c_str());                                                                   \
    } while (false)
