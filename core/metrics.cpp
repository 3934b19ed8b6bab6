#include "core/metrics.hpp"

#include <algorithm>
#include <map>

namespace sv::core {

namespace {

// One sample: labels (already rendered) and value.
struct sample {
  std::string labels;
  double value = 0;
};

struct family {
  std::string type;  ///< gauge or counter
  std::string help;
  std::vector<sample> samples;
};

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string labels(const supervisor_summary& s, const std::string& extra = "") {
  auto l = "supervisorId=\"" + escape(s.id) + "\",dataSource=\"" + escape(s.data_source) +
           "\",stream=\"" + escape(s.source) + "\"";
  return extra.empty() ? l : l + "," + extra;
}

std::string number(double v) {
  auto text = std::to_string(v);
  // Integers print without the trailing zeros.
  if (v == static_cast<double>(static_cast<int64_t>(v)))
    text = std::to_string(static_cast<int64_t>(v));
  return text;
}

class registry {
 public:
  void add(const std::string& name, const std::string& type, const std::string& help,
           std::string labels, double value) {
    auto& f = families_[name];
    f.type = type;
    f.help = help;
    f.samples.push_back(sample{std::move(labels), value});
  }
  std::string text() const {
    std::string out;
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const auto& s : f.samples)
        out += name + "{" + s.labels + "} " + number(s.value) + "\n";
    }
    return out;
  }

 private:
  std::map<std::string, family> families_;
};

int64_t int_of(const json* j) {
  return j && j->is_int() ? j->as_int() : 0;
}

// Druid's ingest/<type>/lag, maxLag, avgLag, partitionLag from the status's
// `field`; the time variants (Kinesis: minimumLagMillis) end in /time.
void add_lag(registry& r, const supervisor_metrics_input& in, const char* field,
             const std::string& suffix, const std::string& unit) {
  const auto& s = in.summary;
  const json* per = in.status.find(field);
  if (!per || !per->is_object()) return;  // lag not known yet
  auto ingest = "druid_ingest_" + s.type + "_";
  int64_t total = 0, max = 0, n = 0;
  for (const auto& [p, v] : per->as_object()) {
    auto lag = std::max<int64_t>(0, v.is_int() ? v.as_int() : 0);
    total += lag;
    max = std::max(max, lag);
    ++n;
    r.add(ingest + "partition_lag" + suffix, "gauge", "Lag of one partition, in " + unit,
          labels(s, "partition=\"" + escape(p) + "\""), static_cast<double>(lag));
  }
  r.add(ingest + "lag" + suffix, "gauge", "Total lag over the partitions, in " + unit,
        labels(s), static_cast<double>(total));
  r.add(ingest + "max_lag" + suffix, "gauge", "Largest partition lag, in " + unit,
        labels(s), static_cast<double>(max));
  r.add(ingest + "avg_lag" + suffix, "gauge", "Average partition lag, in " + unit,
        labels(s), n ? static_cast<double>(total) / static_cast<double>(n) : 0.0);
}

void add_lag(registry& r, const supervisor_metrics_input& in) {
  add_lag(r, in, "minimumLag", "", "records");
  add_lag(r, in, "minimumLagMillis", "_time", "milliseconds");
}

void add_autoscaler(registry& r, const supervisor_metrics_input& in) {
  const json* a = in.status.find("autoScaler");
  if (!a || !a->is_object()) return;
  const auto l = labels(in.summary);
  if (const json* m = a->find("metrics")) {
    if (const json* v = m->find("task/autoScaler/requiredCount"); v && v->is_int())
      r.add("druid_task_autoscaler_required_count", "gauge",
            "Task count the autoscaler last asked for", l,
            static_cast<double>(v->as_int()));
    if (const json* v = m->find("task/autoScaler/updatedCount"); v && v->is_int())
      r.add("druid_task_autoscaler_updated_count", "gauge", "Task count in effect", l,
            static_cast<double>(v->as_int()));
    if (const json* v = m->find("task/autoScaler/scaleActionTime"); v && v->is_int())
      r.add("druid_task_autoscaler_scale_action_time", "gauge",
            "Milliseconds the last scale took to persist", l,
            static_cast<double>(v->as_int()));
  }
  for (auto [key, name, help] :
       {std::tuple{"scaleOuts", "streamvisor_autoscaler_scale_outs_total", "Scale-outs"},
        std::tuple{"scaleIns", "streamvisor_autoscaler_scale_ins_total", "Scale-ins"},
        std::tuple{"skipped", "streamvisor_autoscaler_skipped_total",
                   "Decisions the supervisor's gate skipped"}})
    r.add(name, "counter", help, l, static_cast<double>(int_of(a->find(key))));
}

}  // namespace

std::string prometheus_text(const std::vector<supervisor_metrics_input>& supervisors) {
  registry r;
  for (const auto& in : supervisors) {
    const auto& s = in.summary;
    const auto l = labels(s);
    r.add("streamvisor_supervisor_state", "gauge",
          "1 for the supervisor's detailed state",
          labels(s, "state=\"" + std::string{to_string(s.state)} + "\""), 1);
    const json* healthy = in.status.find("healthy");
    r.add("streamvisor_supervisor_healthy", "gauge", "1 when healthy", l,
          healthy && healthy->is_bool() && healthy->as_bool() ? 1 : 0);
    r.add("streamvisor_supervisor_suspended", "gauge", "1 when suspended", l,
          s.suspended ? 1 : 0);
    const json* active = in.status.find("activeTasks");
    const json* publishing = in.status.find("publishingTasks");
    int64_t waiting = 0;
    if (active && active->is_array())
      for (const auto& t : active->as_array())
        waiting += t.find("waitingForLock") ? 1 : 0;
    r.add("streamvisor_supervisor_active_tasks", "gauge", "Tasks reading", l,
          active && active->is_array() ? static_cast<double>(active->as_array().size())
                                       : 0.0);
    r.add("streamvisor_supervisor_publishing_tasks", "gauge", "Tasks publishing", l,
          publishing && publishing->is_array()
              ? static_cast<double>(publishing->as_array().size())
              : 0.0);
    r.add("streamvisor_supervisor_tasks_waiting_for_lock", "gauge",
          "Reading tasks waiting for a time-chunk lock", l, static_cast<double>(waiting));
    int64_t errors = 0;
    if (const json* e = in.status.find("recentErrors"); e && e->is_array())
      errors = static_cast<int64_t>(e->as_array().size());
    r.add("streamvisor_supervisor_recent_errors", "gauge", "Entries in recentErrors", l,
          static_cast<double>(errors));
    if (const json* lost = in.status.find("lostOffsets"); lost && lost->is_object())
      for (const auto& [p, range] : lost->as_object())
        r.add("streamvisor_supervisor_lost_offsets", "gauge",
              "Offsets of a bounded range lost to the stream's retention",
              labels(s, "partition=\"" + escape(p) + "\""),
              static_cast<double>(int_of(range.find("to")) - int_of(range.find("from"))));
    add_lag(r, in);
    add_autoscaler(r, in);
  }
  return r.text();
}

}  // namespace sv::core
