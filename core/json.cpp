#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <unordered_map>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/errc.hpp"

namespace sv::core {

json::json(uint64_t x) {
  if (x <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    v_ = static_cast<int64_t>(x);
  else
    v_ = static_cast<double>(x);
}

json json::make_object(std::initializer_list<std::pair<std::string, json>> xs) {
  object obj;
  obj.reserve(xs.size());
  for (auto& [k, v] : xs) obj.push_back(member{k, v});
  return json{std::move(obj)};
}

const json* find_member(const json::object& obj, std::string_view key) {
  for (const auto& m : obj)
    if (m.key == key) return &m.value;
  return nullptr;
}

const json* json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& m : as_object())
    if (m.key == key) return &m.value;
  return nullptr;
}

json* json::find(std::string_view key) {
  if (!is_object()) return nullptr;
  for (auto& m : as_object())
    if (m.key == key) return &m.value;
  return nullptr;
}

void json::set(std::string_view key, json value) {
  if (auto* existing = find(key)) {
    *existing = std::move(value);
    return;
  }
  as_object().push_back(member{std::string{key}, std::move(value)});
}

void json::erase(std::string_view key) {
  auto& obj = as_object();
  std::erase_if(obj, [&](const member& m) { return m.key == key; });
}

std::string_view json::type_name() const {
  switch (type()) {
    case kind::null:
      return "null";
    case kind::boolean:
      return "boolean";
    case kind::integer:
      return "integer";
    case kind::real:
      return "number";
    case kind::string:
      return "string";
    case kind::array:
      return "array";
    case kind::object:
      return "object";
  }
  return "unknown";
}

bool operator==(const json& a, const json& b) {
  // Numbers compare by value across integer/real so 1 == 1.0.
  if (a.is_number() && b.is_number() && a.type() != b.type())
    return a.as_number() == b.as_number();
  return a.v_ == b.v_;
}

namespace {

template <class Writer>
void write(Writer& w, const json& x) {
  switch (x.type()) {
    case json::kind::null:
      w.Null();
      break;
    case json::kind::boolean:
      w.Bool(x.as_bool());
      break;
    case json::kind::integer:
      w.Int64(x.as_int());
      break;
    case json::kind::real:
      if (std::isfinite(x.as_real()))
        w.Double(x.as_real());
      else
        w.Null();  // JSON has no NaN/Infinity
      break;
    case json::kind::string:
      w.String(x.as_string().data(),
               static_cast<rapidjson::SizeType>(x.as_string().size()));
      break;
    case json::kind::array:
      w.StartArray();
      for (const auto& e : x.as_array()) write(w, e);
      w.EndArray();
      break;
    case json::kind::object:
      w.StartObject();
      for (const auto& m : x.as_object()) {
        w.Key(m.key.data(), static_cast<rapidjson::SizeType>(m.key.size()));
        write(w, m.value);
      }
      w.EndObject();
      break;
  }
}

// SAX handler that builds a json tree with an explicit stack.
class builder {
 public:
  bool Null() { return add(json{}); }
  bool Bool(bool b) { return add(json{b}); }
  bool Int(int i) { return add(json{int64_t{i}}); }
  bool Uint(unsigned u) { return add(json{int64_t{u}}); }
  bool Int64(int64_t i) { return add(json{i}); }
  bool Uint64(uint64_t u) {
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return add(json{static_cast<int64_t>(u)});
    return add(json{static_cast<double>(u)});
  }
  bool Double(double d) { return add(json{d}); }
  // Numbers arrive as their text (kParseNumbersAsStringsFlag) and are read
  // here: integers exactly, others as the nearest double (std::from_chars),
  // so what is printed reads back as the same value. RapidJSON's own strtod
  // is not used (its full-precision path misreads "0e-111").
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::string_view text{s, n};
    if (text.find_first_of("NI") != std::string_view::npos) {  // NaN, Infinity
      if (text.front() == 'N') return add(json{std::numeric_limits<double>::quiet_NaN()});
      auto inf = std::numeric_limits<double>::infinity();
      return add(json{text.front() == '-' ? -inf : inf});
    }
    if (text.find_first_of(".eE") == std::string_view::npos) {
      int64_t i = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc{} && end == text.data() + text.size()) return add(json{i});
    }
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc::result_out_of_range) {
      // Too small reads as zero (or a denormal); too large is an error.
      d = std::strtod(std::string{text}.c_str(), nullptr);
      if (std::isinf(d)) {
        number_too_big = true;
        return false;
      }
    } else if (ec != std::errc{}) {
      return false;
    }
    return add(json{d});
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return add(json{std::string{s, n}});
  }
  bool StartObject() {
    if (stack_.size() >= json::max_depth) return too_deep();
    stack_.push_back(frame{json{json::object{}}, {}});
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    stack_.back().key.assign(s, n);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() {
    if (stack_.size() >= json::max_depth) return too_deep();
    stack_.push_back(frame{json{json::array{}}, {}});
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return close(); }

  json result;
  bool nested_too_deep = false;
  bool number_too_big = false;

 private:
  bool too_deep() {
    nested_too_deep = true;
    return false;
  }

  struct frame {
    json value;
    std::string key;
  };

  bool add(json v) {
    if (stack_.empty()) {
      result = std::move(v);
      return true;
    }
    auto& top = stack_.back();
    if (top.value.is_array()) {
      top.value.as_array().push_back(std::move(v));
    } else {
      top.value.as_object().push_back(json::member{std::move(top.key), std::move(v)});
    }
    return true;
  }

  bool close() {
    auto v = std::move(stack_.back().value);
    stack_.pop_back();
    if (v.is_object()) dedupe(v.as_object());
    return add(std::move(v));
  }

  // Duplicate keys: the last value wins (as with Jackson), at the place the
  // key first appeared. Linear; most objects have none.
  static void dedupe(json::object& obj) {
    if (obj.size() < 2) return;
    std::unordered_map<std::string_view, size_t> seen;
    seen.reserve(obj.size());
    bool duplicates = false;
    for (size_t i = 0; i < obj.size() && !duplicates; ++i)
      duplicates = !seen.emplace(obj[i].key, i).second;
    if (!duplicates) return;
    json::object out;
    out.reserve(obj.size());
    std::unordered_map<std::string, size_t> at;
    for (auto& m : obj) {
      auto [it, fresh] = at.try_emplace(m.key, out.size());
      if (fresh)
        out.push_back(std::move(m));
      else
        out[it->second].value = std::move(m.value);
    }
    obj = std::move(out);
  }

  std::vector<frame> stack_;
};

}  // namespace

std::string json::dump() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  write(w, *this);
  return std::string{buf.GetString(), buf.GetSize()};
}

std::string json::dump_pretty() const {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w{buf};
  w.SetIndent(' ', 2);
  write(w, *this);
  return std::string{buf.GetString(), buf.GetSize()};
}

bool json::nests_deeper_than(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

caf::expected<json> json::parse(std::string_view text) {
  builder b;
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms{text.data(), text.size()};
  // Iterative: the parser's own stack does not grow with the nesting, which
  // the builder bounds (max_depth).
  constexpr unsigned flags =
      rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseNanAndInfFlag |
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  auto res = reader.Parse<flags>(ms, b);
  if (b.nested_too_deep)
    return make_error(errc::invalid_input, "malformed JSON at offset " +
                                               std::to_string(res.Offset()) +
                                               ": nested deeper than " +
                                               std::to_string(max_depth) + " levels");
  if (b.number_too_big)
    return make_error(errc::invalid_input,
                      "malformed JSON at offset " + std::to_string(res.Offset()) +
                          ": Number too big to be stored in double.");
  if (res.IsError())
    return make_error(errc::invalid_input, std::string{"malformed JSON at offset "} +
                                               std::to_string(res.Offset()) + ": " +
                                               rapidjson::GetParseError_En(res.Code()));
  // Anything but whitespace after the value is an error.
  for (size_t i = ms.Tell(); i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
      return make_error(errc::invalid_input, "malformed JSON at offset " +
                                                 std::to_string(i) +
                                                 ": unexpected text after the value");
  }
  return std::move(b.result);
}

}  // namespace sv::core
