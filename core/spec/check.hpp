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

/// Longest supervisor id or data source name, in bytes. Ids name task ids,
/// directories and files (at most 255 bytes a name): a backfill's task id adds
/// about 60 bytes to its source's id.
inline constexpr size_t max_id_bytes = 128;

/// Druid's id rules: not empty, no '/', not starting with '.', no whitespace
/// other than ' ', no control characters, valid UTF-8, at most max_id_bytes.
void id(const std::string& value, const std::string& path, std::vector<problem>& ps);

/// `value` must be one of `allowed`.
void one_of(const std::string& value, std::initializer_list<std::string_view> allowed,
            const std::string& path, std::vector<problem>& ps);

/// "a, b or c"
std::string list(std::initializer_list<std::string_view> xs);

}  // namespace sv::core::check
