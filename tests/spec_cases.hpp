#pragma once
// Invalid supervisor specs, each built from a valid base spec by one edit,
// with the JSON path and a fragment of the reason a 400 must name. Shared by
// the core validation tests and the HTTP API tests.

#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace sv::test {

/// A valid Kafka spec in the nested ("spec") layout.
inline core::json base_kafka_spec() {
  return *core::json::parse(R"({
    "type": "kafka",
    "spec": {
      "dataSchema": {
        "dataSource": "events",
        "timestampSpec": {"column": "ts", "format": "iso"},
        "dimensionsSpec": {"dimensions": ["page", "user"]},
        "metricsSpec": [{"type": "count", "name": "count"},
                        {"type": "longSum", "name": "added", "fieldName": "added"}],
        "granularitySpec": {"segmentGranularity": "HOUR", "queryGranularity": "MINUTE"}
      },
      "ioConfig": {
        "topic": "events",
        "inputFormat": {"type": "json"},
        "consumerProperties": {"bootstrap.servers": "127.0.0.1:9092"},
        "taskCount": 2,
        "taskDuration": "PT1H",
        "autoScalerConfig": {"enableTaskAutoScaler": false, "taskCountMin": 1, "taskCountMax": 4}
      },
      "tuningConfig": {"type": "kafka"}
    }
  })");
}

/// Sets (or, with nullopt, removes) the member at a '/'-separated path.
inline core::json patched(core::json j, const std::string& path,
                          std::optional<core::json> value) {
  core::json* cur = &j;
  size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    auto key = path.substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (slash == std::string::npos) {
      if (value)
        cur->set(key, *value);
      else
        cur->erase(key);
      return j;
    }
    if (!cur->find(key)) cur->set(key, core::json{core::json::object{}});
    cur = cur->find(key);
    start = slash + 1;
  }
}

struct invalid_case {
  std::string name;
  core::json spec;
  std::string path;      ///< the problem's JSON path
  std::string fragment;  ///< part of its reason
};

inline core::json j(const char* text) {
  return *core::json::parse(text);
}

inline std::vector<invalid_case> invalid_spec_cases() {
  auto b = base_kafka_spec();
  auto io = [&](const std::string& key, std::optional<core::json> v) {
    return patched(b, "spec/ioConfig/" + key, std::move(v));
  };
  auto ds = [&](const std::string& key, std::optional<core::json> v) {
    return patched(b, "spec/dataSchema/" + key, std::move(v));
  };
  auto tc = [&](const std::string& key, std::optional<core::json> v) {
    return patched(b, "spec/tuningConfig/" + key, std::move(v));
  };
  auto as = [&](const std::string& key, std::optional<core::json> v) {
    return patched(b, "spec/ioConfig/autoScalerConfig/" + key, std::move(v));
  };
  std::vector<invalid_case> cs = {
      {"missing type", patched(b, "type", std::nullopt), "type", "required"},
      {"unknown type", patched(b, "type", "pulsar"), "type",
       "must be kafka, kinesis or rabbit"},
      {"missing dataSchema", patched(b, "spec/dataSchema", std::nullopt),
       "spec.dataSchema", "required"},
      {"missing dataSource", ds("dataSource", std::nullopt), "spec.dataSchema.dataSource",
       "must not be empty"},
      {"dataSource with slash", ds("dataSource", "a/b"), "spec.dataSchema.dataSource",
       "must not contain '/'"},
      {"dataSource starting with dot", ds("dataSource", ".hidden"),
       "spec.dataSchema.dataSource", "must not start with '.'"},
      {"id with tab", patched(b, "id", "a\tb"), "id", "whitespace"},
      {"id with a line separator", patched(b, "id", "a\u2028b"), "id", "whitespace"},
      {"id with a control character",
       patched(b, "id",
               "a\x01"
               "b"),
       "id", "control characters"},
      {"id that is not UTF-8",
       patched(b, "id",
               "a\xff\xfe"
               "b"),
       "id", "valid UTF-8"},
      {"id of 300 characters", patched(b, "id", std::string(300, 'x')), "id",
       "at most 128 bytes long (got 300)"},
      {"dataSource of 129 characters", ds("dataSource", std::string(129, 'd')),
       "spec.dataSchema.dataSource", "at most 128 bytes"},
      {"missing ioConfig", patched(b, "spec/ioConfig", std::nullopt), "spec.ioConfig",
       "required"},
      {"missing topic", io("topic", std::nullopt), "spec.ioConfig.topic",
       "required (or topicPattern)"},
      {"topic and topicPattern", io("topicPattern", "ev.*"), "spec.ioConfig.topicPattern",
       "only one of"},
      {"bad topicPattern",
       patched(io("topic", std::nullopt), "spec/ioConfig/topicPattern", "ev(["),
       "spec.ioConfig.topicPattern", "not a valid regular expression"},
      // Bounds before std::regex sees the pattern (found by fuzz/spec_fuzz).
      {"topicPattern with a huge back-reference",
       patched(io("topic", std::nullopt), "spec/ioConfig/topicPattern",
               "(a)\\8888888888888888888"),
       "spec.ioConfig.topicPattern", "back-references go up to"},
      {"topicPattern with a huge repetition count",
       patched(io("topic", std::nullopt), "spec/ioConfig/topicPattern",
               "a{1,88888888888}"),
       "spec.ioConfig.topicPattern", "repetition counts go up to 999"},
      {"topicPattern of 300 bytes",
       patched(io("topic", std::nullopt), "spec/ioConfig/topicPattern",
               std::string(300, 'a')),
       "spec.ioConfig.topicPattern", "longer than 256 bytes"},
      {"missing consumerProperties", io("consumerProperties", std::nullopt),
       "spec.ioConfig.consumerProperties", "bootstrap.servers"},
      {"missing bootstrap.servers", io("consumerProperties", j(R"({"group.id":"g"})")),
       "spec.ioConfig.consumerProperties.bootstrap.servers", "required"},
      {"missing inputFormat", io("inputFormat", std::nullopt),
       "spec.ioConfig.inputFormat", "required"},
      {"unknown inputFormat", io("inputFormat", j(R"({"type":"avro_stream"})")),
       "spec.ioConfig.inputFormat.type", "must be json, csv or tsv"},
      {"csv without columns", io("inputFormat", j(R"({"type":"csv"})")),
       "spec.ioConfig.inputFormat.columns", "findColumnsFromHeader"},
      {"taskCount zero", io("taskCount", 0), "spec.ioConfig.taskCount",
       "must be >= 1 (got 0)"},
      {"taskCount not a number", io("taskCount", "two"), "spec.ioConfig.taskCount",
       "must be an integer"},
      {"replicas negative", io("replicas", -1), "spec.ioConfig.replicas", "must be >= 1"},
      {"taskDuration not a period", io("taskDuration", "1 hour"),
       "spec.ioConfig.taskDuration", "invalid ISO 8601 period"},
      {"taskDuration in months", io("taskDuration", "P1M"), "spec.ioConfig.taskDuration",
       "fixed-length"},
      {"period zero", io("period", "PT0S"), "spec.ioConfig.period", "longer than zero"},
      {"completionTimeout malformed", io("completionTimeout", "PT30"),
       "spec.ioConfig.completionTimeout", "invalid ISO 8601 period"},
      {"useEarliestOffset not boolean", io("useEarliestOffset", 3),
       "spec.ioConfig.useEarliestOffset", "must be a boolean"},
      {"both late rejection settings",
       patched(io("lateMessageRejectionPeriod", "PT1H"),
               "spec/ioConfig/lateMessageRejectionStartDateTime", "2024-01-01T00:00Z"),
       "spec.ioConfig.lateMessageRejectionStartDateTime", "cannot be set together"},
      {"late rejection date malformed",
       io("lateMessageRejectionStartDateTime", "last tuesday"),
       "spec.ioConfig.lateMessageRejectionStartDateTime", "invalid ISO 8601 date-time"},
      {"stopTaskCount zero", io("stopTaskCount", 0), "spec.ioConfig.stopTaskCount",
       "must be > 0"},
      {"serverPriorityToReplicas sum", io("serverPriorityToReplicas", j(R"({"1":2})")),
       "spec.ioConfig.serverPriorityToReplicas", "add up to replicas"},
      {"taskCountMax below taskCountMin",
       patched(as("taskCountMin", 4), "spec/ioConfig/autoScalerConfig/taskCountMax", 2),
       "spec.ioConfig.autoScalerConfig.taskCountMax", "must be >= taskCountMin (2 < 4)"},
      {"autoscaler enabled without max",
       patched(as("enableTaskAutoScaler", true),
               "spec/ioConfig/autoScalerConfig/taskCountMax", std::nullopt),
       "spec.ioConfig.autoScalerConfig.taskCountMax",
       "required when the autoscaler is enabled"},
      {"taskCountStart out of range", as("taskCountStart", 9),
       "spec.ioConfig.autoScalerConfig.taskCountStart",
       "between taskCountMin and taskCountMax"},
      {"unknown autoscaler strategy", as("autoScalerStrategy", "magic"),
       "spec.ioConfig.autoScalerConfig.autoScalerStrategy", "must be lagBased"},
      {"scale out fraction above one", as("triggerScaleOutFractionThreshold", 1.5),
       "spec.ioConfig.autoScalerConfig.triggerScaleOutFractionThreshold", "(0, 1]"},
      {"unknown lagAggregate", as("lagAggregate", "MEDIAN"),
       "spec.ioConfig.autoScalerConfig.lagAggregate", "SUM, MAX or AVERAGE"},
      {"scaleOutStep zero", as("scaleOutStep", 0),
       "spec.ioConfig.autoScalerConfig.scaleOutStep", "must be > 0"},
      {"idle inactiveAfterMillis zero",
       io("idleConfig", j(R"({"enabled":true,"inactiveAfterMillis":0})")),
       "spec.ioConfig.idleConfig.inactiveAfterMillis", "must be > 0"},
      {"bounded without end",
       io("boundedStreamConfig", j(R"({"startSequenceNumbers":{"0":1}})")),
       "spec.ioConfig.boundedStreamConfig.endSequenceNumbers", "required"},
      {"bounded with different partitions",
       io("boundedStreamConfig",
          j(R"({"startSequenceNumbers":{"0":1},"endSequenceNumbers":{"1":5}})")),
       "spec.ioConfig.boundedStreamConfig", "same partitions"},
      {"bounded with non-numeric offset",
       io("boundedStreamConfig",
          j(R"({"startSequenceNumbers":{"0":"x"},"endSequenceNumbers":{"0":5}})")),
       "spec.ioConfig.boundedStreamConfig.startSequenceNumbers", "not a number"},
      {"unknown segmentGranularity",
       ds("granularitySpec/segmentGranularity", "FORTNIGHT"),
       "spec.dataSchema.granularitySpec.segmentGranularity", "unknown granularity"},
      {"query coarser than segment", ds("granularitySpec/queryGranularity", "DAY"),
       "spec.dataSchema.granularitySpec.queryGranularity",
       "coarser than segmentGranularity"},
      {"unknown timestamp format", ds("timestampSpec/format", "qqq"),
       "spec.dataSchema.timestampSpec.format", "Joda-style pattern"},
      {"metric without name", ds("metricsSpec", j(R"([{"type":"count"}])")),
       "spec.dataSchema.metricsSpec[0].name", "required"},
      {"unknown aggregator",
       ds("metricsSpec", j(R"([{"type":"hyperUnique","name":"u","fieldName":"user"}])")),
       "spec.dataSchema.metricsSpec[0].type", "unknown aggregator"},
      {"longSum without fieldName",
       ds("metricsSpec", j(R"([{"type":"longSum","name":"x"}])")),
       "spec.dataSchema.metricsSpec[0].fieldName", "required for a longSum"},
      {"metric named like a dimension",
       ds("metricsSpec", j(R"([{"type":"count","name":"page"}])")),
       "spec.dataSchema.metricsSpec[0].name", "already a dimension"},
      {"duplicate dimension", ds("dimensionsSpec/dimensions", j(R"(["a","a"])")),
       "spec.dataSchema.dimensionsSpec.dimensions[1].name", "duplicate dimension"},
      {"dimension of unknown type",
       ds("dimensionsSpec/dimensions", j(R"([{"type":"ipaddress","name":"ip"}])")),
       "spec.dataSchema.dimensionsSpec.dimensions[0].type", "must be string, long"},
      {"unsupported filter",
       ds("transformSpec", j(R"({"filter":{"type":"javascript","function":"x"}})")),
       "spec.dataSchema.transformSpec.filter.type", "unsupported filter type"},
      {"and filter without fields",
       ds("transformSpec", j(R"({"filter":{"type":"and","fields":[]}})")),
       "spec.dataSchema.transformSpec.filter.fields", "non-empty array"},
      {"tuning type mismatch", tc("type", "kinesis"), "spec.tuningConfig.type",
       "must be 'kafka'"},
      {"maxRowsInMemory zero", tc("maxRowsInMemory", 0),
       "spec.tuningConfig.maxRowsInMemory", "must be > 0"},
      {"maxRowsPerSegment negative", tc("maxRowsPerSegment", -5),
       "spec.tuningConfig.maxRowsPerSegment", "must be > 0"},
      {"offsetFetchPeriod malformed", tc("offsetFetchPeriod", "30s"),
       "spec.tuningConfig.offsetFetchPeriod", "invalid ISO 8601 period"},
      {"maxParseExceptions negative", tc("maxParseExceptions", -1),
       "spec.tuningConfig.maxParseExceptions", "must be >= 0"},
      {"indexSpec compression unknown",
       tc("indexSpec", j(R"({"dimensionCompression":"snappy"})")),
       "spec.tuningConfig.indexSpec.dimensionCompression", "must be one of lz4"},
      {"intermediate indexSpec not an object",
       tc("indexSpecForIntermediatePersists", j(R"("zstd")")),
       "spec.tuningConfig.indexSpecForIntermediatePersists", "must be an object"},
      {"context lock type unknown",
       patched(b, "context", j(R"({"taskLockType":"GLOBAL"})")), "context.taskLockType",
       "EXCLUSIVE, SHARED, APPEND or REPLACE"},
      {"spec not an object", patched(b, "spec", j("[1]")), "spec", "must be an object"},
      {"suspended not boolean", patched(b, "suspended", "maybe"), "suspended",
       "must be a boolean"},
  };
  // Kinesis and RabbitMQ-stream specifics.
  auto kinesis =
      patched(patched(patched(b, "type", "kinesis"), "spec/ioConfig/topic", std::nullopt),
              "spec/tuningConfig/type", "kinesis");
  cs.push_back({"kinesis without stream", kinesis, "spec.ioConfig.stream", "required"});
  auto kinesis_s = patched(kinesis, "spec/ioConfig/stream", "s");
  cs.push_back({"kinesis endpoint with a bad scheme",
                patched(kinesis_s, "spec/ioConfig/endpoint", "ftp://h:1"),
                "spec.ioConfig.endpoint", "scheme must be http or https"});
  cs.push_back({"kinesis endpoint with a space",
                patched(kinesis_s, "spec/ioConfig/endpoint", "http://a b"),
                "spec.ioConfig.endpoint", "is not a host[:port]"});
  cs.push_back(
      {"kinesis with a role to assume",
       patched(kinesis_s, "spec/ioConfig/awsAssumedRoleArn", "arn:aws:iam::1:role/r"),
       "spec.ioConfig.awsAssumedRoleArn", "not supported"});
  auto rabbit =
      patched(patched(patched(b, "type", "rabbit"), "spec/ioConfig/topic", std::nullopt),
              "spec/ioConfig/stream", "s");
  rabbit = patched(rabbit, "spec/tuningConfig/type", "rabbit");
  cs.push_back({"rabbit without uri", rabbit, "spec.ioConfig.uri", "required"});
  cs.push_back({"rabbit with an amqp uri",
                patched(rabbit, "spec/ioConfig/uri", "amqp://h"), "spec.ioConfig.uri",
                "must start with rabbitmq-stream://"});
  cs.push_back({"rabbit with a bad amqpUri",
                patched(patched(rabbit, "spec/ioConfig/uri", "rabbitmq-stream://h"),
                        "spec/ioConfig/consumerProperties/amqpUri", "amqp://h:0"),
                "spec.ioConfig.consumerProperties.amqpUri", "the port must be a number"});
  // The flat layout names paths without the "spec." prefix.
  auto flat = *core::json::parse(R"({"type":"kafka","dataSchema":{"dataSource":"d"},
    "ioConfig":{"topic":"t","inputFormat":{"type":"json"},"consumerProperties":{"bootstrap.servers":"b:1"},"replicas":0}})");
  cs.push_back({"flat layout path", flat, "ioConfig.replicas", "must be >= 1"});
  return cs;
}

}  // namespace sv::test
