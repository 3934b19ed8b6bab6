// One conformance suite for every metadata store implementation.

#include <latch>
#include <thread>

#include <doctest/doctest.h>

#include "adapters/errc.hpp"
#include "tests/adapters/store_env.hpp"

using namespace sv;
using core::json;
using core::offset_map;
using core::publish_outcome;

namespace {

core::segment_record segment(const std::string& ds, int64_t hour, int32_t partition = 0,
                             const std::string& version = "v1") {
  core::segment_record s;
  s.data_source = ds;
  s.start = core::utc_time{core::millis{hour * 3600000}};
  s.end = core::utc_time{core::millis{(hour + 1) * 3600000}};
  s.version = version;
  s.partition_num = partition;
  s.id = core::make_segment_id(ds, s.start, s.end, version, partition);
  s.size_bytes = 1234;
  s.num_rows = 10;
  s.path = "/segments/" + s.id;
  s.payload = json::make_object({{"dimensions", json{json::array{json{"page"}}}}});
  return s;
}

core::publish_request request(const std::string& sup, offset_map start, offset_map end,
                              std::vector<core::segment_record> segs = {}) {
  core::publish_request r;
  r.supervisor_id = sup;
  r.type = "kafka";
  r.stream = "events";
  r.segments = std::move(segs);
  r.start = std::move(start);
  r.end = end;
  r.commit_as = std::move(end);
  return r;
}

offset_map stored_offsets(adapters::metadata_store& s, const std::string& sup) {
  auto row = s.committed_offsets(sup);
  REQUIRE(row);
  REQUIRE(row->has_value());
  return (*row)->offsets;
}

}  // namespace

#define STORES test::sqlite_env, test::postgres_env

TEST_CASE_TEMPLATE("a new store is migrated to the latest schema, idempotently", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  auto v = s->schema_version();
  REQUIRE(v);
  CHECK(*v >= 1);
  CHECK(s->kind() == Env::name);
  auto again = test::open_store(env);
  CHECK(*again->schema_version() == *v);
}

TEST_CASE_TEMPLATE(
    "spec versions append, the latest per id wins, history is newest first", Env,
    STORES) {
  Env env;
  auto s = test::open_store(env);
  auto spec = [](int n) { return json::make_object({{"type", "kafka"}, {"n", n}}); };
  REQUIRE(s->append_spec("a", spec(1)));
  REQUIRE(s->append_spec("b", spec(2)));
  auto a3 = s->append_spec("a", spec(3));
  REQUIRE(a3);
  CHECK(a3->seq > 0);
  CHECK_FALSE(a3->created_date.empty());
  REQUIRE(s->append_spec("b", core::tombstone_payload({"ds-b"})));

  auto latest = s->latest_specs();
  REQUIRE(latest);
  REQUIRE(latest->size() == 2);
  CHECK((*latest)[0].spec_id == "a");
  CHECK((*latest)[0].payload == spec(3));
  CHECK(core::is_tombstone((*latest)[1].payload));

  auto hist = s->spec_history(std::string{"a"}, std::nullopt);
  REQUIRE(hist);
  REQUIRE(hist->size() == 2);
  CHECK((*hist)[0].payload == spec(3));
  CHECK((*hist)[1].payload == spec(1));

  auto last_one = s->spec_history(std::string{"a"}, 1);
  REQUIRE(last_one);
  CHECK(last_one->size() == 1);
  auto all = s->spec_history(std::nullopt, std::nullopt);
  REQUIRE(all);
  CHECK(all->size() == 4);
  auto all_last = s->spec_history(std::nullopt, 1);
  REQUIRE(all_last);
  CHECK(all_last->size() == 2);
  // Member order of the payload survives storage.
  auto ordered = json::make_object({{"z", 1}, {"a", 2}});
  REQUIRE(s->append_spec("c", ordered));
  CHECK(s->spec_history(std::string{"c"}, 1)->front().payload.dump() ==
        R"({"z":1,"a":2})");
}

TEST_CASE_TEMPLATE("committed offsets: absent, reset, read back, delete", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  auto none = s->committed_offsets("sup");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  core::committed_offsets row{"kafka", "events", {{"0", 5}, {"1", 7}}, std::nullopt, {}};
  REQUIRE_FALSE(s->reset_offsets("sup", row));
  auto back = s->committed_offsets("sup");
  REQUIRE(back);
  REQUIRE(back->has_value());
  CHECK(**back == row);
  row.offsets["0"] = 99;
  REQUIRE_FALSE(s->reset_offsets("sup", row));
  CHECK(stored_offsets(*s, "sup").at("0") == 99);
  CHECK(*s->delete_offsets("sup"));
  CHECK_FALSE(*s->delete_offsets("sup"));
  CHECK_FALSE(s->committed_offsets("sup")->has_value());
}

TEST_CASE_TEMPLATE(
    "edit offsets: merge into the row, drop partitions, create when absent", Env,
    STORES) {
  Env env;
  auto s = test::open_store(env);
  // Druid's resetOffsets example: {0:0,1:10,2:20,3:40} + {0:100,2:650}.
  auto created = s->edit_offsets("sup", "kafka", "events",
                                 {{"0", 0}, {"1", 10}, {"2", 20}, {"3", 40}}, {});
  REQUIRE(created);
  CHECK(created->stream == "events");
  auto merged = s->edit_offsets("sup", "kafka", "events", {{"0", 100}, {"2", 650}}, {});
  REQUIRE(merged);
  core::offset_map expect{{"0", 100}, {"1", 10}, {"2", 650}, {"3", 40}};
  CHECK(merged->offsets == expect);
  CHECK(stored_offsets(*s, "sup") == expect);
  auto dropped = s->edit_offsets("sup", "kafka", "events", {}, {"1", "3"});
  REQUIRE(dropped);
  CHECK(dropped->offsets == core::offset_map{{"0", 100}, {"2", 650}});
  CHECK(stored_offsets(*s, "sup") == dropped->offsets);
  // Where a supervisor started: only partitions without an offset take it.
  auto kept = s->edit_offsets("sup", "kafka", "events", {}, {}, {{"0", 7}, {"5", 42}});
  REQUIRE(kept);
  CHECK(kept->offsets == core::offset_map{{"0", 100}, {"2", 650}, {"5", 42}});
  CHECK(stored_offsets(*s, "sup") == kept->offsets);
  auto first = s->edit_offsets("fresh", "kafka", "events", {}, {}, {{"0", 3}});
  REQUIRE(first);
  CHECK(stored_offsets(*s, "fresh") == core::offset_map{{"0", 3}});
  // A publish continuing from the edited row commits.
  core::publish_request req;
  req.supervisor_id = "sup";
  req.type = "kafka";
  req.stream = "events";
  req.start = {{"0", 100}};
  req.end = req.commit_as = {{"0", 120}};
  auto r = s->publish(req);
  REQUIRE(r);
  CHECK(r->outcome == core::publish_outcome::committed);
  CHECK(stored_offsets(*s, "sup").at("0") == 120);
}

TEST_CASE_TEMPLATE("a first publish commits segments and offsets together", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  auto r = s->publish(request("sup", {{"0", 0}, {"1", 0}}, {{"0", 10}, {"1", 20}},
                              {segment("ds", 1), segment("ds", 2)}));
  REQUIRE(r);
  CHECK(r->outcome == publish_outcome::committed);
  CHECK_FALSE(r->stored.has_value());
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 10}, {"1", 20}});
  auto segs = s->segments("ds", true);
  REQUIRE(segs);
  REQUIRE(segs->size() == 2);
  CHECK((*segs)[0] == [&] {
    auto expect = segment("ds", 1);
    expect.supervisor_id = "sup";
    return expect;
  }());
  CHECK(*s->data_sources() == std::vector<std::string>{"ds"});
}

TEST_CASE_TEMPLATE("a publish continuing from the row commits and merges partitions", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE(
      s->publish(request("sup", {{"0", 0}, {"1", 0}}, {{"0", 10}, {"1", 20}}))->outcome ==
      publish_outcome::committed);
  auto r = s->publish(request("sup", {{"0", 10}}, {{"0", 15}}, {segment("ds", 3)}));
  REQUIRE(r);
  CHECK(r->outcome == publish_outcome::committed);
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 15}, {"1", 20}});
}

TEST_CASE_TEMPLATE("a publish whose start is ahead of the row changes nothing", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE(s->publish(request("sup", {{"0", 0}}, {{"0", 10}}))->outcome ==
          publish_outcome::committed);
  auto r = s->publish(request("sup", {{"0", 20}}, {{"0", 30}}, {segment("ds", 5)}));
  REQUIRE(r);
  CHECK(r->outcome == publish_outcome::ahead);
  REQUIRE(r->stored.has_value());
  CHECK(r->stored->offsets.at("0") == 10);
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 10}});
  CHECK(s->segments("ds", true)->empty());
}

TEST_CASE_TEMPLATE("a publish behind the row is diverged and changes nothing", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE(
      s->publish(request("sup", {{"0", 0}}, {{"0", 10}}, {segment("ds", 1)}))->outcome ==
      publish_outcome::committed);
  auto r = s->publish(request("sup", {{"0", 0}}, {{"0", 10}}, {segment("ds", 1, 1)}));
  REQUIRE(r);
  CHECK(r->outcome == publish_outcome::diverged);
  CHECK(s->segments("ds", true)->size() == 1);
}

TEST_CASE_TEMPLATE("commit-as moves the row past the published end", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  auto req =
      request("sup", {{"0", 0}, {"1", 0}}, {{"0", 40}, {"1", 50}}, {segment("ds", 1)});
  req.commit_as = {{"0", 100}, {"1", 120}};
  REQUIRE(s->publish(req)->outcome == publish_outcome::committed);
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 100}, {"1", 120}});
  // An offsets-only publish (no segments) is the same call.
  auto jump = request("sup", {{"1", 120}}, {{"1", 150}});
  REQUIRE(s->publish(jump)->outcome == publish_outcome::committed);
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 100}, {"1", 150}});
}

TEST_CASE_TEMPLATE("a bounded row only accepts publishes of the same bounded range", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  core::bounded_range range{{{"0", 0}}, {{"0", 100}}};
  auto first = request("bf", {{"0", 0}}, {{"0", 50}});
  first.bounded = range;
  REQUIRE(s->publish(first)->outcome == publish_outcome::committed);
  auto row = s->committed_offsets("bf");
  REQUIRE(row);
  CHECK((*row)->bounded == range);
  auto other = request("bf", {{"0", 50}}, {{"0", 80}});
  other.bounded = core::bounded_range{{{"0", 0}}, {{"0", 90}}};
  CHECK(s->publish(other)->outcome == publish_outcome::diverged);
  auto same = request("bf", {{"0", 50}}, {{"0", 100}});
  same.bounded = range;
  CHECK(s->publish(same)->outcome == publish_outcome::committed);
}

TEST_CASE_TEMPLATE("a failing segment insert rolls the offsets back too", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE(
      s->publish(request("sup", {{"0", 0}}, {{"0", 10}}, {segment("ds", 1)}))->outcome ==
      publish_outcome::committed);
  // Same segment id again under another supervisor: the insert fails.
  auto r = s->publish(
      request("other", {{"0", 0}}, {{"0", 10}}, {segment("ds", 2), segment("ds", 1)}));
  REQUIRE_FALSE(r);
  CHECK(adapters::is(r.error(), adapters::errc::store_failed));
  CHECK_FALSE(s->committed_offsets("other")->has_value());
  CHECK(s->segments("ds", true)->size() == 1);
  // The store stays usable after the failed transaction.
  CHECK(s->publish(request("other", {{"0", 0}}, {{"0", 10}}, {segment("ds", 2)}))
            ->outcome == publish_outcome::committed);
}

TEST_CASE_TEMPLATE(
    "two connections racing to publish the same range: exactly one commits", Env,
    STORES) {
  Env env;
  auto a = test::open_store(env);
  auto b = test::open_store(env);
  constexpr int rounds = 25;
  int committed = 0, diverged = 0;
  for (int k = 0; k < rounds; ++k) {
    offset_map start{{"0", k * 10}, {"1", k * 10}};
    offset_map end{{"0", k * 10 + 10}, {"1", k * 10 + 10}};
    caf::expected<core::publish_result> ra{caf::error{}}, rb{caf::error{}};
    std::latch go{2};  // both threads call publish at the same moment
    std::thread ta{[&] {
      go.arrive_and_wait();
      ra = a->publish(request("race", start, end, {segment("ds", k, 0, "a")}));
    }};
    std::thread tb{[&] {
      go.arrive_and_wait();
      rb = b->publish(request("race", start, end, {segment("ds", k, 0, "b")}));
    }};
    ta.join();
    tb.join();
    REQUIRE_MESSAGE(ra, core::error_message(ra.error()));
    REQUIRE_MESSAGE(rb, core::error_message(rb.error()));
    int c = (ra->outcome == publish_outcome::committed) +
            (rb->outcome == publish_outcome::committed);
    int d = (ra->outcome == publish_outcome::diverged) +
            (rb->outcome == publish_outcome::diverged);
    CHECK(c == 1);
    CHECK(d == 1);
    committed += c;
    diverged += d;
  }
  CHECK(committed == rounds);
  CHECK(a->segments("ds", true)->size() == static_cast<size_t>(rounds));
  CHECK(stored_offsets(*a, "race") == offset_map{{"0", rounds * 10}, {"1", rounds * 10}});
}

TEST_CASE_TEMPLATE("task rows upsert, read back and filter newest first", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  core::task_record t;
  t.id = "index_kafka_sup_1";
  t.supervisor_id = "sup";
  t.data_source = "ds";
  t.type = "index_kafka";
  t.group_id = 1;
  t.status = "RUNNING";
  t.created_date = "2026-01-01T00:00:00.000Z";
  t.location = "node-1";
  t.payload = json::make_object({{"startOffsets", json::make_object({{"0", 5}})}});
  REQUIRE_FALSE(s->upsert_task(t));
  auto t2 = t;
  t2.id = "index_kafka_other_1";
  t2.supervisor_id = "other";
  t2.created_date = "2026-01-01T00:00:01.000Z";
  REQUIRE_FALSE(s->upsert_task(t2));
  t.status = "SUCCESS";
  t.report = json::make_object({{"rowStats", json::make_object({{"processed", 10}})}});
  REQUIRE_FALSE(s->upsert_task(t));
  auto back = s->task(t.id);
  REQUIRE(back);
  REQUIRE(back->has_value());
  CHECK(**back == t);
  CHECK_FALSE(s->task("nope")->has_value());
  auto all = s->tasks({});
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == t2.id);
  core::task_filter f;
  f.supervisor_id = "sup";
  CHECK(s->tasks(f)->size() == 1);
  f = {};
  f.status = "RUNNING";
  CHECK(s->tasks(f)->front().id == t2.id);
  f = {};
  f.limit = 1;
  CHECK(s->tasks(f)->size() == 1);
}

TEST_CASE_TEMPLATE("audit rows append and list newest first", Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  for (int i = 0; i < 3; ++i) {
    core::audit_record a;
    a.key = i == 1 ? "other" : "sup";
    a.type = "supervisor.reset";
    a.author = "operator";
    a.comment = "round " + std::to_string(i);
    a.payload = json::make_object({{"i", i}});
    auto stored = s->append_audit(a);
    REQUIRE(stored);
    CHECK(stored->seq > 0);
    CHECK_FALSE(stored->created_date.empty());
  }
  auto rows = s->audit(std::string{"sup"}, std::nullopt);
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].comment == "round 2");
  CHECK((*rows)[1].payload == json::make_object({{"i", 0}}));
  CHECK(s->audit(std::nullopt, 1)->size() == 1);
}

TEST_CASE_TEMPLATE("granted time-chunk locks are kept in order, once, until dropped", Env,
                   STORES) {
  Env env;
  auto s = test::open_store(env);
  using namespace core::locks;
  auto at = [](int64_t h) { return core::utc_time{core::millis{h * 3600000}}; };
  lock_request a1{"wiki", "index_kafka_a", "a1", {at(0), at(1)}, lock_type::append};
  lock_request a2{"wiki", "index_kafka_a", "a2", {at(0), at(1)}, lock_type::append};
  lock_request b1{"wiki", "index_kafka_b", "b1", {at(1), at(2)}, lock_type::exclusive};
  REQUIRE_FALSE(s->persist_lock(a1));
  REQUIRE_FALSE(s->persist_lock(b1));
  REQUIRE_FALSE(s->persist_lock(a2));
  REQUIRE_FALSE(s->persist_lock(a1));  // again: kept once
  auto rows = s->task_locks();
  REQUIRE_MESSAGE(rows, core::error_message(rows.error()));
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].task_id == "a1");
  CHECK((*rows)[1].task_id == "b1");
  CHECK((*rows)[1].type == lock_type::exclusive);
  CHECK((*rows)[1].interval == time_interval{at(1), at(2)});
  CHECK((*rows)[1].group == "index_kafka_b");
  CHECK((*rows)[2].task_id == "a2");
  REQUIRE_FALSE(s->drop_locks("a1"));
  rows = s->task_locks();
  REQUIRE(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].task_id == "b1");
}

TEST_CASE("sqlite: data survives closing and reopening the file") {
  test::sqlite_env env;
  {
    auto s = test::open_store(env);
    REQUIRE(s->append_spec("a", json::make_object({{"x", 1}})));
    REQUIRE(s->publish(request("sup", {{"0", 0}}, {{"0", 3}}))->outcome ==
            publish_outcome::committed);
  }
  auto s = test::open_store(env);
  CHECK(s->latest_specs()->size() == 1);
  CHECK(stored_offsets(*s, "sup") == offset_map{{"0", 3}});
}

TEST_CASE("unknown store URIs are rejected with a clear error") {
  auto s = adapters::open_metadata_store("mysql://localhost/db");
  REQUIRE_FALSE(s);
  CHECK(adapters::is(s.error(), adapters::errc::bad_uri));
  CHECK(core::error_message(s.error()).find("sqlite:PATH") != std::string::npos);
}

TEST_CASE("an unreachable PostgreSQL server is reported as unavailable") {
  auto s = adapters::open_metadata_store("postgres://postgres@127.0.0.1:1/postgres");
  REQUIRE_FALSE(s);
  CHECK(adapters::is(s.error(), adapters::errc::store_unavailable));
}

TEST_CASE_TEMPLATE(
    "segments without ids get the interval's version and the next partition", Env,
    STORES) {
  Env env;
  auto s = test::open_store(env);
  auto unallocated = [](int64_t hour) {
    auto seg = segment("ds", hour);
    seg.id.clear();
    seg.version.clear();
    seg.partition_num = -1;
    return seg;
  };
  auto first = s->publish(request("a", {{"0", 0}}, {{"0", 10}},
                                  {unallocated(1), unallocated(1), unallocated(2)}));
  REQUIRE(first);
  REQUIRE(first->outcome == publish_outcome::committed);
  REQUIRE(first->segments.size() == 3);
  auto version = first->segments[0].version;
  CHECK_FALSE(version.empty());
  CHECK(first->segments[0].partition_num == 0);
  CHECK(first->segments[1].partition_num == 1);
  CHECK(first->segments[1].version == version);
  CHECK(first->segments[2].partition_num == 0);  // another interval
  CHECK(first->segments[1].id == core::make_segment_id("ds", first->segments[1].start,
                                                       first->segments[1].end, version,
                                                       1));
  // A second supervisor writing the same datasource and interval appends.
  auto second = s->publish(request("b", {{"0", 0}}, {{"0", 5}}, {unallocated(1)}));
  REQUIRE(second);
  CHECK(second->segments[0].version == version);
  CHECK(second->segments[0].partition_num == 2);
  CHECK(s->segments("ds", true)->size() == 4);
  // A diverged publish allocates nothing.
  auto lost = s->publish(request("a", {{"0", 0}}, {{"0", 10}}, {unallocated(1)}));
  CHECK(lost->outcome == publish_outcome::diverged);
  CHECK(lost->segments.empty());
  CHECK(s->segments("ds", true)->size() == 4);
}

TEST_CASE_TEMPLATE(
    "begin_backfill: spec, jump and audit in one transaction; the jump lands", Env,
    STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE_FALSE(s->reset_offsets(
      "main",
      core::committed_offsets{"kafka", "t", {{"0", 100}, {"1", 100}}, std::nullopt, {}}));
  core::offset_jump jump{{{"0", 300}}, {{"0", 900}}};
  core::audit_record audit;
  audit.key = "main";
  audit.type = "supervisor.resetToLatestAndBackfill";
  audit.payload = core::json::make_object({{"backfillSupervisorId", "main_backfill_x"}});
  auto v = s->begin_backfill("main", "kafka", "t", jump, "main_backfill_x",
                             core::json::make_object({{"id", "main_backfill_x"}}), audit);
  REQUIRE(v);
  CHECK(v->spec_id == "main_backfill_x");
  auto row = s->committed_offsets("main");
  REQUIRE(row);
  REQUIRE(row->has_value());
  CHECK((*row)->jump == jump);
  CHECK((*row)->offsets.at("0") == 100);
  CHECK(s->audit(std::string{"main"}, 1)->at(0).type ==
        "supervisor.resetToLatestAndBackfill");
  // A publish crossing from is refused; one ending at from jumps the row to 900.
  core::publish_request req;
  req.supervisor_id = "main";
  req.type = "kafka";
  req.stream = "t";
  req.start = {{"0", 100}};
  req.end = req.commit_as = {{"0", 350}};
  CHECK(s->publish(req)->outcome == core::publish_outcome::diverged);
  req.end = {{"0", 300}};
  req.commit_as = {{"0", 900}};
  CHECK(s->publish(req)->outcome == core::publish_outcome::committed);
  row = s->committed_offsets("main");
  CHECK((*row)->offsets.at("0") == 900);
  CHECK((*row)->jump.empty());
}

TEST_CASE_TEMPLATE(
    "begin_backfill: an id that ever had a spec version is refused with nothing written; "
    "the same call repeated is done once",
    Env, STORES) {
  Env env;
  auto s = test::open_store(env);
  REQUIRE_FALSE(s->reset_offsets(
      "main", core::committed_offsets{"kafka", "t", {{"0", 100}}, std::nullopt, {}}));
  core::audit_record audit;
  audit.key = "main";
  audit.type = "supervisor.resetToLatestAndBackfill";
  // An earlier backfill of that id, completed and terminated long ago.
  REQUIRE(s->append_spec("main_backfill_old", core::json::make_object({{"id", "old"}})));
  REQUIRE(s->append_spec("main_backfill_old", core::tombstone_payload({"main"})));
  core::offset_jump jump{{{"0", 300}}, {{"0", 900}}};
  auto spec = core::json::make_object({{"id", "main_backfill_old"}, {"n", 2}});
  auto taken =
      s->begin_backfill("main", "kafka", "t", jump, "main_backfill_old", spec, audit);
  REQUIRE_FALSE(taken);
  CHECK(adapters::is(taken.error(), adapters::errc::id_taken));
  CHECK((*s->committed_offsets("main"))->jump.empty());
  CHECK(s->audit(std::string{"main"}, 10)->empty());
  CHECK(s->spec_history(std::string{"main_backfill_old"}, 10)->size() == 2);

  // A fresh id commits; the very same call again (a lost reply) writes nothing more.
  auto fresh = core::json::make_object({{"id", "main_backfill_new"}});
  auto v =
      s->begin_backfill("main", "kafka", "t", jump, "main_backfill_new", fresh, audit);
  REQUIRE(v);
  auto again =
      s->begin_backfill("main", "kafka", "t", jump, "main_backfill_new", fresh, audit);
  REQUIRE(again);
  CHECK(again->seq == v->seq);
  CHECK(s->spec_history(std::string{"main_backfill_new"}, 10)->size() == 1);
  CHECK(s->audit(std::string{"main"}, 10)->size() == 1);
  CHECK((*s->committed_offsets("main"))->jump == jump);
}
