#include "core/locks/lock_table.hpp"

#include <algorithm>
#include <cctype>

namespace sv::core::locks {

std::string_view to_string(lock_type t) {
  switch (t) {
    case lock_type::exclusive:
      return "EXCLUSIVE";
    case lock_type::shared:
      return "SHARED";
    case lock_type::append:
      return "APPEND";
    case lock_type::replace:
      return "REPLACE";
  }
  return "EXCLUSIVE";
}

std::optional<lock_type> parse_lock_type(std::string_view s) {
  std::string up{s};
  std::transform(up.begin(), up.end(), up.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto t :
       {lock_type::exclusive, lock_type::shared, lock_type::append, lock_type::replace})
    if (to_string(t) == up) return t;
  return std::nullopt;
}

std::string time_interval::to_string() const {
  return format_utc_time(start) + "/" + format_utc_time(end);
}

bool compatible(lock_type held, const time_interval& held_interval, lock_type wanted,
                const time_interval& wanted_interval) {
  if (!held_interval.overlaps(wanted_interval)) return true;
  switch (wanted) {
    case lock_type::exclusive:
      return false;
    case lock_type::shared:
      return held == lock_type::shared;
    case lock_type::append:
      return held == lock_type::append ||
             (held == lock_type::replace && held_interval.encloses(wanted_interval));
    case lock_type::replace:
      return held == lock_type::append && wanted_interval.encloses(held_interval);
  }
  return false;
}

std::vector<std::string> lock_table::blockers(const lock_request& r) const {
  std::vector<std::string> out;
  for (const auto& h : held_) {
    if (h.datasource != r.datasource || h.group == r.group) continue;
    if (compatible(h.type, h.interval, r.type, r.interval)) continue;
    if (std::find(out.begin(), out.end(), h.group) == out.end()) out.push_back(h.group);
  }
  return out;
}

void lock_table::grant(const lock_request& r) {
  for (auto& h : held_)
    if (h.datasource == r.datasource && h.group == r.group && h.type == r.type &&
        h.interval == r.interval) {
      if (std::find(h.tasks.begin(), h.tasks.end(), r.task_id) == h.tasks.end())
        h.tasks.push_back(r.task_id);
      return;
    }
  held_.push_back(held_lock{r.datasource, r.group, r.type, r.interval, {r.task_id}});
}

lock_table::decision lock_table::acquire(ticket id, lock_request r) {
  decision d;
  d.blocked_by = blockers(r);
  d.granted = d.blocked_by.empty();
  if (d.granted)
    grant(r);
  else
    waiting_.push_back(waiter{id, std::move(r)});
  return d;
}

std::vector<lock_table::ticket> lock_table::release_task(std::string_view task_id) {
  for (auto& h : held_) std::erase(h.tasks, std::string{task_id});
  std::erase_if(held_, [](const held_lock& h) { return h.tasks.empty(); });
  std::erase_if(waiting_, [&](const waiter& w) { return w.request.task_id == task_id; });
  std::vector<ticket> granted;
  // Oldest first; a grant can block a later waiter, so re-check each in turn.
  for (auto i = waiting_.begin(); i != waiting_.end();) {
    if (blockers(i->request).empty()) {
      grant(i->request);
      granted.push_back(i->id);
      i = waiting_.erase(i);
    } else {
      ++i;
    }
  }
  return granted;
}

bool lock_table::holds(std::string_view task_id) const {
  return std::any_of(held_.begin(), held_.end(), [&](const held_lock& h) {
    return std::find(h.tasks.begin(), h.tasks.end(), task_id) != h.tasks.end();
  });
}

bool lock_table::is_waiting(std::string_view task_id) const {
  return std::any_of(waiting_.begin(), waiting_.end(),
                     [&](const waiter& w) { return w.request.task_id == task_id; });
}

json lock_table::to_json() const {
  json::array locks;
  for (const auto& h : held_) {
    json::array tasks;
    for (const auto& t : h.tasks) tasks.push_back(json{t});
    locks.push_back(json::make_object({{"dataSource", h.datasource},
                                       {"groupId", h.group},
                                       {"type", std::string{to_string(h.type)}},
                                       {"interval", h.interval.to_string()},
                                       {"taskIds", json{std::move(tasks)}}}));
  }
  json::array waiting;
  for (const auto& w : waiting_) {
    json::array by;
    for (const auto& g : blockers(w.request)) by.push_back(json{g});
    waiting.push_back(json::make_object({{"taskId", w.request.task_id},
                                         {"dataSource", w.request.datasource},
                                         {"groupId", w.request.group},
                                         {"type", std::string{to_string(w.request.type)}},
                                         {"interval", w.request.interval.to_string()},
                                         {"blockedBy", json{std::move(by)}}}));
  }
  return json::make_object(
      {{"locks", json{std::move(locks)}}, {"waiting", json{std::move(waiting)}}});
}

}  // namespace sv::core::locks
