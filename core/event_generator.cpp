#include "core/event_generator.hpp"

#include <array>
#include <cstdio>

namespace sv::core {

namespace {

constexpr std::array pages = {"Main_Page",
                              "Apache_Druid",
                              "Stream_processing",
                              "Kafka_(software)",
                              "Time_series",
                              "Online_analytical_processing",
                              "Column-oriented_DBMS",
                              "Exactly-once",
                              "Actor_model",
                              "C++20"};
constexpr std::array users = {"alice",   "bob",   "carol",  "dave", "erin",
                              "frank",   "grace", "heidi",  "ivan", "judy",
                              "mallory", "niaj",  "olivia", "peggy"};
constexpr std::array countries = {"United States", "Germany", "France", "Japan",
                                  "Brazil",        "India",   "Canada", "Australia",
                                  "Kenya",         "Norway"};
constexpr std::array cities = {"New York", "Berlin",  "Paris",  "Tokyo",   "Sao Paulo",
                               "Mumbai",   "Toronto", "Sydney", "Nairobi", "Oslo"};
constexpr std::array languages = {"en", "de", "fr", "ja", "pt",
                                  "hi", "en", "en", "sw", "no"};
constexpr std::array namespaces = {"Main", "Talk", "User", "Wikipedia", "Template"};
constexpr std::array comments = {"fix typo",
                                 "add citation needed",
                                 "revert vandalism",
                                 "expand history section with sources",
                                 "update infobox and references",
                                 "copyedit"};

template <class A, class R>
const char* pick(const A& a, R& rng) {
  return a[rng() % a.size()];
}

}  // namespace

event_generator::event_generator(std::string run, uint64_t seed)
    : run_(std::move(run)), rng_(seed) {}

void event_generator::next(std::string& out, utc_time ts) {
  auto city = rng_() % countries.size();
  auto page = pick(pages, rng_);
  auto user = pick(users, rng_);
  auto ns = pick(namespaces, rng_);
  auto comment = pick(comments, rng_);
  bool robot = rng_() % 10 == 0;
  bool is_new = rng_() % 7 == 0;
  bool anonymous = rng_() % 5 == 0;
  int64_t added = static_cast<int64_t>(rng_() % 2000);
  int64_t deleted = static_cast<int64_t>(rng_() % 500);
  int64_t edits = static_cast<int64_t>(rng_() % 100000);
  char buf[768];
  int n = std::snprintf(
      buf, sizeof buf,
      "{\"timestamp\":\"%s\",\"id\":\"%s-%012llu\",\"page\":\"%s\",\"user\":\"%s\","
      "\"country\":\"%s\",\"cityName\":\"%s\",\"language\":\"%s\",\"channel\":\"#%s."
      "wikipedia\","
      "\"namespace\":\"%s\",\"isRobot\":%s,\"isNew\":%s,\"isAnonymous\":%s,\"added\":%"
      "lld,"
      "\"deleted\":%lld,\"delta\":%lld,\"commentLength\":%zu,\"userEdits\":%lld}",
      format_utc_time(ts).c_str(), run_.c_str(), static_cast<unsigned long long>(seq_),
      page, user, countries[city], cities[city], languages[city], languages[city], ns,
      robot ? "true" : "false", is_new ? "true" : "false", anonymous ? "true" : "false",
      static_cast<long long>(added), static_cast<long long>(deleted),
      static_cast<long long>(added - deleted), std::char_traits<char>::length(comment),
      static_cast<long long>(edits));

  out.append(buf, static_cast<size_t>(n));
  ++seq_;
}

}  // namespace sv::core
