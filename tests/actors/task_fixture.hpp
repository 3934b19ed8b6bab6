#pragma once
// A real runtime for task tests: embedded Kafka, SQLite metadata (wrapped for
// fault injection) behind a detached metadata actor, local deep storage and a
// work directory, on the normal (threaded) scheduler.

#include <filesystem>
#include <set>

#include <caf/all.hpp>

#include <doctest/doctest.h>

#include "actors/metadata_actor.hpp"
#include "actors/task_actor.hpp"
#include "adapters/deep_storage.hpp"
#include "adapters/segment/segment_file.hpp"
#include "core/errc.hpp"
#include "core/event_generator.hpp"
#include "messages/type_ids.hpp"
#include "tests/actors/faulty_store.hpp"
#include "tests/adapters/kafka_env.hpp"
#include "tests/adapters/store_env.hpp"

namespace sv::test {

struct task_fixture {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / unique_name("sv_task_");
  kafka_env kafka;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<faulty_store> store;
  std::unique_ptr<adapters::metadata_store>
      check;  ///< a second connection for assertions
  actors::metadata_actor metadata;
  std::shared_ptr<adapters::deep_storage> deep;
  /// The build pool tasks get (as on a node); null: they build on their thread.
  std::shared_ptr<actors::build_pool> builder;

  task_fixture() {
    std::filesystem::create_directories(dir);
    msg::register_message_types(cfg);
    cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(cfg);
    auto uri = "sqlite:" + (dir / "metadata.db").string();
    auto inner = adapters::open_metadata_store(uri);
    REQUIRE(inner);
    store = std::make_shared<faulty_store>(std::move(*inner));
    auto second = adapters::open_metadata_store(uri);
    REQUIRE(second);
    check = std::move(*second);
    metadata = actors::spawn_metadata_actor(*sys, store);
    auto d = adapters::open_local_deep_storage((dir / "segments").string());
    REQUIRE(d);
    deep = std::move(*d);
  }

  ~task_fixture() {
    caf::anon_send_exit(metadata, caf::exit_reason::user_shutdown);
    metadata = nullptr;
    sys->await_all_actors_done();
    sys.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// Produces `n` generated events per partition; returns their ids per partition in
  /// order.
  std::vector<std::vector<std::string>> produce(const std::string& topic, int partitions,
                                                int n, const std::string& run = "r") {
    core::event_generator gen{run, 7};
    std::vector<std::vector<std::string>> ids(static_cast<size_t>(partitions));
    std::string e;
    auto ts = *core::parse_utc_time("2026-01-01T10:00:00Z");
    for (int i = 0; i < n * partitions; ++i) {
      e.clear();
      gen.next(e, ts + core::millis{i * 1000});
      int p = i % partitions;
      ids[static_cast<size_t>(p)].push_back(
          (*core::json::parse(e)).find("id")->as_string());
      REQUIRE_FALSE(kafka.producer->produce(topic, p, {}, e));
    }
    REQUIRE_FALSE(kafka.producer->flush(std::chrono::seconds{30}));
    return ids;
  }

  /// A task spec over `topic` with one row per event (rollup off, "id" a dimension).
  core::task::task_spec spec(const std::string& id, const std::string& topic,
                             core::offset_map start, std::optional<core::offset_map> end,
                             const std::string& tuning = "{}") {
    auto text = R"({"type":"kafka","id":"sup","spec":{"dataSchema":{"dataSource":"wiki",
      "timestampSpec":{"column":"timestamp","format":"iso"},
      "dimensionsSpec":{"dimensions":["id","page","user","country"]},
      "metricsSpec":[{"type":"count","name":"count"},{"type":"longSum","name":"added","fieldName":"added"}],
      "granularitySpec":{"segmentGranularity":"HOUR","queryGranularity":"NONE","rollup":false}},
      "ioConfig":{"topic":")" +
                topic + R"(","inputFormat":{"type":"json"},
      "consumerProperties":{"bootstrap.servers":")" +
                kafka.cluster->bootstrap() +
                R"(","fetch.wait.max.ms":"10"}},
      "tuningConfig":)" +
                tuning + "}}";
    auto parsed = core::parse_supervisor_spec_text(text);
    REQUIRE_MESSAGE(parsed.ok(), core::describe(parsed.problems));
    core::task::task_spec t;
    t.id = id;
    t.supervisor_id = "sup";
    t.base_sequence_name = "index_kafka_sup";
    t.spec = *parsed.spec;
    t.start = std::move(start);
    t.end = std::move(end);
    return t;
  }

  actors::task_env env(actors::task_listener listener = {}) {
    actors::task_env e;
    e.metadata = metadata;
    e.deep_storage = deep;
    e.work_dir = (dir / "tasks").string();
    e.listener = std::move(listener);
    e.builder = builder;
    return e;
  }

  /// Runs a task to its end; returns its task row.
  core::task_record run(const core::task::task_spec& t,
                        actors::task_listener listener = {}) {
    auto task = actors::spawn_task(*sys, t, env(std::move(listener)));
    caf::scoped_actor self{*sys};
    self->wait_for(task);
    return row(t.id);
  }

  core::task_record row(const std::string& id) {
    // The task sent its final row update before it terminated, so a request
    // made now reaches the metadata actor after it.
    caf::scoped_actor self{*sys};
    bool synced = false;
    self->request(metadata, caf::infinite, msg::md_list_tasks{})
        .receive([&](msg::task_list&) { synced = true; }, [&](caf::error&) {});
    REQUIRE(synced);
    auto r = check->task(id);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->has_value(), ("no task row for " + id));
    return **r;
  }

  /// Every row of every used segment, as JSON.
  std::vector<core::json> published_rows() {
    std::vector<core::json> out;
    auto segs = check->segments("wiki", true);
    REQUIRE(segs);
    for (const auto& s : *segs) {
      auto data = adapters::read_segment(s.path);
      REQUIRE_MESSAGE(data, core::error_message(data.error()));
      CHECK(static_cast<int64_t>(data->rows()) == s.num_rows);
      for (size_t r = 0; r < data->rows(); ++r) out.push_back(data->row_json(r));
    }
    return out;
  }

  std::multiset<std::string> published_ids() {
    std::multiset<std::string> ids;
    for (const auto& r : published_rows()) ids.insert(r.find("id")->as_string());
    return ids;
  }
};

}  // namespace sv::test
