#pragma once
// A small owning JSON value with value semantics. Objects keep their members in
// the order they were posted, so specs round-trip with unknown fields intact.
// Parsing and printing go through RapidJSON inside json.cpp.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

namespace sv::core {

class json {
 public:
  struct member;
  using array = std::vector<json>;
  using object = std::vector<member>;

  enum class kind : uint8_t { null, boolean, integer, real, string, array, object };

  // Defined below json::member: the variant needs it complete (clang).
  json();
  json(std::nullptr_t);
  json(bool x);
  json(int x);
  json(int64_t x);
  json(uint32_t x);
  json(uint64_t x);
  json(double x);
  json(const char* x);
  json(std::string x);
  json(std::string_view x);
  json(array x);
  json(object x);

  /// Builds an object from key/value pairs, in order.
  static json make_object(std::initializer_list<std::pair<std::string, json>> xs);

  kind type() const { return static_cast<kind>(v_.index()); }
  bool is_null() const { return type() == kind::null; }
  bool is_bool() const { return type() == kind::boolean; }
  bool is_int() const { return type() == kind::integer; }
  bool is_real() const { return type() == kind::real; }
  bool is_number() const { return is_int() || is_real(); }
  bool is_string() const { return type() == kind::string; }
  bool is_array() const { return type() == kind::array; }
  bool is_object() const { return type() == kind::object; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_real() const { return std::get<double>(v_); }
  /// The numeric value as a double (integers converted).
  double as_number() const {
    return is_int() ? static_cast<double>(as_int()) : as_real();
  }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const array& as_array() const { return std::get<array>(v_); }
  array& as_array() { return std::get<array>(v_); }
  const object& as_object() const { return std::get<object>(v_); }
  object& as_object() { return std::get<object>(v_); }

  /// Object member lookup; nullptr when absent or when this is not an object.
  const json* find(std::string_view key) const;
  json* find(std::string_view key);

  /// Sets (replacing or appending) an object member. Precondition: is_object().
  void set(std::string_view key, json value);

  /// Removes an object member if present. Precondition: is_object().
  void erase(std::string_view key);

  /// Human name of the kind: "null", "boolean", "integer", "number", ...
  std::string_view type_name() const;

  /// Compact JSON text.
  std::string dump() const;
  /// Indented JSON text (2 spaces).
  std::string dump_pretty() const;

  /// Deepest nesting of arrays and objects parse accepts (as Jackson's
  /// default read constraint): every recursive walk of a parsed value stays
  /// within a thread's stack.
  static constexpr size_t max_depth = 1000;

  /// True when the arrays and objects of the JSON `text` (assumed well formed)
  /// nest deeper than `limit` levels. One pass over the bytes; brackets
  /// inside strings do not count.
  static bool nests_deeper_than(std::string_view text, size_t limit);

  /// Parses JSON text; errors carry the offset and RapidJSON's reason.
  /// Nesting deeper than max_depth is an errc::invalid_input error.
  static caf::expected<json> parse(std::string_view text);

  friend bool operator==(const json& a, const json& b);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, array, object> v_;
};

struct json::member {
  std::string key;
  json value;
  friend bool operator==(const member& a, const member& b) {
    return a.key == b.key && a.value == b.value;
  }
};

inline json::json() = default;
inline json::json(std::nullptr_t) {}
inline json::json(bool x) : v_(x) {}
inline json::json(int x) : v_(int64_t{x}) {}
inline json::json(int64_t x) : v_(x) {}
inline json::json(uint32_t x) : v_(int64_t{x}) {}
inline json::json(double x) : v_(x) {}
inline json::json(const char* x) : v_(std::string{x}) {}
inline json::json(std::string x) : v_(std::move(x)) {}
inline json::json(std::string_view x) : v_(std::string{x}) {}
inline json::json(array x) : v_(std::move(x)) {}
inline json::json(object x) : v_(std::move(x)) {}

/// Member lookup in an object's member list; nullptr when absent.
const json* find_member(const json::object& obj, std::string_view key);

}  // namespace sv::core
