#pragma once
// ioConfig of a supervisor spec: the common seekable-stream fields plus the
// Kafka, Kinesis and RabbitMQ-stream ones, with Druid's defaults. Which
// type-specific fields are read and printed depends on `type`.

#include <optional>
#include <string>
#include <vector>

#include "core/offsets.hpp"
#include "core/spec/field_io.hpp"

namespace sv::core {

/// The longest topicPattern accepted (Kafka topic names stop at 249 bytes).
inline constexpr size_t max_topic_pattern_bytes = 256;

struct input_format {
  std::string type;                                 ///< json, csv, tsv, ...
  std::optional<std::vector<std::string>> columns;  ///< csv/tsv
  std::optional<bool> find_columns_from_header;     ///< csv/tsv
  std::optional<int32_t> skip_header_rows;          ///< csv/tsv
  std::optional<std::string> delimiter;             ///< tsv
  std::optional<std::string> list_delimiter;        ///< csv/tsv
  json::object extra;                               ///< flattenSpec, featureSpec, ...
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("type", x.type);
    if (x.type == "csv" || x.type == "tsv") {
      f("columns", x.columns);
      f("findColumnsFromHeader", x.find_columns_from_header);
      f("skipHeaderRows", x.skip_header_rows);
      f("listDelimiter", x.list_delimiter);
      if (x.type == "tsv") f("delimiter", x.delimiter);
    }
  }
};
/// Reads `type` first so the type-specific fields are known.
bool read_value(const json& in, input_format& out, const std::string& path,
                std::vector<problem>& ps);

struct autoscaler_config {
  bool enable_task_autoscaler = false;
  std::optional<int32_t> task_count_max;
  std::optional<int32_t> task_count_min;
  std::optional<int32_t> task_count_start;
  int64_t min_trigger_scale_action_frequency_millis = 600000;
  std::optional<iso_period> min_scale_up_delay;
  std::optional<iso_period> min_scale_down_delay;
  std::optional<double> stop_task_count_ratio;
  std::string autoscaler_strategy = "lagBased";
  int64_t lag_collection_interval_millis = 30000;
  int64_t lag_collection_range_millis = 600000;
  int64_t scale_out_threshold = 6000000;
  double trigger_scale_out_fraction_threshold = 0.3;
  int64_t scale_in_threshold = 1000000;
  double trigger_scale_in_fraction_threshold = 0.9;
  int64_t scale_action_start_delay_millis = 300000;
  int64_t scale_action_period_millis = 60000;
  int32_t scale_in_step = 1;
  int32_t scale_out_step = 2;
  std::string lag_aggregate = "SUM";
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("enableTaskAutoScaler", x.enable_task_autoscaler);
    f("taskCountMax", x.task_count_max);
    f("taskCountMin", x.task_count_min);
    f("taskCountStart", x.task_count_start);
    f("minTriggerScaleActionFrequencyMillis",
      x.min_trigger_scale_action_frequency_millis);
    f("minScaleUpDelay", x.min_scale_up_delay);
    f("minScaleDownDelay", x.min_scale_down_delay);
    f("stopTaskCountRatio", x.stop_task_count_ratio);
    f("autoScalerStrategy", x.autoscaler_strategy);
    f("lagCollectionIntervalMillis", x.lag_collection_interval_millis);
    f("lagCollectionRangeMillis", x.lag_collection_range_millis);
    f("scaleOutThreshold", x.scale_out_threshold);
    f("triggerScaleOutFractionThreshold", x.trigger_scale_out_fraction_threshold);
    f("scaleInThreshold", x.scale_in_threshold);
    f("triggerScaleInFractionThreshold", x.trigger_scale_in_fraction_threshold);
    f("scaleActionStartDelayMillis", x.scale_action_start_delay_millis);
    f("scaleActionPeriodMillis", x.scale_action_period_millis);
    f("scaleInStep", x.scale_in_step);
    f("scaleOutStep", x.scale_out_step);
    f("lagAggregate", x.lag_aggregate);
  }
};

struct idle_config {
  bool enabled = false;
  std::optional<int64_t> inactive_after_millis;  ///< node default 600000 when unset
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("enabled", x.enabled);
    f("inactiveAfterMillis", x.inactive_after_millis);
  }
};

/// Kafka: start inclusive, end exclusive; values are numbers or numeric strings.
struct bounded_stream_config {
  json::object start_sequence_numbers;
  json::object end_sequence_numbers;
  json::object extra;
  template <class Self, class F>
  static void fields(Self& x, F& f) {
    f("startSequenceNumbers", x.start_sequence_numbers);
    f("endSequenceNumbers", x.end_sequence_numbers);
  }
};

struct io_config {
  std::string type;  ///< set from the supervisor type before reading (not a JSON field)

  // Kafka
  std::optional<std::string> topic;
  std::optional<std::string> topic_pattern;
  std::optional<json::object> consumer_properties;  ///< kafka and rabbit
  int64_t poll_timeout = 100;                       ///< ms; kafka and rabbit
  std::optional<json> config_overrides;
  bool emit_time_lag_metrics = false;
  // Kinesis and Rabbit
  std::optional<std::string> stream;
  std::string endpoint = "kinesis.us-east-1.amazonaws.com";
  int32_t fetch_delay_millis = 0;
  std::optional<std::string> aws_assumed_role_arn;
  std::optional<std::string> aws_external_id;
  bool deaggregate = false;
  std::optional<std::string> uri;  ///< rabbit: rabbitmq-stream://host:5552

  // Common
  std::optional<core::input_format> input_format;
  int32_t replicas = 1;
  int32_t task_count = 1;
  iso_period task_duration{.hours = 1};
  iso_period start_delay{.second_millis = 5000};
  iso_period period{.second_millis = 30000};
  bool use_earliest_offset = false;  ///< useEarliestOffset / useEarliestSequenceNumber
  iso_period completion_timeout{.minutes = 30};
  std::optional<iso_period> late_message_rejection_period;
  std::optional<iso_period> early_message_rejection_period;
  std::optional<utc_time> late_message_rejection_start_date_time;
  std::optional<autoscaler_config> autoscaler;
  std::optional<core::idle_config> idle;
  std::optional<int32_t> stop_task_count;
  std::optional<std::map<std::string, int32_t>> server_priority_to_replicas;
  std::optional<bounded_stream_config> bounded;
  std::optional<json> lag_aggregator;
  json::object extra;

  template <class Self, class F>
  static void fields(Self& x, F& f) {
    bool kafka = x.type == "kafka", kinesis = x.type == "kinesis",
         rabbit = x.type == "rabbit";
    if (kafka) {
      f("topic", x.topic);
      f("topicPattern", x.topic_pattern);
    } else {
      f("stream", x.stream);
    }
    f("inputFormat", x.input_format);
    if (kinesis) f("endpoint", x.endpoint);
    if (rabbit) f("uri", x.uri);
    if (kafka || rabbit) {
      f("consumerProperties", x.consumer_properties);
      f("pollTimeout", x.poll_timeout);
    }
    f("replicas", x.replicas);
    f("taskCount", x.task_count);
    f("taskDuration", x.task_duration);
    f("startDelay", x.start_delay);
    f("period", x.period);
    if (kinesis) {
      f("useEarliestSequenceNumber", x.use_earliest_offset);
    } else {
      f("useEarliestOffset", x.use_earliest_offset);
    }
    f("completionTimeout", x.completion_timeout);
    f("lateMessageRejectionPeriod", x.late_message_rejection_period);
    f("earlyMessageRejectionPeriod", x.early_message_rejection_period);
    f("lateMessageRejectionStartDateTime", x.late_message_rejection_start_date_time);
    f("autoScalerConfig", x.autoscaler);
    f("idleConfig", x.idle);
    f("stopTaskCount", x.stop_task_count);
    f("serverPriorityToReplicas", x.server_priority_to_replicas);
    f("boundedStreamConfig", x.bounded);
    f("lagAggregator", x.lag_aggregator);
    if (kafka) {
      f("configOverrides", x.config_overrides);
      f("emitTimeLagMetrics", x.emit_time_lag_metrics);
    }
    if (kinesis) {
      f("fetchDelayMillis", x.fetch_delay_millis);
      f("awsAssumedRoleArn", x.aws_assumed_role_arn);
      f("awsExternalId", x.aws_external_id);
      f("deaggregate", x.deaggregate);
    }
  }

  /// The stream the supervisor reads: topic, topicPattern or stream.
  std::string stream_name() const;
  /// True when the autoscaler config is present and enabled.
  bool autoscaling() const { return autoscaler && autoscaler->enable_task_autoscaler; }
};

/// Appends the problems of an ioConfig found at `path`.
void validate(const io_config& x, const std::string& path, std::vector<problem>& ps);

/// The bounded range as offsets; problems (non-numeric offsets) go to `ps`.
std::optional<bounded_range> bounded_offsets(const bounded_stream_config& b,
                                             const std::string& path,
                                             std::vector<problem>& ps);

}  // namespace sv::core
