#pragma once
// Store environments for the metadata store conformance suite. Each test gets
// a fresh, empty store: a new SQLite file, or a new PostgreSQL schema on the
// server named by STREAMVISOR_TEST_PG (scripts/test starts one).

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <doctest/doctest.h>

#include "adapters/metadata_store.hpp"
#include "core/errc.hpp"

namespace sv::test {

inline std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

struct sqlite_env {
  static constexpr const char* name = "sqlite";
  std::filesystem::path dir;
  sqlite_env() {
    dir = std::filesystem::temp_directory_path() / unique_name("sv_store_");
    std::filesystem::create_directories(dir);
  }
  ~sqlite_env() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string uri() const { return "sqlite:" + (dir / "metadata.db").string(); }
};

/// libpq conninfo of the test server; fails the test when unset.
inline std::string pg_conninfo() {
  const char* v = std::getenv("STREAMVISOR_TEST_PG");
  REQUIRE_MESSAGE(v != nullptr,
                  "STREAMVISOR_TEST_PG is not set: run scripts/test, which starts PostgreSQL");
  return v;
}

struct postgres_env {
  static constexpr const char* name = "postgres";
  std::string schema;
  std::string base;
  postgres_env() : schema(unique_name("sv_test_")), base(pg_conninfo()) {
    admin("CREATE SCHEMA " + schema);
  }
  ~postgres_env() { admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE"); }
  std::string uri() const { return "postgres:" + base + " options=-csearch_path=" + schema; }
  void admin(const std::string& sql) const;
};

template <class Env>
std::unique_ptr<adapters::metadata_store> open_store(const Env& env) {
  auto s = adapters::open_metadata_store(env.uri());
  REQUIRE_MESSAGE(s, core::error_message(s.error()));
  return std::move(*s);
}

}  // namespace sv::test
