// The console's files (http/console_files): served from their directory with
// their types; nothing outside it, no hidden files; / leads to the console.

#include "http/console_files.hpp"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/adapters/store_env.hpp"

using namespace sv;

TEST_CASE("console files: served from their directory only") {
  auto dir = std::filesystem::temp_directory_path() / test::unique_name("sv_console_");
  std::filesystem::create_directories(dir / "vendor");
  std::ofstream{dir / "index.html"} << "<!doctype html>";
  std::ofstream{dir / "vendor" / "x.js"} << "export {}";
  std::ofstream{dir / ".secret"} << "no";
  std::ofstream{dir.parent_path() / "outside.txt"} << "no";
  auto get = [&](const std::string& path) {
    http::request r;
    r.method = "GET";
    r.path = path;
    return http::console_file(r, dir.string());
  };
  auto root = get("/");
  REQUIRE(root);
  CHECK(root->status == 302);
  auto index = get("/console/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->body == "<!doctype html>");
  CHECK(index->content_type.rfind("text/html", 0) == 0);
  auto js = get("/console/vendor/x.js");
  REQUIRE(js);
  CHECK(js->content_type.rfind("text/javascript", 0) == 0);
  for (const char* bad : {"/console/../outside.txt", "/console/.secret",
                          "/console/vendor/../../outside.txt", "/console//index.html",
                          "/console/nope.js", "/console/a%2Fb"})
    CHECK_MESSAGE(get(bad)->status == 404, bad);
  CHECK_FALSE(get("/druid/indexer/v1/supervisor"));
  http::request post;
  post.method = "POST";
  post.path = "/console/index.html";
  CHECK_FALSE(http::console_file(post, dir.string()));
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir.parent_path() / "outside.txt");
}
