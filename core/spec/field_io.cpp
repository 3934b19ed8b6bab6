#include "core/spec/field_io.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/errc.hpp"

namespace sv::core {

std::string join_path(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string{key};
  if (key.empty()) return std::string{base};
  std::string out{base};
  out += '.';
  out += key;
  return out;
}

const json* field_reader::take(std::string_view key) {
  for (size_t i = 0; i < obj_.size(); ++i) {
    if (obj_[i].key == key) {
      used_[i] = true;
      return &obj_[i].value;
    }
  }
  return nullptr;
}

json::object field_reader::extras() const {
  json::object out;
  for (size_t i = 0; i < obj_.size(); ++i)
    if (!used_[i]) out.push_back(obj_[i]);
  return out;
}

namespace {

std::string_view kind_name(json::kind k) {
  switch (k) {
    case json::kind::null:
      return "null";
    case json::kind::boolean:
      return "a boolean";
    case json::kind::integer:
      return "an integer";
    case json::kind::real:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "?";
}

bool fail(const std::string& path, std::string msg, std::vector<problem>& ps) {
  ps.push_back(problem{path, std::move(msg)});
  return false;
}

std::string got(const json& in) {
  std::string text = in.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return " (got " + std::string{in.type_name()} + " " + text + ")";
}

// Integers: JSON integers, integral reals, or numeric strings (Jackson coerces them).
bool read_integer(const json& in, int64_t& out, const std::string& path,
                  std::vector<problem>& ps) {
  if (in.is_int()) {
    out = in.as_int();
    return true;
  }
  if (in.is_real()) {
    double d = in.as_real();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18) {
      out = static_cast<int64_t>(d);
      return true;
    }
  }
  if (in.is_string()) {
    const auto& s = in.as_string();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && ptr == s.data() + s.size() && !s.empty()) return true;
  }
  return fail(path, "must be an integer" + got(in), ps);
}

}  // namespace

bool expect_kind(const json& in, json::kind k, const std::string& path,
                 std::vector<problem>& ps) {
  if (in.type() == k) return true;
  return fail(path, "must be " + std::string{kind_name(k)} + got(in), ps);
}

bool read_value(const json& in, bool& out, const std::string& path,
                std::vector<problem>& ps) {
  if (in.is_bool()) {
    out = in.as_bool();
    return true;
  }
  if (in.is_string() && (in.as_string() == "true" || in.as_string() == "false")) {
    out = in.as_string() == "true";
    return true;
  }
  return fail(path, "must be a boolean" + got(in), ps);
}

bool read_value(const json& in, int32_t& out, const std::string& path,
                std::vector<problem>& ps) {
  int64_t v = 0;
  if (!read_integer(in, v, path, ps)) return false;
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    return fail(path, "must fit in 32 bits" + got(in), ps);
  out = static_cast<int32_t>(v);
  return true;
}

bool read_value(const json& in, int64_t& out, const std::string& path,
                std::vector<problem>& ps) {
  return read_integer(in, out, path, ps);
}

bool read_value(const json& in, double& out, const std::string& path,
                std::vector<problem>& ps) {
  if (in.is_number()) {
    out = in.as_number();
    return true;
  }
  if (in.is_string()) {
    const auto& s = in.as_string();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && ptr == s.data() + s.size() && !s.empty()) return true;
  }
  return fail(path, "must be a number" + got(in), ps);
}

bool read_value(const json& in, std::string& out, const std::string& path,
                std::vector<problem>& ps) {
  if (in.is_string()) {
    out = in.as_string();
    return true;
  }
  if (in.is_number() || in.is_bool()) {  // Jackson coerces scalars to text
    out = in.dump();
    return true;
  }
  return fail(path, "must be a string" + got(in), ps);
}

bool read_value(const json& in, iso_period& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::string, path, ps)) return false;
  auto p = parse_period(in.as_string());
  if (!p) return fail(path, error_message(p.error()), ps);
  out = *p;
  return true;
}

bool read_value(const json& in, utc_time& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::string, path, ps)) return false;
  auto t = parse_utc_time(in.as_string());
  if (!t) return fail(path, error_message(t.error()), ps);
  out = *t;
  return true;
}

bool read_value(const json& in, granularity& out, const std::string& path,
                std::vector<problem>& ps) {
  auto g = parse_granularity(in);
  if (!g) return fail(path, error_message(g.error()), ps);
  out = std::move(*g);
  return true;
}

bool read_value(const json& in, json& out, const std::string&, std::vector<problem>&) {
  out = in;
  return true;
}

bool read_value(const json& in, json::object& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::object, path, ps)) return false;
  out = in.as_object();
  return true;
}

json write_value(bool x) {
  return json{x};
}
json write_value(int32_t x) {
  return json{int64_t{x}};
}
json write_value(int64_t x) {
  return json{x};
}
json write_value(double x) {
  return json{x};
}
json write_value(const std::string& x) {
  return json{x};
}
json write_value(const iso_period& x) {
  return json{format_period(x)};
}
json write_value(const utc_time& x) {
  return json{format_utc_time(x)};
}
json write_value(const granularity& x) {
  return x.to_json();
}
json write_value(const json& x) {
  return x;
}
json write_value(const json::object& x) {
  return json{x};
}

}  // namespace sv::core
