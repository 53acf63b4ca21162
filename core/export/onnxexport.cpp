#include "onnxexport.h"

#include "onnxwriter.h"

#include "edanas/version.h"

#include <stdexcept>

namespace edanas::deploy {

namespace {

FloatTensor plain(const torch::Tensor &t)
{
    FloatTensor f;
    if (!t.defined())
        return f;
    const auto c = t.detach().to(torch::kFloat32).contiguous();
    f.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    f.shape.assign(c.sizes().begin(), c.sizes().end());
    return f;
}

std::string activate(OnnxGraphWriter &w, const std::string &name, const std::string &x, space::Activation a)
{
    return a == space::Activation::Relu ? w.relu(name, x) : w.hardSwish(name, x);
}

/// supernet::mbconv with batch norm folded in.
std::string mbconv(OnnxGraphWriter &w, const std::string &p, const std::string &x, const supernet::MBConvTensors &t,
                   const space::BlockSpec &b)
{
    std::string h = x;
    if (t.expand.defined()) {
        h = w.conv(p + "/expand", h, plain(t.expand), plain(t.expandBias), 1, 1);
        h = activate(w, p + "/expand_act", h, b.activation);
    }
    h = w.conv(p + "/depthwise", h, plain(t.depthwise), plain(t.depthwiseBias), b.stride, int(t.depthwise.size(0)));
    h = activate(w, p + "/depthwise_act", h, b.activation);
    if (t.seReduce.defined()) {
        auto s = w.globalAveragePool(p + "/se_pool", h);
        s = w.conv(p + "/se_reduce", s, plain(t.seReduce), plain(t.seReduceBias), 1, 1);
        s = w.relu(p + "/se_relu", s);
        s = w.conv(p + "/se_expand", s, plain(t.seExpand), plain(t.seExpandBias), 1, 1);
        s = w.hardSigmoid(p + "/se_gate", s, 1.0f / 6.0f, 0.5f); // relu6(x + 3) / 6
        // the gate copied to every position first: OpenCV 4.6 broadcasts Mul wrongly
        s = w.resizeNearest(p + "/se_spread", s, b.outH, b.outH);
        h = w.mul(p + "/se_scale", h, s);
    }
    h = w.conv(p + "/project", h, plain(t.project), plain(t.projectBias), 1, 1);
    return b.residual ? w.add(p + "/residual", h, x) : h;
}

/// supernet::exitForward with batch norm folded in.
std::string exitGraph(OnnxGraphWriter &w, const std::string &p, const std::string &output, const std::string &x,
                      const supernet::ExitTensors &t, space::EecType type, int maxPools)
{
    std::string h = x;
    for (int i = 0; i < maxPools; ++i)
        h = w.maxPool(p + "/pool" + std::to_string(i), h, 2, 2);
    auto bias = [&](std::size_t i) { return i < t.convBiases.size() ? plain(t.convBiases[i]) : FloatTensor{}; };
    if (type == space::EecType::Edanas) {
        h = w.conv(p + "/expand", h, plain(t.convs[0]), bias(0), 1, 1);
        h = w.hardSwish(p + "/expand_act", h);
        h = w.globalAveragePool(p + "/pool", h);
        h = w.conv(p + "/feature", h, plain(t.convs[1]), {}, 1, 1);
        h = w.hardSwish(p + "/feature_act", h);
    } else {
        for (std::size_t i = 0; i < t.convs.size(); ++i) {
            h = w.conv(p + "/conv" + std::to_string(i), h, plain(t.convs[i]), bias(i), 1, 1);
            h = w.relu(p + "/conv" + std::to_string(i) + "_act", h);
        }
        h = w.globalAveragePool(p + "/pool", h);
    }
    h = w.flatten(p + "/flatten", h);
    return w.gemm(output, h, plain(t.classifier), plain(t.classifierBias));
}

} // namespace

std::vector<std::string> onnxOutputNames(int exits)
{
    std::vector<std::string> names;
    for (int e = 0; e < exits; ++e)
        names.push_back("exit" + std::to_string(e) + "_logits");
    names.push_back("final_logits");
    return names;
}

std::vector<std::string> writeOnnx(const supernet::StaticEennImpl &net, const std::string &path,
                                   const std::vector<std::pair<std::string, std::string>> &metadata,
                                   const std::string &docString)
{
    if (!net.fused())
        throw std::logic_error("writeOnnx: fold batch norm into the network first");
    torch::NoGradGuard noGrad;
    const auto &a = net.architecture();
    const auto names = onnxOutputNames(int(a.exits.size()));
    OnnxGraphWriter w("edanas_eenn");
    w.setProducer("edanas", kVersion);
    w.setDocString(docString);
    for (const auto &[k, v] : metadata)
        w.setMetadata(k, v);

    std::string h = w.input("input", {a.inputChannels, a.resolution, a.resolution});
    const auto &stem = a.blocks.front();
    h = w.conv("stem/conv", h, plain(net.stemWeight()), plain(net.stemBias()), stem.stride, 1);
    h = activate(w, "stem/act", h, stem.activation);
    std::size_t nextExit = 0;
    std::vector<std::pair<std::string, std::int64_t>> outputs;
    for (std::size_t i = 1; i + 1 < a.blocks.size(); ++i) {
        h = mbconv(w, "block" + std::to_string(i), h, net.blockTensors()[i - 1], a.blocks[i]);
        while (nextExit < a.exits.size() && a.exits[nextExit].blockIndex == int(i)) {
            const auto &t = net.exitTensors()[nextExit];
            exitGraph(w, "exit" + std::to_string(nextExit), names[nextExit], h, t, a.eecType,
                      a.exits[nextExit].maxPools);
            outputs.emplace_back(names[nextExit], t.classifier.size(0));
            ++nextExit;
        }
    }
    if (nextExit != a.exits.size())
        throw std::logic_error("writeOnnx: an exit after no block of the network");
    const auto &head = net.headTensors();
    h = w.conv("head/expand", h, plain(head.expand), plain(head.expandBias), 1, 1);
    h = w.hardSwish("head/expand_act", h);
    h = w.globalAveragePool("head/pool", h);
    h = w.conv("head/feature", h, plain(head.feature), {}, 1, 1);
    h = w.hardSwish("head/feature_act", h);
    h = w.flatten("head/flatten", h);
    w.gemm(names.back(), h, plain(head.classifier), plain(head.classifierBias));
    outputs.emplace_back(names.back(), head.classifier.size(0));
    for (const auto &[name, columns] : outputs)
        w.output(name, {columns});
    w.write(path);
    return names;
}

} // namespace edanas::deploy
