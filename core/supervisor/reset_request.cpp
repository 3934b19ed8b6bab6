#include "core/supervisor/reset_request.hpp"

#include "core/errc.hpp"

namespace sv::core::supervisor {

caf::expected<offset_map> parse_reset_offsets(const json& body,
                                              const supervisor_spec& spec) {
  if (!body.is_object())
    return make_error(errc::invalid_input,
                      "Reset dataSourceMetadata is required for resetOffsets.");
  const json* type = body.find("type");
  const json* parts = body.find("partitions");
  if (!type || !type->is_string() || type->as_string() != spec.type)
    return make_error(
        errc::invalid_input,
        "Datasource metadata instance does not match required, found instance of "
        "[" +
            (type && type->is_string() ? type->as_string() : std::string{"null"}) + "].");
  if (!parts || !parts->is_object())
    return make_error(
        errc::invalid_input,
        "Provided datasourceMetadata is invalid: \"partitions\" is required.");
  const json* kind = parts->find("type");
  std::string kind_name = kind && kind->is_string() ? kind->as_string() : "";
  if (kind_name != "end")
    return make_error(
        errc::invalid_input,
        "Provided datasourceMetadata[" + body.dump() +
            "] is invalid. Sequence numbers can only be of type[end], but found[" +
            (kind_name.empty() ? "null" : kind_name) + "].");
  const json* stream = parts->find("stream");
  if (!stream) stream = parts->find("topic");
  std::string stream_name = stream && stream->is_string() ? stream->as_string() : "";
  if (stream_name != spec.stream())
    return make_error(errc::invalid_input,
                      "Stream[" + stream_name + "] doesn't exist in the supervisor[" +
                          spec.id + "]. Supervisor is consuming stream[" + spec.stream() +
                          "].");
  const json* map = parts->find("partitionOffsetMap");
  if (!map) map = parts->find("partitionSequenceNumberMap");
  if (!map || !map->is_object())
    return make_error(
        errc::invalid_input,
        "Provided datasourceMetadata is invalid: partitionOffsetMap is required.");
  auto offsets = offset_map_from_json(*map);
  if (!offsets)
    return make_error(errc::invalid_input, "Provided datasourceMetadata is invalid: " +
                                               error_message(offsets.error()));
  for (const auto& [p, o] : *offsets)
    if (o < 0)
      return make_error(errc::invalid_input, "Offset " + o.to_string() +
                                                 " of partition [" + p +
                                                 "] must not be negative.");
  return offsets;
}

}  // namespace sv::core::supervisor
