#pragma once
// tuningConfig of a supervisor spec: every field of Druid's seekable-stream
// tuning config, with Druid's defaults (Kafka unless noted).

#include <algorithm>
#include <optional>
#include <string>

#include "core/segment/compression.hpp"
#include "core/spec/field_io.hpp"

namespace sv::core {

/// An indexSpec's dimensionCompression and metricCompression (absent: Druid's
/// default, lz4). This format's one codec is zstd: lz4 and lzf read as its
/// fastest level (1), zstd as level 3, uncompressed and none as no compression.
column_compression compression_of(const std::optional<json>& index_spec);

struct tuning_config {
  std::string type;  ///< kafka, kinesis, rabbit (defaults to the supervisor type)
  int32_t max_rows_in_memory = 150000;
  int64_t max_bytes_in_memory = 0;  ///< 0 = node default (1/6 of the memory limit)
  bool skip_bytes_in_memory_overhead_check = false;
  int32_t max_rows_per_segment = 5000000;
  int64_t max_total_rows = 20000000;
  iso_period intermediate_handoff_period{.days = 2147483647};
  iso_period intermediate_persist_period{.minutes = 10};
  int32_t max_pending_persists = 0;
  std::optional<json> index_spec;
  std::optional<json> index_spec_for_intermediate_persists;
  bool report_parse_exceptions = false;
  int64_t handoff_condition_timeout = 900000;  ///< ms; 0 = wait forever (kinesis default)
  bool reset_offset_automatically = false;
  bool skip_sequence_number_availability_check = false;
  std::optional<int32_t> worker_threads;
  int32_t chat_retries = 8;
  iso_period http_timeout{.second_millis = 10000};
  iso_period shutdown_timeout{.second_millis = 80000};
  iso_period offset_fetch_period{.second_millis = 30000};  ///< at least PT5S is used
  iso_period repartition_transition_duration{.minutes = 2};
  std::optional<json> segment_write_out_medium_factory;
  bool log_parse_exceptions = false;
  int32_t max_parse_exceptions = 2147483647;
  int32_t max_saved_parse_exceptions = 0;
  int32_t max_columns_to_merge = -1;
  bool release_locks_on_handoff = false;
  int32_t num_persist_threads = 1;  ///< kafka
  // kinesis
  std::optional<int32_t> record_buffer_size_bytes;
  std::optional<int32_t> record_buffer_offer_timeout;
  std::optional<int32_t> record_buffer_full_wait;
  std::optional<int32_t> fetch_threads;
  std::optional<int32_t> max_bytes_per_poll;
  std::optional<bool> use_list_shards;
  // rabbit
  std::optional<int32_t> record_buffer_size;
  std::optional<int32_t> max_records_per_poll;
  json::object extra;

  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("type", x.type);
    f("maxRowsInMemory", x.max_rows_in_memory);
    f("maxBytesInMemory", x.max_bytes_in_memory);
    f("skipBytesInMemoryOverheadCheck", x.skip_bytes_in_memory_overhead_check);
    f("maxRowsPerSegment", x.max_rows_per_segment);
    f("maxTotalRows", x.max_total_rows);
    f("intermediateHandoffPeriod", x.intermediate_handoff_period);
    f("intermediatePersistPeriod", x.intermediate_persist_period);
    f("maxPendingPersists", x.max_pending_persists);
    f("indexSpec", x.index_spec);
    f("indexSpecForIntermediatePersists", x.index_spec_for_intermediate_persists);
    f("reportParseExceptions", x.report_parse_exceptions);
    f("handoffConditionTimeout", x.handoff_condition_timeout);
    f("resetOffsetAutomatically", x.reset_offset_automatically);
    f("skipSequenceNumberAvailabilityCheck", x.skip_sequence_number_availability_check);
    f("workerThreads", x.worker_threads);
    f("chatRetries", x.chat_retries);
    f("httpTimeout", x.http_timeout);
    f("shutdownTimeout", x.shutdown_timeout);
    f("offsetFetchPeriod", x.offset_fetch_period);
    f("repartitionTransitionDuration", x.repartition_transition_duration);
    f("segmentWriteOutMediumFactory", x.segment_write_out_medium_factory);
    f("logParseExceptions", x.log_parse_exceptions);
    f("maxParseExceptions", x.max_parse_exceptions);
    f("maxSavedParseExceptions", x.max_saved_parse_exceptions);
    f("maxColumnsToMerge", x.max_columns_to_merge);
    f("releaseLocksOnHandoff", x.release_locks_on_handoff);
    if (x.type == "kafka") f("numPersistThreads", x.num_persist_threads);
    if (x.type == "kinesis") {
      f("recordBufferSizeBytes", x.record_buffer_size_bytes);
      f("recordBufferOfferTimeout", x.record_buffer_offer_timeout);
      f("recordBufferFullWait", x.record_buffer_full_wait);
      f("fetchThreads", x.fetch_threads);
      f("maxBytesPerPoll", x.max_bytes_per_poll);
      f("useListShards", x.use_list_shards);
    }
    if (x.type == "rabbit") {
      f("recordBufferSize", x.record_buffer_size);
      f("recordBufferOfferTimeout", x.record_buffer_offer_timeout);
      f("maxRecordsPerPoll", x.max_records_per_poll);
    }
  }

  /// How final segments' columns are compressed (indexSpec).
  column_compression segment_compression() const;
  /// How intermediate persists' are (indexSpecForIntermediatePersists, else
  /// indexSpec).
  column_compression persist_compression() const;

  /// maxParseExceptions after reportParseExceptions is applied (true forces 0).
  int32_t effective_max_parse_exceptions() const {
    return report_parse_exceptions ? 0 : max_parse_exceptions;
  }
  /// maxSavedParseExceptions after reportParseExceptions (true caps it at 1).
  int32_t effective_max_saved_parse_exceptions() const {
    return report_parse_exceptions ? std::min(1, max_saved_parse_exceptions)
                                   : max_saved_parse_exceptions;
  }
};

/// Appends the problems of a tuningConfig found at `path`.
void validate(const tuning_config& x, const std::string& spec_type,
              const std::string& path, std::vector<problem>& ps);

}  // namespace sv::core
