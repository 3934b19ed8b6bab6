// Secrets in specs (core/spec/secrets): masked at any depth and in URIs, put
// back from the current spec when a masked spec is posted again, and password
// providers resolved with the environment and files passed in.

#include <doctest/doctest.h>

#include "core/errc.hpp"
#include "core/spec/secrets.hpp"

using namespace sv::core;

namespace {

json props() {
  return *json::parse(R"({
    "bootstrap.servers": "k:9092",
    "sasl.jaas.config": "PlainLoginModule required username=\"u\" password=\"p\";",
    "ssl.keystore.password": {"type": "default", "password": "ks"},
    "ssl.key.password": {"type": "environment", "variable": "KEY_PW"},
    "sasl.password": {"type": "file", "path": "/run/secrets/sasl"},
    "amqpUri": "amqp://guest:guestpw@h:5672",
    "username": "u"
  })");
}

std::optional<std::string> env(const std::string& name) {
  if (name == "KEY_PW") return "from-env";
  return std::nullopt;
}

std::optional<std::string> file(const std::string& path) {
  if (path == "/run/secrets/sasl") return "from-file\n";
  return std::nullopt;
}

}  // namespace

TEST_CASE("secrets: masked by member name at any depth and in URIs; providers shown") {
  auto spec = json::make_object(
      {{"spec",
        json::make_object(
            {{"ioConfig", json::make_object({{"consumerProperties", props()},
                                             {"uri", "rabbitmq-stream://a:b@h"}})}})}});
  auto m = mask_secrets(spec);
  auto text = m.dump();
  for (const char* s : {"PlainLoginModule", "\"ks\"", "guestpw", ":b@"})
    CHECK_MESSAGE(text.find(s) == std::string::npos, s);
  const json& io = *m.find("spec")->find("ioConfig");
  const json& p = *io.find("consumerProperties");
  CHECK(p.find("sasl.jaas.config")->as_string() == "<masked>");
  CHECK(p.find("ssl.keystore.password")->find("password")->as_string() == "<masked>");
  CHECK(p.find("ssl.key.password")->find("variable")->as_string() == "KEY_PW");
  CHECK(p.find("amqpUri")->as_string() == "amqp://guest:<masked>@h:5672");
  CHECK(p.find("username")->as_string() == "u");
  CHECK(io.find("uri")->as_string() == "rabbitmq-stream://a:<masked>@h");
  CHECK(is_secret_key("SSL.Truststore.Password"));
  CHECK_FALSE(is_secret_key("bootstrap.servers"));
}

TEST_CASE("secrets: a masked spec posted again gets its secrets back") {
  auto current = json::make_object({{"consumerProperties", props()}});
  auto posted = mask_secrets(current);
  CHECK(restore_masked(posted, current).empty());
  CHECK(posted == current);
  // A changed secret is taken as posted; a mask with nothing behind it is named.
  auto changed = mask_secrets(current);
  changed.find("consumerProperties")->set("sasl.jaas.config", json{"new"});
  changed.find("consumerProperties")->set("extra.password", json{"<masked>"});
  auto left = restore_masked(changed, current);
  REQUIRE(left.size() == 1);
  CHECK(left.front() == "consumerProperties.extra.password");
  CHECK(changed.find("consumerProperties")->find("sasl.jaas.config")->as_string() ==
        "new");
  // Against no current spec, every mask is left: the JAAS config, the
  // default provider's password and the URI's password.
  auto fresh = mask_secrets(current);
  CHECK(restore_masked(fresh, json{}).size() == 3);
}

TEST_CASE("secrets: password providers resolve where the task runs") {
  auto r = resolve_properties(props().as_object(), env, file);
  REQUIRE(r);
  json out{*r};
  CHECK(out.find("ssl.keystore.password")->as_string() == "ks");
  CHECK(out.find("ssl.key.password")->as_string() == "from-env");
  CHECK(out.find("sasl.password")->as_string() == "from-file");
  CHECK(out.find("bootstrap.servers")->as_string() == "k:9092");

  auto fails = [&](const char* text, const char* where) {
    auto p = json::parse(text);
    REQUIRE(p);
    auto res = resolve_properties(p->as_object(), env, file);
    REQUIRE_FALSE(res);
    CHECK(is(res.error(), errc::invalid_input));
    CHECK_MESSAGE(error_message(res.error()).rfind(where, 0) == 0,
                  error_message(res.error()));
  };
  fails(R"({"k.password": {"type": "environment", "variable": "UNSET"}})",
        "ioConfig.consumerProperties.k.password.variable: ");
  fails(R"({"k.password": {"type": "file", "path": "/none"}})",
        "ioConfig.consumerProperties.k.password.path: ");
  fails(R"({"k.password": {"type": "vault"}})",
        "ioConfig.consumerProperties.k.password.type: ");
  // Druid's dynamic config provider sets several properties at once.
  auto dyn = json::parse(R"({"druid.dynamic.config.provider":
      {"type": "environment", "variables": {"sasl.password": "KEY_PW"}}})");
  auto d = resolve_properties(dyn->as_object(), env, file);
  REQUIRE(d);
  CHECK(json{*d}.find("sasl.password")->as_string() == "from-env");
}
