#include "http/coordinator_routes.hpp"

#include "core/errc.hpp"
#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

std::string joined(const json* names) {
  std::string out;
  if (!names || !names->is_array()) return out;
  for (const auto& n : names->as_array()) {
    if (!out.empty()) out += ',';
    out += n.is_string() ? n.as_string() : n.dump();
  }
  return out;
}

json data_segment(const core::segment_record& s) {
  const json* load = s.payload.find("loadSpec");
  return json::make_object({
      {"dataSource", s.data_source},
      {"interval", core::format_utc_time(s.start) + "/" + core::format_utc_time(s.end)},
      {"version", s.version},
      {"loadSpec", load ? *load : json{}},
      {"dimensions", joined(s.payload.find("dimensions"))},
      {"metrics", joined(s.payload.find("metrics"))},
      {"shardSpec",
       json::make_object(
           {{"type", "numbered"}, {"partitionNum", s.partition_num}, {"partitions", 0}})},
      {"binaryVersion", 9},
      {"size", s.size_bytes},
      {"identifier", s.id},
      {"numRows", s.num_rows},
  });
}

}  // namespace

void add_coordinator_routes(router& r, const route_context& ctx) {
  const std::string base = "/druid/coordinator/v1/metadata/datasources";
  auto& sys = ctx.sys;
  auto md = ctx.metadata;
  auto t = ctx.timeout;
  r.add("GET", base, [&sys, md, t](const request& req, const captures&) {
    auto names = ask<msg::data_source_list>(sys, md, t, msg::md_data_sources{});
    if (!names) return error_response(names.error());
    json::array out;
    for (const auto& n : names->names)
      if (may_read(req, n)) out.emplace_back(n);
    return response{200, json{std::move(out)}.dump()};
  });
  r.add("GET", base + "/{}/segments",
        [&sys, md, t](const request& req, const captures& c) {
          auto segs = ask<msg::segment_list>(sys, md, t, msg::md_segments{c[0], true});
          if (!segs) return error_response(segs.error());
          json::array out;
          for (const auto& s : segs->segments)
            out.push_back(req.has_param("full") ? data_segment(s) : json{s.id});
          return response{200, json{std::move(out)}.dump()};
        });
}

}  // namespace sv::http
