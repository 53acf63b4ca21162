#pragma once

// What LibTorch's archives (supernet checkpoints, exported model.pt files) must look like
// before LibTorch 1.13 may read them. Its reader trusts them: the lengths and memo indices
// in a pickle (it allocates what they claim, gigabytes for a damaged one), the depth of
// the pickle's stack (it pops what was never pushed), the TorchScript of the code/
// records (its importer dereferences a null pointer on some malformed class bodies), and
// a storage's size as the pickle says it, whatever the bytes of its record. A file damaged by chance fails its records' CRC-32s
// (zipcheck.h); these checks turn a file whose records still match them (written so,
// or damaged before they were summed) into a refusal instead of a crash. Found by
// fuzz/fuzz_checkpoint.cpp. Plain C++ and zlib.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edanas {

/// A tensor storage a pickle refers to (a persistent id).
struct PickledStorage
{
    std::string key;    ///< its record: data/<key> (or constants/<key>)
    std::string type;   ///< "torch\nFloatStorage", ...
    std::uint64_t count = 0; ///< elements
};

/// "" when `data` is a sequence of known pickle opcodes (protocols 0 to 5) ending with
/// STOP, every argument and every length-prefixed string inside the data, memo entries
/// put in order (0, 1, ...) and got only once put, no opcode taking more values than
/// were pushed above the innermost MARK, every persistent id a tensor storage
/// as LibTorch's pickler writes it (then added to `storages` when given); else what is
/// wrong and at which byte. Never reads outside [data, data + size).
std::string checkPickle(const std::uint8_t *data, std::size_t size, std::vector<PickledStorage> *storages = nullptr);

/// "" when `code` is TorchScript as torch::serialize::OutputArchive writes it for a
/// module of attributes only: one `class Module(Module):` whose body declares its
/// parameter and buffer names and annotates attributes of type Tensor, int, float,
/// bool, str or a submodule; else what is wrong and on which line.
std::string checkModuleCode(const char *code, std::size_t size);

/// checkZipArchive (zipcheck.h), then checkPickle on every record whose name ends in
/// ".pkl" or "_pkl" (stored, as LibTorch writes them), each storage it names a record
/// of at least its elements' bytes, and checkModuleCode on every ".py" record under
/// code/ (inflated when deflated). Returns "" or what is wrong, naming the record.
std::string checkTorchArchive(const std::uint8_t *data, std::size_t size);

} // namespace edanas
