#include "core/sql/sql_request.hpp"

#include <cmath>
#include <cstdio>

#include "core/errc.hpp"

namespace sv::core::sql {

namespace {

caf::error bad(const std::string& field, const std::string& why) {
  return make_error(errc::invalid_input, field + ": " + why);
}

json to_json(const cell& c) {
  if (const auto* i = std::get_if<int64_t>(&c)) return json{*i};
  if (const auto* d = std::get_if<double>(&c)) return json{*d};
  if (const auto* s = std::get_if<std::string>(&c)) return json{*s};
  return json{};
}

std::string csv_field(const cell& c) {
  std::string s;
  if (const auto* i = std::get_if<int64_t>(&c)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&c)) return json{*d}.dump();
  if (const auto* t = std::get_if<std::string>(&c)) s = *t;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string{"\"\""} : std::string(1, ch);
  return out + "\"";
}

}  // namespace

caf::expected<sql_request> parse_sql_request(const json& body) {
  if (!body.is_object()) return bad("body", "must be a JSON object with a query");
  sql_request r;
  const json* q = body.find("query");
  if (!q || !q->is_string() || q->as_string().empty())
    return bad("query", "required, the SQL text");
  r.query = q->as_string();
  if (const json* f = body.find("resultFormat"); f && !f->is_null()) {
    if (!f->is_string()) return bad("resultFormat", "must be a string");
    const auto& v = f->as_string();
    if (v == "object" || v == "OBJECT")
      r.format = result_format::object;
    else if (v == "array" || v == "ARRAY")
      r.format = result_format::array;
    else if (v == "objectLines" || v == "OBJECTLINES")
      r.format = result_format::object_lines;
    else if (v == "arrayLines" || v == "ARRAYLINES")
      r.format = result_format::array_lines;
    else if (v == "csv" || v == "CSV")
      r.format = result_format::csv;
    else
      return bad("resultFormat",
                 "one of object, array, objectLines, arrayLines, csv (got '" + v + "')");
  }
  for (auto [key, field] :
       {std::pair{"header", &r.header}, std::pair{"typesHeader", &r.types_header},
        std::pair{"sqlTypesHeader", &r.sql_types_header}})
    if (const json* v = body.find(key); v && !v->is_null()) {
      if (!v->is_bool()) return bad(key, "must be true or false");
      *field = v->as_bool();
    }
  if ((r.types_header || r.sql_types_header) && !r.header)
    return bad("typesHeader", "needs header: true");
  if (const json* c = body.find("context"); c && !c->is_null()) {
    if (!c->is_object()) return bad("context", "must be an object");
    r.context = *c;
  }
  if (const json* ps = body.find("parameters"); ps && !ps->is_null()) {
    if (!ps->is_array()) return bad("parameters", "must be a list");
    for (size_t i = 0; i < ps->as_array().size(); ++i) {
      const auto& p = ps->as_array()[i];
      auto at = "parameters[" + std::to_string(i) + "]";
      const json* v = p.find("value");
      if (!p.is_object() || !v) return bad(at, "must be {\"type\": ..., \"value\": ...}");
      if (v->is_int())
        r.parameters.emplace_back(v->as_int());
      else if (v->is_real())
        r.parameters.emplace_back(v->as_real());
      else if (v->is_string())
        r.parameters.emplace_back(v->as_string());
      else if (v->is_bool())
        r.parameters.emplace_back(int64_t{v->as_bool() ? 1 : 0});
      else if (v->is_null())
        r.parameters.emplace_back();
      else
        return bad(at + ".value", "must be a number, string, boolean or null");
    }
  }
  return r;
}

formatted format_result(const sql_request& req, const result_set& r) {
  const bool lines = req.format == result_format::object_lines ||
                     req.format == result_format::array_lines;
  const bool objects =
      req.format == result_format::object || req.format == result_format::object_lines;
  std::vector<std::string> items;
  auto type_info = [&](const column& c) {
    json t{json::object{}};
    if (req.types_header) t.set("type", std::string{native_name(c.type)});
    if (req.sql_types_header) t.set("sqlType", std::string{sql_name(c.type)});
    return t;
  };
  if (req.format == result_format::csv) {
    std::string out;
    auto line = [&](auto field_of) {
      for (size_t i = 0; i < r.columns.size(); ++i) {
        if (i) out += ',';
        out += field_of(i);
      }
      out += "\n";
    };
    if (req.header) {
      line([&](size_t i) { return csv_field(cell{r.columns[i].name}); });
      if (req.types_header)
        line([&](size_t i) { return std::string{native_name(r.columns[i].type)}; });
      if (req.sql_types_header)
        line([&](size_t i) { return std::string{sql_name(r.columns[i].type)}; });
    }
    for (const auto& row : r.rows) line([&](size_t i) { return csv_field(row[i]); });
    return {out + "\n", "text/csv"};
  }
  if (req.header) {
    if (objects) {
      json h{json::object{}};
      for (const auto& c : r.columns)
        h.set(c.name, req.types_header || req.sql_types_header ? type_info(c) : json{});
      items.push_back(h.dump());
    } else {
      json::array names;
      for (const auto& c : r.columns) names.push_back(json{c.name});
      items.push_back(json{std::move(names)}.dump());
      if (req.types_header) {
        json::array types;
        for (const auto& c : r.columns)
          types.push_back(json{std::string{native_name(c.type)}});
        items.push_back(json{std::move(types)}.dump());
      }
      if (req.sql_types_header) {
        json::array types;
        for (const auto& c : r.columns)
          types.push_back(json{std::string{sql_name(c.type)}});
        items.push_back(json{std::move(types)}.dump());
      }
    }
  }
  for (const auto& row : r.rows) {
    if (objects) {
      json o{json::object{}};
      for (size_t i = 0; i < r.columns.size(); ++i)
        o.set(r.columns[i].name, to_json(row[i]));
      items.push_back(o.dump());
    } else {
      json::array a;
      for (const auto& c : row) a.push_back(to_json(c));
      items.push_back(json{std::move(a)}.dump());
    }
  }
  std::string out;
  if (lines) {
    for (const auto& i : items) out += i + "\n";
    return {out + "\n", "text/plain"};  // a blank line ends a complete answer
  }
  out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += items[i];
  }
  return {out + "]", "application/json"};
}

json sql_error(const std::string& code, const std::string& category,
               const std::string& message) {
  return json::make_object({{"error", "druidException"},
                            {"errorCode", code},
                            {"persona", "USER"},
                            {"category", category},
                            {"errorMessage", message},
                            {"context", json{json::object{}}}});
}

}  // namespace sv::core::sql
