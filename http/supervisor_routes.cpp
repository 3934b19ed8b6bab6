// /druid/indexer/v1/supervisor/... — Druid's supervisor API (reference §3).

#include "http/supervisor_routes.hpp"

#include "core/errc.hpp"
#include "core/spec/secrets.hpp"
#include "core/stream/stream_traits.hpp"
#include "http/access.hpp"
#include "http/ask.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

response ok(json body, int status = 200) {
  return response{status, body.dump()};
}

bool is_json_content(const std::string& content_type) {
  auto semi = content_type.find(';');
  auto base = content_type.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  return base == "application/json" || base == "text/json";
}

bool flag(const request& req, const std::string& key) {
  if (!req.has_param(key)) return false;
  auto v = req.param(key);
  return v.empty() || v == "true";
}

json summary_json(const core::supervisor_summary& s) {
  return json::make_object({{"id", s.id},
                            {"dataSource", s.data_source},
                            {"state", core::to_string(core::basic_of(s.state))},
                            {"detailedState", core::to_string(s.state)},
                            {"healthy", core::is_healthy(s.state)},
                            {"suspended", s.suspended}});
}

json listing_json(const msg::supervisor_listing& l, const request& req) {
  if (flag(req, "system")) {
    auto j = summary_json(l.summary);
    j.set("specString", core::mask_secrets(l.spec).dump());
    j.set("type", l.summary.type);
    j.set("source", l.summary.source);
    return j;
  }
  if (req.has_param("full")) {
    auto j = summary_json(l.summary);
    j.set("spec", core::mask_secrets(l.spec));
    return j;
  }
  return summary_json(l.summary);
}

// A positive int32 written in decimal, or nothing.
std::optional<int32_t> parse_positive(const std::string& text) {
  try {
    size_t used = 0;
    long v = std::stol(text, &used);
    if (used != text.size() || v <= 0 || v > INT32_MAX) return std::nullopt;
    return static_cast<int32_t>(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json history_entry(const core::spec_version& v) {
  return json::make_object(
      {{"spec", core::mask_secrets(v.payload)}, {"version", v.created_date}});
}

// Supervisors the caller may write (suspendAll, resumeAll, terminateAll).
std::vector<std::string> writable_ids(caf::actor_system& sys,
                                      const actors::manager_actor& mgr,
                                      std::chrono::milliseconds t, const request& req) {
  std::vector<std::string> out;
  if (auto list = ask<msg::supervisor_list>(sys, mgr, t, msg::list_supervisors{}))
    for (const auto& l : list->items)
      if (may_write(req, l.summary.data_source)) out.push_back(l.summary.id);
  return out;
}

// A posted spec that holds masked secrets (read from this API) gets them back
// from the running spec of the same id; 400 naming what cannot be restored.
caf::expected<std::string> restore_secrets(caf::actor_system& sys,
                                           const actors::manager_actor& mgr,
                                           std::chrono::milliseconds t,
                                           const std::string& body) {
  if (body.find(core::masked_secret) == std::string::npos) return body;
  auto posted = json::parse(body);
  if (!posted) return body;  // the parser reports it
  std::string id;
  if (const json* i = posted->find("id"); i && i->is_string()) id = i->as_string();
  if (id.empty()) id = data_source_of(*posted);
  auto current = ask<json>(sys, mgr, t, msg::get_supervisor_spec{id});
  auto left = core::restore_masked(*posted, current ? *current : json{});
  if (!left.empty()) {
    std::string paths;
    for (const auto& p : left) {
      if (!paths.empty()) paths += ", ";
      paths += p;
    }
    return core::make_error(core::errc::invalid_input,
                            "Invalid supervisor spec: " + paths + ": a masked secret (" +
                                std::string{core::masked_secret} + ") that supervisor [" +
                                id +
                                "] does not hold; give the secret itself or a password "
                                "provider");
  }
  return posted->dump();
}

}  // namespace

void add_supervisor_routes(router& r, const route_context& ctx) {
  const std::string base = "/druid/indexer/v1/supervisor";
  auto& sys = ctx.sys;
  auto mgr = ctx.manager;
  auto t = ctx.timeout;

  r.add("GET", base, [&sys, mgr, t](const request& req, const captures&) {
    auto list = ask<msg::supervisor_list>(sys, mgr, t, msg::list_supervisors{});
    if (!list) return error_response(list.error());
    json::array out;
    bool detailed = req.has_param("full") || flag(req, "state") || flag(req, "system");
    for (const auto& l : list->items)
      if (may_read(req, l.summary.data_source))
        out.push_back(detailed ? listing_json(l, req) : json{l.summary.id});
    return ok(json{std::move(out)});
  });

  r.add("POST", base, [&sys, mgr, t](const request& req, const captures&) {
    if (!is_json_content(req.content_type))
      return error_response(
          415, "Content-Type must be application/json (got '" + req.content_type + "')");
    auto text = restore_secrets(sys, mgr, t, req.body);
    if (!text) return error_response(text.error());
    auto parsed = core::parse_supervisor_spec_text(*text);
    if (!parsed.ok()) {
      // Druid's {"error": ...} plus every problem as {path, message} for tools.
      json::array problems;
      for (const auto& p : parsed.problems)
        problems.push_back(json::make_object({{"path", p.path}, {"message", p.message}}));
      auto body = json::make_object(
          {{"error", "Invalid supervisor spec: " + core::describe(parsed.problems)},
           {"errors", json{std::move(problems)}}});
      return response{400, body.dump()};
    }
    if (!may_write(req, parsed.spec->data_source())) return forbidden();
    msg::create_supervisor m{std::move(*parsed.spec),
                             flag(req, "skipRestartIfUnmodified"), author_of(req)};
    auto reply = ask<msg::create_supervisor_reply>(sys, mgr, t, std::move(m));
    if (!reply) return error_response(reply.error());
    return ok(json::make_object({{"id", reply->id}, {"restarted", reply->restarted}}));
  });

  r.add("GET", base + "/history", [&sys, mgr, t](const request& req, const captures&) {
    auto h = ask<msg::spec_history>(sys, mgr, t, msg::get_history{});
    if (!h) return error_response(h.error());
    json out{json::object{}};
    for (const auto& v : h->versions) {
      if (req.who && !may_read(req, data_source_of(v.payload))) continue;
      if (!out.find(v.spec_id)) out.set(v.spec_id, json{json::array{}});
      out.find(v.spec_id)->as_array().push_back(history_entry(v));
    }
    return ok(std::move(out));
  });

  for (bool suspend : {true, false}) {
    r.add("POST", base + (suspend ? "/suspendAll" : "/resumeAll"),
          [&sys, mgr, t, suspend](const request& req, const captures&) {
            if (req.who) {
              // Only the supervisors the caller may write (Druid's).
              for (const auto& id : writable_ids(sys, mgr, t, req))
                (void)ask<json>(sys, mgr, t,
                                msg::set_suspended{id, suspend, author_of(req)});
              return ok(json::make_object({{"status", "success"}}));
            }
            auto a = ask<msg::ack>(sys, mgr, t,
                                   msg::set_all_suspended{suspend, author_of(req)});
            if (!a) return error_response(a.error());
            return ok(json::make_object({{"status", "success"}}));
          });
  }

  r.add("POST", base + "/terminateAll",
        [&sys, mgr, t](const request& req, const captures&) {
          if (req.who) {
            for (const auto& id : writable_ids(sys, mgr, t, req))
              (void)ask<msg::ack>(sys, mgr, t,
                                  msg::terminate_supervisor{id, author_of(req)});
            return ok(json::make_object({{"status", "success"}}));
          }
          auto a = ask<msg::ack>(sys, mgr, t, msg::terminate_all{author_of(req)});
          if (!a) return error_response(a.error());
          return ok(json::make_object({{"status", "success"}}));
        });

  r.add("GET", base + "/{}", [&sys, mgr, t](const request&, const captures& c) {
    auto spec = ask<json>(sys, mgr, t, msg::get_supervisor_spec{c[0]});
    if (!spec) return error_response(spec.error());
    return ok(core::mask_secrets(*spec));
  });

  r.add("GET", base + "/{}/status", [&sys, mgr, t](const request&, const captures& c) {
    auto rep = ask<msg::supervisor_report>(sys, mgr, t, msg::get_supervisor_status{c[0]});
    if (!rep) return error_response(rep.error());
    return ok(json::make_object({{"id", rep->id},
                                 {"generationTime", rep->generation_time},
                                 {"payload", rep->payload}}));
  });

  // Recent aggregate lag, for the console's chart (a streamvisor extension).
  r.add("GET", base + "/{}/lagHistory",
        [&sys, mgr, t](const request&, const captures& c) {
          auto rep =
              ask<msg::supervisor_report>(sys, mgr, t, msg::get_supervisor_status{c[0]});
          if (!rep) return error_response(rep.error());
          json::array samples;
          for (size_t i = 0; i < rep->lag_times.size(); ++i)
            samples.push_back(
                json{json::array{json{rep->lag_times[i]}, json{rep->lag_values[i]}}});
          bool records = core::stream::traits_of(rep->summary.type).lag_in_records;
          return ok(json::make_object({{"unit", records ? "records" : "milliseconds"},
                                       {"samples", json{std::move(samples)}}}));
        });

  r.add("GET", base + "/{}/health", [&sys, mgr, t](const request&, const captures& c) {
    auto rep = ask<msg::supervisor_report>(sys, mgr, t, msg::get_supervisor_status{c[0]});
    if (!rep) return error_response(rep.error());
    bool healthy = core::is_healthy(rep->summary.state);
    return ok(json::make_object({{"healthy", healthy}}), healthy ? 200 : 503);
  });

  r.add("GET", base + "/{}/history",
        [&sys, mgr, t](const request& req, const captures& c) {
          int32_t count = 0;
          if (req.has_param("count")) {
            auto text = req.param("count");
            auto v = parse_positive(text);
            if (!v)
              return error_response(
                  400, "Count must be greater than zero if set (count: " + text + ")");
            count = *v;
          }
          auto h = ask<msg::spec_history>(sys, mgr, t, msg::get_history{c[0], count});
          if (!h) return error_response(h.error());
          json::array out;
          for (const auto& v : h->versions) out.push_back(history_entry(v));
          return ok(json{std::move(out)});
        });

  for (bool suspend : {true, false}) {
    r.add("POST", base + (suspend ? "/{}/suspend" : "/{}/resume"),
          [&sys, mgr, t, suspend](const request& req, const captures& c) {
            auto spec =
                ask<json>(sys, mgr, t, msg::set_suspended{c[0], suspend, author_of(req)});
            if (!spec) return error_response(spec.error());
            return ok(std::move(*spec));
          });
  }

  r.add("GET", base + "/{}/stats", [&sys, mgr, t](const request&, const captures& c) {
    auto stats = ask<json>(sys, mgr, t, msg::get_supervisor_stats{c[0]});
    if (!stats) return error_response(stats.error());
    return ok(std::move(*stats));
  });

  r.add("GET", base + "/{}/parseErrors",
        [&sys, mgr, t](const request&, const captures& c) {
          auto errors = ask<json>(sys, mgr, t, msg::get_parse_errors{c[0]});
          if (!errors) return error_response(errors.error());
          return ok(std::move(*errors));
        });

  r.add(
      "POST", base + "/{}/reset", [&sys, mgr, t](const request& req, const captures& c) {
        auto a = ask<msg::ack>(sys, mgr, t, msg::reset_supervisor{c[0], author_of(req)});
        if (!a) return error_response(a.error());
        return ok(json::make_object({{"id", c[0]}}));
      });

  r.add("POST", base + "/{}/resetOffsets",
        [&sys, mgr, t](const request& req, const captures& c) {
          if (!is_json_content(req.content_type))
            return error_response(415, "Content-Type must be application/json (got '" +
                                           req.content_type + "')");
          auto body = json::parse(req.body);
          if (!body)
            return error_response(
                400, "Invalid JSON body: " + core::error_message(body.error()));
          auto a = ask<msg::ack>(
              sys, mgr, t,
              msg::reset_supervisor_offsets{c[0], std::move(*body), author_of(req)});
          if (!a) return error_response(a.error());
          return ok(json::make_object({{"id", c[0]}}));
        });

  r.add("POST", base + "/{}/taskGroups/handoff",
        [&sys, mgr, t](const request& req, const captures& c) {
          auto body = json::parse(req.body.empty() ? "{}" : req.body);
          if (!body)
            return error_response(
                400, "Invalid JSON body: " + core::error_message(body.error()));
          std::vector<int32_t> groups;
          if (const json* ids = body->find("taskGroupIds"); ids && ids->is_array())
            for (const auto& g : ids->as_array()) {
              if (!g.is_int())
                return error_response(400, "taskGroupIds must be a list of integers");
              groups.push_back(static_cast<int32_t>(g.as_int()));
            }
          if (groups.empty())
            return error_response(400, "List of task groups to handoff can't be empty");
          auto a = ask<msg::ack>(sys, mgr, t,
                                 msg::handoff_task_groups{c[0], std::move(groups)});
          if (!a) return error_response(a.error());
          return response{202, ""};
        });

  // The reset-and-backfill endpoint (and its first name).
  for (const char* verb :
       {"/{}/resetToLatestAndBackfill", "/{}/resetOffsetsAndBackfill"}) {
    r.add("POST", base + verb, [&sys, mgr, t](const request& req, const captures& c) {
      int32_t task_count = 0;
      if (req.has_param("backfillTaskCount")) {
        auto text = req.param("backfillTaskCount");
        auto v = parse_positive(text);
        if (!v)
          return error_response(400, "backfillTaskCount must be a positive integer");
        task_count = *v;
      }
      auto reply = ask<msg::backfill_reply>(
          sys, mgr, t, msg::reset_and_backfill{c[0], task_count, author_of(req)});
      if (!reply) return error_response(reply.error());
      return ok(json::make_object({{"id", reply->id},
                                   {"backfillSupervisorId", reply->backfill_id},
                                   {"startOffsets", core::to_json(reply->start)},
                                   {"endOffsets", core::to_json(reply->end)}}));
    });
  }

  // Audit trail of one supervisor (spec changes, resets, backfills), newest first.
  r.add("GET", base + "/{}/audit", [ctx](const request& req, const captures& c) {
    int32_t count = 0;
    if (req.has_param("count")) {
      auto v = parse_positive(req.param("count"));
      if (!v) return error_response(400, "count must be a positive integer");
      count = *v;
    }
    auto rows = ask<msg::audit_list>(ctx.sys, ctx.metadata, ctx.timeout,
                                     msg::md_audit{c[0], count});
    if (!rows) return error_response(rows.error());
    json::array out;
    for (const auto& a : rows->records)
      out.push_back(json::make_object({{"key", a.key},
                                       {"type", a.type},
                                       {"author", a.author},
                                       {"comment", a.comment},
                                       {"payload", core::mask_secrets(a.payload)},
                                       {"createdDate", a.created_date}}));
    return ok(json{std::move(out)});
  });

  for (const char* verb : {"/{}/terminate", "/{}/shutdown"}) {
    r.add("POST", base + verb, [&sys, mgr, t](const request& req, const captures& c) {
      auto a =
          ask<msg::ack>(sys, mgr, t, msg::terminate_supervisor{c[0], author_of(req)});
      if (!a) return error_response(a.error());
      return ok(json::make_object({{"id", c[0]}}));
    });
  }
}

}  // namespace sv::http
