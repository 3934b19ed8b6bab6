#pragma once
// Starts a real node (actors, metadata store, HTTP on a free port) for API
// tests, and a small JSON-over-HTTP client.

#include <filesystem>
#include <memory>
#include <string>

#include <httplib.h>

#include <doctest/doctest.h>

#include "app/node.hpp"
#include "core/errc.hpp"
#include "core/json.hpp"
#include "tests/adapters/store_env.hpp"

namespace sv::test {

struct http_reply {
  int status = 0;
  std::string body;
  core::json json() const {
    auto j = core::json::parse(body);
    REQUIRE_MESSAGE(j, ("not JSON: " + body));
    return *j;
  }
};

class node_fixture {
 public:
  /// A node on a fresh data directory with SQLite, or on `metadata_uri`.
  explicit node_fixture(std::string metadata_uri = {})
      : node_fixture([](app::serve_options&) {}, std::move(metadata_uri)) {}

  /// A node whose options `tweak` changes before it starts.
  template <class Tweak>
  explicit node_fixture(Tweak tweak, std::string metadata_uri = {}) {
    dir_ = std::filesystem::temp_directory_path() / unique_name("sv_node_");
    std::filesystem::create_directories(dir_);
    opts_.listen_port = 0;
    opts_.data_dir = dir_.string();
    opts_.threads = 2;
    opts_.metadata_uri = metadata_uri.empty()
                             ? "sqlite:" + (dir_ / "metadata.db").string()
                             : std::move(metadata_uri);
    tweak(opts_);
    start();
  }

  ~node_fixture() {
    node_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start() {
    auto n = app::start_node(opts_);
    REQUIRE_MESSAGE(n, core::error_message(n.error()));
    node_ = std::move(*n);
  }

  /// Stops the node and starts a new one on the same data directory and store.
  void restart() {
    node_->stop();
    node_.reset();
    start();
  }

  http_reply get(const std::string& path) { return wrap(client().Get(path.c_str())); }

  http_reply post(const std::string& path, const std::string& body,
                  const std::string& type = "application/json") {
    return wrap(client().Post(path.c_str(), body, type.c_str()));
  }

  http_reply post_json(const std::string& path, const core::json& body) {
    return post(path, body.dump());
  }

  /// POST without a body (as `curl -X POST` sends it).
  http_reply post_empty(const std::string& path) {
    return wrap(client().Post(path.c_str()));
  }

  const app::serve_options& options() const { return opts_; }
  app::serve_options& mutable_options() { return opts_; }

  /// The node's Kafka (the embedded one unless --kafka was given).
  std::string kafka() const { return node_->kafka_bootstrap(); }

  uint16_t port() const { return node_->port(); }

  /// Requests from now on sign in as `user` (empty: no credentials).
  void sign_in(std::string user, std::string password) {
    user_ = std::move(user);
    password_ = std::move(password);
  }

  httplib::Client client() {
    httplib::Client c{"127.0.0.1", node_->port()};
    c.set_read_timeout(60, 0);
    if (!user_.empty()) c.set_basic_auth(user_.c_str(), password_.c_str());
    return c;
  }

  /// Any method; the reply with its headers.
  httplib::Result send(const std::string& method, const std::string& path,
                       const std::string& body = {}) {
    auto c = client();
    if (method == "GET") return c.Get(path.c_str());
    if (method == "DELETE") return c.Delete(path.c_str(), body, "application/json");
    return c.Post(path.c_str(), body, "application/json");
  }

  const std::filesystem::path& dir() const { return dir_; }

 private:
  static http_reply wrap(const httplib::Result& r) {
    REQUIRE_MESSAGE(r, ("HTTP request failed: " + httplib::to_string(r.error())));
    return http_reply{r->status, r->body};
  }

  std::filesystem::path dir_;
  std::string user_, password_;
  app::serve_options opts_;
  std::unique_ptr<app::node> node_;
};

}  // namespace sv::test
