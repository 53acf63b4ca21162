#include "torcharchive.h"

#include "zipcheck.h"

#include <zlib.h>

#include <cctype>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

namespace edanas {

namespace {

// How an opcode's argument is laid out.
enum class Arg { None, Fixed, Len1, Len4, Len8, Line, TwoLines, Unknown };

struct Op
{
    Arg arg = Arg::Unknown;
    int bytes = 0; // Fixed: the argument's size
};

Op opcode(std::uint8_t c)
{
    switch (c) {
    // no argument
    case '(': case '.': case '0': case '1': case '2': case 'N': case 'Q': case 'R': case 'a': case 'b':
    case 'd': case '}': case 'e': case 'l': case ']': case 'o': case 's': case 't': case ')': case 'u':
    case 0x81: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91:
    case 0x92: case 0x93: case 0x94: case 0x97: case 0x98:
        return {Arg::None, 0};
    case 'K': case 'h': case 'q': case 0x80: case 0x82: // BININT1 BINGET BINPUT PROTO EXT1
        return {Arg::Fixed, 1};
    case 'M': case 0x83: // BININT2 EXT2
        return {Arg::Fixed, 2};
    case 'J': case 'j': case 'r': case 0x84: // BININT LONG_BINGET LONG_BINPUT EXT4
        return {Arg::Fixed, 4};
    case 'G': case 0x95: // BINFLOAT FRAME
        return {Arg::Fixed, 8};
    case 'U': case 0x8c: case 'C': case 0x8a: // SHORT_BINSTRING SHORT_BINUNICODE SHORT_BINBYTES LONG1
        return {Arg::Len1, 0};
    case 'T': case 'X': case 'B': case 0x8b: // BINSTRING BINUNICODE BINBYTES LONG4
        return {Arg::Len4, 0};
    case 0x8d: case 0x8e: case 0x96: // BINUNICODE8 BINBYTES8 BYTEARRAY8
        return {Arg::Len8, 0};
    case 'I': case 'L': case 'F': case 'S': case 'V': case 'P': case 'g': case 'p':
        return {Arg::Line, 0};
    case 'c': case 'i': // GLOBAL INST: module and name, a line each
        return {Arg::TwoLines, 0};
    default:
        return {};
    }
}

std::uint64_t littleEndian(const std::uint8_t *p, int n)
{
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = v << 8 | p[i];
    return v;
}

bool endsWith(const std::string &s, const char *tail)
{
    const std::size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

bool isIdentifier(std::string_view s)
{
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

bool isType(std::string_view t)
{
    if (t == "Tensor" || t == "int" || t == "float" || t == "bool" || t == "str" || t == "__torch__.Module")
        return true;
    // a submodule: __torch__.___torch_mangle_N.Module
    constexpr std::string_view head = "__torch__.___torch_mangle_", tail = ".Module";
    if (t.size() <= head.size() + tail.size() || t.substr(0, head.size()) != head
        || t.substr(t.size() - tail.size()) != tail)
        return false;
    const std::string_view n = t.substr(head.size(), t.size() - head.size() - tail.size());
    for (char c : n)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
    return true;
}

// A quoted name at the start of `s`: its length with the quotes, 0 when there is none.
// Names are attribute keys: printable, without quotes or backslashes.
std::size_t quotedName(std::string_view s)
{
    if (s.size() < 3 || s[0] != '"')
        return 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"')
            return i > 1 ? i + 1 : 0;
        if (c == '\\' || c < 0x20 || c >= 0x7f)
            return 0;
    }
    return 0;
}

// `"a", "b", ]` (what follows "[" in a names list), or "]"
bool isNameList(std::string_view s)
{
    while (s != "]") {
        const std::size_t n = quotedName(s);
        if (n == 0 || s.substr(n, 2) != ", ")
            return false;
        s.remove_prefix(n + 2);
    }
    return true;
}

bool isBodyLine(std::string_view l)
{
    if (l.substr(0, 2) != "  ")
        return false;
    l.remove_prefix(2);
    for (std::string_view list : {std::string_view("__parameters__ = ["), std::string_view("__buffers__ = [")})
        if (l.substr(0, list.size()) == list)
            return isNameList(l.substr(list.size()));
    if (l == "__annotations__ = []")
        return true;
    constexpr std::string_view annotation = "__annotations__[";
    if (l.substr(0, annotation.size()) == annotation) {
        l.remove_prefix(annotation.size());
        const std::size_t n = quotedName(l);
        return n > 0 && l.substr(n, 4) == "] = " && isType(l.substr(n + 4));
    }
    const std::size_t colon = l.find(" : ");
    return colon != std::string_view::npos && isIdentifier(l.substr(0, colon)) && isType(l.substr(colon + 3));
}

bool inflateRecord(const std::uint8_t *data, std::uint64_t packed, std::uint64_t size, std::string &out)
{
    out.assign(std::size_t(size), '\0');
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return false;
    z.next_in = const_cast<Bytef *>(data);
    z.avail_in = uInt(packed);
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(size);
    const int rc = inflate(&z, Z_FINISH);
    const bool ok = rc == Z_STREAM_END && z.total_out == size;
    inflateEnd(&z);
    return ok;
}

// Bytes per element of a storage type as LibTorch's pickler names it ("torch\nFloatStorage");
// 0 for any other.
std::uint64_t storageItemSize(const std::string &type)
{
    static const std::map<std::string, std::uint64_t> sizes = {
        {"torch\nFloatStorage", 4}, {"torch\nDoubleStorage", 8}, {"torch\nHalfStorage", 2},
        {"torch\nBFloat16Storage", 2}, {"torch\nLongStorage", 8}, {"torch\nIntStorage", 4},
        {"torch\nShortStorage", 2}, {"torch\nCharStorage", 1}, {"torch\nByteStorage", 1},
        {"torch\nBoolStorage", 1}, {"torch\nComplexFloatStorage", 8}, {"torch\nComplexDoubleStorage", 16}};
    const auto it = sizes.find(type);
    return it == sizes.end() ? 0 : it->second;
}

// What an opcode does to the depth of the stack (values above the innermost MARK, and
// in the group below it for the opcodes that close one): "" when it finds the values it
// takes, else what is missing. LibTorch's unpickler takes them without looking.
std::string stackProblem(std::uint8_t c, std::vector<std::size_t> &depths)
{
    std::size_t need = 0; // values it takes from the current group
    long net = 1;         // what it leaves there, pushes minus pops
    switch (c) {
    case '(': // MARK
        depths.push_back(0);
        return {};
    case '1': case 't': case 'l': case 'd': case 'e': case 'u': case 'o': case 0x90: case 0x91: case 'i': {
        // POP_MARK, TUPLE, LIST, DICT, APPENDS, SETITEMS, OBJ, ADDITEMS, FROZENSET, INST
        if (depths.size() == 1)
            return "closes a MARK it never opened";
        const std::size_t inside = depths.back();
        depths.pop_back();
        if (c == 'o' && inside == 0)
            return "builds an object of no class";
        if (c == 'e' || c == 'u' || c == 0x90) { // into the list, dict or set below the MARK
            if (depths.back() == 0)
                return "adds items to nothing";
            if (c == 'u' && inside % 2 != 0)
                return "sets a key without a value";
            return {};
        }
        if (c != '1')
            ++depths.back();
        return {};
    }
    case '.': case 'Q': case 'q': case 'r': case 'p': case 0x94: case 0x98: case 0x85:
        need = 1, net = 0; // STOP, BINPERSID, the PUTs, MEMOIZE, READONLY_BUFFER, TUPLE1
        break;
    case '0': need = 1, net = -1; break;                        // POP
    case '2': need = 1, net = 1; break;                         // DUP
    case 'a': case 'b': case 'R': case 0x81: case 0x86: case 0x93: // APPEND BUILD REDUCE NEWOBJ TUPLE2 STACK_GLOBAL
        need = 2, net = -1;
        break;
    case 's': need = 3, net = -2; break;                        // SETITEM
    case 0x92: case 0x87: need = 3, net = -2; break;            // NEWOBJ_EX, TUPLE3
    case 0x80: case 0x95: net = 0; break;                       // PROTO, FRAME
    default: break;                                             // everything else pushes one value
    }
    if (depths.back() < need)
        return "takes " + std::to_string(need) + " values where " + std::to_string(depths.back())
            + " are on the stack";
    depths.back() = std::size_t(long(depths.back()) + net);
    return {};
}

} // namespace

std::string checkModuleCode(const char *code, std::size_t size)
{
    const std::string_view text(code, size);
    std::size_t at = 0;
    for (int line = 1; at < text.size(); ++line) {
        const std::size_t nl = text.find('\n', at);
        const std::string_view l = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
        at = nl == std::string_view::npos ? text.size() : nl + 1;
        const bool ok = line == 1 ? l == "class Module(Module):" : (l.empty() || isBodyLine(l));
        if (!ok)
            return "holds TorchScript other than a module's attribute declarations (line " + std::to_string(line)
                + ")";
    }
    return {};
}

std::string checkPickle(const std::uint8_t *data, std::size_t size, std::vector<PickledStorage> *storages)
{
    std::size_t at = 0;
    // What the values between a MARK and its TUPLE were, as far as a persistent id (a
    // tensor's storage) needs them: LibTorch's pickler writes each as MARK, "storage",
    // GLOBAL torch.<Type>Storage, "<key>", "<location>", <numel>, TUPLE, BINPERSID,
    // strings and globals memoized (BINPUT after the first, BINGET after that).
    struct Value
    {
        char kind = '?'; // 's' string, 'g' global, 'i' integer, '?' anything else
        std::string text;
        std::int64_t number = 0;
    };
    struct Group // the values pushed since a MARK (the first group: since the start)
    {
        std::size_t count = 0;
        std::vector<Value> first; // the first 5
        Value last;
    };
    std::vector<Value> memoValues;
    std::vector<std::size_t> depths(1); // the stack's depth above each open MARK
    std::vector<Group> marks(1);
    Group tuple; // what the last opcode, a TUPLE, closed
    bool tupleJustClosed = false;
    const auto pushValue = [&](Value v) {
        Group &g = marks.back();
        if (++g.count <= 5)
            g.first.push_back(v);
        g.last = std::move(v);
    };
    // Memo entries are numbered as they are put, from 0; LibTorch sizes its memo table
    // to the largest index it is given.
    std::uint64_t memo = 0;
    const auto memoProblem = [&](std::uint8_t c, std::uint64_t index) -> std::string {
        const bool put = c == 'q' || c == 'r' || c == 'p';
        if (put ? index > memo : index >= memo)
            return std::string(put ? "puts memo entry " : "gets memo entry ") + std::to_string(index) + " of "
                + std::to_string(memo);
        if (put && index == memo)
            ++memo;
        return {};
    };
    // the value a PUT names: the last one pushed since the open MARK, if any
    const auto putValue = [&](std::uint64_t index) {
        if (memoValues.size() <= index)
            memoValues.resize(std::size_t(index) + 1);
        memoValues[std::size_t(index)] = marks.back().count > 0 ? marks.back().last : Value{};
    };
    while (at < size) {
        const std::size_t start = at;
        const std::uint8_t c = data[at++];
        const std::size_t left = size - at;
        const bool afterTuple = tupleJustClosed;
        tupleJustClosed = false;
        const auto where = [&] { return " (opcode 0x" + std::string(1, "0123456789abcdef"[c >> 4])
                                        + std::string(1, "0123456789abcdef"[c & 15]) + " at byte "
                                        + std::to_string(start) + ")"; };
        if (opcode(c).arg != Arg::Unknown)
            if (std::string d = stackProblem(c, depths); !d.empty())
                return d + where();
        const Op op = opcode(c);
        switch (op.arg) {
        case Arg::Unknown:
            return "holds an unknown opcode" + where();
        case Arg::None:
            if (c == '.')
                return at == size ? std::string() : "goes on after its end" + where();
            if (c == 0x94) { // MEMOIZE
                putValue(memo);
                ++memo;
            } else if (c == '(') { // MARK
                if (marks.size() > 1000)
                    return "nests more than 1000 marks" + where();
                marks.emplace_back();
            } else if (c == 't' || c == '1' || c == 'l' || c == 'd' || c == 'e' || c == 'u' || c == 'o' || c == 0x90
                       || c == 0x91) {
                // TUPLE, POP_MARK, LIST, DICT, APPENDS, SETITEMS, OBJ, ADDITEMS, FROZENSET: up to the open MARK
                if (marks.size() == 1)
                    return "closes a MARK it never opened" + where();
                if (c == 't') {
                    tuple = std::move(marks.back());
                    tupleJustClosed = true;
                }
                marks.pop_back();
                if (c != '1' && c != 'e' && c != 'u' && c != 0x90)
                    pushValue({});
            } else if (c == 'Q') { // BINPERSID: a storage, as LibTorch writes it
                const std::vector<Value> &t = tuple.first;
                const bool storage = afterTuple && tuple.count == 5 && t[0].kind == 's' && t[0].text == "storage"
                    && t[1].kind == 'g' && t[2].kind == 's' && t[3].kind == 's' && t[4].kind == 'i'
                    && t[4].number >= 0;
                if (!storage)
                    return "has a persistent id other than a tensor storage as LibTorch writes it" + where();
                if (storages)
                    storages->push_back({t[2].text, t[1].text, std::uint64_t(t[4].number)});
                pushValue({});
            } else {
                pushValue({});
            }
            break;
        case Arg::Fixed:
            if (left < std::size_t(op.bytes))
                return "ends inside an argument" + where();
            if (c == 'q' || c == 'r' || c == 'h' || c == 'j') {
                const std::uint64_t index = littleEndian(data + at, op.bytes);
                if (std::string m = memoProblem(c, index); !m.empty())
                    return m + where();
                if (c == 'q' || c == 'r')
                    putValue(index);
                else
                    pushValue(index < memoValues.size() ? memoValues[std::size_t(index)] : Value{});
            } else if (c == 'K' || c == 'M') { // BININT1, BININT2
                pushValue({'i', {}, std::int64_t(littleEndian(data + at, op.bytes))});
            } else if (c == 'J') { // BININT: signed
                pushValue({'i', {}, std::int64_t(std::int32_t(std::uint32_t(littleEndian(data + at, 4))))});
            } else if (c != 0x80 && c != 0x95) { // not PROTO, FRAME: they push nothing
                pushValue({});
            }
            at += std::size_t(op.bytes);
            break;
        case Arg::Len1:
        case Arg::Len4:
        case Arg::Len8: {
            const int n = op.arg == Arg::Len1 ? 1 : op.arg == Arg::Len4 ? 4 : 8;
            if (left < std::size_t(n))
                return "ends inside a length" + where();
            const std::uint64_t length = littleEndian(data + at, n);
            at += std::size_t(n);
            if (length > size - at)
                return "claims " + std::to_string(length) + " bytes where " + std::to_string(size - at) + " are left"
                    + where();
            if (c == 'X' || c == 0x8c || c == 0x8d) { // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
                pushValue({'s', std::string(reinterpret_cast<const char *>(data + at), std::size_t(length)), 0});
            } else if (c == 0x8a && length <= 8) { // LONG1: little-endian two's complement
                std::uint64_t v = length ? littleEndian(data + at, int(length)) : 0;
                if (length > 0 && length < 8 && (data[at + length - 1] & 0x80))
                    v |= ~std::uint64_t(0) << (8 * length);
                pushValue({'i', {}, std::int64_t(v)});
            } else {
                pushValue({});
            }
            at += std::size_t(length);
            break;
        }
        case Arg::Line:
        case Arg::TwoLines:
            for (int line = 0; line < (op.arg == Arg::Line ? 1 : 2); ++line) {
                const void *nl = std::memchr(data + at, '\n', size - at);
                if (!nl)
                    return "ends inside a line" + where();
                const std::size_t end = std::size_t(static_cast<const std::uint8_t *>(nl) - data);
                if (c == 'p' || c == 'g') { // PUT, GET: a decimal index
                    std::uint64_t index = 0;
                    if (end == at || end - at > 18)
                        return "has a memo index that is not a number" + where();
                    for (std::size_t i = at; i < end; ++i) {
                        if (data[i] < '0' || data[i] > '9')
                            return "has a memo index that is not a number" + where();
                        index = index * 10 + std::uint64_t(data[i] - '0');
                    }
                    if (std::string m = memoProblem(c, index); !m.empty())
                        return m + where();
                    if (c == 'p')
                        putValue(index);
                    else
                        pushValue(memoValues[std::size_t(index)]);
                }
                at = end + 1;
            }
            if (c == 'i') { // INST: up to the open MARK (stackProblem found one)
                marks.pop_back();
                pushValue({});
            } else if (c == 'c') { // GLOBAL: "module\nname\n"
                const std::string text(reinterpret_cast<const char *>(data + start + 1), at - start - 2);
                pushValue({'g', text, 0});
            } else if (c == 'p' || c == 'g') {
                // PUT, GET: done above
            } else {
                pushValue({});
            }
            break;
        }
    }
    return "ends without its STOP opcode";
}

std::string checkTorchArchive(const std::uint8_t *data, std::size_t size)
{
    std::vector<ZipRecord> records;
    if (std::string problem = checkZipArchive(data, size, &records); !problem.empty())
        return problem;
    std::map<std::string, std::uint64_t> sizes;
    for (const ZipRecord &r : records)
        sizes[r.name] = r.size;
    for (const ZipRecord &r : records) {
        const bool pickle = endsWith(r.name, ".pkl") || endsWith(r.name, "_pkl");
        const bool code = endsWith(r.name, ".py") && r.name.find("/code/") != std::string::npos;
        if (!pickle && !code)
            continue;
        // checkZipArchive found the record inside the data, its sizes consistent
        std::string contents;
        if (r.method == 0)
            contents.assign(reinterpret_cast<const char *>(data + r.dataOffset), std::size_t(r.size));
        else if (pickle)
            return "record \"" + r.name + "\" is a compressed pickle, which LibTorch never writes";
        else if (!inflateRecord(data + r.dataOffset, r.packedSize, r.size, contents))
            return "record \"" + r.name + "\" does not inflate to its size";
        std::vector<PickledStorage> storages;
        const std::string problem
            = pickle ? checkPickle(reinterpret_cast<const std::uint8_t *>(contents.data()), contents.size(), &storages)
                     : checkModuleCode(contents.data(), contents.size());
        if (!problem.empty())
            return "record \"" + r.name + "\" " + (pickle ? "is not a sound pickle: it " : "") + problem;
        // LibTorch gives each storage the size the pickle says and the bytes of its record
        // (data.pkl's in data/, constants.pkl's in constants/), whatever their number
        const std::string folder = r.name.substr(0, r.name.rfind('/') + 1)
            + (endsWith(r.name, "/data.pkl") ? "data/" : endsWith(r.name, "/constants.pkl") ? "constants/" : "");
        for (const PickledStorage &st : storages) {
            const std::string where = "record \"" + r.name + "\" ";
            if (folder.back() != '/' || (!endsWith(r.name, "/data.pkl") && !endsWith(r.name, "/constants.pkl")))
                return where + "holds a tensor storage, which only data.pkl and constants.pkl do";
            const std::uint64_t item = storageItemSize(st.type);
            if (item == 0)
                return where + "holds a storage of an unknown type (\"" + st.type + "\")";
            const auto it = sizes.find(folder + st.key);
            if (it == sizes.end())
                return where + "names a storage \"" + st.key + "\" that the archive does not hold";
            if (st.count > it->second / item)
                return where + "makes storage \"" + st.key + "\" " + std::to_string(st.count) + " elements of "
                    + std::to_string(item) + " bytes, but its record holds " + std::to_string(it->second) + " bytes";
        }
    }
    return {};
}

} // namespace edanas
