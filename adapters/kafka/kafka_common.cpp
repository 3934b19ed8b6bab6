#include "adapters/kafka/kafka_common.hpp"

#include <string_view>

#include <spdlog/spdlog.h>

namespace sv::adapters::kafka {

bool is_unreachable(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__RESOLVE ||
         err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
         err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
         err == RD_KAFKA_RESP_ERR__WAIT_COORD;
}

caf::error to_error(rd_kafka_resp_err_t err, const std::string& what) {
  std::string msg =
      what + ": " + rd_kafka_err2str(err) + " (" + rd_kafka_err2name(err) + ")";
  if (is_unreachable(err)) return make_error(errc::stream_unreachable, std::move(msg));
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return make_error(errc::unknown_topic, std::move(msg));
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return make_error(errc::authorization_failed, std::move(msg));
    default:
      return make_error(errc::stream_failed, std::move(msg));
  }
}

caf::error set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) !=
      RD_KAFKA_CONF_OK)
    return make_error(errc::stream_config, "consumer property '" + key + "': " + err);
  return {};
}

caf::error apply_properties(rd_kafka_conf_t* conf, const core::json::object& props) {
  for (const auto& m : props) {
    if (m.key.rfind("druid.", 0) == 0 || m.key == "key.deserializer" ||
        m.key == "value.deserializer")
      continue;
    std::string value;
    if (m.value.is_string())
      value = m.value.as_string();
    else if (m.value.is_number() || m.value.is_bool())
      value = m.value.dump();
    else
      return make_error(errc::stream_config, "consumer property '" + m.key +
                                                 "' must be a string, number or boolean");
    if (auto e = set(conf, m.key, value)) return e;
  }
  return {};
}

void route_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t*, int level, const char* fac, const char* buf) {
        // syslog levels: 0..3 error, 4 warning, 5..7 notice/info/debug
        // The shared clients turn the legacy consumer's commits off on purpose
        // (kafka_shared.cpp); the property is deprecated but still the switch.
        if (std::string_view{buf}.find("auto.commit.enable is deprecated") !=
            std::string_view::npos)
          return;
        if (level <= 3)
          spdlog::error("kafka {}: {}", fac, buf);
        else if (level == 4)
          spdlog::warn("kafka {}: {}", fac, buf);
      });
}

ssize_t consume_available(rd_kafka_queue_t* queue, int timeout_ms,
                          rd_kafka_message_t** out, size_t max) {
  auto n = rd_kafka_consume_batch_queue(queue, 0, out, max);
  if (n != 0 || timeout_ms <= 0 || max == 0) return n;
  // Nothing yet: wait for one message, then take what came with it.
  rd_kafka_message_t* first = rd_kafka_consume_queue(queue, timeout_ms);
  if (!first)  // the timeout passed, or an error librdkafka keeps as its last
    return rd_kafka_last_error() == RD_KAFKA_RESP_ERR__TIMED_OUT ? 0 : -1;
  out[0] = first;
  auto rest = rd_kafka_consume_batch_queue(queue, 0, out + 1, max - 1);
  return rest < 0 ? 1 : rest + 1;
}

}  // namespace sv::adapters::kafka
