#include "core/segment/segment_data.hpp"

namespace sv::core {

std::string_view to_string(column_type t) {
  switch (t) {
    case column_type::string:
      return "string";
    case column_type::long_:
      return "long";
    case column_type::float_:
      return "float";
    case column_type::double_:
      return "double";
  }
  return "string";
}

column_type column_type_of(std::string_view name) {
  if (name == "long") return column_type::long_;
  if (name == "float") return column_type::float_;
  if (name == "double") return column_type::double_;
  return column_type::string;
}

std::vector<std::string_view> column_data::strings(size_t row) const {
  std::vector<std::string_view> out;
  if (multi_value) {
    for (uint32_t i = offsets[row]; i < offsets[row + 1]; ++i)
      out.emplace_back(dictionary[ids[i] - 1]);
  } else if (ids[row] != 0) {
    out.emplace_back(dictionary[ids[row] - 1]);
  }
  return out;
}

const column_data* segment_data::dimension(std::string_view name) const {
  for (const auto& c : dimensions)
    if (c.name == name) return &c;
  return nullptr;
}

const column_data* segment_data::metric(std::string_view name) const {
  for (const auto& c : metrics)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {

json cell(const column_data& c, size_t r) {
  if (c.type == column_type::string) {
    auto vs = c.strings(r);
    if (vs.empty()) return json{};
    if (!c.multi_value) return json{vs[0]};
    json::array arr;
    for (auto v : vs) arr.emplace_back(v);
    return json{std::move(arr)};
  }
  if (c.is_null(r)) return json{};
  if (c.type == column_type::long_) return json{c.longs[r]};
  return json{c.doubles[r]};
}

}  // namespace

json segment_data::row_json(size_t r) const {
  json::object obj;
  obj.push_back({"__time", json{time[r]}});
  for (const auto& c : dimensions) obj.push_back({c.name, cell(c, r)});
  for (const auto& c : metrics) obj.push_back({c.name, cell(c, r)});
  return json{std::move(obj)};
}

}  // namespace sv::core
