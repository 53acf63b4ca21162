#include "recalibrate.h"

namespace edanas::supernet {

namespace {

/// Calls `next(x)` until it returns false, recalibrating on each batch x.
template<typename Next>
std::int64_t recalibrate(SupernetImpl &net, const std::vector<Position> &positions, const std::vector<int> &maxPools,
                         Next next)
{
    torch::NoGradGuard noGrad;
    // Start from clean statistics: with momentum 1 for the first batch the old value is
    // weighted by zero, but 0 x inf is NaN, so an overflowed statistic would survive.
    for (auto &b : net.named_buffers()) {
        if (b.key().find("running_mean") != std::string::npos)
            b.value().zero_();
        else if (b.key().find("running_var") != std::string::npos)
            b.value().fill_(1.0);
    }
    net.train();
    std::int64_t used = 0;
    int k = 0;
    const int res = net.active().resolution;
    torch::Tensor x;
    while (next(x)) {
        if (x.size(2) != res)
            x = torch::nn::functional::interpolate(
                x, torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{res, res})
                       .mode(torch::kBilinear).align_corners(false));
        // momentum 1/k: the running statistic becomes the mean over the k batches so far
        net.setBatchNormMomentum(1.0 / ++k);
        net.forward(x, positions, true, maxPools);
        used += x.size(0);
    }
    net.setBatchNormMomentum(0.1);
    net.eval();
    return used;
}

} // namespace

std::int64_t recalibrateBatchNorm(SupernetImpl &net, const std::vector<Position> &positions,
                                  data::BatchLoader &loader, std::int64_t images, const std::vector<int> &maxPools)
{
    loader.reset();
    data::Batch batch;
    std::int64_t taken = 0;
    return recalibrate(net, positions, maxPools, [&](torch::Tensor &x) {
        if (taken >= images || !loader.next(batch))
            return false;
        taken += batch.images.size(0);
        x = batch.images;
        return true;
    });
}

std::int64_t recalibrateBatchNorm(SupernetImpl &net, const std::vector<Position> &positions,
                                  const std::vector<torch::Tensor> &batches, const std::vector<int> &maxPools)
{
    std::size_t i = 0;
    return recalibrate(net, positions, maxPools, [&](torch::Tensor &x) {
        if (i == batches.size())
            return false;
        x = batches[i++];
        return true;
    });
}

} // namespace edanas::supernet
