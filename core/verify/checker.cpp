#include "core/verify/checker.hpp"

#include <algorithm>

namespace sv::core::verify {

namespace {

json list_json(const violation_list& v) {
  json::array first;
  for (const auto& s : v.first) first.push_back(json{s});
  return json::make_object({{"count", v.count}, {"first", json{std::move(first)}}});
}

}  // namespace

json report::to_json() const {
  return json::make_object({{"ok", ok()},
                            {"expected", expected},
                            {"published", published},
                            {"missing", list_json(missing)},
                            {"duplicated", list_json(duplicated)},
                            {"unexpected", list_json(unexpected)},
                            {"withoutId", list_json(no_id)},
                            {"offsets", list_json(offsets)},
                            {"leaderWrites", list_json(leader_writes)}});
}

void checker::note(violation_list& v, std::string what) const {
  ++v.count;
  if (v.first.size() < listed_) v.first.push_back(std::move(what));
}

void checker::expect(std::string_view id) {
  ++expected_[std::string{id}];
}

void checker::expect_without_id(const partition_id& p, stream_offset offset) {
  note(base_.no_id,
       "stream record at offset " + offset.to_string() + " of partition " + p);
}

void checker::published(std::string_view id) {
  ++published_[std::string{id}];
}

void checker::published_without_id(const std::string& segment) {
  note(base_.no_id, "a row of segment " + segment);
}

void checker::observe_committed(const offset_map& committed) {
  for (const auto& [p, o] : committed) {
    auto [it, fresh] = seen_.try_emplace(p, o);
    if (fresh) continue;
    // Each move backwards once: later looks compare with where it went.
    if (o < it->second)
      note(base_.offsets, "partition " + p + ": committed offset moved backwards from " +
                              it->second.to_string() + " to " + o.to_string());
    it->second = o;
  }
}

void checker::expect_end(const offset_map& committed, const offset_map& stream_end) {
  observe_committed(committed);
  for (const auto& [p, end] : stream_end) {
    auto c = committed.find(p);
    auto at = c == committed.end() ? stream_offset{0} : c->second;
    if (at != end)
      note(base_.offsets, "partition " + p + ": committed offset " + at.to_string() +
                              ", the stream ends at " + end.to_string());
  }
  for (const auto& [p, at] : committed)
    if (!stream_end.count(p))
      note(base_.offsets, "partition " + p + ": committed offset " + at.to_string() +
                              " for a partition the stream does not have");
}

report checker::finish() const {
  report r = base_;
  for (const auto& [_, n] : expected_) r.expected += n;
  for (const auto& [_, n] : published_) r.published += n;
  // Sorted, so the report lists the same ids run after run.
  std::vector<std::string> missing, duplicated, unexpected;
  for (const auto& [id, n] : expected_) {
    auto p = published_.find(id);
    int32_t got = p == published_.end() ? 0 : p->second;
    if (got == 0) missing.push_back(id);
    // An id twice in the stream is a producer's retry, not ours to count:
    // it must still be published once.
    if (got > 1) duplicated.push_back(id + " x" + std::to_string(got));
  }
  for (const auto& [id, n] : published_)
    if (!expected_.count(id))
      unexpected.push_back(id + (n > 1 ? " x" + std::to_string(n) : ""));
  for (auto* v : {&missing, &duplicated, &unexpected}) std::sort(v->begin(), v->end());
  for (auto& id : missing) note(r.missing, std::move(id));
  for (auto& id : duplicated) note(r.duplicated, std::move(id));
  for (auto& id : unexpected) note(r.unexpected, std::move(id));
  return r;
}

}  // namespace sv::core::verify
