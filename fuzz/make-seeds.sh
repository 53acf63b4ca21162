#!/usr/bin/env bash
# Writes small valid seed inputs for the fuzz targets into DIR/corpus-<target>/, by
# default fuzz/corpus-<target>/ (git ignores those folders). Needs bash, awk and gzip.
#
#   fuzz/make-seeds.sh [DIR]
#
# fuzz_idx:       IDX image and label files, and image+label pairs back to back
# fuzz_idx_gzip:  the same files gzip-compressed, and two raw ones
# fuzz_cifar:     a 2-record CIFAR-10 batch and a 2-record CIFAR-100 batch
# fuzz_zip:       small zip archives (stored, deflated, zip64, data descriptors), a pickle,
#                 TorchScript of a module, and archives holding them
# fuzz_profile:   exit profiles in the format a study stores (versions 1 and 2)
# fuzz_space:     the shipped presets, each with a genome after a NUL byte
# fuzz_study:     a study file written by sqlite3-free means: see below
# (the last four need python3)
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here}
mkdir -p "$dest"
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

out="$dest/corpus-fuzz_idx"
mkdir -p "$out"
cp "$tmp"/*.idx "$out"/

out="$dest/corpus-fuzz_idx_gzip"
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
out="$dest/corpus-fuzz_cifar"
mkdir -p "$out"
{
    bytes 3; ramp 3072 0 1
    bytes 7; ramp 3072 128 3
} >"$out/cifar10-2.bin"
{
    bytes 4 42; ramp 3072 0 1 # coarse 4, fine 42
    bytes 19 99; ramp 3072 200 5 # coarse 19, fine 99
} >"$out/cifar100-2.bin"

# --- zip archives (fuzz_zip) -------------------------------------------------------
out="$dest/corpus-fuzz_zip"
mkdir -p "$out"
python3 - "$out" <<'PY'
import io, sys, zipfile
out = sys.argv[1]
def archive(name, method, zip64=False, stream=False, records=None):
    records = records or [("m/data.pkl", b"\x80\x02}q\x00."), ("m/data/0", bytes(range(256)) * 4), ("m/version", b"3\n")]
    buf = io.BytesIO()
    target = buf
    if stream:  # an unseekable stream: data descriptors after each record, as LibTorch writes
        class Unseekable(io.RawIOBase):
            def writable(self): return True
            def write(self, b): buf.write(b); return len(b)
        target = Unseekable()
    with zipfile.ZipFile(target, "w", method) as z:
        for n, d in records:
            with z.open(zipfile.ZipInfo(n), "w", force_zip64=zip64) as f:
                f.write(d)
    open(f"{out}/{name}.zip", "wb").write(buf.getvalue())
archive("stored", zipfile.ZIP_STORED)
archive("deflated", zipfile.ZIP_DEFLATED)
archive("zip64", zipfile.ZIP_STORED, zip64=True)
archive("descriptors", zipfile.ZIP_STORED, stream=True)
archive("empty-record", zipfile.ZIP_STORED, records=[("e", b""), ("f", b"x")])
# what torcharchive.cpp checks inside an archive: a pickle with memo entries and long
# strings, TorchScript of a module of attributes, and an archive holding both
import pickle
data = pickle.dumps({"edanas.format": "edanas-supernet", "n": [1, 2.5, True, None, b"xy" * 40, "s" * 300]}, protocol=2)
code = (b'class Module(Module):\n  __parameters__ = ["param.stem", "edanas.mean", ]\n  __buffers__ = []\n'
        b'  __annotations__ = []\n  __annotations__["param.stem"] = Tensor\n  lr : float\n'
        b'  optimizer : __torch__.___torch_mangle_0.Module\n')
open(f"{out}/data.pkl", "wb").write(data)
open(f"{out}/module.py", "wb").write(code)
archive("torch", zipfile.ZIP_STORED, records=[("m/data.pkl", data), ("m/code/__torch__.py", code), ("m/version", b"3\n")])
archive("torch-deflated-code", zipfile.ZIP_DEFLATED, records=[("m/code/__torch__.py", code)])
PY

# --- exit profiles (fuzz_profile) ----------------------------------------------------
out="$dest/corpus-fuzz_profile"
mkdir -p "$out"
python3 - "$out" <<'PY'
import struct, sys, zlib
out = sys.argv[1]
def profile(samples, positions, classes, version=2):
    raw = b""
    for q in range(positions):
        stage, block = (q + 1, 0) if q + 1 < positions else (-1, -1)
        raw += struct.pack("<iiqq", stage, block, 1000 * (q + 1), 100)
    cells = samples * positions
    raw += bytes(i % 2 for i in range(cells))                              # correct
    raw += struct.pack(f"<{cells}h", *[i % classes for i in range(cells)])  # predicted
    for k in range(4):                                                    # softmax, margin, entropy, confidence
        raw += struct.pack(f"<{cells}f", *[((i * 7 + k) % 10) / 10 for i in range(cells)])
    packed = zlib.compress(raw, 1)
    header = b"EDANASPF" + struct.pack("<Iiiiqq", version, samples, positions, classes, len(raw), len(packed))
    if version >= 2:
        header += struct.pack("<I", zlib.crc32(header + packed))
    return header + packed
open(f"{out}/p-3x2.bin", "wb").write(profile(3, 2, 10))
open(f"{out}/p-20x5.bin", "wb").write(profile(20, 5, 10))
open(f"{out}/p-0x1.bin", "wb").write(profile(0, 1, 0))
open(f"{out}/p-v1-4x3.bin", "wb").write(profile(4, 3, 10, version=1))
PY

# --- search spaces and genomes (fuzz_space) -----------------------------------------
out="$dest/corpus-fuzz_space"
mkdir -p "$out"
for preset in "$here"/../resources/presets/*.json; do
    name=$(basename "$preset" .json)
    cp "$preset" "$out/$name.json"
    { cat "$preset"; bytes 0
      printf '{"depth":[2,2,2,2,2],"kernel":[[3,3,3,3],[3,3,3,3],[3,3,3,3],[3,3,3,3],[3,3,3,3]],'
      printf '"expansion":[[3,3,3,3],[3,3,3,3],[3,3,3,3],[3,3,3,3],[3,3,3,3]],"resolution":32,'
      printf '"exits":[{"stage":1,"block":2,"threshold":0.2}],"rule":"margin"}'
    } >"$out/$name+genome.json"
done
{ bytes 0; printf '{"depth":[1,2,1,2,1],"kernel":[[3,5],[5,3],[3,3],[5,5],[3,5]],"expansion":[[2,3],[3,2],[2,2],[3,3],[2,3]],"resolution":16,"exits":[{"stage":2,"block":1,"threshold":0.5}],"rule":"entropy"}'
} >"$out/tiny-genome-only.json"

# --- study files (fuzz_study) ---------------------------------------------------------
# A small study in the schema of core/study/studyschema.cpp, written with python3's sqlite3.
out="$dest/corpus-fuzz_study"
mkdir -p "$out"
python3 - "$out" "$here/../core/study/studyschema.cpp" "$here/../core/study/study.h" <<'PY'
import os, re, sqlite3, sys
out, source, header = sys.argv[1], sys.argv[2], sys.argv[3]
# the schema version this build reads (study.h's kSchemaVersion)
version = re.search(r"kSchemaVersion = (\d+);", open(header).read()).group(1)
# the CREATE statements of kSchema, as the store writes them: one per line ending in ",
text = open(source).read()
block = text[text.index("kSchema[] = {") + len("kSchema[] = {"):]
block = block[:block.index("};")]
statements, current = [], ""
for line in block.splitlines():
    line = line.strip()
    if not line.startswith('"'):
        continue
    current += line[1:line.rindex('"')]
    if line.endswith('",'):
        statements.append(current)
        current = ""
path = f"{out}/study.edanas"
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.execute("PRAGMA page_size = 512")  # a small file: quicker to mutate
for s in statements:
    db.execute(s)
meta = {"format": "edanas-study", "schema_version": version, "config_json": "{}", "dataset_path": "d",
        "dataset_hash": "h", "checkpoint_path": "c.pt", "checkpoint_hash": "k", "space_name": "tiny",
        "encoding": "studio", "app_version": "0.1.0", "seed": "7", "created": "2026-12-01T00:00:00Z"}
for k, v in meta.items():
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (k, v))
for i in (1, 2):
    # columns by name: a schema change that drops or renames one fails here, loudly
    db.execute("INSERT INTO candidates (id, generation, genome_hash, genome_json, genes, objectives, violation,"
               " accuracy, macs_true, macs_paper, static_macs, params, sram_bytes, flash_bytes, figures_json,"
               " origin, eval_seconds, pinned, banned, note) VALUES (?, 0, ?, '{}', '1,2,3', '0.5,1000', 0, 0.5,"
               " 1000, 900, 1200, 5000, 300, 4000, '{}', 'random', 1.5, 0, 0, '')", (i, 1000 + i))
db.execute("INSERT INTO tasks (generation, genome_json, genes, origin, state, worker, lease_until, claims,"
           " candidate_id) VALUES (0, '{}', '1,2,3', 'random', 2, 'w', 0, 1, 1)")
db.execute("INSERT INTO generations VALUES (0, 0.25, '1,2', '{}', '2026-12-01T00:00:00Z')")
db.execute("INSERT INTO front_membership VALUES (0, 1, 0)")
db.execute("INSERT INTO events (time, generation, type, json) VALUES ('2026-12-01T00:00:00Z', 0, 'note', '{}')")
db.execute("INSERT INTO profiles VALUES (1001, 32, x'00010203')")
db.execute("INSERT INTO state VALUES ('optimizer', x'0a0b')")
db.commit()
db.close()
# Finding 5's kind of damage (fuzz/README.md), rebuilt in this build's schema so that it
# stays a regression input when the schema changes: a schema that lets NULL into a NOT
# NULL column, and a candidate with a NULL genome hash. It must be refused as damaged.
import shutil
damaged = f"{out}/finding5-null-genome-hash.edanas"
shutil.copyfile(path, damaged)
db = sqlite3.connect(damaged)
db.execute("PRAGMA writable_schema = ON")
db.execute("UPDATE sqlite_master SET sql = replace(sql, 'genome_hash INTEGER NOT NULL UNIQUE',"
           " 'genome_hash INTEGER UNIQUE') WHERE name = 'candidates'")
db.commit()
db.close()
db = sqlite3.connect(damaged)
changed = db.execute("UPDATE candidates SET genome_hash = NULL WHERE id = 2").rowcount
db.commit()
db.close()
assert changed == 1, "the candidates table lost its genome_hash column: update finding 5's input"
PY

for d in "$dest"/corpus-fuzz_*; do
    echo "$(basename "$d"): $(find "$d" -type f | wc -l) files"
done
