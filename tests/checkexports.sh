#!/usr/bin/env bash
# Fails when an executable exports a Qt-named dynamic symbol.
#
#   tests/checkexports.sh EXECUTABLE...
#
# LibTorch's Debian build loads Qt 5 into our processes (libtorch_cpu needs
# libopencv_highgui, built with Qt 5). Qt 5's libraries bind by name to any unversioned
# symbol an executable exports, so an executable that exports, say, its own copy of Qt 6's
# inline QByteArray::append hands it to Qt 5's start-up code. The build compiles
# everything with hidden visibility so that nothing of the kind is exported; this
# checks the result in `nm -D --defined-only`, demangled: a symbol whose name has a Qt
# class or namespace (Q followed by a capital: QString, QtPrivate::, QListData), a
# qt_ function or a Qt global function (qHash, qBadAlloc) in it is reported.
set -euo pipefail
export LC_ALL=C

if [ $# -eq 0 ]; then
    echo "usage: $0 EXECUTABLE..." >&2
    exit 2
fi
for tool in nm c++filt; do
    command -v "$tool" >/dev/null || { echo "$0: needs $tool (binutils)" >&2; exit 2; }
done

qt_name='(^|[^A-Za-z0-9_])(Q[A-Z][A-Za-z0-9_]*|Qt[A-Za-z0-9_]*::|qt_[A-Za-z0-9_]+|q[A-Z][a-z][A-Za-z0-9]*)'
failed=0
checked=0
for exe in "$@"; do
    if [ ! -f "$exe" ]; then
        echo "$exe: not built" >&2
        failed=1
        continue
    fi
    symbols=$(nm -D --defined-only "$exe" | awk '{ print $NF }' | c++filt)
    total=$(printf '%s\n' "$symbols" | grep -c . || true)
    qt=$(printf '%s\n' "$symbols" | grep -E "$qt_name" || true)
    checked=$((checked + 1))
    if [ -n "$qt" ]; then
        count=$(printf '%s\n' "$qt" | wc -l)
        echo "$exe: exports $count Qt-named dynamic symbols (of $total):"
        printf '%s\n' "$qt" | sed 's/^/    /' | head -n 50
        failed=1
    else
        echo "$exe: $total dynamic symbols, none Qt-named"
    fi
done
if [ "$failed" -ne 0 ]; then
    echo "FAIL: an executable exports Qt-named symbols (or is missing); see CMakeLists.txt on visibility" >&2
    exit 1
fi
echo "OK: $checked executables export no Qt-named symbol"
