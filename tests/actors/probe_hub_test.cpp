// The node's shared stream probes (actors/probe_hub) against the embedded
// Kafka: one client per cluster serves supervisors of many topics.

#include <atomic>
#include <filesystem>

#include <doctest/doctest.h>
#include <caf/all.hpp>

#include "actors/probe_hub.hpp"
#include "actors/task/task_env.hpp"
#include "adapters/errc.hpp"
#include "core/errc.hpp"
#include "messages/type_ids.hpp"
#include "tests/adapters/kafka_env.hpp"

using namespace sv;
using namespace std::chrono_literals;
using core::offset_map;

namespace {

core::supervisor_spec spec_for(const std::string& topic_field,
                               const std::string& bootstrap,
                               const std::string& extra_property = "") {
  auto text = R"({"type":"kafka","spec":{
    "dataSchema":{"dataSource":"d","timestampSpec":{"column":"ts"},
      "dimensionsSpec":{"dimensions":[]},"granularitySpec":{"segmentGranularity":"HOUR"}},
    "ioConfig":{)" +
              topic_field + R"(,"consumerProperties":{"bootstrap.servers":")" +
              bootstrap + "\"" + extra_property + R"(},
      "inputFormat":{"type":"json"}}}})";
  auto r = core::parse_supervisor_spec_text(text);
  REQUIRE_MESSAGE(r.ok(), core::describe(r.problems));
  return *r.spec;
}

long threads_now() {
  long n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator{"/proc/self/task"})
    ++n;
  return n;
}

// Forwards to a real reader, counting the latest-offsets calls.
class counting_reader final : public adapters::stream_reader {
 public:
  counting_reader(std::unique_ptr<adapters::stream_reader> inner,
                  std::shared_ptr<std::atomic<int>> calls)
      : inner_(std::move(inner)), calls_(std::move(calls)) {}
  caf::expected<std::vector<core::partition_id>> partitions(
      std::chrono::milliseconds t) override {
    return inner_->partitions(t);
  }
  caf::expected<offset_map> earliest_offsets(const std::vector<core::partition_id>& ps,
                                             std::chrono::milliseconds t) override {
    return inner_->earliest_offsets(ps, t);
  }
  caf::expected<offset_map> latest_offsets(const std::vector<core::partition_id>& ps,
                                           std::chrono::milliseconds t) override {
    ++*calls_;
    return inner_->latest_offsets(ps, t);
  }
  caf::error assign(const offset_map& start) override { return inner_->assign(start); }
  caf::expected<size_t> poll(adapters::record_batch& out, size_t n,
                             std::chrono::milliseconds t) override {
    return inner_->poll(out, n, t);
  }
  offset_map position() const override { return inner_->position(); }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<adapters::stream_reader> inner_;
  std::shared_ptr<std::atomic<int>> calls_;
};

// Topics t0..t{n-1} of `partitions` each; topic ti has i + 1 records per partition.
void make_topics(test::kafka_env& kafka, int n, int partitions) {
  for (int i = 0; i < n; ++i) {
    auto t = "t" + std::to_string(i);
    REQUIRE_FALSE(kafka.cluster->create_topic(t, partitions));
    kafka.fill(t, partitions, i + 1);
  }
}

struct hub_env {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<actors::probe_hub> hub;
  std::shared_ptr<std::atomic<int>> latest_calls = std::make_shared<std::atomic<int>>(0);

  explicit hub_env(const std::string& bootstrap) {
    msg::register_message_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    hub = std::make_shared<actors::probe_hub>(
        *sys,
        [bootstrap, calls = latest_calls](const core::supervisor_spec& spec)
            -> caf::expected<std::unique_ptr<adapters::stream_reader>> {
          auto r = actors::open_probe_reader(spec, "probe-test", bootstrap);
          if (!r) return r.error();
          return std::make_unique<counting_reader>(std::move(*r), calls);
        },
        actors::probe_source_of);
  }
  ~hub_env() { hub->stop(); }

  caf::expected<msg::stream_snapshot> probe(const core::supervisor_spec& spec) {
    caf::scoped_actor self{*sys};
    caf::expected<msg::stream_snapshot> out = caf::error{};
    self->request(hub->probe_for(spec), 20s, msg::probe_stream{true, {}})
        .receive([&](msg::stream_snapshot& s) { out = std::move(s); },
                 [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

}  // namespace

TEST_CASE("probe hub: one Kafka client answers supervisors of different topics") {
  test::kafka_env kafka;
  REQUIRE_FALSE(kafka.cluster->create_topic("clicks", 2));
  REQUIRE_FALSE(kafka.cluster->create_topic("views", 3));
  kafka.fill("clicks", 2, 10);
  kafka.fill("views", 3, 4);
  hub_env env{kafka.cluster->bootstrap()};
  auto bootstrap = kafka.cluster->bootstrap();

  auto clicks = env.probe(spec_for(R"("topic":"clicks")", bootstrap));
  REQUIRE_MESSAGE(clicks, core::error_message(clicks.error()));
  CHECK(clicks->partitions == std::vector<core::partition_id>{"0", "1"});
  CHECK(clicks->earliest == offset_map{{"0", 0}, {"1", 0}});
  CHECK(clicks->latest == offset_map{{"0", 10}, {"1", 10}});

  auto views = env.probe(spec_for(R"("topic":"views")", bootstrap));
  REQUIRE_MESSAGE(views, core::error_message(views.error()));
  CHECK(views->latest == offset_map{{"0", 4}, {"1", 4}, {"2", 4}});

  auto both = env.probe(spec_for(R"("topicPattern":"clicks|views")", bootstrap));
  REQUIRE_MESSAGE(both, core::error_message(both.error()));
  CHECK(both->latest == offset_map{{"clicks:0", 10},
                                   {"clicks:1", 10},
                                   {"views:0", 4},
                                   {"views:1", 4},
                                   {"views:2", 4}});
  CHECK(env.hub->clusters() == 1);

  SUBCASE("an unknown topic is unknown_topic; a topic created later is found at once") {
    auto missing = env.probe(spec_for(R"("topic":"orders")", bootstrap));
    REQUIRE_FALSE(missing);
    CHECK(adapters::is(missing.error(), adapters::errc::unknown_topic));
    REQUIRE_FALSE(kafka.cluster->create_topic("orders", 1));
    kafka.fill("orders", 1, 3);
    auto found = env.probe(spec_for(R"("topic":"orders")", bootstrap));
    REQUIRE_MESSAGE(found, core::error_message(found.error()));
    CHECK(found->latest == offset_map{{"0", 3}});
  }

  SUBCASE("other client properties are another cluster's client") {
    auto other =
        env.probe(spec_for(R"("topic":"clicks")", bootstrap, R"(,"client.rack":"r1")"));
    REQUIRE_MESSAGE(other, core::error_message(other.error()));
    CHECK(other->latest == offset_map{{"0", 10}, {"1", 10}});
    CHECK(env.hub->clusters() == 2);
  }
}

TEST_CASE("probe hub: forty supervisors of forty topics add one client's threads") {
  test::kafka_env kafka;
  auto bootstrap = kafka.cluster->bootstrap();
  make_topics(kafka, 40, 1);
  hub_env env{bootstrap};
  // The first probe opens the cluster's client.
  REQUIRE(env.probe(spec_for(R"("topic":"t0")", bootstrap)));
  auto threads = threads_now();
  for (int i = 0; i < 40; ++i) {
    auto s = env.probe(spec_for(R"("topic":"t)" + std::to_string(i) + "\"", bootstrap));
    REQUIRE_MESSAGE(s, core::error_message(s.error()));
    CHECK(s->latest == offset_map{{"0", i + 1}});
  }
  CHECK(env.hub->clusters() == 1);
  // A client per supervisor would have added several threads each.
  CHECK(threads_now() <= threads + 2);
}

TEST_CASE("probe hub: requests that arrive together share one latest-offsets call") {
  test::kafka_env kafka;
  auto bootstrap = kafka.cluster->bootstrap();
  make_topics(kafka, 20, 2);
  hub_env env{bootstrap};
  std::vector<actors::stream_probe_actor> probes;
  for (int i = 0; i < 200; ++i)
    probes.push_back(env.hub->probe_for(
        spec_for(R"("topic":"t)" + std::to_string(i % 20) + "\"", bootstrap)));
  caf::scoped_actor self{*env.sys};
  // All 200 asked at once; each answer is its own topic's.
  for (auto& p : probes) self->send(p, msg::probe_stream{false, {}});
  int answered = 0;
  std::map<int64_t, int> by_latest;  // topic ti has i + 1 records per partition
  for (int i = 0; i < 200; ++i)
    self->receive(
        [&](msg::stream_snapshot& s) {
          REQUIRE(s.latest.size() == 2);
          auto n = s.latest.begin()->second;
          CHECK(s.latest == offset_map{{"0", n}, {"1", n}});
          CHECK(s.earliest.empty());
          ++by_latest[n.value()];
          ++answered;
        },
        [&](caf::error& e) { FAIL(core::error_message(e)); },
        caf::after(30s) >> [&] { FAIL("no answer within 30 s"); });
  CHECK(answered == 200);
  std::map<int64_t, int> want;
  for (int i = 0; i < 20; ++i) want[i + 1] = 10;
  CHECK(by_latest == want);
  MESSAGE("latest-offsets calls for 200 requests: " << env.latest_calls->load());
  CHECK(env.latest_calls->load() < 200);
}

TEST_CASE("probe hub: a cluster that went away fails its probes at once for a second") {
  test::kafka_env kafka;
  auto bootstrap = kafka.cluster->bootstrap();
  REQUIRE_FALSE(kafka.cluster->create_topic("clicks", 2));
  kafka.fill("clicks", 2, 5);
  hub_env env{bootstrap};
  auto spec = spec_for(R"("topic":"clicks")", bootstrap);
  REQUIRE(env.probe(spec));
  REQUIRE_FALSE(kafka.cluster->set_broker_down(1));
  auto down = env.probe(spec);
  REQUIRE_FALSE(down);
  CHECK(adapters::is(down.error(), adapters::errc::stream_unreachable));
  // The next probe does not wait out a timeout of its own.
  auto t0 = std::chrono::steady_clock::now();
  auto again = env.probe(spec);
  auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(again);
  CHECK(adapters::is(again.error(), adapters::errc::stream_unreachable));
  CHECK(waited < 500ms);
  // Back up: a fresh client answers again (polled with a deadline).
  REQUIRE_FALSE(kafka.cluster->set_broker_up(1));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  caf::expected<msg::stream_snapshot> back = caf::error{};
  while (!(back = env.probe(spec)) && std::chrono::steady_clock::now() < deadline) {
  }
  REQUIRE_MESSAGE(back, core::error_message(back.error()));
  CHECK(back->latest == offset_map{{"0", 5}, {"1", 5}});
}
