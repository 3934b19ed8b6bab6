// streamvisor verify: checks that a supervisor's datasource holds every
// record of its stream's committed range exactly once (core::verify::checker),
// optionally watching the committed offsets for moves backwards first.

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include "actors/task/task_env.hpp"
#include "adapters/metadata_store.hpp"
#include "adapters/segment/segment_file.hpp"
#include "app/commands.hpp"
#include "app/flags.hpp"
#include "core/errc.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "core/verify/checker.hpp"
#include "core/verify/leader_log.hpp"

namespace sv::app {

namespace {

using namespace std::chrono_literals;

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) {
  stop_requested = 1;
}

const char* usage = R"(usage: streamvisor verify --metadata URI --supervisor ID [options]

Checks that the supervisor's datasource holds every record of its stream exactly
once: reads the stream from its earliest offsets up to the committed offsets,
reads every used segment of the datasource back, and compares ids (segments of
the supervisor's backfill supervisors count too). Exit status 0 when clean, 1
on any violation (the first ids and offsets are printed), 2 when it cannot check.
The stream must still hold everything since the supervisor started.

  --metadata URI         the metadata store (sqlite:PATH, postgres://... or postgres:KEY=VALUE...)
  --supervisor ID        the supervisor (kafka or rabbit); its latest spec names the
                         datasource and the topic or super stream
  --id-field F           the field with each record's unique id (default id)
  --kafka SERVERS        Kafka bootstrap servers (default: the spec's consumerProperties)
  --follow               first watch the committed offsets every 200 ms until SIGINT or
                         SIGTERM: any move backwards is a violation
  --caught-up-within S   then wait up to S seconds for the committed offsets to reach the
                         stream's end (a violation if they do not; the time is printed)
  --cluster NAME         also check the cluster's leader log: every leader write
                         (specs, offsets edits, backfills, audit, locks) by the
                         epoch that led when it committed
  --report FILE          also write the report as JSON
  --listed N             ids listed per violation (default 20)
)";

int fail(const std::string& why) {
  std::cerr << "streamvisor verify: " << why << "\n";
  return 2;
}

struct options {
  std::string metadata, supervisor, id_field = "id", kafka, report, cluster;
  bool follow = false;
  int64_t caught_up_within = -1;
  int64_t listed = 20;
};

caf::expected<core::offset_map> committed(adapters::metadata_store& store,
                                          const std::string& id) {
  auto row = store.committed_offsets(id);
  if (!row) return row.error();
  return row->has_value() ? (*row)->offsets : core::offset_map{};
}

// Every record of `start` up to `end` (exclusive), its id to the checker.
caf::error read_stream(adapters::stream_reader& reader, const core::offset_map& start,
                       const core::offset_map& end, const std::string& id_field,
                       core::verify::checker& check) {
  core::offset_map from;
  for (const auto& [p, e] : end)
    if (auto s = start.find(p); s != start.end() && s->second < e) from[p] = s->second;
  if (from.empty()) return {};
  if (auto err = reader.assign(from)) return err;
  adapters::record_batch batch;
  auto done = [&] {
    auto at = reader.position();
    for (const auto& [p, e] : end)
      if (from.count(p) && at[p] < e) return false;
    return true;
  };
  auto deadline = std::chrono::steady_clock::now() + 300s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return core::make_error(core::errc::unavailable,
                              "the stream's committed range could not be read in 300 s");
    auto n = reader.poll(batch, 10000, 1000ms);
    if (!n) return n.error();
    for (const auto& r : batch.records) {
      const auto& p = batch.partition_of(r);
      if (r.offset >= end.at(p)) continue;
      auto j = core::json::parse(r.value);
      const core::json* id = j ? j->find(id_field) : nullptr;
      if (id && id->is_string())
        check.expect(id->as_string());
      else if (id && id->is_number())
        check.expect(id->dump());
      else
        check.expect_without_id(p, r.offset);
    }
    batch.clear();
  }
  return {};
}

caf::error read_segments(adapters::metadata_store& store, const std::string& datasource,
                         const std::string& id_field, core::verify::checker& check) {
  auto segs = store.segments(datasource, true);
  if (!segs) return segs.error();
  for (const auto& s : *segs) {
    auto data = adapters::read_segment(s.path);
    if (!data)
      return core::make_error(
          core::errc::unavailable,
          "segment " + s.id + ": " + core::error_message(data.error()));
    for (size_t r = 0; r < data->rows(); ++r) {
      auto row = data->row_json(r);
      const core::json* id = row.find(id_field);
      if (id && id->is_string())
        check.published(id->as_string());
      else if (id && id->is_number())
        check.published(id->dump());
      else
        check.published_without_id(s.id);
    }
  }
  return {};
}

void print(const core::verify::report& r, const std::string& datasource) {
  std::cout << "datasource " << datasource << ": " << r.expected
            << " records in the stream's committed range, " << r.published
            << " rows published\n";
  auto list = [](const char* what, const core::verify::violation_list& v) {
    if (v.count == 0) return;
    std::cout << "  " << what << ": " << v.count << "\n";
    for (const auto& s : v.first) std::cout << "    " << s << "\n";
  };
  list("missing", r.missing);
  list("duplicated", r.duplicated);
  list("not in the stream", r.unexpected);
  list("without an id", r.no_id);
  list("offsets", r.offsets);
  list("leader writes", r.leader_writes);
  std::cout << (r.ok() ? "OK: every record exactly once\n" : "VIOLATIONS\n");
}

}  // namespace

int run_verify(const std::vector<std::string>& args) {
  if (wants_help(args)) {
    std::cout << usage;
    return 0;
  }
  options o;
  std::vector<std::string> valued;  // --follow takes no value
  for (const auto& a : args)
    if (a == "--follow")
      o.follow = true;
    else
      valued.push_back(a);
  auto flags = parse_flags(valued);
  if (!flags) return fail(core::error_message(flags.error()));
  for (const auto& [k, v] : *flags) {
    if (k == "metadata")
      o.metadata = v;
    else if (k == "supervisor")
      o.supervisor = v;
    else if (k == "id-field")
      o.id_field = v;
    else if (k == "kafka")
      o.kafka = v;
    else if (k == "report")
      o.report = v;
    else if (k == "cluster")
      o.cluster = v;
    else if (k == "caught-up-within" || k == "listed") {
      auto n = flag_number(k, v, 0, 86400 * 7);
      if (!n) return fail(core::error_message(n.error()));
      (k == "listed" ? o.listed : o.caught_up_within) = *n;
    } else {
      return fail("unknown option '" + k + "'\n" + usage);
    }
  }
  if (o.metadata.empty() || o.supervisor.empty())
    return fail(std::string{"--metadata and --supervisor are required\n"} + usage);
  auto store = adapters::open_metadata_store(o.metadata);
  if (!store) return fail(core::error_message(store.error()));
  auto specs = (*store)->latest_specs();
  if (!specs) return fail(core::error_message(specs.error()));
  std::optional<core::supervisor_spec> spec;
  for (const auto& v : *specs)
    if (v.spec_id == o.supervisor) {
      auto parsed = core::parse_supervisor_spec(v.payload);
      if (!parsed.ok())
        return fail("the stored spec of " + o.supervisor + " is not valid");
      spec = *parsed.spec;
    }
  if (!spec) return fail("no supervisor " + o.supervisor + " in " + o.metadata);
  if (!o.kafka.empty() && spec->type != "kafka")
    return fail("--kafka applies to Kafka supervisors only");
  if (!o.kafka.empty()) {
    if (!spec->io.consumer_properties) spec->io.consumer_properties.emplace();
    auto& props = *spec->io.consumer_properties;
    std::erase_if(props, [](const auto& m) { return m.key == "bootstrap.servers"; });
    props.push_back({"bootstrap.servers", core::json{o.kafka}});
  }
  auto reader = actors::open_spec_reader(*spec, "streamvisor-verify", o.kafka);
  if (!reader) return fail(core::error_message(reader.error()));
  core::verify::checker check{static_cast<size_t>(o.listed)};

  if (o.follow) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::cerr << "following the committed offsets of " << o.supervisor << std::endl;
    std::optional<core::offset_map> last;
    while (!stop_requested) {
      if (auto row = committed(**store, o.supervisor); row && *row != last) {
        check.observe_committed(*row);
        std::cerr << "committed " << core::to_json(*row).dump() << std::endl;
        last = *row;
      }
      std::this_thread::sleep_for(200ms);
    }
  }
  auto partitions = (*reader)->partitions(10s);
  if (!partitions) return fail(core::error_message(partitions.error()));
  auto earliest = (*reader)->earliest_offsets(*partitions, 10s);
  if (!earliest) return fail(core::error_message(earliest.error()));
  auto row = committed(**store, o.supervisor);
  if (!row) return fail(core::error_message(row.error()));
  if (o.caught_up_within >= 0) {
    auto began = std::chrono::steady_clock::now();
    auto deadline = began + std::chrono::seconds{o.caught_up_within};
    caf::expected<core::offset_map> latest = core::offset_map{};
    while (true) {
      latest = (*reader)->latest_offsets(*partitions, 10s);
      if (!latest) return fail(core::error_message(latest.error()));
      row = committed(**store, o.supervisor);
      if (!row) return fail(core::error_message(row.error()));
      check.observe_committed(*row);
      if (*row == *latest || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(250ms);
    }
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began);
    std::cout << "caught up: " << (*row == *latest ? "yes" : "NO") << " after "
              << took.count() << " s (bound " << o.caught_up_within << " s)\n";
    check.expect_end(*row, *latest);
  }
  if (auto err = read_stream(**reader, *earliest, *row, o.id_field, check))
    return fail(core::error_message(err));
  if (auto err = read_segments(**store, spec->data_source(), o.id_field, check))
    return fail(core::error_message(err));
  if (!o.cluster.empty()) {
    auto log = (*store)->leader_log(o.cluster);
    if (!log) return fail(core::error_message(log.error()));
    if (log->empty())
      return fail("no leader log for cluster '" + o.cluster + "' in " + o.metadata);
    check.leader_writes(
        core::verify::check_leader_log(*log, static_cast<size_t>(o.listed)));
    std::cout << "leader log of cluster " << o.cluster << ": " << log->size()
              << " rows\n";
  }
  auto report = check.finish();
  print(report, spec->data_source());
  if (!o.report.empty()) {
    std::ofstream out{o.report};
    out << report.to_json().dump_pretty() << "\n";
    if (!out) return fail("cannot write " + o.report);
  }
  return report.ok() ? 0 : 1;
}

}  // namespace sv::app
