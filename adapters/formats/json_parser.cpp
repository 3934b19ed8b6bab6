// The json input format on simdjson's On-Demand API (the ingest hot path).

#include <climits>
#include <cstring>

#include <simdjson.h>

#include "adapters/formats/parsers.hpp"
#include "core/ingest/fast_equal.hpp"
#include "core/json.hpp"

namespace sv::adapters {

namespace {

using core::ingest::raw_value;
using core::ingest::row_buffer;
using core::ingest::value_kind;
namespace od = simdjson::ondemand;

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
  return true;
}

// Whether the n bytes at p hold a backslash, 8 at a time (the last word may
// overlap the one before). Under 8 bytes, one word is read when the 8 bytes
// at p lie before `limit` (the bytes past n are masked off), else byte by byte.
bool has_backslash(const char* p, size_t n, const char* limit) {
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  // A bit per byte that is a backslash; a bit may also be set above (never
  // below) a backslash, so the bits of the first k bytes are exact.
  auto found = [&](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, 8);
    w ^= ones * '\\';  // a backslash becomes a zero byte
    return (w - ones) & ~w & highs;
  };
  if (n < 8) {
    if (limit - p >= 8) return (found(p) & ((uint64_t{1} << (8 * n)) - 1)) != 0;
    for (size_t i = 0; i < n; ++i)
      if (p[i] == '\\') return true;
    return false;
  }
  for (size_t i = 0; i + 8 < n; i += 8)
    if (found(p + i)) return true;
  return found(p + n - 8) != 0;
}

// A JSON integer of at most 18 digits (so it fits without overflow), without
// a leading zero; -0 is left to simdjson (it reads it as a double).
bool plain_integer(std::string_view s, int64_t& out) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.size() > 18 || (s[0] == '0' && s.size() > 1)) return false;
  int64_t v = 0;
  for (char c : s) {
    auto d = static_cast<unsigned>(c - '0');
    if (d > 9) return false;
    v = v * 10 + static_cast<int64_t>(d);
  }
  if (negative && v == 0) return false;
  out = negative ? -v : v;
  return true;
}

// True when the SIMDJSON_PADDING bytes after `s` lie on the page of its last
// byte, so reading them cannot fault.
bool readable_past(std::string_view s) {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
  return false;
#endif
#endif
  if (s.empty()) return false;
  constexpr uintptr_t page = 4096;  // the smallest page size
  auto last = reinterpret_cast<uintptr_t>(s.data()) + s.size() - 1;
  return last / page == (last + simdjson::SIMDJSON_PADDING) / page;
}

caf::error malformed(simdjson::error_code e) {
  return make_error(errc::stream_failed,
                    std::string{"malformed JSON: "} + simdjson::error_message(e));
}

class json_parser final : public input_parser {
 public:
  caf::error parse(std::string_view bytes, core::ingest::field_router& router,
                   row_buffer& row, const emit_fn& emit) override {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end (their content
    // does not change the result). When those bytes are on the record's last
    // page they can be read where the record is; otherwise (and under a
    // sanitizer, which would report the read) the record is copied into a
    // padded buffer.
    const char* in = bytes.data();
    if (!readable_past(bytes)) {
      buf_.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(buf_.data(), bytes.data(), bytes.size());
      in = buf_.data();
    }
    doc_begin_ = in;
    doc_end_ = in + bytes.size() + simdjson::SIMDJSON_PADDING;
    od::document doc;
    if (auto e =
            parser_.iterate(in, bytes.size(), bytes.size() + simdjson::SIMDJSON_PADDING)
                .get(doc))
      return malformed(e);
    if (auto err = one_document(doc, router, row)) return err;
    // Anything but whitespace after the first object means more objects.
    const char* loc = nullptr;
    bool more =
        !doc.current_location().get(loc) && loc < in + bytes.size() &&
        !blank(std::string_view{loc, static_cast<size_t>(in + bytes.size() - loc)});
    emit(row);
    if (!more) return {};
    if (in != buf_.data()) {  // iterate_many below reads the padded copy
      buf_.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
      std::memcpy(buf_.data(), bytes.data(), bytes.size());
    }
    doc_begin_ = buf_.data();
    doc_end_ = buf_.data() + buf_.size();
    return more_documents(bytes, router, row, emit);
  }

 private:
  // Rare: several JSON objects in one record. The first one was emitted already.
  caf::error more_documents(std::string_view bytes, core::ingest::field_router& router,
                            row_buffer& row, const emit_fn& emit) {
    od::document_stream stream;
    if (auto e = many_.iterate_many(buf_.data(), bytes.size(), 1 << 20).get(stream))
      return malformed(e);
    bool first = true;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      od::document_reference doc;
      if (auto e = (*it).get(doc)) return malformed(e);
      if (first) {  // already emitted
        first = false;
        continue;
      }
      if (auto err = one_document(doc, router, row)) return err;
      emit(row);
    }
    return {};
  }

  template <class Doc>
  caf::error one_document(Doc& doc, core::ingest::field_router& router, row_buffer& row) {
    row.reset(router.slot_count());
    if (&router != cached_router_) {
      key_cache_.clear();
      cached_router_ = &router;
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj))
      return e == simdjson::INCORRECT_TYPE
                 ? make_error(errc::stream_failed, "expected a JSON object per row")
                 : malformed(e);
    size_t position = 0;
    for (auto result : obj) {
      // The field is used where the iterator built it: copying it out (a
      // 16-byte load of what was just written as 8 + 4 bytes) missed store
      // forwarding on every field.
      if (auto e = result.error()) return malformed(e);
      od::field& field = result.value_unsafe();
      auto pos = position++;
      // The key as written, when it is the one this position had last time;
      // otherwise unescaped (before the value is read) and looked up.
      int32_t slot = cached_slot(pos, field.key());
      std::string_view key;
      if (slot == miss)
        if (auto e = field.unescaped_key().get(key)) return malformed(e);
      od::value& v = field.value();
      od::json_type type;
      if (auto e = v.type().get(type)) return malformed(e);
      if (type == od::json_type::object) {  // nested objects are not fields
        od::object nested;
        if (auto e = v.get_object().get(nested)) return malformed(e);
        if (auto err = check_depth(nested, 1)) return err;
        continue;
      }
      if (slot == miss) slot = slot_at(pos, key, router);
      if (slot < 0) {
        if (type == od::json_type::array) {  // not a field: skipped, but bounded
          od::array unread;
          if (auto e = v.get_array().get(unread)) return malformed(e);
          if (auto err = check_depth(unread, 1)) return err;
        }
        continue;
      }
      if (static_cast<size_t>(slot) >= row.values.size())
        row.values.resize(router.slot_count());
      auto& out = row[static_cast<size_t>(slot)];
      if (type == od::json_type::array) {
        if (auto err = read_array(v, row, out)) return err;
      } else if (auto e = read_scalar(v, type, out)) {
        return malformed(e);
      }
    }
    return {};
  }

  // A string, number, boolean or null (errors as simdjson's codes: a
  // caf::error per field, even an empty one, costs a call to destroy it).
  simdjson::error_code read_scalar(od::value& v, od::json_type type, raw_value& out) {
    switch (type) {
      case od::json_type::string: {
        out.kind = value_kind::string;
        // Without a backslash a string reads as it is written: its text lies
        // between the quotes, in the record (no unescaping copy).
        auto raw = trim(v.raw_json_token());
        if (raw.size() >= 2 && raw.back() == '"' &&
            !has_backslash(raw.data() + 1, raw.size() - 2, doc_end_)) {
          out.text = raw.substr(1, raw.size() - 2);
          return simdjson::SUCCESS;
        }
        return v.get_string().get(out.text);
      }
      case od::json_type::number: {
        out.text = trim(v.raw_json_token());
        if (plain_integer(out.text, out.integer)) {
          out.kind = value_kind::integer;
          return simdjson::SUCCESS;
        }
        od::number num;
        if (auto e = v.get_number().get(num)) return e;
        if (num.is_int64()) {
          out.kind = value_kind::integer;
          out.integer = num.get_int64();
        } else {
          out.kind = value_kind::real;
          out.real = num.as_double();
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::boolean:
        out.kind = value_kind::boolean;
        if (auto e = v.get_bool().get(out.boolean)) return e;
        out.text = out.boolean ? std::string_view{"true"} : std::string_view{"false"};
        return simdjson::SUCCESS;
      case od::json_type::null:
        out.kind = value_kind::null;
        return simdjson::SUCCESS;
      default:
        return simdjson::SUCCESS;
    }
  }

  // A multi-value string field: its strings, numbers and booleans as items.
  caf::error read_array(od::value& v, row_buffer& row, raw_value& out) {
    out.kind = value_kind::array;
    od::array arr;
    if (auto e = v.get_array().get(arr)) return malformed(e);
    for (auto elem : arr) {
      od::value ev;
      if (auto e = elem.get(ev)) return malformed(e);
      od::json_type et;
      if (auto e = ev.type().get(et)) return malformed(e);
      if (et == od::json_type::string) {
        std::string_view s;
        if (auto e = ev.get_string().get(s)) return malformed(e);
        row.add_item(out, s);
      } else if (et == od::json_type::number || et == od::json_type::boolean) {
        row.add_item(out, trim(ev.raw_json_token()));
      } else if (et == od::json_type::array) {
        od::array inner;
        if (auto e = ev.get_array().get(inner)) return malformed(e);
        if (auto err = check_depth(inner, 2)) return err;
      } else if (et == od::json_type::object) {
        od::object inner;
        if (auto e = ev.get_object().get(inner)) return malformed(e);
        if (auto err = check_depth(inner, 2)) return err;
      }
      // nulls, nested arrays and objects inside arrays are skipped
    }
    return {};
  }

  // A nested value that is skipped, at `depth` below the record: refused when
  // the record would nest deeper than core::json::max_depth (as everywhere
  // JSON is read), so records obey one limit whatever is ingested of them.
  template <class Nested>
  caf::error check_depth(Nested& nested, size_t depth) {
    std::string_view raw;
    if (auto e = nested.raw_json().get(raw)) return malformed(e);
    if (core::json::nests_deeper_than(raw, core::json::max_depth - depth))
      return make_error(errc::stream_failed, "malformed JSON: nested deeper than " +
                                                 std::to_string(core::json::max_depth) +
                                                 " levels");
    return {};
  }

  // Records of one stream mostly list the same fields in the same order, so
  // the slot of the field at each position is remembered: a short compare
  // instead of a hash lookup. Slots never change once given.
  int32_t slot_at(size_t pos, std::string_view key, core::ingest::field_router& router) {
    if (&router != cached_router_) {
      key_cache_.clear();
      cached_router_ = &router;
    }
    if (pos < key_cache_.size() && core::ingest::fast_equal(key_cache_[pos].name, key))
      return key_cache_[pos].slot;
    int32_t slot = router.slot_of(key);
    if (pos >= key_cache_.size()) key_cache_.resize(pos + 1);
    // A key without quotes or backslashes is written as it reads: the next
    // record's raw key can be compared with it as it is.
    bool plain = key.find_first_of("\\\"") == std::string_view::npos;
    key_cache_[pos] = {std::string{key}, std::string{key} + '"', slot, plain};
    return slot;
  }

  static constexpr int32_t miss = INT32_MIN;

  // The slot remembered for `pos` when the raw key there is the same plain
  // key (its bytes, then the closing quote), else `miss`. Reads only within
  // the document and its padding.
  int32_t cached_slot(size_t pos, od::raw_json_string raw) const {
    if (pos >= key_cache_.size() || !key_cache_[pos].plain) return miss;
    const auto& name = key_cache_[pos].name;
    const char* at = reinterpret_cast<const char*>(raw.raw());
    if (at < doc_begin_ || static_cast<size_t>(doc_end_ - at) <= name.size()) return miss;
    // The key and its closing quote, as written.
    const auto& quoted = key_cache_[pos].quoted;
    if (!core::ingest::fast_equal(std::string_view{at, quoted.size()}, quoted))
      return miss;
    return key_cache_[pos].slot;
  }

  od::parser parser_;
  od::parser many_;
  std::vector<char> buf_;
  struct cached_key {
    std::string name;    ///< unescaped
    std::string quoted;  ///< name and its closing quote (plain keys)
    int32_t slot = -1;
    bool plain = false;  ///< no quote or backslash: raw keys compare as they are
  };
  std::vector<cached_key> key_cache_;
  const char* doc_begin_ = nullptr;  ///< the document being parsed, with its padding
  const char* doc_end_ = nullptr;
  const core::ingest::field_router* cached_router_ = nullptr;
};

}  // namespace

std::unique_ptr<input_parser> make_json_parser() {
  return std::make_unique<json_parser>();
}

}  // namespace sv::adapters
