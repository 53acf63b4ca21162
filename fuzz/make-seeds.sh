#!/usr/bin/env bash
# Writes small valid seed inputs for the fuzz targets into fuzz/corpus-<target>/
# (git ignores those folders). Needs only bash, awk and gzip.
#
#   fuzz/make-seeds.sh
#
# fuzz_idx:       IDX image and label files, and image+label pairs back to back
# fuzz_idx_gzip:  the same files gzip-compressed, and two raw ones
# fuzz_cifar:     a 2-record CIFAR-10 batch and a 2-record CIFAR-100 batch
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bytes V...: writes each decimal value 0..255 as one byte.
bytes() {
    awk 'BEGIN { for (i = 1; i < ARGC; i++) printf "%c", ARGV[i] + 0 }' "$@"
}
# be32 N: a 32-bit big-endian unsigned integer.
be32() {
    bytes $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))
}
# ramp COUNT START STEP: COUNT bytes START, START+STEP, ... (mod 256).
ramp() {
    awk -v n="$1" -v s="$2" -v d="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%c", (s + i * d) % 256 }'
}
# idx D1 [D2 ...]: an unsigned-byte IDX file with those dimensions and ramp data.
idx() {
    local total=1 d
    bytes 0 0 8 $#
    for d in "$@"; do
        be32 "$d"
        total=$((total * d))
    done
    ramp "$total" 7 37
}
# labels N CLASSES: a 1-dimensional IDX label file with labels 0, 1, ... mod CLASSES.
labels() {
    bytes 0 0 8 1
    be32 "$1"
    awk -v n="$1" -v k="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%c", i % k }'
}

# --- IDX ---------------------------------------------------------------------------
idx 2 3 3 >"$tmp/images-gray.idx"        # 2 grayscale images of 3 x 3
idx 2 2 2 3 >"$tmp/images-rgb.idx"       # 2 RGB images of 2 x 2
idx 3 4 4 1 >"$tmp/images-gray4d.idx"    # 3 images of 4 x 4 x 1
labels 2 10 >"$tmp/labels-2.idx"
labels 3 10 >"$tmp/labels-3.idx"
cat "$tmp/images-gray.idx" "$tmp/labels-2.idx" >"$tmp/pair-gray.idx"
cat "$tmp/images-rgb.idx" "$tmp/labels-2.idx" >"$tmp/pair-rgb.idx"
cat "$tmp/images-gray4d.idx" "$tmp/labels-3.idx" >"$tmp/pair-gray4d.idx"

out="$here/corpus-fuzz_idx"
mkdir -p "$out"
cp "$tmp"/*.idx "$out"/

out="$here/corpus-fuzz_idx_gzip"
mkdir -p "$out"
for f in images-gray images-rgb images-gray4d labels-2 labels-3; do
    gzip -9 -n -c "$tmp/$f.idx" >"$out/$f.idx.gz"
done
gzip -1 -n -c "$tmp/images-rgb.idx" >"$out/images-rgb-fast.idx.gz"
# Larger outputs from small streams, so that the fuzzer starts from inputs that take
# the output buffer's growth paths (past 64 KiB, and past gunzip's first 1 MiB).
idx 3 256 256 | gzip -9 -n >"$out/images-196k.idx.gz"
idx 5 512 512 | gzip -9 -n >"$out/images-1m3.idx.gz"
# Two gzip members back to back (gunzip reads the first).
cat "$out/labels-2.idx.gz" "$out/images-gray.idx.gz" >"$out/two-members.idx.gz"
cp "$tmp/images-gray.idx" "$tmp/labels-2.idx" "$out"/ # readIdxFile takes raw files too

# --- CIFAR -------------------------------------------------------------------------
# A record: the label byte(s), then the red, green and blue planes of 32 x 32 bytes.
out="$here/corpus-fuzz_cifar"
mkdir -p "$out"
{
    bytes 3; ramp 3072 0 1
    bytes 7; ramp 3072 128 3
} >"$out/cifar10-2.bin"
{
    bytes 4 42; ramp 3072 0 1 # coarse 4, fine 42
    bytes 19 99; ramp 3072 200 5 # coarse 19, fine 99
} >"$out/cifar100-2.bin"

for d in "$here"/corpus-fuzz_*; do
    echo "$(basename "$d"): $(find "$d" -type f | wc -l) files"
done
