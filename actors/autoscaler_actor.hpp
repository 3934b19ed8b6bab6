#pragma once
// autoscaler_actor — the lag-based task autoscaler of one supervisor.
//
// Role: samples the supervisor's aggregated lag (lagAggregate) every
//   lagCollectionIntervalMillis into a window of lagCollectionRangeMillis,
//   and every scaleActionPeriodMillis tells the supervisor the task count it
//   computed (core::autoscaler::desired_task_count). The supervisor gates and
//   applies it.
// Lifecycle: spawned by its supervisor when ioConfig.autoScalerConfig is
//   enabled (lagBased), again when that config changes; quits with it (it monitors it).
//   The first sample is taken after scaleActionStartDelayMillis, the first decision after
//   that delay plus lagCollectionRangeMillis.
// Messages in: reset_lag_window (after a scale or a reset).
// Messages out: get_lag_sample (request) and scale_notice to the supervisor.
// Failure behaviour: a sample the supervisor cannot give (it is busy, or the
//   lag is not known yet) counts as lag 0, as in Druid; samples are not taken
//   while the supervisor is suspended.

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "core/spec/io_config.hpp"
#include "messages/autoscaler_messages.hpp"

namespace sv::actors {

/// What the autoscaler needs of its supervisor.
using autoscaled =
    caf::typed_actor<caf::replies_to<msg::get_lag_sample>::with<msg::lag_sample>,
                     caf::reacts_to<msg::scale_notice>>;

using collect_atom = caf::atom_constant<caf::atom("collect")>;
using decide_atom = caf::atom_constant<caf::atom("decide")>;

using autoscaler_actor =
    caf::typed_actor<caf::reacts_to<msg::reset_lag_window>, caf::reacts_to<collect_atom>,
                     caf::reacts_to<decide_atom>>;

autoscaler_actor spawn_autoscaler(caf::actor_system& sys, core::autoscaler_config cfg,
                                  autoscaled supervisor);

}  // namespace sv::actors
