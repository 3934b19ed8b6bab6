#include "core/offsets.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>

#include "core/errc.hpp"

namespace sv::core {

namespace {

// A plain partition number: digits without leading zeros ("0", "17").
bool plain_number(const std::string& s) {
  if (s.empty() || (s[0] == '0' && s.size() > 1)) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A JSON real that names an int64 exactly (4.0 does; 4.5, 1e300 and NaN do not).
bool integral_in_range(double d) {
  return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e18;
}

}  // namespace

bool partition_less::operator()(const std::string& a, const std::string& b) const {
  // Fast path for Kafka's partition numbers: shorter is smaller, else by digits.
  if (plain_number(a) && plain_number(b)) {
    if (a.size() != b.size()) return a.size() < b.size();
    for (size_t k = 0; k < a.size(); ++k)
      if (a[k] != b[k]) return a[k] < b[k];
    return false;
  }
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };

  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t i0 = i, j0 = j;
      while (i0 < a.size() && a[i0] == '0') ++i0;
      while (j0 < b.size() && b[j0] == '0') ++j0;
      size_t i1 = i0, j1 = j0;
      while (i1 < a.size() && digit(a[i1])) ++i1;
      while (j1 < b.size() && digit(b[j1])) ++j1;
      if (i1 - i0 != j1 - j0) return (i1 - i0) < (j1 - j0);
      auto c = a.compare(i0, i1 - i0, b, j0, j1 - j0);
      if (c != 0) return c < 0;
      // Same value: fewer leading zeros first, for a strict order.
      if (i1 - i != j1 - j) return (i1 - i) < (j1 - j);
      i = i1;
      j = j1;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return (a.size() - i) < (b.size() - j);
}

json to_json(const stream_offset& x) {
  return x.is_small() ? json{x.value()} : json{x.to_string()};
}

json to_json(const offset_map& m) {
  json::object obj;
  obj.reserve(m.size());
  for (const auto& [p, o] : m)
    obj.push_back(json::member{p, to_json(o)});
  return json{std::move(obj)};
}

caf::expected<offset_map> offset_map_from_json(const json& x) {
  if (!x.is_object())
    return make_error(errc::invalid_input, "must be an object of partition -> offset");
  offset_map out;
  for (const auto& m : x.as_object()) {
    if (m.key.empty()) return make_error(errc::invalid_input, "empty partition id");
    if (m.value.is_int()) {
      out[m.key] = m.value.as_int();
    } else if (m.value.is_real() && integral_in_range(m.value.as_real())) {
      out[m.key] = static_cast<int64_t>(m.value.as_real());
    } else if (m.value.is_string()) {
      const auto& s = m.value.as_string();
      auto v = stream_offset::parse(s);
      if (!v)
        return make_error(errc::invalid_input, "offset of partition " + m.key +
                                                   " is not a number: '" + s + "'");
      out[m.key] = std::move(*v);
    } else {
      return make_error(errc::invalid_input,
                        "offset of partition " + m.key + " must be a number");
    }
  }
  return out;
}

offset_map plus(const offset_map& base, const offset_map& other) {
  offset_map out = base;
  for (const auto& [p, o] : other) out[p] = o;
  return out;
}

json to_json(const committed_offsets& x) {
  auto partitions = json::make_object({
      {"type", "end"},
      {"stream", x.stream},
      {"partitionOffsetMap", to_json(x.offsets)},
  });
  if (x.type == "kafka") partitions.set("topic", x.stream);
  json bounded;
  if (x.bounded)
    bounded = json::make_object({{"startSequenceNumbers", to_json(x.bounded->start)},
                                 {"endSequenceNumbers", to_json(x.bounded->end)}});
  auto out = json::make_object({{"type", x.type},
                                {"partitions", std::move(partitions)},
                                {"boundedStreamConfig", bounded}});
  if (!x.jump.empty())
    out.set("pendingJump", json::make_object({{"from", to_json(x.jump.from)},
                                              {"to", to_json(x.jump.to)}}));
  return out;
}

caf::expected<committed_offsets> committed_offsets_from_json(const json& x) {
  committed_offsets out;
  const json* type = x.find("type");
  const json* parts = x.find("partitions");
  if (!type || !type->is_string() || !parts || !parts->is_object())
    return make_error(errc::invalid_input,
                      "offsets payload needs \"type\" and \"partitions\"");
  out.type = type->as_string();
  const json* stream = parts->find("stream");
  if (!stream) stream = parts->find("topic");
  if (stream && stream->is_string()) out.stream = stream->as_string();
  const json* map = parts->find("partitionOffsetMap");
  if (!map) map = parts->find("partitionSequenceNumberMap");
  if (map) {
    auto m = offset_map_from_json(*map);
    if (!m) return m.error();
    out.offsets = std::move(*m);
  }
  if (const json* b = x.find("boundedStreamConfig"); b && b->is_object()) {
    const json* s = b->find("startSequenceNumbers");
    const json* e = b->find("endSequenceNumbers");
    if (!s || !e)
      return make_error(errc::invalid_input, "boundedStreamConfig needs start and end");
    auto sm = offset_map_from_json(*s);
    if (!sm) return sm.error();
    auto em = offset_map_from_json(*e);
    if (!em) return em.error();
    out.bounded = bounded_range{std::move(*sm), std::move(*em)};
  }
  if (const json* j = x.find("pendingJump"); j && j->is_object()) {
    const json* from = j->find("from");
    const json* to = j->find("to");
    if (!from || !to)
      return make_error(errc::invalid_input, "pendingJump needs from and to");
    auto f = offset_map_from_json(*from);
    if (!f) return f.error();
    auto t = offset_map_from_json(*to);
    if (!t) return t.error();
    if (f->size() != t->size())
      return make_error(errc::invalid_input,
                        "pendingJump: from and to differ in partitions");
    out.jump = offset_jump{std::move(*f), std::move(*t)};
  }
  return out;
}

std::string_view to_string(publish_outcome x) {
  switch (x) {
    case publish_outcome::committed:
      return "committed";
    case publish_outcome::ahead:
      return "ahead";
    case publish_outcome::diverged:
      return "diverged";
  }
  return "unknown";
}

publish_outcome check_publish(const std::optional<committed_offsets>& stored,
                              const offset_map& start, const offset_map& end,
                              const std::optional<bounded_range>& bounded) {
  if (!stored) return publish_outcome::committed;
  for (const auto& [p, from] : stored->jump.from) {
    auto s = start.find(p);
    auto e = end.find(p);
    if (s != start.end() && e != end.end() && s->second < from && from < e->second)
      return publish_outcome::diverged;
  }
  if (!stored->offsets.empty() && stored->bounded != bounded)
    return publish_outcome::diverged;
  bool ahead = false;
  bool behind = false;
  for (const auto& [p, offset] : start) {
    auto i = stored->offsets.find(p);
    if (i == stored->offsets.end()) continue;
    if (i->second < offset)
      ahead = true;
    else if (i->second > offset)
      behind = true;
  }
  if (behind) return publish_outcome::diverged;
  if (ahead) return publish_outcome::ahead;
  return publish_outcome::committed;
}

committed_offsets row_after_publish(const std::optional<committed_offsets>& stored,
                                    const std::string& type, const std::string& stream,
                                    const offset_map& end, const offset_map& commit_as,
                                    const std::optional<bounded_range>& bounded) {
  committed_offsets next;
  next.type = type;
  next.stream = stream;
  next.bounded = bounded;
  if (stored) {
    next.offsets = stored->offsets;
    next.jump = stored->jump;
  }
  next.offsets = plus(next.offsets, commit_as);
  for (const auto& [p, from] : next.jump.from)
    if (auto e = end.find(p); e != end.end() && e->second == from) {
      auto to = next.jump.to.at(p);
      next.offsets[p] = std::max(next.offsets[p], to);
    }
  for (auto it = next.jump.from.begin(); it != next.jump.from.end();) {
    auto o = next.offsets.find(it->first);
    if (o != next.offsets.end() && o->second >= next.jump.to.at(it->first)) {
      next.jump.to.erase(it->first);
      it = next.jump.from.erase(it);
    } else {
      ++it;
    }
  }
  return next;
}

}  // namespace sv::core
