#include "core/spec/io_config.hpp"

#include <regex>
#include <set>

#include "core/errc.hpp"
#include "core/spec/check.hpp"
#include "core/spec/secrets.hpp"
#include "core/stream/kinesis_endpoint.hpp"
#include "core/stream/rabbit_endpoint.hpp"

namespace sv::core {

namespace {

// Bounds checked before a topicPattern reaches std::regex, whose compiler
// recurses per alternative, copies a repeated atom once per repetition and
// overflows on long numbers in back-references and repetition counts.
std::string pattern_out_of_bounds(const std::string& p) {
  if (p.size() > max_topic_pattern_bytes)
    return "longer than " + std::to_string(max_topic_pattern_bytes) + " bytes";
  bool in_braces = false;
  size_t digits = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      size_t j = i + 1;
      while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
      if (j - (i + 1) > 2) return "back-references go up to \\99";
      i = j > i + 1 ? j - 1 : i + 1;
      continue;
    }
    if (c == '{') {
      in_braces = true;
      digits = 0;
    } else if (c == '}') {
      in_braces = false;
    } else if (in_braces && c >= '0' && c <= '9') {
      if (++digits > 3) return "repetition counts go up to 999";
    } else {
      digits = 0;
    }
  }
  return {};
}

}  // namespace

bool read_value(const json& in, input_format& out, const std::string& path,
                std::vector<problem>& ps) {
  if (!expect_kind(in, json::kind::object, path, ps)) return false;
  if (const json* t = in.find("type"); t && t->is_string()) out.type = t->as_string();
  field_reader r{in.as_object(), path, ps};
  input_format::fields(out, r);
  out.extra = r.extras();
  return true;
}

std::string io_config::stream_name() const {
  if (topic) return *topic;
  if (topic_pattern) return *topic_pattern;
  if (stream) return *stream;
  return {};
}

std::optional<bounded_range> bounded_offsets(const bounded_stream_config& b,
                                             const std::string& path,
                                             std::vector<problem>& ps) {
  auto start = offset_map_from_json(json{b.start_sequence_numbers});
  auto end = offset_map_from_json(json{b.end_sequence_numbers});
  if (!start)
    check::add(ps, join_path(path, "startSequenceNumbers"), error_message(start.error()));
  if (!end)
    check::add(ps, join_path(path, "endSequenceNumbers"), error_message(end.error()));
  if (!start || !end) return std::nullopt;
  return bounded_range{std::move(*start), std::move(*end)};
}

namespace {

void validate_input_format(const input_format& f, const std::string& path,
                           std::vector<problem>& ps) {
  if (f.type.empty()) {
    check::add(ps, join_path(path, "type"), "required (json, csv or tsv)");
    return;
  }
  check::one_of(f.type, {"json", "csv", "tsv"}, join_path(path, "type"), ps);
  if (f.type == "csv" || f.type == "tsv") {
    bool from_header = f.find_columns_from_header.value_or(false);
    if (!from_header && (!f.columns || f.columns->empty()))
      check::add(ps, join_path(path, "columns"),
                 "required unless findColumnsFromHeader is true");
    if (from_header && f.columns && !f.columns->empty())
      check::add(ps, join_path(path, "columns"),
                 "must not be set when findColumnsFromHeader is true");
    if (f.skip_header_rows && *f.skip_header_rows < 0)
      check::add(ps, join_path(path, "skipHeaderRows"), "must be >= 0");
  }
}

void validate_autoscaler(const autoscaler_config& a, const std::string& path,
                         std::vector<problem>& ps) {
  auto at = [&](std::string_view key) { return join_path(path, key); };
  if (a.enable_task_autoscaler) {
    if (!a.task_count_max)
      check::add(ps, at("taskCountMax"), "required when the autoscaler is enabled");
    if (!a.task_count_min)
      check::add(ps, at("taskCountMin"), "required when the autoscaler is enabled");
  }
  if (a.task_count_min && *a.task_count_min < 1)
    check::add(ps, at("taskCountMin"),
               "must be >= 1 (got " + std::to_string(*a.task_count_min) + ")");
  if (a.task_count_max && a.task_count_min && *a.task_count_max < *a.task_count_min)
    check::add(ps, at("taskCountMax"),
               "must be >= taskCountMin (" + std::to_string(*a.task_count_max) + " < " +
                   std::to_string(*a.task_count_min) + ")");
  if (a.task_count_start && a.task_count_min && a.task_count_max &&
      (*a.task_count_start < *a.task_count_min ||
       *a.task_count_start > *a.task_count_max))
    check::add(ps, at("taskCountStart"),
               "must be between taskCountMin and taskCountMax (" +
                   std::to_string(*a.task_count_start) + " not in [" +
                   std::to_string(*a.task_count_min) + ", " +
                   std::to_string(*a.task_count_max) + "])");
  if (a.autoscaler_strategy == "costBased")
    check::add(ps, at("autoScalerStrategy"), "costBased is not supported; use lagBased");
  else
    check::one_of(a.autoscaler_strategy, {"lagBased"}, at("autoScalerStrategy"), ps);
  check::one_of(a.lag_aggregate, {"SUM", "MAX", "AVERAGE"}, at("lagAggregate"), ps);
  auto fraction = [&](double v, std::string_view key) {
    if (!(v > 0.0 && v <= 1.0))
      check::add(ps, at(key), "must be in (0, 1] (got " + json{v}.dump() + ")");
  };
  fraction(a.trigger_scale_out_fraction_threshold, "triggerScaleOutFractionThreshold");
  fraction(a.trigger_scale_in_fraction_threshold, "triggerScaleInFractionThreshold");
  if (a.stop_task_count_ratio) fraction(*a.stop_task_count_ratio, "stopTaskCountRatio");
  auto positive = [&](int64_t v, std::string_view key) {
    if (v <= 0) check::add(ps, at(key), "must be > 0 (got " + std::to_string(v) + ")");
  };
  positive(a.lag_collection_interval_millis, "lagCollectionIntervalMillis");
  positive(a.lag_collection_range_millis, "lagCollectionRangeMillis");
  positive(a.scale_action_period_millis, "scaleActionPeriodMillis");
  positive(a.scale_in_step, "scaleInStep");
  positive(a.scale_out_step, "scaleOutStep");
  if (a.lag_collection_range_millis < a.lag_collection_interval_millis &&
      a.lag_collection_interval_millis > 0)
    check::add(ps, at("lagCollectionRangeMillis"),
               "must be >= lagCollectionIntervalMillis");
  auto non_negative = [&](int64_t v, std::string_view key) {
    if (v < 0) check::add(ps, at(key), "must be >= 0 (got " + std::to_string(v) + ")");
  };
  non_negative(a.scale_out_threshold, "scaleOutThreshold");
  non_negative(a.scale_in_threshold, "scaleInThreshold");
  non_negative(a.scale_action_start_delay_millis, "scaleActionStartDelayMillis");
  non_negative(a.min_trigger_scale_action_frequency_millis,
               "minTriggerScaleActionFrequencyMillis");
  if (a.min_scale_up_delay)
    check::duration(*a.min_scale_up_delay, at("minScaleUpDelay"), false, ps);
  if (a.min_scale_down_delay)
    check::duration(*a.min_scale_down_delay, at("minScaleDownDelay"), false, ps);
}

void validate_bounded(const io_config& x, const std::string& path,
                      std::vector<problem>& ps) {
  const auto& b = *x.bounded;
  auto sp = join_path(path, "startSequenceNumbers");
  auto ep = join_path(path, "endSequenceNumbers");
  if (b.start_sequence_numbers.empty())
    check::add(ps, sp, "required: a non-empty map of partition -> offset");
  if (b.end_sequence_numbers.empty())
    check::add(ps, ep, "required: a non-empty map of partition -> offset");
  std::set<std::string> s, e;
  for (const auto& m : b.start_sequence_numbers) s.insert(m.key);
  for (const auto& m : b.end_sequence_numbers) e.insert(m.key);
  if (!s.empty() && !e.empty() && s != e)
    check::add(
        ps, path,
        "startSequenceNumbers and endSequenceNumbers must have the same partitions");
  if (x.type != "kinesis") bounded_offsets(b, path, ps);  // offsets must be numbers
}

}  // namespace

void validate(const io_config& x, const std::string& path, std::vector<problem>& ps) {
  auto at = [&](std::string_view key) { return join_path(path, key); };
  if (x.type == "kafka") {
    if (!x.topic && !x.topic_pattern)
      check::add(ps, at("topic"), "required (or topicPattern)");
    if (x.topic && x.topic_pattern)
      check::add(ps, at("topicPattern"), "only one of topic and topicPattern may be set");
    if (x.topic && x.topic->empty()) check::add(ps, at("topic"), "must not be empty");
    if (x.topic_pattern) {
      if (x.topic_pattern->empty()) {
        check::add(ps, at("topicPattern"), "must not be empty");
      } else if (auto why = pattern_out_of_bounds(*x.topic_pattern); !why.empty()) {
        check::add(ps, at("topicPattern"), why);
      } else {
        try {
          std::regex re{*x.topic_pattern};
        } catch (const std::regex_error& e) {
          check::add(ps, at("topicPattern"),
                     std::string{"not a valid regular expression: "} + e.what());
        }
      }
    }
  } else if (!x.stream || x.stream->empty()) {
    check::add(ps, at("stream"), "required");
  }
  if (x.type == "kafka") {
    if (!x.consumer_properties) {
      check::add(ps, at("consumerProperties"), "required, with bootstrap.servers");
    } else {
      const json props{*x.consumer_properties};
      const json* bs = props.find("bootstrap.servers");
      if (!bs || !bs->is_string() || bs->as_string().empty())
        check::add(ps, join_path(at("consumerProperties"), "bootstrap.servers"),
                   "required");
    }
  }
  // "ioConfig.FIELD: why" -> the field under `path`.
  auto add_located = [&](const caf::error& e) {
    auto msg = error_message(e);
    auto colon = msg.find(": ");
    auto field = msg.substr(0, colon);
    constexpr std::string_view prefix = "ioConfig.";
    if (field.rfind(prefix, 0) == 0) field = field.substr(prefix.size());
    check::add(ps, at(field), colon == std::string::npos ? msg : msg.substr(colon + 2));
  };
  // Syntax only: environment variables and files are read where tasks run.
  auto anything = [](const std::string&) -> std::optional<std::string> { return "set"; };
  std::optional<json::object> props;
  if (x.consumer_properties) {
    auto resolved = resolve_properties(*x.consumer_properties, anything, anything);
    if (resolved)
      props = std::move(*resolved);
    else
      add_located(resolved.error());
  }
  if (x.type == "rabbit" && (!x.uri || x.uri->empty())) {
    check::add(ps, at("uri"), "required");
  } else if (x.type == "rabbit") {
    auto ep = stream::parse_rabbit_endpoint(*x.uri, props ? &*props : nullptr, anything);
    if (!ep) add_located(ep.error());
  }
  if (!x.input_format)
    check::add(ps, at("inputFormat"), "required");
  else
    validate_input_format(*x.input_format, at("inputFormat"), ps);
  if (x.poll_timeout < 0) check::add(ps, at("pollTimeout"), "must be >= 0");
  if (x.replicas < 1)
    check::add(ps, at("replicas"),
               "must be >= 1 (got " + std::to_string(x.replicas) + ")");
  if (x.task_count < 1)
    check::add(ps, at("taskCount"),
               "must be >= 1 (got " + std::to_string(x.task_count) + ")");
  check::duration(x.task_duration, at("taskDuration"), true, ps);
  check::duration(x.start_delay, at("startDelay"), false, ps);
  check::duration(x.period, at("period"), true, ps);
  check::duration(x.completion_timeout, at("completionTimeout"), true, ps);
  if (x.late_message_rejection_period)
    check::duration(*x.late_message_rejection_period, at("lateMessageRejectionPeriod"),
                    false, ps);
  if (x.early_message_rejection_period)
    check::duration(*x.early_message_rejection_period, at("earlyMessageRejectionPeriod"),
                    false, ps);
  if (x.late_message_rejection_period && x.late_message_rejection_start_date_time)
    check::add(ps, at("lateMessageRejectionStartDateTime"),
               "cannot be set together with lateMessageRejectionPeriod");
  if (x.stop_task_count && *x.stop_task_count <= 0)
    check::add(ps, at("stopTaskCount"),
               "must be > 0 (got " + std::to_string(*x.stop_task_count) + ")");
  if (x.server_priority_to_replicas) {
    int64_t sum = 0;
    for (const auto& [prio, n] : *x.server_priority_to_replicas) {
      if (n < 0)
        check::add(ps, join_path(at("serverPriorityToReplicas"), prio), "must be >= 0");
      sum += n;
    }
    if (sum != x.replicas)
      check::add(ps, at("serverPriorityToReplicas"),
                 "replica counts must add up to replicas (" + std::to_string(sum) +
                     " != " + std::to_string(x.replicas) + ")");
  }
  if (x.autoscaler) validate_autoscaler(*x.autoscaler, at("autoScalerConfig"), ps);
  if (x.idle && x.idle->inactive_after_millis && *x.idle->inactive_after_millis <= 0)
    check::add(ps, join_path(at("idleConfig"), "inactiveAfterMillis"), "must be > 0");
  if (x.bounded) validate_bounded(x, at("boundedStreamConfig"), ps);
  if (x.type == "kinesis") {
    if (x.fetch_delay_millis < 0) check::add(ps, at("fetchDelayMillis"), "must be >= 0");
    // Syntax only: credentials are read where the tasks run.
    auto ep = stream::parse_kinesis_endpoint(
        x.endpoint,
        [](const std::string&) -> std::optional<std::string> { return "set"; });
    if (!ep) {
      auto msg = error_message(ep.error());
      auto colon = msg.find(": ");
      check::add(ps, at("endpoint"),
                 colon == std::string::npos ? msg : msg.substr(colon + 2));
    }
    if (x.aws_assumed_role_arn)
      check::add(ps, at("awsAssumedRoleArn"),
                 "assuming a role (STS) is not supported; give the role's credentials "
                 "in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN");
  }
}

}  // namespace sv::core
