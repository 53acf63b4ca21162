#include "loss.h"

#include "trainer.h"

#include <set>

namespace edanas::supernet {

torch::Tensor jointExitLoss(const SubnetOutput &out, const torch::Tensor &labels, int classes, double exitWeight,
                            const torch::Tensor &teacher, double distillWeight, double labelSmoothing,
                            bool distillExits)
{
    namespace F = torch::nn::functional;
    auto term = [&](const torch::Tensor &logits, double weight, bool distil) {
        auto cls = logits.narrow(1, 0, classes);
        auto loss = F::cross_entropy(cls, labels, F::CrossEntropyFuncOptions().label_smoothing(labelSmoothing));
        if (distil && teacher.defined() && distillWeight > 0) {
            auto kd = F::kl_div(torch::log_softmax(cls, 1), teacher, F::KLDivFuncOptions().reduction(torch::kBatchMean));
            loss = loss + distillWeight * kd;
        }
        if (logits.size(1) == classes + 1) {
            auto right = (cls.argmax(1) == labels).to(torch::kFloat32);
            loss = loss + F::binary_cross_entropy_with_logits(logits.select(1, classes), right);
        }
        return weight * loss;
    };
    auto loss = term(out.final, 1.0, true);
    for (const auto &e : out.exits)
        loss = loss + term(e, exitWeight, distillExits);
    return loss;
}

std::vector<torch::Tensor> normAndBiasParameters(SupernetImpl &net)
{
    std::set<const void *> norm;
    for (const auto &m : net.modules(/*include_self=*/false))
        if (const auto *bn = dynamic_cast<const ElasticBatchNormImpl *>(m.get())) {
            norm.insert(bn->weight.unsafeGetTensorImpl());
            norm.insert(bn->bias.unsafeGetTensorImpl());
        }
    std::vector<torch::Tensor> out;
    for (const auto &p : net.named_parameters()) {
        const std::string &name = p.key();
        const bool bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        if (bias || norm.count(p.value().unsafeGetTensorImpl()))
            out.push_back(p.value());
    }
    return out;
}

void clearGradients(torch::optim::Optimizer &optimizer)
{
    for (auto &group : optimizer.param_groups())
        for (auto &p : group.params())
            p.mutable_grad() = torch::Tensor();
}

std::unique_ptr<torch::optim::SGD> makeSupernetOptimizer(SupernetImpl &net, const TrainConfig &cfg)
{
    using torch::optim::SGDOptions;
    const double lr = cfg.learningRates.empty() ? 0.01 : cfg.learningRates.front(); // set per step
    auto options = [&](double decay) {
        return SGDOptions(lr).momentum(cfg.momentum).weight_decay(decay).nesterov(cfg.momentum > 0);
    };
    if (cfg.decayNormAndBias)
        return std::make_unique<torch::optim::SGD>(net.parameters(), options(cfg.weightDecay));
    const auto noDecay = normAndBiasParameters(net);
    std::set<const void *> skip;
    for (const auto &t : noDecay)
        skip.insert(t.unsafeGetTensorImpl());
    std::vector<torch::Tensor> decay;
    for (const auto &t : net.parameters())
        if (!skip.count(t.unsafeGetTensorImpl()))
            decay.push_back(t);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<SGDOptions>(options(cfg.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<SGDOptions>(options(0.0)));
    return std::make_unique<torch::optim::SGD>(std::move(groups), options(cfg.weightDecay));
}

} // namespace edanas::supernet
