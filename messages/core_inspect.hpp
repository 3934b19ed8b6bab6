#pragma once
// CAF inspect overloads for core value types, so they can travel in messages
// (and across the middleman). They live in namespace sv::core for ADL. The
// JSON value and the spec serialise as JSON text; records field by field.

#include <optional>
#include <string>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>

#include "core/errc.hpp"
#include "core/records.hpp"
#include "core/spec/supervisor_spec.hpp"
#include "core/supervisor_state.hpp"

namespace sv::core {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, json& x) {
  std::string text;
  if constexpr (Inspector::reads_state) text = x.dump();
  auto load = caf::meta::load_callback([&]() -> caf::error {
    auto parsed = json::parse(text);
    if (!parsed) return parsed.error();
    x = std::move(*parsed);
    return caf::none;
  });
  return f(caf::meta::type_name("json"), text, load);
}

/// A spec travels as its printed JSON plus the layout it was posted in.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_spec& x) {
  std::string text;
  std::string prefix;
  if constexpr (Inspector::reads_state) {
    text = to_json(x).dump();
    prefix = x.layout_prefix;
  }
  auto load = caf::meta::load_callback([&]() -> caf::error {
    auto r = parse_supervisor_spec_text(text);
    if (!r.spec) return make_error(errc::invalid_input, describe(r.problems));
    x = std::move(*r.spec);
    x.layout_prefix = prefix;
    return caf::none;
  });
  return f(caf::meta::type_name("supervisor_spec"), text, prefix, load);
}

/// std::optional of a core type: a flag and a (default when empty) value.
template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, std::optional<T>& x) {
  bool has = x.has_value();
  T value = has ? *x : T{};
  auto load = caf::meta::load_callback([&]() -> caf::error {
    if (has)
      x = std::move(value);
    else
      x.reset();
    return caf::none;
  });
  return f(caf::meta::type_name("optional"), has, value, load);
}

/// An offset travels as its decimal text ("EOS" for the end).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_offset& x) {
  std::string text;
  if constexpr (Inspector::reads_state) text = x.to_string();
  auto load = caf::meta::load_callback([&]() -> caf::error {
    auto parsed = stream_offset::parse(text);
    if (!parsed) return parsed.error();
    x = std::move(*parsed);
    return caf::none;
  });
  return f(caf::meta::type_name("stream_offset"), text, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bounded_range& x) {
  return f(caf::meta::type_name("bounded_range"), x.start, x.end);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offset_jump& x) {
  return f(caf::meta::type_name("offset_jump"), x.from, x.to);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, committed_offsets& x) {
  return f(caf::meta::type_name("committed_offsets"), x.type, x.stream, x.offsets,
           x.bounded, x.jump);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spec_version& x) {
  return f(caf::meta::type_name("spec_version"), x.seq, x.spec_id, x.created_date,
           x.payload);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, segment_record& x) {
  return f(caf::meta::type_name("segment_record"), x.id, x.data_source, x.start, x.end,
           x.version, x.partition_num, x.size_bytes, x.num_rows, x.path, x.supervisor_id,
           x.used, x.payload);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_record& x) {
  return f(caf::meta::type_name("task_record"), x.id, x.supervisor_id, x.data_source,
           x.type, x.group_id, x.status, x.created_date, x.location, x.payload, x.report,
           x.duration_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_filter& x) {
  return f(caf::meta::type_name("task_filter"), x.supervisor_id, x.data_source, x.status,
           x.limit, x.type, x.created_from, x.created_to);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_record& x) {
  return f(caf::meta::type_name("audit_record"), x.seq, x.key, x.type, x.author,
           x.comment, x.payload, x.created_date);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_request& x) {
  return f(caf::meta::type_name("publish_request"), x.supervisor_id, x.type, x.stream,
           x.segments, x.start, x.end, x.commit_as, x.bounded);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publish_result& x) {
  return f(caf::meta::type_name("publish_result"), x.outcome, x.stored, x.segments);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, supervisor_summary& x) {
  return f(caf::meta::type_name("supervisor_summary"), x.id, x.data_source, x.type,
           x.source, x.state, x.suspended);
}

}  // namespace sv::core
