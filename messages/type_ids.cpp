#include "messages/type_ids.hpp"

namespace sv::msg {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::streamvisor>();
}

}  // namespace sv::msg
