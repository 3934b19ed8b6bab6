#pragma once
// The embedded Kafka's control API (loopback only), for demos and fault
// injection. Registered under a prefix: "" by `streamvisor kafka-dev`,
// "/streamvisor/v1/kafka" by `streamvisor serve`.
//
//   GET  {prefix}/                                    {"bootstrap", "brokers"}
//   POST {prefix}/topics                              {"name", "partitions"}
//   POST {prefix}/brokers/{id|all}/down | /up
//   POST {prefix}/brokers/{id|all}/rtt                {"ms"}
//   POST {prefix}/errors                              {"apiKey", "errors": [...]}
//   POST {prefix}/topics/{t}/partitions/{p}/leader    {"broker"}

#include <memory>
#include <string>

#include "adapters/kafka/mock_cluster.hpp"
#include "http/router.hpp"

namespace sv::http {

void add_kafka_control_routes(router& r, std::shared_ptr<adapters::mock_cluster> cluster,
                              const std::string& prefix);

}  // namespace sv::http
