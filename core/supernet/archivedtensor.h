#pragma once

// Checks of a tensor read from a LibTorch archive (a checkpoint, an exported model.pt).
// LibTorch 1.13's unpickler takes a tensor's sizes, strides and storage offset as the
// file says them, without comparing them with the bytes the file stores for it: a
// damaged archive whose records still match their CRC-32s (written so, or damaged
// before they were summed) yields a tensor that reaches past its storage, and reading it
// reads memory that is not its own (found by fuzz/fuzz_checkpoint.cpp).

#include "torcharchive.h"

#include <torch/serialize.h>
#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <unordered_set>
#include <vector>

namespace edanas::supernet {

/// "" when `t` is a dense CPU tensor whose every element lies inside its storage, else
/// what is wrong with it ("reaches past the N bytes stored for it", ...).
inline std::string archivedTensorProblem(const torch::Tensor &t)
{
    if (!t.defined())
        return "is missing";
    if (t.layout() != torch::kStrided || !t.has_storage() || t.is_quantized())
        return "is not a plain dense tensor";
    if (!t.device().is_cpu())
        return "is not stored for the CPU";
    const std::int64_t numel = t.numel();
    if (numel == 0)
        return {};
    std::int64_t last = t.storage_offset();
    if (last < 0)
        return "has a negative storage offset";
    for (std::int64_t d = 0; d < t.dim(); ++d) {
        const std::int64_t size = t.size(d), stride = t.stride(d);
        if (size <= 0 || stride < 0)
            return "has a negative size or stride";
        if (size > 1 && stride > (std::numeric_limits<std::int64_t>::max() - last) / (size - 1))
            return "has sizes and strides that overflow";
        last += (size - 1) * stride;
    }
    const auto item = std::uint64_t(t.element_size());
    const auto bytes = std::uint64_t(t.storage().nbytes());
    if (item == 0 || std::uint64_t(last) >= bytes / item)
        return "reaches past the " + std::to_string(bytes) + " bytes stored for it";
    return {};
}

namespace detail {

inline std::string tensorsProblem(const c10::IValue &v, const std::string &where, int depth,
                                  std::unordered_set<const void *> &seen)
{
    if (depth > 32)
        return "\"" + where + "\" is nested too deeply";
    std::string problem;
    const auto each = [&](const c10::IValue &e, const std::string &at) {
        if (problem.empty())
            problem = tensorsProblem(e, at, depth + 1, seen);
    };
    if (v.isTensor()) {
        if (std::string p = archivedTensorProblem(v.toTensor()); !p.empty())
            return "tensor \"" + where + "\" " + p;
    } else if (v.isObject()) {
        const auto object = v.toObject();
        if (!seen.insert(object.get()).second)
            return {};
        const auto type = object->type();
        const auto &slots = object->slots();
        for (std::size_t i = 0; i < slots.size(); ++i)
            each(slots[i], where + "/" + (i < type->numAttributes() ? type->getAttributeName(i) : std::to_string(i)));
    } else if (v.isList()) {
        const auto list = v.toListRef();
        for (std::size_t i = 0; i < list.size(); ++i)
            each(list[i], where + "/" + std::to_string(i));
    } else if (v.isTuple()) {
        const auto &elements = v.toTupleRef().elements();
        for (std::size_t i = 0; i < elements.size(); ++i)
            each(elements[i], where + "/" + std::to_string(i));
    } else if (v.isGenericDict()) {
        for (const auto &entry : v.toGenericDict()) {
            each(entry.key(), where + "/(key)");
            each(entry.value(), where + "/(value)");
        }
    }
    return problem;
}

} // namespace detail

/// "" when every tensor `a` holds, at any depth (in archives written into it, lists,
/// tuples, dictionaries), lies inside its storage (archivedTensorProblem); else what is
/// wrong with the first that does not, named by its key ("optimizer/state/..."). Run on
/// every archive read: LibTorch's own readers (an optimizer's load, `item()` of its
/// sizes) read such a tensor's elements wherever the file says they are.
inline std::string archiveTensorsProblem(torch::serialize::InputArchive &a)
{
    std::unordered_set<const void *> seen;
    for (const std::string &key : a.keys()) {
        c10::IValue v;
        if (!a.try_read(key, v))
            continue;
        if (std::string problem = detail::tensorsProblem(v, key, 0, seen); !problem.empty())
            return problem;
    }
    return {};
}

/// What readTorchArchive returns for a file that cannot be read at all.
inline const char *const kUnreadableArchive = "cannot be read";

/// Reads `path` whole, checks it (checkTorchArchive), parses it into `a` from memory,
/// then checks every tensor it holds (archiveTensorsProblem). "" when all went well;
/// kUnreadableArchive; or what the checks or LibTorch found wrong (LibTorch's message
/// cut to its first line).
inline std::string readTorchArchive(const std::string &path, torch::serialize::InputArchive &a)
{
    // in blocks: an istreambuf_iterator's byte at a time took a quarter of
    // fuzz_checkpoint's time (instrumented)
    std::vector<char> bytes;
    std::ifstream in(path, std::ios::binary);
    char block[1 << 16];
    while (in.read(block, sizeof block) || in.gcount() > 0)
        bytes.insert(bytes.end(), block, block + in.gcount());
    if (in.bad() || !in.eof())
        return kUnreadableArchive;
    if (std::string problem = checkTorchArchive(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
        !problem.empty())
        return problem;
    try {
        a.load_from(bytes.data(), bytes.size());
    } catch (const std::exception &e) {
        const std::string what = e.what();
        return what.substr(0, what.find('\n'));
    }
    return archiveTensorsProblem(a);
}

/// The values of a one-dimensional floating-point tensor read from an archive; empty
/// `problem` filled when it is not one (or lies outside its storage).
inline std::vector<float> archivedFloats(const torch::Tensor &t, std::string &problem)
{
    problem = archivedTensorProblem(t);
    if (problem.empty() && (t.dim() != 1 || !t.is_floating_point()))
        problem = "is not a list of floating-point numbers";
    if (!problem.empty())
        return {};
    const torch::Tensor c = t.to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

/// "" when `mean` and `std` are a usable input normalisation for `channels` channels
/// (any count when `channels` is 0): as many of each, finite, deviations > 0.
inline std::string normalisationProblem(const std::vector<float> &mean, const std::vector<float> &std, int channels)
{
    if (mean.empty() || mean.size() != std.size())
        return "has " + std::to_string(mean.size()) + " normalisation means but " + std::to_string(std.size())
            + " deviations";
    if (channels > 0 && mean.size() != std::size_t(channels))
        return "has an input normalisation for " + std::to_string(mean.size()) + " channels, but its network takes "
            + std::to_string(channels);
    for (std::size_t i = 0; i < mean.size(); ++i)
        if (!std::isfinite(mean[i]) || !std::isfinite(std[i]) || !(std[i] > 0))
            return "has an input normalisation that is not finite, or a deviation that is not positive";
    return {};
}

} // namespace edanas::supernet
