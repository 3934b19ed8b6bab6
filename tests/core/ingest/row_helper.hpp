#pragma once
// Test helper: fills a row_buffer from a JSON object (what the real parsers
// do from bytes), keeping the text it points into alive.

#include <deque>
#include <string>

#include "core/ingest/row_buffer.hpp"
#include "core/json.hpp"

namespace sv::test {

struct json_rows {
  std::deque<std::string> texts;
  std::deque<core::json> docs;

  void fill(const std::string& text, core::ingest::field_router& router,
            core::ingest::row_buffer& row) {
    docs.push_back(*core::json::parse(text));
    const auto& obj = docs.back();
    // Route every field first (schemaless discovery), then size the row.
    std::vector<std::pair<int32_t, const core::json*>> fields;
    for (const auto& m : obj.as_object()) {
      if (m.value.is_object()) continue;
      fields.emplace_back(router.slot_of(m.key), &m.value);
    }
    row.reset(router.slot_count());
    using core::ingest::value_kind;
    for (auto [slot, v] : fields) {
      if (slot < 0) continue;
      auto& rv = row[static_cast<size_t>(slot)];
      if (v->is_null()) {
        rv.kind = value_kind::null;
      } else if (v->is_bool()) {
        rv.kind = value_kind::boolean;
        rv.boolean = v->as_bool();
      } else if (v->is_int()) {
        rv.kind = value_kind::integer;
        rv.integer = v->as_int();
        rv.text = texts.emplace_back(v->dump());
      } else if (v->is_real()) {
        rv.kind = value_kind::real;
        rv.real = v->as_real();
        rv.text = texts.emplace_back(v->dump());
      } else if (v->is_string()) {
        rv.kind = value_kind::string;
        rv.text = v->as_string();
      } else if (v->is_array()) {
        rv.kind = value_kind::array;
        for (const auto& e : v->as_array())
          row.add_item(rv, e.is_string()
                               ? std::string_view{e.as_string()}
                               : std::string_view{texts.emplace_back(e.dump())});
      }
    }
  }
};

}  // namespace sv::test
