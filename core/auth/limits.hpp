#pragma once
// Per-client limits of the HTTP API, pure (time is passed in) and not
// thread-safe (the HTTP layer holds a mutex):
// * sign_in_guard — after `max_failures` failed sign-ins from one client
//   within `window`, that client is refused for `block`, doubled for each
//   further block up to `max_block`; a success clears its record;
// * request_rate — a token bucket per client: `per_second` sustained,
//   `burst` at once.
// Both keep at most `max_clients` clients (the least recently seen go first),
// so a flood of addresses costs bounded memory.

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace sv::core::auth {

using steady_time = std::chrono::steady_clock::time_point;

struct sign_in_limits {
  int max_failures = 5;
  std::chrono::seconds window{60};
  std::chrono::seconds block{30};
  std::chrono::seconds max_block{900};
  size_t max_clients = 10000;
};

class sign_in_guard {
 public:
  explicit sign_in_guard(sign_in_limits l = {}) : limits_(l) {}

  /// How long `client` must still wait before its sign-ins are checked again
  /// (zero: now).
  std::chrono::milliseconds wait(const std::string& client, steady_time now) const;
  /// Records a failure; true when it blocks the client.
  bool failed(const std::string& client, steady_time now);
  void succeeded(const std::string& client);
  size_t clients() const { return entries_.size(); }

 private:
  struct entry {
    std::deque<steady_time> failures;
    steady_time blocked_until{};
    std::chrono::seconds last_block{0};
    steady_time seen{};
  };
  void make_room(steady_time now);

  sign_in_limits limits_;
  std::unordered_map<std::string, entry> entries_;
};

class request_rate {
 public:
  /// per_second <= 0: no limit.
  request_rate(double per_second, double burst, size_t max_clients = 10000)
      : per_second_(per_second), burst_(burst < 1 ? 1 : burst), max_clients_(max_clients) {}

  bool limited() const { return per_second_ > 0; }
  /// Takes a token for `client`; false when it has none (refuse the request).
  bool admit(const std::string& client, steady_time now);

 private:
  struct bucket {
    double tokens = 0;
    steady_time at{};
  };
  double per_second_;
  double burst_;
  size_t max_clients_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace sv::core::auth
