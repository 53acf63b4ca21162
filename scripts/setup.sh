# Shared by scripts/run and scripts/test: installs what is missing (Debian 12, as
# root), then configures and builds with the `dev` preset. Sourced, not run.
set -euo pipefail

EDANAS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EDANAS_PRESET=${EDANAS_PRESET:-dev}
case "$EDANAS_PRESET" in
    dev) EDANAS_BUILD="$EDANAS_ROOT/build" ;;
    *) EDANAS_BUILD="$EDANAS_ROOT/build-$EDANAS_PRESET" ;;
esac

edanas_packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-svg-dev libqt6sql6-sqlite libqt6sql6-psql libgl-dev
    postgresql
    libqcustomplot-dev
    libtorch-dev libopenblas0-pthread
    libopencv-dev
    libpagmo-dev
    libonnx-dev libprotobuf-dev python3-onnx python3-numpy
    zlib1g-dev
    dataset-fashion-mnist
    dpkg-dev
)

edanas_install() {
    local missing=()
    for p in "${edanas_packages[@]}"; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "== Installing: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

edanas_build() {
    cd "$EDANAS_ROOT"
    if [ ! -f "$EDANAS_BUILD/CMakeCache.txt" ]; then
        cmake --preset "$EDANAS_PRESET"
    fi
    cmake --build --preset "$EDANAS_PRESET"
}

edanas_install
edanas_build
