#pragma once

#include "study/study.h"

#include <string>

namespace edanas::study {

enum class ExportFormat { Csv, Json };

struct ExportedCandidates
{
    std::string text;
    int rows = 0;
};

/// The archive (every candidate) or only the last generation's front, one row per
/// candidate with every figure: id, generation, genome hash, accuracy, both MAC
/// accountings, static MACs, parameters, int8 microcontroller SRAM and flash bytes
/// (export/mcumemory.h), constraint violation,
/// on-front flag, origin, pinned, banned, evaluation seconds, per-exit shares and
/// accuracies, the readable genome, the note. JSON: an array of objects. CSV: a header
/// row, lists as "a;b;c", the genome as its JSON text; pandas reads both without options.
ExportedCandidates exportCandidates(const Study &study, bool frontOnly, ExportFormat format);

/// Writes `text` to `path` through a temporary file renamed over it: the old file stays
/// whole until the new one is. Throws std::runtime_error naming the path.
void writeFileAtomically(const std::string &path, const std::string &text);

} // namespace edanas::study
