#include "loss.h"

namespace edanas::supernet {

torch::Tensor jointExitLoss(const SubnetOutput &out, const torch::Tensor &labels, int classes, double exitWeight,
                            const torch::Tensor &teacher, double distillWeight)
{
    auto term = [&](const torch::Tensor &logits, double weight) {
        auto cls = logits.narrow(1, 0, classes);
        auto loss = torch::nn::functional::cross_entropy(cls, labels);
        if (teacher.defined() && distillWeight > 0) {
            auto kd = torch::nn::functional::kl_div(
                torch::log_softmax(cls, 1), teacher,
                torch::nn::functional::KLDivFuncOptions().reduction(torch::kBatchMean));
            loss = loss + distillWeight * kd;
        }
        if (logits.size(1) == classes + 1) {
            auto right = (cls.argmax(1) == labels).to(torch::kFloat32);
            loss = loss + torch::nn::functional::binary_cross_entropy_with_logits(logits.select(1, classes), right);
        }
        return weight * loss;
    };
    auto loss = term(out.final, 1.0);
    for (const auto &e : out.exits)
        loss = loss + term(e, exitWeight);
    return loss;
}

} // namespace edanas::supernet
