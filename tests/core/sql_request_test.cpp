// Druid's SQL request and result shapes (core/sql/sql_request) and the
// system tables' columns (core/sql/system_tables).

#include <doctest/doctest.h>

#include "core/errc.hpp"
#include "core/sql/sql_request.hpp"

using namespace sv::core;
namespace sql = sv::core::sql;

namespace {

sql::sql_request request(const char* text) {
  auto r = sql::parse_sql_request(*json::parse(text));
  REQUIRE_MESSAGE(r, error_message(r.error()));
  return *r;
}

sql::result_set two_rows() {
  return {{{"id", sql::column_type::string}, {"n", sql::column_type::long_}},
          {{sql::cell{std::string{"a,b"}}, sql::cell{int64_t{1}}},
           {sql::cell{std::string{"c"}}, sql::cell{}}}};
}

std::string body(const char* req) {
  return sql::format_result(request(req), two_rows()).body;
}

}  // namespace

TEST_CASE("sql: each result format, with and without headers") {
  CHECK(body(R"({"query":"q"})") == R"([{"id":"a,b","n":1},{"id":"c","n":null}])");
  CHECK(body(R"({"query":"q","resultFormat":"array"})") == R"([["a,b",1],["c",null]])");
  CHECK(body(R"({"query":"q","resultFormat":"objectLines"})") ==
        "{\"id\":\"a,b\",\"n\":1}\n{\"id\":\"c\",\"n\":null}\n\n");
  CHECK(body(R"({"query":"q","resultFormat":"arrayLines"})") ==
        "[\"a,b\",1]\n[\"c\",null]\n\n");
  CHECK(body(R"({"query":"q","resultFormat":"csv"})") == "\"a,b\",1\nc,\n\n");
  CHECK(body(R"({"query":"q","resultFormat":"array","header":true,"typesHeader":true,
                 "sqlTypesHeader":true})") ==
        R"([["id","n"],["STRING","LONG"],["VARCHAR","BIGINT"],["a,b",1],["c",null]])");
  CHECK(body(R"({"query":"q","header":true})") ==
        R"([{"id":null,"n":null},{"id":"a,b","n":1},{"id":"c","n":null}])");
  CHECK(
      body(R"({"query":"q","header":true,"typesHeader":true,"sqlTypesHeader":true})")
          .rfind(
              R"([{"id":{"type":"STRING","sqlType":"VARCHAR"},"n":{"type":"LONG","sqlType":"BIGINT"}},)",
              0) == 0);
  CHECK(body(R"({"query":"q","resultFormat":"csv","header":true,"typesHeader":true})") ==
        "id,n\nSTRING,LONG\n\"a,b\",1\nc,\n\n");
  CHECK(sql::format_result(request(R"({"query":"q","resultFormat":"csv"})"), two_rows())
            .content_type == "text/csv");
}

TEST_CASE("sql: malformed requests name the field") {
  auto fails = [](const char* text, const char* field) {
    auto r = sql::parse_sql_request(*json::parse(text));
    REQUIRE_FALSE(r);
    CHECK_MESSAGE(error_message(r.error()).rfind(field, 0) == 0,
                  error_message(r.error()));
  };
  fails(R"({})", "query");
  fails(R"({"query":""})", "query");
  fails(R"({"query":"q","resultFormat":"xml"})", "resultFormat");
  fails(R"({"query":"q","header":"yes"})", "header");
  fails(R"({"query":"q","typesHeader":true})", "typesHeader");
  fails(R"({"query":"q","parameters":[{"type":"VARCHAR"}]})", "parameters[0]");
  fails(R"({"query":"q","context":[]})", "context");
  auto p = request(R"({"query":"q","parameters":[{"type":"VARCHAR","value":"x"},
                     {"type":"BIGINT","value":3},{"type":"DOUBLE","value":1.5}]})");
  REQUIRE(p.parameters.size() == 3);
  CHECK(std::get<int64_t>(p.parameters[1]) == 3);
}

TEST_CASE("sql: Druid's columns of each system table") {
  auto names = [](const sql::table& t) {
    std::string out;
    for (const auto& c : t.columns) out += (out.empty() ? "" : ",") + c.name;
    return out;
  };
  CHECK(
      names(sql::supervisors_table({})) ==
      "supervisor_id,datasource,state,detailed_state,healthy,type,source,suspended,spec");
  CHECK(names(sql::tasks_table({})) ==
        "task_id,group_id,type,datasource,created_time,queue_insertion_time,status,"
        "runner_status,duration,location,host,plaintext_port,tls_port,error_msg");
  CHECK(
      names(sql::segments_table({})) ==
      "segment_id,datasource,start,end,size,version,partition_num,num_replicas,num_rows,"
      "is_active,is_published,is_available,is_realtime,is_overshadowed,shard_spec,"
      "dimensions,metrics,last_compaction_state,replication_factor");
  task_record t;
  t.id = "t1";
  t.supervisor_id = "wiki";
  t.data_source = "wiki";
  t.type = "index_kafka";
  t.status = "SUCCESS";
  t.location = "10.0.0.1:8090";
  t.duration_ms = 1234;
  auto tasks = sql::tasks_table({{t, ""}, {t, "RUNNING"}});
  CHECK(std::get<std::string>(tasks.rows[0][6]) == "SUCCESS");
  CHECK(std::get<std::string>(tasks.rows[0][7]) == "NONE");
  CHECK(std::get<int64_t>(tasks.rows[0][8]) == 1234);
  CHECK(std::get<std::string>(tasks.rows[0][10]) == "10.0.0.1");
  CHECK(std::get<int64_t>(tasks.rows[0][11]) == 8090);
  CHECK(std::get<std::string>(tasks.rows[1][6]) == "RUNNING");
  CHECK(std::get<int64_t>(tasks.rows[1][8]) == -1);
  auto w = sql::tables_named("select * from SYS.Tasks t join sys.supervisors");
  CHECK(w.tasks);
  CHECK(w.supervisors);
  CHECK_FALSE(w.segments);
  CHECK_FALSE(sql::tables_named("SELECT my_tasks FROM x").tasks);
}
