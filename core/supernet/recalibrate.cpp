#include "recalibrate.h"

namespace edanas::supernet {

std::int64_t recalibrateBatchNorm(SupernetImpl &net, const std::vector<Position> &positions,
                                  data::BatchLoader &loader, std::int64_t images, const std::vector<int> &maxPools)
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
    loader.reset();
    data::Batch batch;
    std::int64_t used = 0;
    int k = 0;
    const int res = net.active().resolution;
    while (used < images && loader.next(batch)) {
        auto x = batch.images;
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

} // namespace edanas::supernet
