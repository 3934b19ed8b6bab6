#pragma once
// Secrets inside specs (passwords, SASL/JAAS configs, keys, tokens): masked
// wherever the API shows a spec, put back when a masked spec is posted again,
// and given indirectly through password providers that the tasks resolve
// where they run:
//   {"type": "default", "password": "..."}       the value itself (Druid's)
//   {"type": "environment", "variable": "NAME"}  an environment variable (Druid's)
//   {"type": "file", "path": "/run/secrets/x"}   a file's contents, one
//                                                trailing newline dropped
// and Druid's `druid.dynamic.config.provider` ({"type": "mapString",
// "config": {...}} or {"type": "environment", "variables": {KEY: "NAME"}}),
// which sets several properties at once. Pure: the environment and files are
// read through the functions passed in.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "core/json.hpp"

namespace sv::core {

/// What the API shows in place of a secret.
inline constexpr std::string_view masked_secret = "<masked>";

/// True for a member name that holds a secret (case-insensitive: password,
/// secret, jaas, token, credential, passphrase, private.key ...).
bool is_secret_key(std::string_view key);

/// A copy of `j` with every secret masked: the string value of every
/// secret-named member at any depth, and the password of a
/// scheme://user:password@host string. Providers that refer elsewhere
/// (environment, file) are shown as they are: they hold no secret.
json mask_secrets(const json& j);

/// Puts back, in `posted`, every string that masking `current` at the same
/// path gives (a spec read from the API and posted again keeps its secrets).
/// Returns the paths of masks still left: secrets that could not be restored.
std::vector<std::string> restore_masked(json& posted, const json& current);

using secret_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// consumerProperties with every password provider replaced by the string it
/// gives, and the properties the dynamic config provider names set.
/// errc::invalid_input naming `ioConfig.consumerProperties.KEY` on a bad
/// provider, an unset variable or an unreadable file.
caf::expected<json::object> resolve_properties(const json::object& props,
                                               const secret_lookup& env,
                                               const secret_lookup& file);

}  // namespace sv::core
