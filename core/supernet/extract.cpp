#include "extract.h"

namespace edanas::supernet {

torch::Tensor StaticEennImpl::keep(const std::string &name, const torch::Tensor &t, bool buffer)
{
    if (!t.defined())
        return t;
    auto copy = t.detach().clone().contiguous();
    return buffer ? register_buffer(name, copy) : register_parameter(name, copy);
}

BnTensors StaticEennImpl::keep(const std::string &name, const BnTensors &bn)
{
    return {keep(name + "_weight", bn.weight), keep(name + "_bias", bn.bias),
            keep(name + "_running_mean", bn.mean, true), keep(name + "_running_var", bn.var, true)};
}

StaticEennImpl::StaticEennImpl(const SupernetImpl &net, const space::Genome &genome)
    : m_arch(space::describe(net.space(), genome))
    , m_genome(genome)
{
    torch::NoGradGuard noGrad;
    m_stem = keep("stem", net.stemConv);
    m_stemBn = keep("stem_bn", net.stemBnTensors());
    for (std::size_t i = 1; i + 1 < m_arch.blocks.size(); ++i) {
        const auto &b = m_arch.blocks[i];
        const ElasticBlockImpl &src = b.kind == space::BlockSpec::Kind::FirstBlock
                                          ? *net.first
                                          : *net.blocks[std::size_t(b.stage)][std::size_t(b.block)];
        const MBConvTensors t = src.tensors(b.kernel, b.expansion);
        const std::string n = "block" + std::to_string(i) + "_";
        MBConvTensors k;
        k.expand = keep(n + "expand", t.expand);
        if (t.expand.defined())
            k.expandBn = keep(n + "expand_bn", t.expandBn);
        k.depthwise = keep(n + "depthwise", t.depthwise);
        k.depthwiseBn = keep(n + "depthwise_bn", t.depthwiseBn);
        k.seReduce = keep(n + "se_reduce", t.seReduce);
        k.seReduceBias = keep(n + "se_reduce_bias", t.seReduceBias);
        k.seExpand = keep(n + "se_expand", t.seExpand);
        k.seExpandBias = keep(n + "se_expand_bias", t.seExpandBias);
        k.project = keep(n + "project", t.project);
        k.projectBn = keep(n + "project_bn", t.projectBn);
        m_blocks.push_back(k);
    }
    const HeadTensors h = net.headTensors();
    m_head.expand = keep("head_expand", h.expand);
    m_head.expandBn = keep("head_bn", h.expandBn);
    m_head.feature = keep("head_feature", h.feature);
    m_head.classifier = keep("classifier", h.classifier);
    m_head.classifierBias = keep("classifier_bias", h.classifierBias);
    for (std::size_t e = 0; e < m_arch.exits.size(); ++e) {
        const auto &x = m_arch.exits[e];
        const ExitTensors t = net.exitClassifiers[std::size_t(x.stage)]->tensors(x.block);
        const std::string n = "exit" + std::to_string(e) + "_";
        ExitTensors k;
        for (std::size_t c = 0; c < t.convs.size(); ++c)
            k.convs.push_back(keep(n + "conv" + std::to_string(c), t.convs[c]));
        for (std::size_t c = 0; c < t.bns.size(); ++c)
            k.bns.push_back(keep(n + "bn" + std::to_string(c), t.bns[c]));
        k.classifier = keep(n + "classifier", t.classifier);
        k.classifierBias = keep(n + "classifier_bias", t.classifierBias);
        m_exits.push_back(k);
    }
}

SubnetOutput StaticEennImpl::forward(const torch::Tensor &x)
{
    const bool training = is_training();
    const auto &stem = m_arch.blocks.front();
    SubnetOutput out;
    auto h = activate(batchNorm(conv2d(x, m_stem, m_stemBias, stem.stride, 1), m_stemBn, training, 0.1),
                      stem.activation);
    std::size_t nextExit = 0;
    for (std::size_t i = 1; i + 1 < m_arch.blocks.size(); ++i) {
        const auto &b = m_arch.blocks[i];
        h = mbconv(h, m_blocks[i - 1], b.stride, b.activation, b.residual, training, 0.1);
        while (nextExit < m_arch.exits.size() && m_arch.exits[nextExit].blockIndex == int(i)) {
            out.exits.push_back(exitForward(h, m_exits[nextExit], m_arch.eecType, m_arch.exits[nextExit].maxPools,
                                            training, 0.1));
            ++nextExit;
        }
    }
    out.final = headForward(h, m_head, training, 0.1, training ? m_dropout : 0.0);
    return out;
}

void StaticEennImpl::fuseBatchNorm()
{
    if (m_fused)
        return;
    torch::NoGradGuard noGrad;
    // Folds `bn` into `weight` in place and returns the bias, registered as `name`;
    // empties `bn` (the registered tensors too: they are no longer used).
    auto fold = [this](const std::string &name, torch::Tensor &weight, BnTensors &bn) {
        auto [w, b] = foldBatchNorm(weight, bn);
        weight.copy_(w);
        for (torch::Tensor *t : {&bn.weight, &bn.bias, &bn.mean, &bn.var})
            if (t->defined())
                t->set_(torch::empty({0}, t->options()));
        bn = BnTensors{};
        return register_parameter(name, b);
    };
    m_stemBias = fold("stem_bias", m_stem, m_stemBn);
    for (std::size_t i = 0; i < m_blocks.size(); ++i) {
        auto &b = m_blocks[i];
        const std::string n = "block" + std::to_string(i + 1) + "_";
        if (b.expand.defined())
            b.expandBias = fold(n + "expand_bias", b.expand, b.expandBn);
        b.depthwiseBias = fold(n + "depthwise_bias", b.depthwise, b.depthwiseBn);
        b.projectBias = fold(n + "project_bias", b.project, b.projectBn);
    }
    m_head.expandBias = fold("head_expand_bias", m_head.expand, m_head.expandBn);
    for (std::size_t x = 0; x < m_exits.size(); ++x) {
        auto &e = m_exits[x];
        e.convBiases.clear();
        for (std::size_t i = 0; i < e.convs.size(); ++i)
            e.convBiases.push_back(i < e.bns.size() ? fold("exit" + std::to_string(x) + "_conv" + std::to_string(i)
                                                               + "_bias",
                                                           e.convs[i], e.bns[i])
                                                    : torch::Tensor());
        e.bns.clear();
    }
    m_fused = true;
}

namespace {

/// The bookkeeping of early-exit inference, shared by infer() and decideEarlyExit():
/// which inputs are still in (their original indices, one per row of the tensors that
/// go on) and, for NACHOS, each one's probability of not having left.
struct ExitTracker
{
    ExitTracker(std::int64_t n, std::size_t exits)
        : alive(torch::arange(n, torch::kInt64))
        , stay(torch::ones({n}, torch::kFloat32)) // in float, as the exit profile computes it
    {
        r.predictions = torch::full({n}, -1, torch::kInt64);
        r.exitIndex = torch::full({n}, std::int64_t(exits), torch::kInt64);
    }
    bool done() const { return alive.size(0) == 0; }

    /// Exit `e` with `logits` for the rows still in: records the inputs its rule lets
    /// leave and returns the mask of the rows that go on.
    torch::Tensor decide(const torch::Tensor &logits, int classes, space::ExitRule rule, double threshold,
                         std::size_t e)
    {
        const auto accept = exitAccepts(logits, classes, rule, threshold, stay);
        const auto leaving = alive.masked_select(accept);
        r.predictions.index_put_({leaving}, logits.narrow(1, 0, classes).argmax(1).masked_select(accept));
        r.exitIndex.index_put_({leaving}, std::int64_t(e));
        const auto keep = accept.logical_not();
        alive = alive.masked_select(keep);
        stay = stay.masked_select(keep);
        return keep;
    }

    /// The final head's logits for the rows still in take the rest.
    void finish(const torch::Tensor &headLogits, int classes)
    {
        if (!done())
            r.predictions.index_put_({alive}, headLogits.narrow(1, 0, classes).argmax(1));
    }

    StaticEennImpl::EarlyExitResult r;
    torch::Tensor alive, stay;
};

} // namespace

StaticEennImpl::EarlyExitResult StaticEennImpl::infer(const torch::Tensor &x)
{
    const auto &stem = m_arch.blocks.front();
    const int classes = m_arch.classes;
    ExitTracker t(x.size(0), m_arch.exits.size());
    auto h = activate(batchNorm(conv2d(x, m_stem, m_stemBias, stem.stride, 1), m_stemBn, false, 0.1), stem.activation);
    std::size_t nextExit = 0;
    for (std::size_t i = 1; i + 1 < m_arch.blocks.size() && !t.done(); ++i) {
        const auto &b = m_arch.blocks[i];
        h = mbconv(h, m_blocks[i - 1], b.stride, b.activation, b.residual, false, 0.1);
        while (nextExit < m_arch.exits.size() && m_arch.exits[nextExit].blockIndex == int(i) && !t.done()) {
            const auto logits = exitForward(h, m_exits[nextExit], m_arch.eecType, m_arch.exits[nextExit].maxPools,
                                            false, 0.1);
            h = h.index({t.decide(logits, classes, m_genome.rule, m_genome.exits[nextExit].threshold, nextExit)});
            ++nextExit;
        }
    }
    if (!t.done())
        t.finish(headForward(h, m_head, false, 0.1, 0.0), classes);
    return t.r;
}

torch::Tensor exitAccepts(const torch::Tensor &logits, int classes, space::ExitRule rule, double t, torch::Tensor &stay)
{
    const auto cls = logits.narrow(1, 0, classes);
    const auto prob = torch::softmax(cls, 1);
    switch (rule) {
    case space::ExitRule::Margin: {
        const auto top = std::get<0>(prob.topk(2, 1));
        return (top.select(1, 0) - top.select(1, 1)).to(torch::kFloat64) >= t;
    }
    case space::ExitRule::MaxSoftmax:
        return std::get<0>(prob.max(1)).to(torch::kFloat64) >= t;
    case space::ExitRule::Entropy:
        return (-(prob * torch::log(prob.clamp_min(1e-12))).sum(1)).to(torch::kFloat64) <= t;
    case space::ExitRule::Confidence: {
        const auto c = logits.size(1) > classes ? torch::sigmoid(logits.select(1, classes))
                                                : torch::zeros({logits.size(0)}, torch::kFloat32);
        stay = stay * (1.0 - c);
        return (1.0 - stay).to(torch::kFloat64) >= t;
    }
    }
    throw std::invalid_argument("unknown exit rule");
}

StaticEennImpl::EarlyExitResult decideEarlyExit(const SubnetOutput &logits, int classes, space::ExitRule rule,
                                                const std::vector<double> &thresholds)
{
    if (thresholds.size() != logits.exits.size())
        throw std::invalid_argument(std::to_string(logits.exits.size()) + " exits but " +
                                    std::to_string(thresholds.size()) + " thresholds");
    ExitTracker t(logits.final.size(0), logits.exits.size());
    // the rows of the inputs still in, as infer() has them: every rule works row by row
    for (std::size_t e = 0; e < logits.exits.size() && !t.done(); ++e)
        t.decide(logits.exits[e].index_select(0, t.alive), classes, rule, thresholds[e], e);
    if (!t.done())
        t.finish(logits.final.index_select(0, t.alive), classes);
    return t.r;
}

std::int64_t StaticEennImpl::parameterCount() const
{
    std::int64_t n = 0;
    for (const auto &p : parameters())
        n += p.numel();
    return n;
}

} // namespace edanas::supernet
