// A node started without --kafka runs an embedded Kafka: its address is in
// {data-dir}/kafka.bootstrap, its control API is on the node's HTTP port, and
// specs can name it "embedded".

#include <fstream>

#include <doctest/doctest.h>

#include "tests/adapters/kafka_env.hpp"
#include "tests/http/node_fixture.hpp"

using namespace sv;
using namespace std::chrono_literals;

TEST_CASE(
    "serve starts an embedded Kafka usable by any client and by \"embedded\" specs") {
  test::node_fixture node;
  std::ifstream in{node.options().data_dir + "/kafka.bootstrap"};
  std::string bootstrap;
  std::getline(in, bootstrap);
  REQUIRE_FALSE(bootstrap.empty());
  auto info = node.get("/streamvisor/v1/kafka/").json();
  CHECK(info.find("bootstrap")->as_string() == bootstrap);
  auto created =
      node.post("/streamvisor/v1/kafka/topics", R"({"name":"demo","partitions":2})");
  REQUIRE(created.status == 200);
  auto cmd = "printf 'x\\ny\\n' | kcat -b " + bootstrap + " -P -t demo -p 0 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);

  adapters::kafka_reader_config cfg;
  cfg.topic = "demo";
  cfg.consumer_properties =
      core::json::make_object({{"bootstrap.servers", "embedded"}}).as_object();
  cfg.embedded_bootstrap = bootstrap;
  auto reader = adapters::open_kafka_reader(cfg);
  REQUIRE(reader);
  CHECK(*(*reader)->latest_offsets({"0", "1"}, 5s) ==
        core::offset_map{{"0", 2}, {"1", 0}});
  (*reader)->close();
}
