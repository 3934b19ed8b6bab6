#include "core/ingest/filter.hpp"

#include <charconv>
#include <cmath>

#include "core/errc.hpp"

namespace sv::core::ingest {

enum class node_kind : uint8_t { selector, in, bound, not_, and_, or_ };
enum class ordering : uint8_t { lexicographic, numeric, alphanumeric, strlen };

struct row_filter::node {
  node_kind kind = node_kind::selector;
  int32_t slot = -1;
  std::optional<std::string> value;  ///< selector (nullopt matches null)
  std::set<std::string> values;      ///< in
  bool in_null = false;              ///< in: null among the values
  std::optional<std::string> lower, upper;
  bool lower_strict = false, upper_strict = false;
  ordering order = ordering::lexicographic;
  std::vector<std::unique_ptr<node>> children;
};

row_filter::row_filter() = default;
row_filter::row_filter(const row_filter&) = default;
row_filter& row_filter::operator=(const row_filter&) = default;
row_filter::row_filter(row_filter&&) noexcept = default;
row_filter& row_filter::operator=(row_filter&&) noexcept = default;
row_filter::~row_filter() = default;

namespace {

using node = row_filter::node;

caf::error bad(const std::string& msg) {
  return make_error(errc::invalid_input, "filter: " + msg);
}

std::optional<std::string> scalar(const json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.as_string();
  return v.dump();
}

caf::expected<std::unique_ptr<node>> build(const json& f, field_router& router) {
  if (!f.is_object()) return bad("must be an object");
  const json* type = f.find("type");
  if (!type || !type->is_string()) return bad("needs a type");
  auto n = std::make_unique<node>();
  const auto& t = type->as_string();
  auto dimension = [&]() -> caf::error {
    const json* d = f.find("dimension");
    if (!d || !d->is_string()) return bad(t + " needs a dimension");
    n->slot = router.slot_of(d->as_string());
    return {};
  };
  if (t == "selector") {
    n->kind = node_kind::selector;
    if (auto e = dimension()) return e;
    if (const json* v = f.find("value")) n->value = scalar(*v);
  } else if (t == "in") {
    n->kind = node_kind::in;
    if (auto e = dimension()) return e;
    const json* vs = f.find("values");
    if (!vs || !vs->is_array()) return bad("in needs values");
    for (const auto& v : vs->as_array()) {
      if (auto s = scalar(v))
        n->values.insert(*s);
      else
        n->in_null = true;
    }
  } else if (t == "bound") {
    n->kind = node_kind::bound;
    if (auto e = dimension()) return e;
    if (const json* v = f.find("lower")) n->lower = scalar(*v);
    if (const json* v = f.find("upper")) n->upper = scalar(*v);
    if (const json* v = f.find("lowerStrict"))
      n->lower_strict = v->is_bool() && v->as_bool();
    if (const json* v = f.find("upperStrict"))
      n->upper_strict = v->is_bool() && v->as_bool();
    if (const json* o = f.find("ordering"); o && o->is_string()) {
      const auto& s = o->as_string();
      n->order = s == "numeric"        ? ordering::numeric
                 : s == "alphanumeric" ? ordering::alphanumeric
                 : s == "strlen"       ? ordering::strlen
                                       : ordering::lexicographic;
    }
  } else if (t == "not") {
    n->kind = node_kind::not_;
    const json* field = f.find("field");
    if (!field) return bad("not needs a field");
    auto child = build(*field, router);
    if (!child) return child.error();
    n->children.push_back(std::move(*child));
  } else if (t == "and" || t == "or") {
    n->kind = t == "and" ? node_kind::and_ : node_kind::or_;
    const json* fields = f.find("fields");
    if (!fields || !fields->is_array()) return bad(t + " needs fields");
    for (const auto& c : fields->as_array()) {
      auto child = build(c, router);
      if (!child) return child.error();
      n->children.push_back(std::move(*child));
    }
  } else {
    return bad("unsupported type '" + t + "'");
  }
  return n;
}

bool parse_double(std::string_view s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

// Natural order: digit runs compare numerically (Druid's alphanumeric comparator).
int alphanumeric(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t i1 = i, j1 = j;
      while (i1 < a.size() && digit(a[i1])) ++i1;
      while (j1 < b.size() && digit(b[j1])) ++j1;
      auto x = a.substr(i, i1 - i), y = b.substr(j, j1 - j);
      while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
      while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      if (int c = x.compare(y)) return c;
      i = i1;
      j = j1;
    } else {
      if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
      ++i;
      ++j;
    }
  }
  return a.size() - i == b.size() - j ? 0 : (a.size() - i < b.size() - j ? -1 : 1);
}

// Compares a value with a bound; nullopt when incomparable (e.g. not numeric).
std::optional<int> compare(std::string_view v, const std::string& bound, ordering o) {
  switch (o) {
    case ordering::lexicographic: {
      int c = v.compare(bound);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case ordering::numeric: {
      double x, y;
      if (!parse_double(v, x) || !parse_double(bound, y)) return std::nullopt;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ordering::alphanumeric:
      return alphanumeric(v, bound);
    case ordering::strlen: {
      if (v.size() != bound.size()) return v.size() < bound.size() ? -1 : 1;
      int c = v.compare(bound);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
  return std::nullopt;
}

bool match_value(const node& n, std::optional<std::string_view> v) {
  switch (n.kind) {
    case node_kind::selector:
      if (!v || v->empty()) return !n.value || n.value->empty();
      return n.value && *v == *n.value;
    case node_kind::in:
      if (!v) return n.in_null;
      return n.values.count(std::string{*v}) > 0;
    case node_kind::bound: {
      if (!v) return false;
      if (n.lower) {
        auto c = compare(*v, *n.lower, n.order);
        if (!c || *c < 0 || (n.lower_strict && *c == 0)) return false;
      }
      if (n.upper) {
        auto c = compare(*v, *n.upper, n.order);
        if (!c || *c > 0 || (n.upper_strict && *c == 0)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool eval(const node& n, const row_buffer& row) {
  switch (n.kind) {
    case node_kind::not_:
      return !eval(*n.children[0], row);
    case node_kind::and_:
      for (const auto& c : n.children)
        if (!eval(*c, row)) return false;
      return true;
    case node_kind::or_:
      for (const auto& c : n.children)
        if (eval(*c, row)) return true;
      return false;
    default:
      break;
  }
  const raw_value& v = row[static_cast<size_t>(n.slot)];
  switch (v.kind) {
    case value_kind::absent:
    case value_kind::null:
      return match_value(n, std::nullopt);
    case value_kind::boolean:
      return match_value(
          n, v.boolean ? std::string_view{"true"} : std::string_view{"false"});
    case value_kind::array: {
      if (v.items_count == 0) return match_value(n, std::nullopt);
      for (uint32_t i = 0; i < v.items_count; ++i)
        if (match_value(n, row.items[v.items_begin + i])) return true;
      return false;
    }
    default:
      return match_value(n, v.text);
  }
}

}  // namespace

caf::expected<row_filter> row_filter::compile(const json& filter, field_router& router) {
  auto root = build(filter, router);
  if (!root) return root.error();
  row_filter f;
  f.root_ = std::move(*root);
  return f;
}

bool row_filter::matches(const row_buffer& row) const {
  return !root_ || eval(*root_, row);
}

}  // namespace sv::core::ingest
