#include "core/task/task_spec.hpp"

#include "core/errc.hpp"

namespace sv::core::task {

namespace {

json opt_offsets(const std::optional<offset_map>& m) {
  return m ? to_json(*m) : json{};
}

caf::expected<std::optional<offset_map>> read_opt(const json& j, std::string_view key) {
  const json* v = j.find(key);
  if (!v || v->is_null()) return std::optional<offset_map>{};
  auto m = offset_map_from_json(*v);
  if (!m) return m.error();
  return std::optional<offset_map>{std::move(*m)};
}

}  // namespace

json to_json(const task_spec& t) {
  json::array checkpoints;
  for (const auto& c : t.checkpoints) checkpoints.push_back(to_json(c));
  json bounded;
  if (t.bounded)
    bounded = json::make_object({{"startSequenceNumbers", to_json(t.bounded->start)},
                                 {"endSequenceNumbers", to_json(t.bounded->end)}});
  return json::make_object({
      {"type", t.type()},
      {"id", t.id},
      {"supervisorId", t.supervisor_id},
      {"groupId", t.group_id},
      {"baseSequenceName", t.base_sequence_name},
      {"dataSource", t.data_source()},
      {"startOffsets", to_json(t.start)},
      {"checkpoints", json{std::move(checkpoints)}},
      {"endOffsets", opt_offsets(t.end)},
      {"commitAsOffsets", opt_offsets(t.commit_as)},
      {"boundedStreamConfig", bounded},
      {"minimumMessageTime",
       t.min_message_time ? json{format_utc_time(*t.min_message_time)} : json{}},
      {"maximumMessageTime",
       t.max_message_time ? json{format_utc_time(*t.max_message_time)} : json{}},
      {"spec", core::to_json(t.spec)},
  });
}

task_record task_row(const task_spec& t, std::string status, utc_time created,
                     std::string location, json report) {
  task_record row;
  row.id = t.id;
  row.supervisor_id = t.supervisor_id;
  row.data_source = t.data_source();
  row.type = t.type();
  row.group_id = t.group_id;
  row.status = std::move(status);
  row.created_date = format_utc_time(created);
  row.location = std::move(location);
  row.payload = to_json(t);
  row.report = std::move(report);
  return row;
}

caf::expected<task_spec> task_spec_from_json(const json& j) {
  task_spec t;
  auto str = [&](std::string_view key) -> std::string {
    const json* v = j.find(key);
    return v && v->is_string() ? v->as_string() : std::string{};
  };
  t.id = str("id");
  t.supervisor_id = str("supervisorId");
  t.base_sequence_name = str("baseSequenceName");
  if (const json* g = j.find("groupId"); g && g->is_int())
    t.group_id = static_cast<int32_t>(g->as_int());
  const json* spec = j.find("spec");
  if (!spec) return make_error(errc::invalid_input, "task payload without spec");
  auto parsed = parse_supervisor_spec(*spec);
  if (!parsed.spec) return make_error(errc::invalid_input, describe(parsed.problems));
  t.spec = std::move(*parsed.spec);
  const json* start = j.find("startOffsets");
  if (!start) return make_error(errc::invalid_input, "task payload without startOffsets");
  auto s = offset_map_from_json(*start);
  if (!s) return s.error();
  t.start = std::move(*s);
  if (const json* cps = j.find("checkpoints"); cps && cps->is_array())
    for (const auto& c : cps->as_array()) {
      auto m = offset_map_from_json(c);
      if (!m) return m.error();
      t.checkpoints.push_back(std::move(*m));
    }

  auto end = read_opt(j, "endOffsets");
  if (!end) return end.error();
  t.end = std::move(*end);
  auto commit = read_opt(j, "commitAsOffsets");
  if (!commit) return commit.error();
  t.commit_as = std::move(*commit);
  if (const json* b = j.find("boundedStreamConfig"); b && b->is_object()) {
    auto bs = read_opt(*b, "startSequenceNumbers");
    auto be = read_opt(*b, "endSequenceNumbers");
    if (!bs || !be || !*bs || !*be)
      return make_error(errc::invalid_input, "bad boundedStreamConfig");
    t.bounded = bounded_range{**bs, **be};
  }
  for (auto [key, field] : {std::pair{"minimumMessageTime", &t.min_message_time},
                            {"maximumMessageTime", &t.max_message_time}}) {
    auto v = str(key);
    if (v.empty()) continue;
    auto time = parse_utc_time(v);
    if (!time) return time.error();
    *field = *time;
  }
  return t;
}

}  // namespace sv::core::task
