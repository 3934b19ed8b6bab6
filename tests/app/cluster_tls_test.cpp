// A cluster whose nodes speak TLS with mutual certificates from one CA
// (scripts/cluster-certs): an overlord and two workers join; a worker whose
// certificate another CA signed, and one without TLS, are refused at the
// handshake with a log line on the leader and never get a task. A worker
// killed with kill -9 (its connection ends without a TLS close) costs the
// leader nothing but that worker: the other one's connection stays up. Every
// produced event is published exactly once.

#include <cstdlib>

#include "tests/app/cluster_harness.hpp"

using namespace sv;
using namespace sv::test::cluster;

namespace {

constexpr int partitions = 4;

// Makes a CA in `dir` and a certificate and key for each name.
void make_certs(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  std::string cmd =
      std::string{SV_SOURCE_DIR} + "/scripts/cluster-certs --days 2 " + dir.string();
  for (const auto& n : names) cmd += " " + n;
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
}

std::vector<std::string> tls(const std::filesystem::path& dir, const std::string& name) {
  return {"--tls-cert", (dir / (name + ".crt")).string(),
          "--tls-key",  (dir / (name + ".key")).string(),
          "--tls-ca",   (dir / "ca.crt").string()};
}

std::vector<std::string> operator+(std::vector<std::string> a,
                                   const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE(
    "cluster over TLS: a worker with another CA's certificate or without TLS is "
    "refused; a worker's kill -9 drops no other connection; every event once") {
  environment env{"sv_cluster_tls", partitions};
  auto certs = env.root / "certs";
  auto other = env.root / "other-ca";
  make_certs(certs, {"overlord", "worker0", "worker1"});
  make_certs(other, {"rogue"});

  auto overlord = env.start("overlord", std::vector<std::string>{"--role", "overlord"} +
                                            tls(certs, "overlord"));
  std::vector<node> workers;
  for (int i = 0; i < 2; ++i) {
    auto name = "worker" + std::to_string(i);
    workers.push_back(env.start(
        name, std::vector<std::string>{"--role", "worker", "--worker-capacity", "2"} +
                  tls(certs, name)));
  }
  // More free slots than the others: placement would prefer them if they joined.
  auto rogue = env.start(
      "rogue", std::vector<std::string>{"--role", "worker", "--worker-capacity", "8"} +
                   tls(other, "rogue"));
  auto plain = env.start("plain", {"--role", "worker", "--worker-capacity", "8"});
  INFO(overlord.log());

  auto id_of = [](const node& n) { return "worker@" + n.address(); };
  for (const auto& w : workers)
    CHECK(overlord.log_shows("worker " + id_of(w) + " connected", 30s));
  // The leader says why each refused node has no task, once.
  auto says = [&](const node& refused, const std::string& why) {
    auto prefix = "worker " + id_of(refused) + " at ";
    REQUIRE_MESSAGE(overlord.log_shows(prefix, 30s), refused.name);
    auto log = overlord.log();
    auto at = log.find(prefix);
    auto line = log.substr(at, log.find('\n', at) - at);
    CHECK_MESSAGE(line.find(why) != std::string::npos, line);
  };
  says(rogue,
       "refused at the handshake, no task is placed there: its TLS certificate is "
       "not signed by this cluster's CA");
  // Refused during the TLS handshake or when connecting, as the timing falls.
  says(plain, "no task is placed there");
  says(plain, "does not speak TLS");
  // The refused nodes' own check of their files passed: they run, unjoined.
  CHECK(rogue.api().Get("/status/health"));
  CHECK(plain.api().Get("/status/health"));

  auto created = overlord.api().Post("/druid/indexer/v1/supervisor",
                                     spec("cl", env.kafka), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 200);
  events ev{env.kafka, partitions, "tls"};
  auto store = adapters::open_metadata_store(env.metadata);
  REQUIRE(store);
  ev.produce(3000);
  auto deadline = clock_type::now() + 60s;
  while (reading_tasks(overlord, "cl").size() < 2) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(100ms);
  }

  // One worker dies mid-stream; its group starts again on the other.
  ev.produce(2000);
  workers[1].kill9();
  ev.produce(2000);
  deadline = clock_type::now() + 120s;
  while (committed_sum(**store, "cl") != ev.total()) {
    REQUIRE_MESSAGE(clock_type::now() < deadline,
                    "committed " << committed_sum(**store, "cl") << " of " << ev.total());
    handoff(overlord, "cl");
    std::this_thread::sleep_for(1s);
  }
  check_exactly_once(**store, "cl", ev);

  // Only the two good workers ever ran a task, and the survivor's connection
  // never dropped (a vanished TLS peer must not fail the others).
  core::task_filter f;
  f.supervisor_id = "cl";
  auto rows = (*store)->tasks(f);
  REQUIRE(rows);
  std::set<std::string> where;
  for (const auto& t : *rows) where.insert(t.location);
  where.erase("");
  CHECK_FALSE(where.empty());
  for (const auto& w : where)
    CHECK_MESSAGE((w == workers[0].address() || w == workers[1].address()), w);
  auto log = overlord.log();
  CHECK(log.find("worker " + id_of(workers[1]) + " lost") != std::string::npos);
  CHECK(log.find("worker " + id_of(workers[0]) + " lost") == std::string::npos);

  store->reset();
  for (auto* n : {&overlord, &workers[0], &rogue, &plain}) n->proc->stop();
}
