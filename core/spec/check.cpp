#include "core/spec/check.hpp"

namespace sv::core::check {

void duration(const iso_period& p, const std::string& path, bool positive,
              std::vector<problem>& ps) {
  if (!p.is_fixed()) {
    add(ps, path,
        "must be a fixed-length period without years or months (got " + format_period(p) +
            ")");
    return;
  }
  if (positive && p.to_millis().count() <= 0)
    add(ps, path, "must be longer than zero (got " + format_period(p) + ")");
}

void id(const std::string& value, const std::string& path, std::vector<problem>& ps) {
  if (value.empty()) {
    add(ps, path, "must not be empty");
    return;
  }
  if (value.find('/') != std::string::npos)
    add(ps, path, "must not contain '/' (got '" + value + "')");
  if (value.front() == '.')
    add(ps, path, "must not start with '.' (got '" + value + "')");
  for (char c : value) {
    if (c != ' ' && (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')) {
      add(ps, path, "must not contain whitespace other than spaces");
      break;
    }
  }
}

std::string list(std::initializer_list<std::string_view> xs) {
  std::string out;
  size_t i = 0;
  for (auto x : xs) {
    if (i > 0) out += (i + 1 == xs.size()) ? " or " : ", ";
    out += x;
    ++i;
  }
  return out;
}

void one_of(const std::string& value, std::initializer_list<std::string_view> allowed,
            const std::string& path, std::vector<problem>& ps) {
  for (auto a : allowed)
    if (value == a) return;
  add(ps, path, "must be " + list(allowed) + " (got '" + value + "')");
}

}  // namespace sv::core::check
