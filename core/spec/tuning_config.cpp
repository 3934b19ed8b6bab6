#include "core/spec/tuning_config.hpp"

#include "core/spec/check.hpp"

namespace sv::core {

namespace {

// The codec of a Druid compression strategy name, if known.
std::optional<codec> codec_of(std::string_view name) {
  if (name == "lz4" || name == "lzf") return codec::lz4;
  if (name == "zstd") return codec::zstd;
  if (name == "uncompressed" || name == "none") return codec::none;
  return std::nullopt;
}

constexpr const char* compression_keys[] = {"dimensionCompression", "metricCompression"};

void validate_index_spec(const std::optional<json>& spec, const std::string& path,
                         std::vector<problem>& ps) {
  if (!spec || spec->is_null()) return;
  if (!spec->is_object()) {
    check::add(ps, path, "must be an object");
    return;
  }
  for (const char* key : compression_keys) {
    const json* v = spec->find(key);
    if (!v || v->is_null()) continue;
    if (!v->is_string() || !codec_of(v->as_string()))
      check::add(
          ps, join_path(path, key),
          "must be one of lz4, lzf, zstd, uncompressed, none (got " + v->dump() + ")");
  }
}

}  // namespace

column_compression compression_of(const std::optional<json>& index_spec) {
  column_compression c;
  if (!index_spec || !index_spec->is_object()) return c;
  codec* codecs[] = {&c.dimensions, &c.metrics};
  for (size_t i = 0; i < 2; ++i) {
    const json* v = index_spec->find(compression_keys[i]);
    if (v && v->is_string())
      if (auto k = codec_of(v->as_string())) *codecs[i] = *k;
  }
  return c;
}

column_compression tuning_config::segment_compression() const {
  return compression_of(index_spec);
}

column_compression tuning_config::persist_compression() const {
  return compression_of(index_spec_for_intermediate_persists
                            ? index_spec_for_intermediate_persists
                            : index_spec);
}

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
  validate_index_spec(x.index_spec, at("indexSpec"), ps);
  validate_index_spec(x.index_spec_for_intermediate_persists,
                      at("indexSpecForIntermediatePersists"), ps);
}

}  // namespace sv::core
