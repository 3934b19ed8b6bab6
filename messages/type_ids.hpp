#pragma once
// The single type-id block of streamvisor's messages. Registering it
// (register_message_types) lets every message cross CAF's middleman.

#include <caf/actor_system_config.hpp>
#include <caf/type_id.hpp>

#include "messages/autoscaler_messages.hpp"
#include "messages/cluster_messages.hpp"
#include "messages/lock_messages.hpp"
#include "messages/metadata_messages.hpp"
#include "messages/runner_messages.hpp"
#include "messages/supervisor_messages.hpp"
#include "messages/task_messages.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(streamvisor, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(streamvisor, (sv::core::json))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::supervisor_spec))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::committed_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::spec_version))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::segment_record))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::task_record))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::audit_record))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::publish_result))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::supervisor_summary))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::ack))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::create_supervisor))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::create_supervisor_reply))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::list_supervisors))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::supervisor_list))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_supervisor_spec))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_supervisor_status))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::supervisor_report))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::set_suspended))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::set_all_suspended))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::terminate_supervisor))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::terminate_all))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_history))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::spec_history))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::supervisor_state_changed))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::spec_updated))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::stop_supervisor))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_append_spec))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_latest_specs))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_spec_history))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_get_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::offsets_reply))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_reset_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_edit_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_begin_backfill))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_delete_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_publish))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_segments))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::segment_list))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_upsert_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_get_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_list_tasks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_list))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_append_audit))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_audit))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::audit_list))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::lock_acquire))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::lock_reply))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::lock_granted))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_locks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_lock_wait))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_persist_lock))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_drop_locks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_list_locks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::lock_rows))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_lag_sample))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::lag_sample))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::scale_notice))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::reset_lag_window))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::scale_supervisor))
CAF_ADD_TYPE_ID(streamvisor, (sv::core::cluster::node_info))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::cluster_view))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::md_fence))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_task_status))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::pause_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::resume_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_current_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_end_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_checkpoints))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::stop_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_row_stats))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_task_report))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_status_reply))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::offsets_msg))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::set_end_offsets))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::checkpoints_msg))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::checkpoint_requested))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_finished))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::predecessor_query))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::run_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::kill_task))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_launched))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::list_runner_tasks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::runner_task_list))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::set_runner_location))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::get_live_report))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::adopt_tasks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::adopted_tasks))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::set_listener))
CAF_ADD_TYPE_ID(streamvisor, (sv::msg::task_problem))

CAF_END_TYPE_ID_BLOCK(streamvisor)

namespace sv::msg {

/// Registers every streamvisor message type with `cfg` (needed for the middleman).
void register_message_types(caf::actor_system_config& cfg);

}  // namespace sv::msg
