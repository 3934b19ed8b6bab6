#pragma once
// Shared helpers of the librdkafka adapters (internal to adapters/kafka).

#include <string>

#include <librdkafka/rdkafka.h>

#include "adapters/errc.hpp"
#include "core/json.hpp"

namespace sv::adapters::kafka {

/// Maps a librdkafka error code to an adapters error with `what` as context.
caf::error to_error(rd_kafka_resp_err_t err, const std::string& what);

/// True for errors that mean "no broker reachable right now".
bool is_unreachable(rd_kafka_resp_err_t err);

/// Applies properties to `conf`. Values may be strings, numbers or booleans.
caf::error apply_properties(rd_kafka_conf_t* conf, const core::json::object& props);

/// Sets one property, returning stream_config on failure.
caf::error set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

/// Up to `max` messages of `queue`, returning as soon as any are there:
/// rd_kafka_consume_batch_queue alone waits until `max` arrived or the
/// timeout passed, so a reader would sit idle while its first fetches (or a
/// slow stream's few records) wait in the queue. -1 on error, as librdkafka.
ssize_t consume_available(rd_kafka_queue_t* queue, int timeout_ms,
                          rd_kafka_message_t** out, size_t max);

/// Routes librdkafka's log lines (warnings and above) to spdlog.
void route_logs(rd_kafka_conf_t* conf);

}  // namespace sv::adapters::kafka
