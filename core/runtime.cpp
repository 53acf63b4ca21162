#include "runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <malloc.h>
#include <thread>
#include <unistd.h>

namespace edanas {

void initTorchThreads()
{
    int n = int(std::thread::hardware_concurrency());
    if (const char *env = std::getenv("EDANAS_THREADS"); env && std::atoi(env) > 0)
        n = std::atoi(env);
    torch::set_num_threads(std::max(1, n));
    // Denormal floats take the slow path of the CPU's arithmetic units (tens of times
    // slower): a trained network's small weights and activations flush to zero instead.
    at::globalContext().setFlushDenormal(true);
}

void ensurePassiveWaitPolicy(char *argv[])
{
    // Tensors of a few MB are allocated and freed at every layer: kept in the heap, not
    // mapped and unmapped (and their pages zeroed by the kernel) each time. Measured:
    // training 1.7x faster on the largest ofa-mbv3 subnet (docs/PERFORMANCE.md).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 256 << 20);
    bool changed = false;
    // the user's choice, or set by the re-executed program itself
    if (!std::getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
        changed = true;
    }
    // OpenBLAS's own threads (LibTorch's linear layers) spin beside OpenMP's on the same
    // cores; the convolutions, where the time goes, run in oneDNN on OpenMP's threads.
    if (!std::getenv("OPENBLAS_NUM_THREADS")) {
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        changed = true;
    }
    if (changed)
        execv("/proc/self/exe", argv);
    // not re-executed (no /proc?): go on with what the libraries already read
}

int threadCount()
{
    return torch::get_num_threads();
}

} // namespace edanas
