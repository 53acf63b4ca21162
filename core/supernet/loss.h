#pragma once

#include "supernet.h"

#include <torch/torch.h>

namespace edanas::supernet {

/// The joint loss of one early-exit network's outputs, as the supernet is trained:
/// cross-entropy of the final head (weight 1) plus `exitWeight` times each exit's; with
/// a `teacher` (probabilities, N x classes) and `distillWeight` > 0, a KL term toward it
/// per output (in-place distillation); for NACHOS exits (classes + 1 logits) a binary
/// cross-entropy teaching the confidence logit whether the exit's prediction is right.
torch::Tensor jointExitLoss(const SubnetOutput &out, const torch::Tensor &labels, int classes, double exitWeight,
                            const torch::Tensor &teacher = {}, double distillWeight = 0.0);

} // namespace edanas::supernet
