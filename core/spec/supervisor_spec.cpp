#include "core/spec/supervisor_spec.hpp"

#include "core/errc.hpp"
#include "core/spec/check.hpp"

namespace sv::core {

bool is_known_supervisor_type(std::string_view type) {
  return type == "kafka" || type == "kinesis" || type == "rabbit";
}

namespace {

const json* context_value(const supervisor_spec& s, std::string_view key) {
  if (!s.context) return nullptr;
  for (const auto& m : *s.context)
    if (m.key == key) return &m.value;
  return nullptr;
}

bool truthy(const json* v) {
  if (!v) return false;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string()) return v->as_string() == "true";
  return false;
}

// Reads the three parts from `src` (the "spec" object or the top level).
void read_parts(const json::object& src, const std::string& base, supervisor_spec& s,
                field_reader& r, std::vector<problem>& ps) {
  const json* ds = find_member(src, "dataSchema");
  const json* io = find_member(src, "ioConfig");
  const json* tc = find_member(src, "tuningConfig");
  r.ignore("dataSchema");
  r.ignore("ioConfig");
  r.ignore("tuningConfig");
  if (!ds || ds->is_null())
    check::add(ps, join_path(base, "dataSchema"), "required");
  else
    read_value(*ds, s.schema, join_path(base, "dataSchema"), ps);
  s.io.type = s.type;
  if (!io || io->is_null())
    check::add(ps, join_path(base, "ioConfig"), "required");
  else
    read_value(*io, s.io, join_path(base, "ioConfig"), ps);
  // Druid's rabbit docs say useEarliestSequenceNumber, its code reads
  // useEarliestOffset: either is taken (the alias stays as posted).
  if (s.type == "rabbit" && io && io->is_object() && !io->find("useEarliestOffset"))
    if (const json* alias = io->find("useEarliestSequenceNumber")) {
      if (alias->is_bool())
        s.io.use_earliest_offset = alias->as_bool();
      else
        check::add(ps, join_path(join_path(base, "ioConfig"), "useEarliestSequenceNumber"),
                   "must be a boolean");
    }
  s.tuning.type = s.type;
  if (s.type == "kinesis") s.tuning.handoff_condition_timeout = 0;
  if (tc && !tc->is_null())
    read_value(*tc, s.tuning, join_path(base, "tuningConfig"), ps);
  if (s.tuning.type.empty()) s.tuning.type = s.type;
}

}  // namespace

std::string supervisor_spec::task_lock_type() const {
  if (const json* v = context_value(*this, "useConcurrentLocks"); v && truthy(v))
    return "APPEND";
  if (const json* v = context_value(*this, "taskLockType"); v && v->is_string())
    return v->as_string();
  if (truthy(context_value(*this, "useSharedLock"))) return "SHARED";
  return "EXCLUSIVE";
}

bool supervisor_spec::uses_concurrent_locks() const {
  if (const json* v = context_value(*this, "useConcurrentLocks"); v && !v->is_null())
    return truthy(v);
  return task_lock_type() == "APPEND";
}

spec_result parse_supervisor_spec_text(std::string_view text) {
  auto parsed = json::parse(text);
  if (!parsed) {
    spec_result r;
    r.problems.push_back(problem{"", error_message(parsed.error())});
    return r;
  }
  return parse_supervisor_spec(*parsed);
}

spec_result parse_supervisor_spec(const json& posted) {
  spec_result result;
  auto& ps = result.problems;
  if (!posted.is_object()) {
    ps.push_back(problem{"", "the supervisor spec must be a JSON object"});
    return result;
  }
  supervisor_spec s;
  field_reader top{posted.as_object(), "", ps};
  top("type", s.type);
  std::optional<std::string> id;
  top("id", id);
  top("context", s.context);
  top("suspended", s.suspended);
  const json* nested = posted.find("spec");
  if (nested && !nested->is_null()) {
    top.ignore("spec");
    s.layout_prefix = "spec.";
    if (!nested->is_object()) {
      ps.push_back(problem{"spec", "must be an object"});
    } else {
      field_reader inner{nested->as_object(), "spec", ps};
      read_parts(nested->as_object(), "spec", s, inner, ps);
      s.spec_extra = inner.extras();
    }
    // Druid prints the parts at both levels; the copies at the top are ignored.
    top.ignore("dataSchema");
    top.ignore("ioConfig");
    top.ignore("tuningConfig");
  } else {
    top.ignore("spec");
    s.layout_prefix = "";
    read_parts(posted.as_object(), "", s, top, ps);
  }
  s.extra = top.extras();
  s.id = id && !id->empty() ? *id : s.schema.data_source;
  if (id && id->empty()) ps.push_back(problem{"id", "must not be empty when given"});
  auto more = validate(s);
  ps.insert(ps.end(), more.begin(), more.end());
  result.spec = std::move(s);
  return result;
}

std::vector<problem> validate(const supervisor_spec& s) {
  std::vector<problem> ps;
  if (s.type.empty()) {
    check::add(ps, "type", "required (kafka, kinesis or rabbit)");
  } else if (!is_known_supervisor_type(s.type)) {
    check::add(ps, "type", "must be kafka, kinesis or rabbit (got '" + s.type + "')");
    return ps;  // the rest depends on the type
  }
  if (!s.id.empty() && s.id != s.schema.data_source) check::id(s.id, "id", ps);
  const std::string base = s.layout_prefix.empty() ? "" : "spec";
  validate(s.schema, join_path(base, "dataSchema"), ps);
  validate(s.io, join_path(base, "ioConfig"), ps);
  validate(s.tuning, s.type, join_path(base, "tuningConfig"), ps);
  if (const json* v = context_value(s, "taskLockType"); v && !v->is_null()) {
    if (!v->is_string())
      check::add(ps, "context.taskLockType", "must be a string");
    else
      check::one_of(v->as_string(), {"EXCLUSIVE", "SHARED", "APPEND", "REPLACE"},
                    "context.taskLockType", ps);
  }
  if (const json* v = context_value(s, "useConcurrentLocks"); v && !v->is_null()) {
    bool ok = v->is_bool() ||
              (v->is_string() && (v->as_string() == "true" || v->as_string() == "false"));
    if (!ok) check::add(ps, "context.useConcurrentLocks", "must be true or false");
  }
  return ps;
}

json to_json(const supervisor_spec& s) {
  auto ds = write_value(s.schema);
  auto io = write_value(s.io);
  auto tc = write_value(s.tuning);
  json::object spec{{"dataSchema", ds}, {"ioConfig", io}, {"tuningConfig", tc}};
  for (const auto& m : s.spec_extra) spec.push_back(m);
  json::object out;
  out.push_back({"type", json{s.type}});
  out.push_back({"id", json{s.id}});
  out.push_back({"spec", json{std::move(spec)}});
  out.push_back({"dataSchema", std::move(ds)});
  out.push_back({"ioConfig", std::move(io)});
  out.push_back({"tuningConfig", std::move(tc)});
  out.push_back({"context", s.context ? json{*s.context} : json{}});
  out.push_back({"suspended", json{s.suspended}});
  for (const auto& m : s.extra) out.push_back(m);
  return json{std::move(out)};
}

std::string describe(const std::vector<problem>& ps) {
  std::string out;
  for (const auto& p : ps) {
    if (!out.empty()) out += "; ";
    if (!p.path.empty()) out += p.path + ": ";
    out += p.message;
  }
  return out;
}

supervisor_spec with_suspended(supervisor_spec s, bool suspended) {
  s.suspended = suspended;
  return s;
}

std::optional<std::string> illegal_update(const supervisor_spec& from,
                                          const supervisor_spec& to) {
  auto advice = [](const std::string& what) {
    return "Update of " + what +
           " is not supported for a running supervisor. To perform the update safely, "
           "follow these steps: (1) Suspend this supervisor, reset its offsets and then "
           "terminate it. (2) Create a new supervisor with the new configuration. Note "
           "that "
           "doing the reset can cause data duplication or loss if any topic used in the "
           "old "
           "supervisor is included in the new one too.";
  };
  if (from.type != to.type)
    return advice("the supervisor type from [" + from.type + "] to [" + to.type + "]");
  if (from.type == "kafka" &&
      from.io.topic_pattern.has_value() != to.io.topic_pattern.has_value())
    return advice("the input source from single-topic to multi-topic (or back)");
  if (from.stream() != to.stream())
    return advice("the input source stream from [" + from.stream() + "] to [" +
                  to.stream() + "]");
  return std::nullopt;
}

}  // namespace sv::core
