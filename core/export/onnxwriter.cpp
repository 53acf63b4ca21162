#include "onnxwriter.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace edanas::deploy {

namespace {

constexpr int kOpset = 14; // HardSwish needs 14

std::int64_t elementCount(const std::vector<std::int64_t> &shape)
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

void setShape(onnx::ValueInfoProto *v, const std::vector<std::int64_t> &dims)
{
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto *shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    for (auto d : dims)
        shape->add_dim()->set_dim_value(d);
}

void intsAttribute(onnx::NodeProto *node, const char *name, const std::vector<std::int64_t> &values)
{
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto v : values)
        a->add_ints(v);
}

void intAttribute(onnx::NodeProto *node, const char *name, std::int64_t value)
{
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
}

void floatAttribute(onnx::NodeProto *node, const char *name, float value)
{
    auto *a = node->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
}

/// ONNX's checker, then strict shape inference with type checks.
void check(const onnx::ModelProto &model)
{
    onnx::checker::check_model(model);
    onnx::ModelProto copy = model;
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, false));
}

} // namespace

struct OnnxGraphWriter::Impl
{
    onnx::ModelProto model;
    onnx::GraphProto *graph = nullptr;
    std::set<std::string> names;

    const std::string &claim(const std::string &name)
    {
        if (name.empty() || !names.insert(name).second)
            throw std::logic_error("ONNX graph: the value name \"" + name + "\" is empty or used twice");
        return name;
    }

    onnx::NodeProto *node(const char *op, const std::string &name, std::initializer_list<std::string> inputs)
    {
        auto *n = graph->add_node();
        n->set_op_type(op);
        n->set_name(claim(name));
        for (const auto &i : inputs)
            n->add_input(i);
        n->add_output(name);
        return n;
    }

    std::string initializer(const std::string &name, const FloatTensor &t)
    {
        if (std::int64_t(t.values.size()) != elementCount(t.shape))
            throw std::logic_error("ONNX graph: tensor \"" + name + "\" has " + std::to_string(t.values.size())
                                   + " values for its shape");
        auto *init = graph->add_initializer();
        init->set_name(claim(name));
        init->set_data_type(onnx::TensorProto::FLOAT);
        for (auto d : t.shape)
            init->add_dims(d);
        // raw little-endian float32, as every ONNX runtime reads it
        init->set_raw_data(std::string(reinterpret_cast<const char *>(t.values.data()), t.values.size() * sizeof(float)));
        return name;
    }
};

OnnxGraphWriter::OnnxGraphWriter(std::string graphName)
    : d(std::make_unique<Impl>())
{
    d->model.set_ir_version(onnx::IR_VERSION);
    auto *opset = d->model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpset);
    d->graph = d->model.mutable_graph();
    d->graph->set_name(std::move(graphName));
}

OnnxGraphWriter::~OnnxGraphWriter() = default;

std::string OnnxGraphWriter::input(const std::string &name, const std::vector<std::int64_t> &dims)
{
    auto *v = d->graph->add_input();
    v->set_name(d->claim(name));
    setShape(v, dims);
    return name;
}

std::string OnnxGraphWriter::conv(const std::string &name, const std::string &x, const FloatTensor &weight,
                                  const FloatTensor &bias, int stride, int group)
{
    if (weight.shape.size() != 4 || weight.shape[2] != weight.shape[3])
        throw std::logic_error("ONNX graph: " + name + ": a convolution needs a square out x in x k x k weight");
    const std::int64_t k = weight.shape[2];
    const std::int64_t pad = k / 2;
    const auto w = d->initializer(name + ".weight", weight);
    onnx::NodeProto *n = nullptr;
    if (bias.values.empty()) {
        n = d->node("Conv", name, {x, w});
    } else {
        const auto b = d->initializer(name + ".bias", bias);
        n = d->node("Conv", name, {x, w, b});
    }
    intsAttribute(n, "kernel_shape", {k, k});
    intsAttribute(n, "strides", {stride, stride});
    intsAttribute(n, "pads", {pad, pad, pad, pad});
    intsAttribute(n, "dilations", {1, 1});
    intAttribute(n, "group", group);
    return name;
}

std::string OnnxGraphWriter::relu(const std::string &name, const std::string &x)
{
    d->node("Relu", name, {x});
    return name;
}

std::string OnnxGraphWriter::hardSwish(const std::string &name, const std::string &x)
{
    d->node("HardSwish", name, {x});
    return name;
}

std::string OnnxGraphWriter::hardSigmoid(const std::string &name, const std::string &x, float alpha, float beta)
{
    auto *n = d->node("HardSigmoid", name, {x});
    floatAttribute(n, "alpha", alpha);
    floatAttribute(n, "beta", beta);
    return name;
}

std::string OnnxGraphWriter::mul(const std::string &name, const std::string &a, const std::string &b)
{
    d->node("Mul", name, {a, b});
    return name;
}

std::string OnnxGraphWriter::add(const std::string &name, const std::string &a, const std::string &b)
{
    d->node("Add", name, {a, b});
    return name;
}

std::string OnnxGraphWriter::globalAveragePool(const std::string &name, const std::string &x)
{
    d->node("GlobalAveragePool", name, {x});
    return name;
}

std::string OnnxGraphWriter::resizeNearest(const std::string &name, const std::string &x, int factorH, int factorW)
{
    const auto scales = d->initializer(name + ".scales", {{1.0f, 1.0f, float(factorH), float(factorW)}, {4}});
    auto *n = d->node("Resize", name, {x, "", scales}); // no roi
    auto *mode = n->add_attribute();
    mode->set_name("mode");
    mode->set_type(onnx::AttributeProto::STRING);
    mode->set_s("nearest");
    return name;
}

std::string OnnxGraphWriter::maxPool(const std::string &name, const std::string &x, int kernel, int stride)
{
    auto *n = d->node("MaxPool", name, {x});
    intsAttribute(n, "kernel_shape", {kernel, kernel});
    intsAttribute(n, "strides", {stride, stride});
    intsAttribute(n, "pads", {0, 0, 0, 0});
    return name;
}

std::string OnnxGraphWriter::flatten(const std::string &name, const std::string &x)
{
    auto *n = d->node("Flatten", name, {x});
    intAttribute(n, "axis", 1);
    return name;
}

std::string OnnxGraphWriter::gemm(const std::string &name, const std::string &x, const FloatTensor &weight,
                                  const FloatTensor &bias)
{
    if (weight.shape.size() != 2)
        throw std::logic_error("ONNX graph: " + name + ": a Gemm needs an out x in weight");
    const auto w = d->initializer(name + ".weight", weight);
    onnx::NodeProto *n = nullptr;
    if (bias.values.empty()) {
        n = d->node("Gemm", name, {x, w});
    } else {
        const auto b = d->initializer(name + ".bias", bias);
        n = d->node("Gemm", name, {x, w, b});
    }
    floatAttribute(n, "alpha", 1.0f);
    floatAttribute(n, "beta", 1.0f);
    intAttribute(n, "transA", 0);
    intAttribute(n, "transB", 1);
    return name;
}

std::string OnnxGraphWriter::quantizeDequantize(const std::string &name, const std::string &x, float scale,
                                               int zeroPoint)
{
    if (!(scale > 0) || zeroPoint < -128 || zeroPoint > 127)
        throw std::logic_error("ONNX graph: " + name + ": a quantization needs a positive scale and an int8 zero point");
    const auto s = d->initializer(name + ".scale", FloatTensor{{scale}, {}});
    auto *zp = d->graph->add_initializer();
    zp->set_name(d->claim(name + ".zero_point"));
    zp->set_data_type(onnx::TensorProto::INT8);
    const auto z = std::int8_t(zeroPoint);
    zp->set_raw_data(std::string(reinterpret_cast<const char *>(&z), 1));
    d->node("QuantizeLinear", name + "/q", {x, s, zp->name()});
    d->node("DequantizeLinear", name, {name + "/q", s, zp->name()});
    return name;
}

std::string OnnxGraphWriter::dequantized(const std::string &name, const QuantizedTensor &t)
{
    if (std::int64_t(t.values.size()) != elementCount(t.shape) || t.shape.empty()
        || std::int64_t(t.scales.size()) != t.shape[0])
        throw std::logic_error("ONNX graph: quantized tensor \"" + name + "\" does not match its shape or scales");
    auto *q = d->graph->add_initializer();
    q->set_name(d->claim(name + ".q"));
    for (auto dim : t.shape)
        q->add_dims(dim);
    auto *zp = d->graph->add_initializer();
    zp->set_name(d->claim(name + ".zero_point"));
    zp->add_dims(std::int64_t(t.scales.size()));
    if (t.int32) {
        q->set_data_type(onnx::TensorProto::INT32);
        q->set_raw_data(std::string(reinterpret_cast<const char *>(t.values.data()), t.values.size() * 4));
        zp->set_data_type(onnx::TensorProto::INT32);
        const std::vector<std::int32_t> zeros(t.scales.size(), 0);
        zp->set_raw_data(std::string(reinterpret_cast<const char *>(zeros.data()), zeros.size() * 4));
    } else {
        std::string bytes(t.values.size(), '\0');
        for (std::size_t i = 0; i < t.values.size(); ++i) {
            if (t.values[i] < -128 || t.values[i] > 127)
                throw std::logic_error("ONNX graph: " + name + ": a value outside int8");
            bytes[i] = char(std::int8_t(t.values[i]));
        }
        q->set_data_type(onnx::TensorProto::INT8);
        q->set_raw_data(bytes);
        zp->set_data_type(onnx::TensorProto::INT8);
        zp->set_raw_data(std::string(t.scales.size(), '\0'));
    }
    const auto s = d->initializer(name + ".scale", FloatTensor{t.scales, {std::int64_t(t.scales.size())}});
    auto *n = d->node("DequantizeLinear", name, {q->name(), s, zp->name()});
    intAttribute(n, "axis", 0);
    return name;
}

std::string OnnxGraphWriter::convWith(const std::string &name, const std::string &x, const std::string &weight,
                                      const std::string &bias, int kernel, int stride, int group)
{
    const std::int64_t k = kernel, pad = k / 2;
    auto *n = bias.empty() ? d->node("Conv", name, {x, weight}) : d->node("Conv", name, {x, weight, bias});
    intsAttribute(n, "kernel_shape", {k, k});
    intsAttribute(n, "strides", {stride, stride});
    intsAttribute(n, "pads", {pad, pad, pad, pad});
    intsAttribute(n, "dilations", {1, 1});
    intAttribute(n, "group", group);
    return name;
}

std::string OnnxGraphWriter::gemmWith(const std::string &name, const std::string &x, const std::string &weight,
                                      const std::string &bias)
{
    auto *n = bias.empty() ? d->node("Gemm", name, {x, weight}) : d->node("Gemm", name, {x, weight, bias});
    floatAttribute(n, "alpha", 1.0f);
    floatAttribute(n, "beta", 1.0f);
    intAttribute(n, "transA", 0);
    intAttribute(n, "transB", 1);
    return name;
}

void OnnxGraphWriter::output(const std::string &value, const std::vector<std::int64_t> &dims)
{
    if (!d->names.count(value))
        throw std::logic_error("ONNX graph: no value \"" + value + "\" to declare as an output");
    auto *v = d->graph->add_output();
    v->set_name(value);
    setShape(v, dims);
}

void OnnxGraphWriter::setMetadata(const std::string &key, const std::string &value)
{
    for (auto &p : *d->model.mutable_metadata_props()) {
        if (p.key() == key) {
            p.set_value(value);
            return;
        }
    }
    auto *p = d->model.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
}

void OnnxGraphWriter::setDocString(const std::string &text)
{
    d->model.set_doc_string(text);
}

void OnnxGraphWriter::setProducer(const std::string &name, const std::string &version)
{
    d->model.set_producer_name(name);
    d->model.set_producer_version(version);
}

std::size_t OnnxGraphWriter::nodeCount() const
{
    return std::size_t(d->graph->node_size());
}

std::string OnnxGraphWriter::serialize() const
{
    try {
        check(d->model);
    } catch (const std::exception &e) {
        throw std::runtime_error(std::string("the ONNX checker refuses the graph: ") + e.what());
    }
    std::string bytes;
    if (!d->model.SerializeToString(&bytes))
        throw std::runtime_error("the ONNX model cannot be serialised (over 2 GiB?)");
    return bytes;
}

void OnnxGraphWriter::write(const std::string &path) const
{
    std::string bytes;
    try {
        bytes = serialize();
    } catch (const std::exception &e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    const std::string tmp = path + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !f.write(bytes.data(), std::streamsize(bytes.size())) || !f.flush()) {
            std::remove(tmp.c_str());
            throw std::runtime_error(path + ": cannot be written");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::remove(tmp.c_str());
        throw std::runtime_error(path + ": cannot be written (" + ec.message() + ")");
    }
}

std::string checkOnnxFile(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return path + ": cannot be read";
    std::stringstream buf;
    buf << f.rdbuf();
    onnx::ModelProto model;
    if (!model.ParseFromString(buf.str()))
        return path + ": is not an ONNX model (the protobuf does not parse)";
    try {
        check(model);
    } catch (const std::exception &e) {
        return path + ": " + e.what();
    }
    return {};
}

int onnxOpset()
{
    return kOpset;
}

} // namespace edanas::deploy
