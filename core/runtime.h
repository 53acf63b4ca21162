#pragma once

namespace edanas {

/// Sets LibTorch's intra-op threads to the machine's cores (Debian's LibTorch starts
/// with one) unless EDANAS_THREADS names a count. Call once at start.
void initTorchThreads();

/// The intra-op thread count LibTorch uses now.
int threadCount();

} // namespace edanas
