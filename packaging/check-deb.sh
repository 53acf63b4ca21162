#!/usr/bin/env bash
# Builds the Debian package in a configured and built CMake build directory and checks
# that it holds the programs and the desktop integration files.
#
#   packaging/check-deb.sh BUILD_DIR
#
# Needs cpack (CMake), dpkg-deb, and dpkg-shlibdeps (package dpkg-dev). Exits non-zero,
# naming what is missing, when the package cannot be made or lacks a file.
set -euo pipefail

app_id=io.github.edanas.Studio
required=(
    usr/bin/edanas-studio
    usr/bin/edanas
    "usr/share/applications/$app_id.desktop"
    "usr/share/metainfo/$app_id.metainfo.xml"
    "usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    usr/share/edanas-studio/presets/ofa-mbv3.json
    usr/share/edanas-studio/presets/tiny.json
)

fail() {
    echo "check-deb: FAIL: $*" >&2
    exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build_dir=$1
[ -f "$build_dir/CPackConfig.cmake" ] \
    || fail "$build_dir/CPackConfig.cmake not found: configure the project in $build_dir first"
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (dpkg-shlibdeps is in dpkg-dev)"
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "check-deb: running cpack -G DEB in $build_dir"
if ! (cd "$build_dir" && cpack -G DEB) >"$log" 2>&1; then
    cat "$log" >&2
    fail "cpack -G DEB failed in $build_dir"
fi
cat "$log"

# CPack prints "CPack: - package: /path/name.deb generated."
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$log" | tail -n 1)
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    fail "cpack reported no .deb file (see its output above)"
fi

contents=$(dpkg-deb -c "$deb") || fail "dpkg-deb -c cannot read $deb"
# Lines end in "./usr/bin/edanas" (or "./usr/bin/edanas -> target" for a link).
paths=$(awk '{ sub(/ -> .*/, ""); print $NF }' <<<"$contents" | sed 's,^\./,,')

missing=0
for path in "${required[@]}"; do
    if grep -qxF "$path" <<<"$paths"; then
        echo "check-deb: ok      $path"
    else
        echo "check-deb: MISSING $path" >&2
        missing=1
    fi
done
[ "$missing" -eq 0 ] || fail "$deb lacks the files marked MISSING above"

depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || fail "$deb has an empty Depends field (did dpkg-shlibdeps run?)"
echo "check-deb: Depends: $depends"
echo "check-deb: PASS: $deb"
