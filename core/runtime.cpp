#include "runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <thread>

namespace edanas {

void initTorchThreads()
{
    int n = int(std::thread::hardware_concurrency());
    if (const char *env = std::getenv("EDANAS_THREADS"); env && std::atoi(env) > 0)
        n = std::atoi(env);
    torch::set_num_threads(std::max(1, n));
}

int threadCount()
{
    return torch::get_num_threads();
}

} // namespace edanas
