#include "core/auth/limits.hpp"

#include <algorithm>

namespace sv::core::auth {

using namespace std::chrono;

milliseconds sign_in_guard::wait(const std::string& client, steady_time now) const {
  auto e = entries_.find(client);
  if (e == entries_.end() || e->second.blocked_until <= now) return milliseconds{0};
  return ceil<milliseconds>(e->second.blocked_until - now);
}

bool sign_in_guard::failed(const std::string& client, steady_time now) {
  if (!entries_.count(client)) make_room(now);
  auto& e = entries_[client];
  e.seen = now;
  while (!e.failures.empty() && now - e.failures.front() > limits_.window)
    e.failures.pop_front();
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) < limits_.max_failures) return false;
  e.last_block = e.last_block.count() == 0
                     ? limits_.block
                     : std::min<seconds>(e.last_block * 2, limits_.max_block);
  e.blocked_until = now + e.last_block;
  e.failures.clear();
  return true;
}

void sign_in_guard::succeeded(const std::string& client) {
  entries_.erase(client);
}

void sign_in_guard::make_room(steady_time now) {
  if (entries_.size() < limits_.max_clients) return;
  // Drop what no longer matters, then the least recently seen.
  for (auto i = entries_.begin(); i != entries_.end();)
    if (i->second.blocked_until <= now &&
        (i->second.failures.empty() || now - i->second.failures.back() > limits_.window))
      i = entries_.erase(i);
    else
      ++i;
  while (entries_.size() >= limits_.max_clients) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) {
                                     return a.second.seen < b.second.seen;
                                   });
    entries_.erase(oldest);
  }
}

bool request_rate::admit(const std::string& client, steady_time now) {
  if (!limited()) return true;
  auto b = buckets_.find(client);
  if (b == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      // Full buckets carry no information: drop them first.
      for (auto i = buckets_.begin(); i != buckets_.end();) {
        double t = i->second.tokens +
                   duration<double>(now - i->second.at).count() * per_second_;
        i = t >= burst_ ? buckets_.erase(i) : std::next(i);
      }
      if (buckets_.size() >= max_clients_) buckets_.erase(buckets_.begin());
    }
    b = buckets_.emplace(client, bucket{burst_, now}).first;
  }
  auto& k = b->second;
  k.tokens = std::min(burst_, k.tokens + duration<double>(now - k.at).count() * per_second_);
  k.at = now;
  if (k.tokens < 1) return false;
  k.tokens -= 1;
  return true;
}

}  // namespace sv::core::auth
