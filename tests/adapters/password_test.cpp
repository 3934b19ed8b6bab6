// Password credentials (adapters/crypto/password): PBKDF2-HMAC-SHA512 with a
// fresh salt each time, verified only by the same password.

#include <doctest/doctest.h>

#include "adapters/crypto/password.hpp"

using namespace sv;

TEST_CASE("password: verified by the same password only; every credential salted anew") {
  auto a = adapters::make_credential("correct horse", 1000);
  auto b = adapters::make_credential("correct horse", 1000);
  CHECK(a.iterations == 1000);
  CHECK(a.salt != b.salt);
  CHECK(a.hash != b.hash);
  CHECK(adapters::verify_password(a, "correct horse"));
  CHECK_FALSE(adapters::verify_password(a, "correct horsE"));
  CHECK_FALSE(adapters::verify_password(a, ""));
  auto broken = a;
  broken.hash = "not base64!";
  CHECK_FALSE(adapters::verify_password(broken, "correct horse"));
  broken = a;
  broken.iterations = 0;
  CHECK_FALSE(adapters::verify_password(broken, "correct horse"));
  CHECK(adapters::make_credential("x").iterations ==
        adapters::default_password_iterations);
  CHECK(adapters::verified_key("u", a, "p") != adapters::verified_key("u", a, "q"));
}

// -- the config store (shared documents), on SQLite and PostgreSQL ----------

#include "adapters/config_store.hpp"
#include "core/errc.hpp"
#include "tests/adapters/store_env.hpp"

TEST_CASE_TEMPLATE("config store: compare and set; the loser of a race is told", Env,
                   test::sqlite_env, test::postgres_env) {
  Env env;
  auto a = adapters::open_config_store(env.uri());
  REQUIRE_MESSAGE(a, core::error_message(a.error()));
  auto b = adapters::open_config_store(env.uri());
  REQUIRE(b);
  auto none = (*a)->get("security");
  REQUIRE(none);
  CHECK_FALSE(*none);
  CHECK(*(*a)->compare_and_set("security", 0, "{\"v\":1}"));
  CHECK_FALSE(*(*b)->compare_and_set("security", 0, "{\"v\":2}"));  // not absent any more
  auto one = (*b)->get("security");
  REQUIRE(one);
  REQUIRE(*one);
  CHECK((*one)->version == 1);
  CHECK((*one)->payload == "{\"v\":1}");
  CHECK(*(*b)->compare_and_set("security", 1, "{\"v\":2}"));
  CHECK_FALSE(*(*a)->compare_and_set("security", 1, "{\"v\":3}"));  // a stale version
  CHECK((*(*a)->get("security"))->payload == "{\"v\":2}");
}
