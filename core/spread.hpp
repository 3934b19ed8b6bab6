#pragma once
// How pure code is handed the caller's threads: a spread_fn runs the worker
// it is given on the calling thread and, when it can, on others at once, and
// returns when every run has returned. Workers share the work among
// themselves (an atomic counter over the items); core itself starts no thread.

#include <functional>

namespace sv::core {

using spread_fn = std::function<void(const std::function<void()>&)>;

/// Runs `work(i)` for every i below `n` exactly once, by the workers `spread`
/// runs (here alone when it is empty). An exception from `work` stops the
/// items not yet started and is rethrown here, after every worker returned.
void for_each_spread(size_t n, const spread_fn& spread,
                     const std::function<void(size_t)>& work);

}  // namespace sv::core
