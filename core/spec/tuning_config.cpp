#include "core/spec/tuning_config.hpp"

#include "core/spec/check.hpp"

namespace sv::core {

void validate(const tuning_config& x, const std::string& spec_type,
              const std::string& path, std::vector<problem>& ps) {
  auto at = [&](std::string_view key) { return join_path(path, key); };
  if (!x.type.empty() && x.type != spec_type)
    check::add(ps, at("type"),
               "must be '" + spec_type + "' to match the supervisor type (got '" +
                   x.type + "')");
  auto positive = [&](int64_t v, std::string_view key) {
    if (v <= 0) check::add(ps, at(key), "must be > 0 (got " + std::to_string(v) + ")");
  };
  auto non_negative = [&](int64_t v, std::string_view key) {
    if (v < 0) check::add(ps, at(key), "must be >= 0 (got " + std::to_string(v) + ")");
  };
  positive(x.max_rows_in_memory, "maxRowsInMemory");
  if (x.max_bytes_in_memory < -1)
    check::add(ps, at("maxBytesInMemory"), "must be >= -1 (-1 = unlimited, 0 = default)");
  positive(x.max_rows_per_segment, "maxRowsPerSegment");
  positive(x.max_total_rows, "maxTotalRows");
  check::duration(x.intermediate_handoff_period, at("intermediateHandoffPeriod"), true,
                  ps);
  check::duration(x.intermediate_persist_period, at("intermediatePersistPeriod"), true,
                  ps);
  non_negative(x.max_pending_persists, "maxPendingPersists");
  non_negative(x.handoff_condition_timeout, "handoffConditionTimeout");
  if (x.worker_threads) positive(*x.worker_threads, "workerThreads");
  non_negative(x.chat_retries, "chatRetries");
  check::duration(x.http_timeout, at("httpTimeout"), true, ps);
  check::duration(x.shutdown_timeout, at("shutdownTimeout"), true, ps);
  check::duration(x.offset_fetch_period, at("offsetFetchPeriod"), true, ps);
  check::duration(x.repartition_transition_duration, at("repartitionTransitionDuration"),
                  false, ps);
  non_negative(x.max_parse_exceptions, "maxParseExceptions");
  non_negative(x.max_saved_parse_exceptions, "maxSavedParseExceptions");
  positive(x.num_persist_threads, "numPersistThreads");
}

}  // namespace sv::core
