// The API's security over HTTP on a real node: 401 without credentials,
// Druid's basic-security management API, 403 for a reader on every write
// endpoint, lists filtered per datasource, secrets masked in every read path
// (and kept when a masked spec is posted back), the audit naming the user,
// failed sign-ins refused after a few and logged, the request rate per
// client, and HTTPS verified by a client that checks the certificate.

#include <cstdlib>
#include <fstream>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <doctest/doctest.h>

#include "adapters/metadata_store.hpp"
#include "tests/http/node_fixture.hpp"
#include "tests/spec_cases.hpp"

using namespace sv;
using core::json;

namespace {

const std::string base = "/druid/indexer/v1/supervisor";
const std::string authn = "/druid-ext/basic-security/authentication/db/basic";
const std::string authz = "/druid-ext/basic-security/authorization/db/basic";
const std::string admin_password = "s3cret-admin";
const std::string secret = "hunter2-kafka-key";

void secure(app::serve_options& o) {
  ::setenv("SV_TEST_ADMIN_PASSWORD", admin_password.c_str(), 1);
  o.auth = "on";
  o.auth_admin_password_env = "SV_TEST_ADMIN_PASSWORD";
}

// A supervisor on the embedded Kafka's topic `topic` with a secret among its
// consumer properties.
json spec(const std::string& id, const std::string& topic = "nothing") {
  auto j = test::patched(test::base_kafka_spec(), "id", json{id});
  j = test::patched(j, "spec/dataSchema/dataSource", json{id});
  j = test::patched(j, "spec/ioConfig/topic", json{topic});
  j = test::patched(j, "spec/ioConfig/taskCount", json{1});
  return test::patched(j, "spec/ioConfig/consumerProperties",
                       json::make_object({{"bootstrap.servers", "embedded"},
                                          {"ssl.key.password", secret}}));
}

struct secured : test::node_fixture {
  secured() : node_fixture(secure) { sign_in("admin", admin_password); }

  void ok(const std::string& method, const std::string& path,
          const std::string& body = {}) {
    auto r = send(method, path, body);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, method << " " << path << ": " << r->body);
  }

  // A user who may sign in with `password` and holds a role with `permissions`.
  void add_user(const std::string& name, const std::string& password,
                const json& permissions) {
    ok("POST", authn + "/users/" + name);
    ok("POST", authn + "/users/" + name + "/credentials",
       json::make_object({{"password", password}}).dump());
    ok("POST", authz + "/users/" + name);
    ok("POST", authz + "/roles/" + name + "_role");
    ok("POST", authz + "/roles/" + name + "_role/permissions", permissions.dump());
    ok("POST", authz + "/users/" + name + "/roles/" + name + "_role");
  }
};

json grant(const std::string& type, const std::string& pattern,
           const std::string& action) {
  return json::make_object(
      {{"resource", json::make_object({{"name", pattern}, {"type", type}})},
       {"action", action}});
}

// A reader of the wiki.* datasources and a writer of wiki_a.
void add_people(secured& n) {
  n.add_user("reader", "reader-pw",
             json{json::array{grant("DATASOURCE", "wiki.*", "READ")}});
  n.add_user("writer", "writer-pw",
             json{json::array{grant("DATASOURCE", "wiki_a", "READ"),
                              grant("DATASOURCE", "wiki_a", "WRITE")}});
}

}  // namespace

TEST_CASE("security: 401 without credentials, health stays open, Druid's 401 challenge") {
  secured node;
  node.sign_in("", "");
  auto r = node.send("GET", base);
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(r->get_header_value("WWW-Authenticate").rfind("Basic realm=", 0) == 0);
  CHECK(node.get("/status/health").status == 200);
  // A script's request (the console's) gets no challenge: no browser dialog.
  auto quiet = node.client().Get(base.c_str(), {{"X-Requested-With", "XMLHttpRequest"}});
  REQUIRE(quiet);
  CHECK(quiet->status == 401);
  CHECK_FALSE(quiet->has_header("WWW-Authenticate"));
  node.sign_in("admin", "wrong");
  CHECK(node.get(base).status == 401);
  node.sign_in("nobody", admin_password);
  CHECK(node.get(base).status == 401);
  node.sign_in("admin", admin_password);
  CHECK(node.get(base).status == 200);
}

TEST_CASE("security: the management API in Druid's shapes") {
  secured node;
  add_people(node);
  CHECK(node.get(authn + "/users").json() ==
        *json::parse(R"(["admin","reader","writer"])"));
  auto login = node.get(authn + "/users/reader").json();
  CHECK(login.find("name")->as_string() == "reader");
  CHECK(login.find("credentials")->find("iterations")->as_int() == 10000);
  CHECK_FALSE(login.find("credentials")->find("hash"));  // never shown
  auto user = node.get(authz + "/users/reader?full").json();
  REQUIRE(user.find("roles")->as_array().size() == 1);
  auto role = user.find("roles")->as_array().front();
  CHECK(role.find("name")->as_string() == "reader_role");
  auto perm = role.find("permissions")->as_array().front();
  CHECK(perm.find("resourceNamePattern")->as_string() == "wiki.*");
  CHECK(perm.find("resourceAction")->find("action")->as_string() == "READ");
  CHECK(perm.find("resourceAction")->find("resource")->find("type")->as_string() ==
        "DATASOURCE");
  // Druid's errors.
  auto again = node.send("POST", authn + "/users/reader");
  CHECK(again->status == 400);
  CHECK(json::parse(again->body)->find("error")->as_string() ==
        "User [reader] already exists.");
  CHECK(node.send("POST", authz + "/users/ghost/roles/reader_role")->status == 400);
  auto bad_perm =
      node.send("POST", authz + "/roles/reader_role/permissions",
                R"([{"resource":{"name":"(","type":"DATASOURCE"},"action":"READ"}])");
  CHECK(bad_perm->status == 400);
  CHECK(bad_perm->body.find("[0].resource.name") != std::string::npos);
  CHECK(node.send("GET", "/druid-ext/basic-security/authentication/db/other/users")
            ->status == 400);
  // A reader may not manage users (CONFIG security).
  node.sign_in("reader", "reader-pw");
  CHECK(node.send("GET", authn + "/users")->status == 403);
  CHECK(node.send("POST", authn + "/users/mallory")->status == 403);
  // A changed password works at once; the old one no longer does.
  node.sign_in("admin", admin_password);
  node.ok("POST", authn + "/users/reader/credentials", R"({"password":"new-pw"})");
  node.sign_in("reader", "reader-pw");
  CHECK(node.get(base).status == 401);
  node.sign_in("reader", "new-pw");
  CHECK(node.get(base).status == 200);
  // Deleting a role takes it from its users.
  node.sign_in("admin", admin_password);
  node.ok("DELETE", authz + "/roles/reader_role");
  CHECK(node.get(authz + "/users/reader").json().find("roles")->as_array().empty());
}

TEST_CASE("security: a reader gets 403 on every write; lists are filtered") {
  secured node;
  add_people(node);
  node.ok("POST", base, spec("wiki_a").dump());
  node.ok("POST", base, spec("other_b").dump());

  node.sign_in("reader", "reader-pw");
  CHECK(node.get(base).json() == *json::parse(R"(["wiki_a"])"));
  CHECK(node.get(base + "?full").json().as_array().size() == 1);
  CHECK(node.get(base + "/history").json().find("other_b") == nullptr);
  CHECK(node.get(base + "/wiki_a").status == 200);
  CHECK(node.get(base + "/wiki_a/status").status == 200);
  CHECK(node.get(base + "/other_b").status == 403);
  CHECK(node.get(base + "/other_b/status").status == 403);
  // SQL on the system tables shows the same rows.
  auto rows = node.send(
      "POST", "/druid/v2/sql",
      R"({"query":"SELECT supervisor_id FROM sys.supervisors","resultFormat":"array"})");
  REQUIRE(rows);
  CHECK(rows->status == 200);
  CHECK(json::parse(rows->body) == json::parse(R"([["wiki_a"]])"));
  const json forbidden = json::make_object({{"Access-Check-Result", "Unauthorized"}});
  const std::string reset_body =
      R"({"type":"kafka","partitions":{"type":"end","stream":"nothing","partitionOffsetMap":{"0":1}}})";
  for (auto [path, body] :
       {std::pair{base + "/wiki_a/suspend", std::string{}},
        {base + "/wiki_a/resume", ""},
        {base + "/wiki_a/reset", ""},
        {base + "/wiki_a/resetOffsets", reset_body},
        {base + "/wiki_a/resetToLatestAndBackfill", ""},
        {base + "/wiki_a/taskGroups/handoff", R"({"taskGroupIds":[0]})"},
        {base + "/wiki_a/terminate", ""},
        {base + "/wiki_a/shutdown", ""},
        {base, spec("wiki_a").dump()},
        {base, spec("wiki_new").dump()}}) {
    auto r = node.send("POST", path, body);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 403, path);
    CHECK_MESSAGE(json::parse(r->body) == forbidden, path << ": " << r->body);
  }
  // The *All actions act only on what the caller may write: nothing here.
  CHECK(node.post_empty(base + "/suspendAll").status == 200);
  node.sign_in("admin", admin_password);
  for (const auto* id : {"wiki_a", "other_b"})
    CHECK_FALSE(node.get(base + "/" + id).json().find("suspended")->as_bool());

  // The writer may write wiki_a and nothing else; the audit names it.
  node.sign_in("writer", "writer-pw");
  CHECK(node.post_empty(base + "/wiki_a/suspend").status == 200);
  CHECK(node.post_empty(base + "/other_b/suspend").status == 403);
  CHECK(node.post_empty(base + "/terminateAll").status == 200);
  node.sign_in("admin", admin_password);
  CHECK(node.get(base + "/wiki_a/status").status == 404);   // terminated
  CHECK(node.get(base + "/other_b/status").status == 200);  // not the writer's
  auto audit = node.get(base + "/wiki_a/audit").json();
  bool suspend_by_writer = false, create_by_admin = false;
  for (const auto& a : audit.as_array()) {
    auto type = a.find("type")->as_string();
    auto author = a.find("author")->as_string();
    suspend_by_writer |= type == "supervisor.suspend" && author == "writer";
    create_by_admin |= author == "admin";
  }
  CHECK(suspend_by_writer);
  CHECK(create_by_admin);
  // A terminated supervisor's history stays the readers' of its datasource.
  node.sign_in("reader", "reader-pw");
  CHECK(node.get(base + "/wiki_a/history").status == 200);
  node.sign_in("writer", "writer-pw");
  CHECK(node.get(base + "/other_b/history").status == 403);
}

TEST_CASE("security: secrets are masked in every read path and kept on a re-post") {
  // The node's own log is a read path too.
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
  spdlog::default_logger()->sinks().push_back(ring);
  secured node;
  node.ok("POST", "/streamvisor/v1/kafka/topics", R"({"name":"masked","partitions":1})");
  node.ok("POST", base, spec("wiki_s", "masked").dump());
  auto shows_secret = [&](const std::string& path) {
    auto r = node.get(path);
    CHECK_MESSAGE(r.status == 200, path << ": " << r.body);
    return r.body.find(secret) != std::string::npos;
  };
  for (const auto& path :
       {base + "/wiki_s", base + "?full", base + "?system", base + "/history",
        base + "/wiki_s/history", base + "/wiki_s/audit", base + "/wiki_s/status"})
    CHECK_MESSAGE(!shows_secret(path), path);
  CHECK(node.get(base + "/wiki_s").body.find("<masked>") != std::string::npos);
  // The task's payload and its log.
  std::string task;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (task.empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    auto tasks = node.get("/druid/indexer/v1/tasks").json();
    for (const auto& t : tasks.as_array())
      if (t.find("dataSource")->as_string() == "wiki_s") task = t.find("id")->as_string();
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  CHECK_FALSE(shows_secret("/druid/indexer/v1/task/" + task));
  auto log = node.get("/druid/indexer/v1/task/" + task + "/log");
  CHECK(log.body.find(secret) == std::string::npos);

  // The spec as read back (masked) posted again: the secret stays the same.
  auto masked = node.get(base + "/wiki_s").body;
  node.ok("POST", base, masked);
  auto store = adapters::open_metadata_store(node.options().metadata_uri);
  REQUIRE(store);
  auto latest = (*store)->latest_specs();
  REQUIRE(latest);
  bool kept = false;
  for (const auto& v : *latest)
    if (v.spec_id == "wiki_s") kept = v.payload.dump().find(secret) != std::string::npos;
  CHECK(kept);
  // A masked secret the supervisor does not hold: 400 naming where.
  auto unknown =
      node.send("POST", base,
                test::patched(json::parse(masked).value(), "id", json{"wiki_t"}).dump());
  CHECK(unknown->status == 400);
  CHECK(unknown->body.find("ssl.key.password") != std::string::npos);
  // A password provider is shown as it is: it holds no secret.
  auto by_env = test::patched(
      spec("wiki_e"), "spec/ioConfig/consumerProperties/ssl.key.password",
      json::make_object({{"type", "environment"}, {"variable", "SV_TEST_KEY_PASSWORD"}}));
  node.ok("POST", base, by_env.dump());
  CHECK(node.get(base + "/wiki_e").body.find("SV_TEST_KEY_PASSWORD") !=
        std::string::npos);
  auto bad_provider =
      test::patched(spec("wiki_f"), "spec/ioConfig/consumerProperties/ssl.key.password",
                    json::make_object({{"type", "vault"}}));
  auto refused = node.send("POST", base, bad_provider.dump());
  CHECK(refused->status == 400);
  CHECK(refused->body.find("consumerProperties.ssl.key.password.type") !=
        std::string::npos);
}

TEST_CASE("security: failed sign-ins are refused after five, and logged") {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  spdlog::default_logger()->sinks().push_back(ring);
  secured node;
  node.sign_in("admin", "guess");
  for (int i = 0; i < 5; ++i) CHECK(node.get(base).status == 401);
  // Even the right password is refused now, with when to come back.
  node.sign_in("admin", admin_password);
  auto r = node.send("GET", base);
  REQUIRE(r);
  CHECK(r->status == 429);
  CHECK(std::stoi(r->get_header_value("Retry-After")) >= 1);
  int logged = 0;
  for (const auto& line : ring->last_formatted())
    logged += line.find("failed sign-in as 'admin' from 127.0.0.1") != std::string::npos;
  CHECK(logged == 5);
  spdlog::default_logger()->sinks().pop_back();
}

TEST_CASE("security: the request rate per client is limited when configured") {
  test::node_fixture node{[](app::serve_options& o) {
    o.http_rate_per_client = 1;
    o.http_rate_burst = 5;
  }};
  int refused = 0;
  for (int i = 0; i < 8; ++i) refused += node.get("/status").status == 429;
  CHECK(refused >= 2);  // 5 at once, then about one a second
}

TEST_CASE("security: HTTPS with a certificate the client verifies") {
  auto dir = std::filesystem::temp_directory_path() / test::unique_name("sv_https_");
  std::filesystem::create_directories(dir);
  auto cert = (dir / "api.crt").string(), key = (dir / "api.key").string();
  auto cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-keyout " +
      key + " -out " + cert +
      " -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
      "2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  test::node_fixture node{[&](app::serve_options& o) {
    secure(o);
    o.http_tls_cert = cert;
    o.http_tls_key = key;
  }};
  httplib::SSLClient tls{"127.0.0.1", node.port()};
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  tls.set_basic_auth("admin", admin_password.c_str());
  auto r = tls.Get(base.c_str());
  REQUIRE_MESSAGE(r, httplib::to_string(r.error()));
  CHECK(r->status == 200);
  CHECK(r->body == "[]");
  // Plain HTTP on the same port gets no answer.
  httplib::Client plain{"127.0.0.1", node.port()};
  plain.set_read_timeout(2, 0);
  auto p = plain.Get("/status/health");
  CHECK((!p || p->status != 200));
  // A client that does not trust this certificate refuses the server.
  httplib::SSLClient strict{"127.0.0.1", node.port()};
  strict.set_ca_cert_path("/nonexistent-ca.pem");
  strict.enable_server_certificate_verification(true);
  CHECK_FALSE(strict.Get("/status/health"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("security: hostile input to sign-in and the management API is refused") {
  secured node;
  // Malformed and oversized credentials: 401, never a crash.
  for (const std::string& header :
       std::vector<std::string>{"Basic !!!notbase64", "Basic " + std::string(8000, 'A'),
                                "Bearer x", "Basic YWRtaW4="}) {
    auto r = node.client().Get(base.c_str(), {{"Authorization", header}});
    REQUIRE(r);
    CHECK(r->status == 401);
  }
  // Deeply nested and malformed permission bodies, an over-long name: 400.
  auto nested = std::string(5000, '[') + std::string(5000, ']');
  node.ok("POST", authz + "/roles/r");
  CHECK(node.send("POST", authz + "/roles/r/permissions", nested)->status == 400);
  CHECK(node.send("POST", authz + "/roles/r/permissions", "{\"a\":")->status == 400);
  CHECK(node.send("POST", authz + "/roles/r/permissions", "[1,2,3]")->status == 400);
  CHECK(node.send("POST", authn + "/users/" + std::string(300, 'u'))->status == 400);
  CHECK(node.send("POST", authn + "/users/admin/credentials", "{}")->status == 400);
  // The SQL endpoint: a nested body and a runaway query are refused too.
  CHECK(node.send("POST", "/druid/v2/sql", nested)->status == 400);
  auto runaway = node.send(
      "POST", "/druid/v2/sql",
      R"({"query":"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT COUNT(*) FROM c"})");
  CHECK(runaway->status == 400);
  CHECK(runaway->body.find("CAPACITY_EXCEEDED") != std::string::npos);
  // Still serving, the admin still signs in.
  CHECK(node.get(authn + "/users").status == 200);
}
