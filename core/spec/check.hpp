#pragma once
// Small helpers shared by the spec validators.

#include <string>
#include <string_view>
#include <vector>

#include "core/spec/field_io.hpp"

namespace sv::core::check {

inline void add(std::vector<problem>& ps, const std::string& path, std::string msg) {
  ps.push_back(problem{path, std::move(msg)});
}

/// A fixed-length period (no years/months); `positive` also rejects zero.
void duration(const iso_period& p, const std::string& path, bool positive,
              std::vector<problem>& ps);

/// Druid's id rules: not empty, no '/', not starting with '.', no whitespace
/// other than ' '.
void id(const std::string& value, const std::string& path, std::vector<problem>& ps);

/// `value` must be one of `allowed`.
void one_of(const std::string& value, std::initializer_list<std::string_view> allowed,
            const std::string& path, std::vector<problem>& ps);

/// "a, b or c"
std::string list(std::initializer_list<std::string_view> xs);

}  // namespace sv::core::check
