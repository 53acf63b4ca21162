#pragma once

namespace edanas {

/// Sets LibTorch's intra-op threads to the machine's cores (Debian's LibTorch starts
/// with one) unless EDANAS_THREADS names a count. Call once at start.
void initTorchThreads();

/// Sets up the process for LibTorch on a CPU shared with other programs. OpenMP threads
/// that spin while they wait (libgomp's default) slow two LibTorch processes on the same
/// cores 10-30x: unless the user set OMP_WAIT_POLICY, it becomes PASSIVE. OpenBLAS's
/// threads spin too: unless OPENBLAS_NUM_THREADS is set, it becomes 1. Both libraries
/// read these once, when they are loaded, before main() runs, so the program is
/// re-executed with the same arguments when either changed. Also keeps freed memory in
/// the heap (mallopt) instead of returning it to the system at every layer. Call first
/// thing in main(); returns when all that is in force (or the program could not be
/// re-executed).
void ensurePassiveWaitPolicy(char *argv[]);

/// The intra-op thread count LibTorch uses now.
int threadCount();

} // namespace edanas
