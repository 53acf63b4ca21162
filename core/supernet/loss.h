#pragma once

#include "supernet.h"

#include <torch/torch.h>

#include <memory>

namespace edanas::supernet {

struct TrainConfig;

/// The joint loss of one early-exit network's outputs, as the supernet is trained:
/// cross-entropy of the final head (weight 1) plus `exitWeight` times each exit's
/// (with `labelSmoothing`); with a `teacher` (probabilities, N x classes) and
/// `distillWeight` > 0, a KL term toward it for the final head and, when
/// `distillExits`, for every exit too; for NACHOS exits (classes + 1 logits) a binary
/// cross-entropy teaching the confidence logit whether the exit's prediction is right.
torch::Tensor jointExitLoss(const SubnetOutput &out, const torch::Tensor &labels, int classes, double exitWeight,
                            const torch::Tensor &teacher = {}, double distillWeight = 0.0,
                            double labelSmoothing = 0.0, bool distillExits = true);

/// SGD with Nesterov momentum as the supernet training uses it (lr set per step): two
/// parameter groups, weight decay on the convolution and linear weights only, none on
/// batch-norm and bias parameters (unless `cfg.decayNormAndBias`). A new one has no
/// momentum: the trainer makes one at the start of every phase, after the expansion
/// phase's channel sort, so that no momentum of the unsorted weights is applied to the
/// sorted ones.
std::unique_ptr<torch::optim::SGD> makeSupernetOptimizer(SupernetImpl &net, const TrainConfig &cfg);

/// Clears the gradients of the optimizer's parameters before a step: they become
/// undefined (not zero, as LibTorch 1.13's zero_grad() leaves them), so a parameter that
/// none of the step's subnets used (an inactive block, a kernel transform the largest
/// network does not apply) takes no step: no weight decay, no momentum, no time spent
/// on it. PyTorch 2's zero_grad(set_to_none=True) does the same.
void clearGradients(torch::optim::Optimizer &optimizer);

/// The parameters of `net` without weight decay under the default recipe: batch-norm
/// scales and shifts and every bias.
std::vector<torch::Tensor> normAndBiasParameters(SupernetImpl &net);

} // namespace edanas::supernet
