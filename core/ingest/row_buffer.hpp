#pragma once
// What an input parser produces for one record: the values of the fields the
// schema cares about, by slot. Strings are views into the record (or the
// parser's buffer) and live until the next record is parsed.

#include <cstdint>
#include <string_view>
#include <vector>

namespace sv::core::ingest {

enum class value_kind : uint8_t { absent, null, string, integer, real, boolean, array };

struct raw_value {
  value_kind kind = value_kind::absent;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  /// The string, or the number's text as written (so "1.50" stays "1.50" in a
  /// string dimension).
  std::string_view text;
  uint32_t items_begin = 0;  ///< array elements in row_buffer::items
  uint32_t items_count = 0;

  bool present() const { return kind != value_kind::absent && kind != value_kind::null; }
};

/// Values of one record, indexed by slot (see field_router).
class row_buffer {
 public:
  /// Marks every slot absent (and without items); sizes to `slots`. What
  /// else a slot held stays: readers look at a value by its kind.
  void reset(size_t slots) {
    values.resize(slots);
    for (auto& v : values) {
      v.kind = value_kind::absent;
      v.items_begin = 0;
      v.items_count = 0;
    }
    items.clear();
  }
  raw_value& operator[](size_t slot) { return values[slot]; }
  const raw_value& operator[](size_t slot) const { return values[slot]; }

  /// Appends an array element (multi-value strings).
  void add_item(raw_value& v, std::string_view s) {
    if (v.items_count == 0) v.items_begin = static_cast<uint32_t>(items.size());
    items.push_back(s);
    ++v.items_count;
  }

  std::vector<raw_value> values;
  std::vector<std::string_view> items;
};

/// Maps input field names to slots. Parsers call it once per field; in
/// schemaless mode it may create a slot (a newly discovered dimension).
class field_router {
 public:
  virtual ~field_router() = default;
  /// The slot of `name`, or -1 when the field is not used.
  virtual int32_t slot_of(std::string_view name) = 0;
  /// Slots in use (row_buffer size).
  virtual size_t slot_count() const = 0;
};

}  // namespace sv::core::ingest
