#include "core/spread.hpp"

#include <atomic>
#include <exception>
#include <mutex>

namespace sv::core {

void for_each_spread(size_t n, const spread_fn& spread,
                     const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr failed;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard lock{mu};
        if (!failed) failed = std::current_exception();
        next = n;  // the others stop at their next item
      }
    }
  };
  if (spread)
    spread(worker);
  else
    worker();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace sv::core
