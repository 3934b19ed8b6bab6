#include "adapters/kafka/mock_cluster.hpp"

#include <charconv>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "adapters/kafka/kafka_common.hpp"

namespace sv::adapters {

namespace {

class rdkafka_mock final : public mock_cluster {
 public:
  rdkafka_mock(rd_kafka_t* owner, rd_kafka_mock_cluster_t* mc, int brokers)
      : owner_(owner),
        mc_(mc),
        brokers_(brokers),
        bootstrap_(rd_kafka_mock_cluster_bootstraps(mc)) {}

  ~rdkafka_mock() override {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(owner_);
  }

  std::string bootstrap() const override { return bootstrap_; }
  int brokers() const override { return brokers_; }

  caf::error create_topic(const std::string& name, int partitions) override {
    if (name.empty() || partitions < 1)
      return make_error(errc::stream_config,
                        "a topic needs a name and at least one partition");
    return check(rd_kafka_mock_topic_create(mc_, name.c_str(), partitions, 1),
                 "create topic " + name);
  }

  caf::error set_broker_down(int broker) override {
    if (auto e = valid(broker)) return e;
    return check(rd_kafka_mock_broker_set_down(mc_, broker), "broker down");
  }

  caf::error set_broker_up(int broker) override {
    if (auto e = valid(broker)) return e;
    return check(rd_kafka_mock_broker_set_up(mc_, broker), "broker up");
  }

  caf::error set_broker_rtt(int broker, int ms) override {
    if (auto e = valid(broker)) return e;
    return check(rd_kafka_mock_broker_set_rtt(mc_, broker, ms), "broker rtt");
  }

  caf::error push_request_errors(int api_key, const std::vector<int>& errors) override {
    std::vector<rd_kafka_resp_err_t> codes;
    for (int e : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(e));
    rd_kafka_mock_push_request_errors_array(mc_, static_cast<int16_t>(api_key),
                                            codes.size(), codes.data());
    return {};
  }

  caf::error set_partition_leader(const std::string& topic, int partition,
                                  int broker) override {
    if (broker != -1)
      if (auto e = valid(broker)) return e;
    return check(
        rd_kafka_mock_partition_set_leader(mc_, topic.c_str(), partition, broker),
        "partition leader");
  }

 private:
  caf::error valid(int broker) const {
    if (broker == -1 || (broker >= 1 && broker <= brokers_)) return {};
    return make_error(errc::stream_config, "no broker " + std::to_string(broker) +
                                               " (brokers are 1.." +
                                               std::to_string(brokers_) + ")");
  }

  static caf::error check(rd_kafka_resp_err_t rc, const std::string& what) {
    if (rc) return kafka::to_error(rc, what);
    return {};
  }

  rd_kafka_t* owner_;
  rd_kafka_mock_cluster_t* mc_;
  int brokers_;
  std::string bootstrap_;
};

}  // namespace

caf::expected<std::unique_ptr<mock_cluster>> start_mock_cluster(int brokers) {
  if (brokers < 1)
    return make_error(errc::stream_config, "a mock cluster needs a broker");
  char err[512];
  auto* conf = rd_kafka_conf_new();
  kafka::route_logs(conf);
  rd_kafka_t* owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!owner)
    return make_error(errc::stream_config, std::string{"mock cluster owner: "} + err);
  auto* mc = rd_kafka_mock_cluster_new(owner, brokers);
  if (!mc) {
    rd_kafka_destroy(owner);
    return make_error(errc::stream_failed, "cannot start the mock cluster");
  }
  return std::unique_ptr<mock_cluster>{
      std::make_unique<rdkafka_mock>(owner, mc, brokers)};
}

int kafka_error_code(const std::string& name) {
  int code = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), code);
  if (ec == std::errc{} && ptr == name.data() + name.size()) return code;
  const struct rd_kafka_err_desc* descs = nullptr;
  size_t n = 0;
  rd_kafka_get_err_descs(&descs, &n);
  for (size_t i = 0; i < n; ++i)
    if (descs[i].name && name == descs[i].name) return descs[i].code;
  return RD_KAFKA_RESP_ERR_UNKNOWN;
}

}  // namespace sv::adapters
