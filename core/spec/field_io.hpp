#pragma once
// Binds JSON object members to typed struct fields, in both directions, from
// one field list per struct:
//
//   struct idle_config {
//     bool enabled = false;
//     std::optional<int64_t> inactive_after_millis;
//     json::object extra;                       // unknown members, kept in order
//     template <class Self, class F> static void fields(Self& x, F& f) {
//       f("enabled", x.enabled);
//       f("inactiveAfterMillis", x.inactive_after_millis);
//     }
//   };
//
// field_reader fills a struct from JSON, recording every problem with its JSON
// path instead of stopping at the first; field_writer prints it back with
// defaults filled in. Absent and null members keep the field's default.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/granularity.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace sv::core {

/// One validation problem: where (JSON path) and why.
struct problem {
  std::string path;
  std::string message;
  friend bool operator==(const problem&, const problem&) = default;
};

/// "a.b" joined, skipping empty parts.
std::string join_path(std::string_view base, std::string_view key);

template <class T>
concept has_fields = requires(T& x) {
  x.extra;
};

// -- scalar readers (field_io.cpp) --------------------------------------------

bool read_value(const json& in, bool& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, int32_t& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, int64_t& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, double& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, std::string& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, iso_period& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, utc_time& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, granularity& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, json& out, const std::string& path,
                std::vector<problem>& ps);
bool read_value(const json& in, json::object& out, const std::string& path,
                std::vector<problem>& ps);

json write_value(bool x);
json write_value(int32_t x);
json write_value(int64_t x);
json write_value(double x);
json write_value(const std::string& x);
json write_value(const iso_period& x);
json write_value(const utc_time& x);
json write_value(const granularity& x);
json write_value(const json& x);
json write_value(const json::object& x);

// -- composite readers/writers ------------------------------------------------

template <has_fields T>
bool read_value(const json& in, T& out, const std::string& path,
                std::vector<problem>& ps);
template <class T>
bool read_value(const json& in, std::optional<T>& out, const std::string& path,
                std::vector<problem>& ps);
template <class T>
bool read_value(const json& in, std::vector<T>& out, const std::string& path,
                std::vector<problem>& ps);
template <class T>
bool read_value(const json& in, std::map<std::string, T>& out, const std::string& path,
                std::vector<problem>& ps);

template <has_fields T>
json write_value(const T& x);
template <class T>
json write_value(const std::optional<T>& x);
template <class T>
json write_value(const std::vector<T>& x);
template <class T>
json write_value(const std::map<std::string, T>& x);

// -- the binders --------------------------------------------------------------

class field_reader {
 public:
  field_reader(const json::object& obj, std::string path, std::vector<problem>& ps)
      : obj_(obj), path_(std::move(path)), problems_(ps), used_(obj.size(), false) {}

  /// Reads member `key` into `x` if present and not null.
  template <class T>
  void operator()(std::string_view key, T& x) {
    if (const json* v = take(key); v && !v->is_null())
      read_value(*v, x, join_path(path_, key), problems_);
  }

  /// Marks `key` as understood without reading it (an alias handled elsewhere).
  void ignore(std::string_view key) { take(key); }

  /// The members no field consumed, in their posted order.
  json::object extras() const;

  const std::string& path() const { return path_; }

 private:
  const json* take(std::string_view key);

  const json::object& obj_;
  std::string path_;
  std::vector<problem>& problems_;
  std::vector<bool> used_;
};

class field_writer {
 public:
  template <class T>
  void operator()(std::string_view key, const T& x) {
    obj_.push_back(json::member{std::string{key}, write_value(x)});
  }
  void ignore(std::string_view) {}
  json::object take(const json::object& extra) {
    for (const auto& m : extra) obj_.push_back(m);
    return std::move(obj_);
  }

 private:
  json::object obj_;
};

bool expect_kind(const json& in, json::kind k, const std::string& path,
                 std::vector<problem>& ps);

template <has_fields T>
bool read_value(const json& in, T& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::object, path, ps)) return false;
  field_reader r{in.as_object(), path, ps};
  T::fields(out, r);
  out.extra = r.extras();
  return true;
}

template <class T>
bool read_value(const json& in, std::optional<T>& out, const std::string& path,
                std::vector<problem>& ps) {
  if (in.is_null()) {
    out.reset();
    return true;
  }
  T tmp{};
  if (!read_value(in, tmp, path, ps)) return false;
  out = std::move(tmp);
  return true;
}

template <class T>
bool read_value(const json& in, std::vector<T>& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::array, path, ps)) return false;
  out.clear();
  bool ok = true;
  const auto& arr = in.as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    T tmp{};
    if (read_value(arr[i], tmp, path + "[" + std::to_string(i) + "]", ps))
      out.push_back(std::move(tmp));
    else
      ok = false;
  }
  return ok;
}

template <class T>
bool read_value(const json& in, std::map<std::string, T>& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::object, path, ps)) return false;
  out.clear();
  bool ok = true;
  for (const auto& m : in.as_object()) {
    T tmp{};
    if (read_value(m.value, tmp, join_path(path, m.key), ps))
      out[m.key] = std::move(tmp);
    else
      ok = false;
  }
  return ok;
}

template <has_fields T>
json write_value(const T& x) {
  field_writer w;
  T::fields(x, w);
  return json{w.take(x.extra)};
}

template <class T>
json write_value(const std::optional<T>& x) {
  return x ? write_value(*x) : json{};
}

template <class T>
json write_value(const std::vector<T>& x) {
  json::array arr;
  arr.reserve(x.size());
  for (const auto& e : x) arr.push_back(write_value(e));
  return json{std::move(arr)};
}

template <class T>
json write_value(const std::map<std::string, T>& x) {
  json::object obj;
  for (const auto& [k, v] : x) obj.push_back(json::member{k, write_value(v)});
  return json{std::move(obj)};
}

}  // namespace sv::core
