// Returning freed heap memory to the system.
#pragma once

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace pipelined::daemon {

// glibc keeps freed heap pages mapped for reuse, and releases them only from
// the top of a heap: the YAML tree of a large plan, freed once the plan is
// loaded, would otherwise stay in the daemon's resident memory (on a plan of
// 10,000 projects, 140 MB of 190 MB; docs/benchmarks.md, "Scrape cost and
// memory per series"). Call after such a one-off peak, not after work that
// recurs (a scrape): its pages would only be faulted in again.
inline void ReleaseFreedMemory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

}  // namespace pipelined::daemon
