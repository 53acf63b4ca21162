#include "supernet.h"

#include "space/architecture.h"

#include <algorithm>
#include <stdexcept>

namespace edanas::supernet {

using space::Activation;
using space::EecType;

namespace {

torch::Tensor convWeight(int out, int inPerGroup, int k)
{
    auto w = torch::empty({out, inPerGroup, k, k});
    torch::nn::init::kaiming_normal_(w, 0.0, torch::kFanOut, torch::kReLU);
    return w;
}

torch::Tensor linearWeight(int out, int in)
{
    return torch::randn({out, in}) * 0.01;
}

} // namespace

// ---------------------------------------------------------------- batch norm

ElasticBatchNormImpl::ElasticBatchNormImpl(int channels, int positions)
{
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
    runningMean = register_buffer("running_mean", torch::zeros({positions, channels}));
    runningVar = register_buffer("running_var", torch::ones({positions, channels}));
}

BnTensors ElasticBatchNormImpl::slice(int channels, int position) const
{
    return {weight.narrow(0, 0, channels), bias.narrow(0, 0, channels),
            runningMean.select(0, position).narrow(0, 0, channels),
            runningVar.select(0, position).narrow(0, 0, channels)};
}

void ElasticBatchNormImpl::reset(int channels, int position)
{
    torch::NoGradGuard g;
    runningMean.select(0, position).narrow(0, 0, channels).zero_();
    runningVar.select(0, position).narrow(0, 0, channels).fill_(1.0);
}

// ---------------------------------------------------------------- elastic block

ElasticBlockImpl::ElasticBlockImpl(int in_, int out_, int stride_, Activation activation_, bool se,
                                   std::vector<int> kernels_, std::vector<int> expansions_)
    : in(in_)
    , out(out_)
    , stride(stride_)
    , activation(activation_)
    , squeezeExcite(se)
    , residual(stride_ == 1 && in_ == out_)
    , kernels(std::move(kernels_))
    , expansions(std::move(expansions_))
{
    std::sort(kernels.begin(), kernels.end());
    std::sort(expansions.begin(), expansions.end());
    maxMid = space::expandedWidth(in, expansions.back());
    maxSqueeze = space::squeezeWidth(maxMid);
    const int kMax = kernels.back();
    if (!(expansions.size() == 1 && expansions.front() == 1)) {
        expand = register_parameter("expand", convWeight(maxMid, in, 1));
        expandBn = register_module("expand_bn", ElasticBatchNorm(maxMid));
    }
    depthwise = register_parameter("depthwise", convWeight(maxMid, 1, kMax));
    depthwiseBn = register_module("depthwise_bn", ElasticBatchNorm(maxMid));
    for (std::size_t i = 0; i + 1 < kernels.size(); ++i) {
        const int k = kernels[i];
        transforms.push_back(register_parameter(
            "transform_" + std::to_string(kernels[i + 1]) + "to" + std::to_string(k), torch::eye(k * k)));
    }
    if (squeezeExcite) {
        seReduce = register_parameter("se_reduce", convWeight(maxSqueeze, maxMid, 1));
        seReduceBias = register_parameter("se_reduce_bias", torch::zeros({maxSqueeze}));
        seExpand = register_parameter("se_expand", convWeight(maxMid, maxSqueeze, 1));
        seExpandBias = register_parameter("se_expand_bias", torch::zeros({maxMid}));
    }
    project = register_parameter("project", convWeight(out, maxMid, 1));
    projectBn = register_module("project_bn", ElasticBatchNorm(out));
    // Residual blocks start as the identity: the last BN's scale at zero.
    if (residual) {
        torch::NoGradGuard g;
        projectBn->weight.zero_();
    }
}

int ElasticBlockImpl::midChannels(int e) const
{
    return expand.defined() ? space::expandedWidth(in, e) : in;
}

torch::Tensor ElasticBlockImpl::kernelWeights(int k) const
{
    torch::Tensor w = depthwise;
    // From the largest kernel down: crop the centre, pass it through the transform.
    for (int i = int(kernels.size()) - 1; i > 0 && kernels[std::size_t(i)] > k; --i) {
        const int src = kernels[std::size_t(i)];
        const int dst = kernels[std::size_t(i - 1)];
        const int start = (src - dst) / 2;
        auto crop = w.narrow(2, start, dst).narrow(3, start, dst).reshape({w.size(0), dst * dst});
        w = torch::linear(crop, transforms[std::size_t(i - 1)]).reshape({w.size(0), 1, dst, dst});
    }
    if (w.size(2) != k)
        throw std::invalid_argument("kernel " + std::to_string(k) + " is not a choice of this block");
    return w;
}

MBConvTensors ElasticBlockImpl::tensors(int k, int e) const
{
    const int mid = midChannels(e);
    MBConvTensors t;
    if (expand.defined()) {
        t.expand = expand.narrow(0, 0, mid);
        t.expandBn = expandBn->slice(mid);
    }
    t.depthwise = kernelWeights(k).narrow(0, 0, mid);
    t.depthwiseBn = depthwiseBn->slice(mid);
    if (squeezeExcite) {
        const int sq = space::squeezeWidth(mid);
        t.seReduce = seReduce.narrow(0, 0, sq).narrow(1, 0, mid);
        t.seReduceBias = seReduceBias.narrow(0, 0, sq);
        t.seExpand = seExpand.narrow(0, 0, mid).narrow(1, 0, sq);
        t.seExpandBias = seExpandBias.narrow(0, 0, mid);
    }
    t.project = project.narrow(1, 0, mid);
    t.projectBn = projectBn->slice(out);
    return t;
}

torch::Tensor ElasticBlockImpl::forward(const torch::Tensor &x, int k, int e, bool training, double momentum) const
{
    if (training || torch::GradMode::is_enabled())
        return mbconv(x, tensors(k, e), stride, activation, residual, training, momentum);
    if (m_evalKernel != k || m_evalExpansion != e) {
        MBConvTensors t = tensors(k, e);
        // the transformed kernel, and the narrowed weights copied once instead of by every
        // convolution; batch-norm slices stay views (recalibration writes through them)
        for (torch::Tensor *w : {&t.expand, &t.depthwise, &t.seReduce, &t.seReduceBias, &t.seExpand, &t.seExpandBias,
                                 &t.project})
            if (w->defined())
                *w = w->contiguous();
        m_evalTensors = std::move(t);
        m_evalKernel = k;
        m_evalExpansion = e;
    }
    return mbconv(x, m_evalTensors, stride, activation, residual, training, momentum);
}

void ElasticBlockImpl::train(bool on)
{
    clearEvalCache();
    torch::nn::Module::train(on);
}

void ElasticBlockImpl::clearEvalCache() const
{
    m_evalTensors = MBConvTensors{};
    m_evalKernel = m_evalExpansion = 0;
}

void ElasticBlockImpl::sortChannels()
{
    clearEvalCache();
    if (!expand.defined())
        return;
    torch::NoGradGuard g;
    // importance of an expanded channel: L1 norm of the projection weights reading it
    const auto order = project.abs().sum({0, 2, 3}).argsort(0, /*descending=*/true);
    auto permute0 = [&](torch::Tensor &t) { t.copy_(t.index_select(0, order)); };
    permute0(expand);
    permute0(depthwise);
    permute0(expandBn->weight);
    permute0(expandBn->bias);
    expandBn->runningMean.copy_(expandBn->runningMean.index_select(1, order));
    expandBn->runningVar.copy_(expandBn->runningVar.index_select(1, order));
    permute0(depthwiseBn->weight);
    permute0(depthwiseBn->bias);
    depthwiseBn->runningMean.copy_(depthwiseBn->runningMean.index_select(1, order));
    depthwiseBn->runningVar.copy_(depthwiseBn->runningVar.index_select(1, order));
    project.copy_(project.index_select(1, order));
    if (squeezeExcite) {
        seReduce.copy_(seReduce.index_select(1, order));
        permute0(seExpand);
        permute0(seExpandBias);
        // and the squeeze channels by the L1 norm of the weights reading them
        const auto sqOrder = seExpand.abs().sum({0, 2, 3}).argsort(0, true);
        seReduce.copy_(seReduce.index_select(0, sqOrder));
        seReduceBias.copy_(seReduceBias.index_select(0, sqOrder));
        seExpand.copy_(seExpand.index_select(1, sqOrder));
    }
}

// ---------------------------------------------------------------- exits and head

torch::Tensor exitForward(const torch::Tensor &x, const ExitTensors &t, EecType type, int maxPools, bool training,
                          double momentum)
{
    torch::Tensor h = x;
    for (int p = 0; p < maxPools; ++p)
        h = torch::max_pool2d(h, {2, 2}, {2, 2});
    // A folded network has biases and no batch norms (fuseBatchNorm() empties bns).
    auto bias = [&](std::size_t i) { return i < t.convBiases.size() ? t.convBiases[i] : torch::Tensor(); };
    auto bn = [&](std::size_t i) { return i < t.bns.size() ? t.bns[i] : BnTensors{}; };
    if (type == EecType::Edanas) {
        h = activate_(batchNorm(conv2d(h, t.convs[0], bias(0), 1, 1), bn(0), training, momentum),
                      Activation::HSwish);
        h = h.mean({2, 3}, true);
        h = activate_(conv2d(h, t.convs[1], {}, 1, 1), Activation::HSwish);
    } else {
        for (std::size_t i = 0; i < t.convs.size(); ++i)
            h = batchNorm(conv2d(h, t.convs[i], bias(i), 1, 1), bn(i), training, momentum).relu_();
        h = h.mean({2, 3}, true);
    }
    return linear(h.flatten(1), t.classifier, t.classifierBias);
}

ExitClassifierImpl::ExitClassifierImpl(EecType type_, int width_, int classes, int positions)
    : type(type_)
    , width(width_)
{
    if (type == EecType::Edanas) {
        convs.push_back(register_parameter("expand", convWeight(6 * width, width, 1)));
        bns.push_back(register_module("expand_bn", ElasticBatchNorm(6 * width, positions)));
        convs.push_back(register_parameter("feature", convWeight(8 * width, 6 * width, 1)));
        classifier = register_parameter("classifier", linearWeight(classes, 8 * width));
    } else {
        int in = width;
        int i = 0;
        for (int o : {32, 64, 128}) {
            convs.push_back(register_parameter("conv" + std::to_string(i), convWeight(o, in, 3)));
            bns.push_back(register_module("bn" + std::to_string(i), ElasticBatchNorm(o, positions)));
            in = o;
            ++i;
        }
        classifier = register_parameter("classifier", linearWeight(classes + 1, 128));
    }
    classifierBias = register_parameter("classifier_bias", torch::zeros({classifier.size(0)}));
}

ExitTensors ExitClassifierImpl::tensors(int position) const
{
    ExitTensors t;
    t.convs = convs;
    for (const auto &bn : bns)
        t.bns.push_back(bn->slice(int(bn->weight.size(0)), position));
    t.classifier = classifier;
    t.classifierBias = classifierBias;
    return t;
}

torch::Tensor headForward(const torch::Tensor &x, const HeadTensors &t, bool training, double momentum,
                          double dropout)
{
    auto h = activate_(batchNorm(conv2d(x, t.expand, t.expandBias, 1, 1), t.expandBn, training, momentum),
                       Activation::HSwish);
    h = h.mean({2, 3}, true);
    h = activate_(conv2d(h, t.feature, {}, 1, 1), Activation::HSwish).flatten(1);
    if (training && dropout > 0)
        h = torch::dropout(h, dropout, true);
    return linear(h, t.classifier, t.classifierBias);
}

// ---------------------------------------------------------------- supernet

SupernetImpl::SupernetImpl(const space::SearchSpace &s)
    : m_space(s)
{
    m_space.validate(s.name);
    stemConv = register_parameter("stem", convWeight(s.stemWidth, s.inputChannels, s.stemKernel));
    stemBn = register_module("stem_bn", ElasticBatchNorm(s.stemWidth));
    first = register_module("first", ElasticBlock(s.stemWidth, s.firstBlockWidth, 1, s.firstBlockActivation,
                                                  s.firstBlockSqueezeExcite, std::vector<int>{s.firstBlockKernel},
                                                  std::vector<int>{1}));
    blocks.resize(std::size_t(s.stageCount()));
    exitClassifiers.resize(std::size_t(s.stageCount()), ExitClassifier(nullptr));
    for (int st = 0; st < s.stageCount(); ++st) {
        const auto &spec = s.stages[std::size_t(st)];
        for (int b = 0; b < s.maxDepth(); ++b) {
            const int in = b == 0 ? s.stageInputWidth(st) : spec.width;
            blocks[std::size_t(st)].push_back(register_module(
                "stage" + std::to_string(st + 1) + "_block" + std::to_string(b + 1),
                ElasticBlock(in, spec.width, b == 0 ? spec.stride : 1, spec.activation, spec.squeezeExcite, s.kernels,
                             s.expansions)));
        }
        if (std::find(s.exitStages.begin(), s.exitStages.end(), st) != s.exitStages.end())
            exitClassifiers[std::size_t(st)] = register_module(
                "exit" + std::to_string(st + 1), ExitClassifier(s.eecType, spec.width, s.classes, s.maxDepth()));
    }
    headExpand = register_parameter("head_expand", convWeight(s.headWidth, s.stages.back().width, 1));
    headBn = register_module("head_bn", ElasticBatchNorm(s.headWidth));
    headFeature = register_parameter("head_feature", convWeight(s.featureWidth, s.headWidth, 1));
    classifier = register_parameter("classifier", linearWeight(s.classes, s.featureWidth));
    classifierBias = register_parameter("classifier_bias", torch::zeros({s.classes}));
    m_active = space::Genome::largest(s);
}

void SupernetImpl::setActive(const space::Genome &genome)
{
    genome.validate(m_space, "active subnet");
    m_active = genome;
}

HeadTensors SupernetImpl::headTensors() const
{
    HeadTensors t;
    t.expand = headExpand;
    t.expandBn = headBn->slice(m_space.headWidth);
    t.feature = headFeature;
    t.classifier = classifier;
    t.classifierBias = classifierBias;
    return t;
}

SubnetOutput SupernetImpl::forward(const torch::Tensor &x, const std::vector<Position> &positions, bool withFinal,
                                   const std::vector<int> &maxPools)
{
    const bool training = is_training();
    for (const auto &[st, b] : positions) {
        if (st < 0 || st >= m_space.stageCount() || !exitClassifiers[std::size_t(st)]
            || b >= m_active.depth[std::size_t(st)] || b < 0)
            throw std::invalid_argument("no exit can sit after stage " + std::to_string(st + 1) + " block "
                                        + std::to_string(b + 1) + " of the active subnet");
    }
    SubnetOutput out;
    auto h = activate_(batchNorm(conv2d(x, stemConv, {}, m_space.stemStride, 1), stemBnTensors(), training, m_momentum),
                       m_space.stemActivation);
    h = first->forward(h, m_space.firstBlockKernel, 1, training, m_momentum);
    std::size_t next = 0;
    for (int st = 0; st < m_space.stageCount(); ++st) {
        if (!withFinal && next == positions.size())
            return out;
        for (int b = 0; b < m_active.depth[std::size_t(st)]; ++b) {
            h = blocks[std::size_t(st)][std::size_t(b)]->forward(h, m_active.kernel[std::size_t(st)][std::size_t(b)],
                                                                 m_active.expansion[std::size_t(st)][std::size_t(b)],
                                                                 training, m_momentum);
            while (next < positions.size() && positions[next] == Position(st, b)) {
                const int pools = next < maxPools.size() ? maxPools[next] : 0;
                out.exits.push_back(exitForward(h, exitClassifiers[std::size_t(st)]->tensors(b), m_space.eecType,
                                                pools, training, m_momentum));
                ++next;
            }
            if (!withFinal && next == positions.size())
                return out;
        }
    }
    if (next != positions.size())
        throw std::invalid_argument("exit positions must be sorted");
    if (withFinal)
        out.final = headForward(h, headTensors(), training, m_momentum, m_dropout);
    return out;
}

SubnetOutput SupernetImpl::forwardGenome(const torch::Tensor &x)
{
    std::vector<Position> positions;
    std::vector<int> pools;
    const auto arch = space::describe(m_space, m_active);
    for (const auto &e : arch.exits) {
        positions.emplace_back(e.stage, e.block);
        pools.push_back(e.maxPools);
    }
    return forward(x, positions, true, pools);
}

void SupernetImpl::clearEvalCache()
{
    first->clearEvalCache();
    for (auto &stage : blocks)
        for (auto &b : stage)
            b->clearEvalCache();
}

void SupernetImpl::sortChannels()
{
    for (auto &stage : blocks)
        for (auto &b : stage)
            b->sortChannels();
}

} // namespace edanas::supernet
