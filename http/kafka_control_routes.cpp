#include "http/kafka_control_routes.hpp"

#include <charconv>
#include <map>
#include <optional>

#include "core/errc.hpp"
#include "core/json.hpp"
#include "http/error_status.hpp"

namespace sv::http {

namespace {

using core::json;

response ok(json body) {
  return response{200, body.dump()};
}

caf::expected<json> body_of(const request& req) {
  if (req.body.empty()) return json{json::object{}};
  auto j = json::parse(req.body);
  if (!j) return j.error();
  if (!j->is_object())
    return core::make_error(core::errc::invalid_input, "body must be an object");
  return j;
}

std::optional<int> int_of(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int> broker_of(const std::string& s) {
  if (s == "all") return -1;
  return int_of(s);
}

// Kafka API keys by name, for {"apiKey": "Fetch"}.
std::optional<int> api_key_of(const json& v) {
  if (v.is_int()) return static_cast<int>(v.as_int());
  if (!v.is_string()) return std::nullopt;
  static const std::map<std::string, int> keys = {
      {"Produce", 0},          {"Fetch", 1},          {"ListOffsets", 2},
      {"Metadata", 3},         {"OffsetCommit", 8},   {"OffsetFetch", 9},
      {"FindCoordinator", 10}, {"JoinGroup", 11},     {"Heartbeat", 12},
      {"ApiVersions", 18},     {"InitProducerId", 22}};
  auto i = keys.find(v.as_string());
  if (i == keys.end()) return int_of(v.as_string());
  return i->second;
}

response done(const caf::error& err, json body) {
  if (err) return error_response(400, core::error_message(err));
  return ok(std::move(body));
}

}  // namespace

void add_kafka_control_routes(router& r, std::shared_ptr<adapters::mock_cluster> c,
                              const std::string& prefix) {
  r.add("GET", prefix + "/", [c](const request&, const captures&) {
    return ok(
        json::make_object({{"bootstrap", c->bootstrap()}, {"brokers", c->brokers()}}));
  });

  r.add("POST", prefix + "/topics", [c](const request& req, const captures&) {
    auto b = body_of(req);
    if (!b) return error_response(400, core::error_message(b.error()));
    const json* name = b->find("name");
    const json* parts = b->find("partitions");
    if (!name || !name->is_string() || name->as_string().empty())
      return error_response(400, "\"name\" is required");
    int n = parts && parts->is_int() ? static_cast<int>(parts->as_int()) : 4;
    return done(c->create_topic(name->as_string(), n),
                json::make_object({{"name", name->as_string()}, {"partitions", n}}));
  });

  for (bool down : {true, false}) {
    r.add("POST", prefix + (down ? "/brokers/{}/down" : "/brokers/{}/up"),
          [c, down](const request&, const captures& cap) {
            auto b = broker_of(cap[0]);
            if (!b) return error_response(400, "broker must be a number or \"all\"");
            auto err = down ? c->set_broker_down(*b) : c->set_broker_up(*b);
            return done(err, json::make_object({{"broker", cap[0]}, {"up", !down}}));
          });
  }

  r.add("POST", prefix + "/brokers/{}/rtt", [c](const request& req, const captures& cap) {
    auto b = broker_of(cap[0]);
    auto body = body_of(req);
    if (!b || !body)
      return error_response(400, "broker must be a number or \"all\"; body {\"ms\"}");
    const json* ms = body->find("ms");
    if (!ms || !ms->is_int() || ms->as_int() < 0)
      return error_response(400, "\"ms\" must be a non-negative integer");
    return done(c->set_broker_rtt(*b, static_cast<int>(ms->as_int())),
                json::make_object({{"broker", cap[0]}, {"rttMs", ms->as_int()}}));
  });

  r.add("POST", prefix + "/errors", [c](const request& req, const captures&) {
    auto body = body_of(req);
    if (!body) return error_response(400, core::error_message(body.error()));
    const json* key = body->find("apiKey");
    const json* errors = body->find("errors");
    auto api = key ? api_key_of(*key) : std::nullopt;
    if (!api || !errors || !errors->is_array())
      return error_response(
          400, "body needs \"apiKey\" (name or number) and \"errors\" (array)");
    std::vector<int> codes;
    for (const auto& e : errors->as_array()) {
      int code = e.is_int()
                     ? static_cast<int>(e.as_int())
                     : adapters::kafka_error_code(e.is_string() ? e.as_string() : "");
      if (!e.is_int() && code == -1)
        return error_response(
            400, "unknown Kafka error " + e.dump() +
                     " (use a name such as NOT_LEADER_FOR_PARTITION or a code)");
      codes.push_back(code);
    }
    return done(c->push_request_errors(*api, codes),
                json::make_object(
                    {{"apiKey", *api}, {"queued", static_cast<int64_t>(codes.size())}}));
  });

  r.add("POST", prefix + "/topics/{}/partitions/{}/leader",
        [c](const request& req, const captures& cap) {
          auto p = int_of(cap[1]);
          auto body = body_of(req);
          const json* broker = body ? body->find("broker") : nullptr;
          if (!p || !broker || !broker->is_int())
            return error_response(
                400, "partition must be a number; body {\"broker\": id or -1}");
          return done(
              c->set_partition_leader(cap[0], *p, static_cast<int>(broker->as_int())),
              json::make_object(
                  {{"topic", cap[0]}, {"partition", *p}, {"leader", broker->as_int()}}));
        });
}

}  // namespace sv::http
