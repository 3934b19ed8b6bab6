#pragma once
// Small documents the nodes share through the metadata store (its `config`
// table, as Druid's druid_config): today the security document. Each has a
// version; a write names the version it replaces, so two nodes changing the
// same document at once cannot both win (compare and set).
//
// Contract: calls block; one store per thread (the HTTP layer holds a mutex).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <caf/expected.hpp>

namespace sv::adapters {

struct config_entry {
  std::string payload;
  int64_t version = 0;  ///< 1 for the first write
};

class config_store {
 public:
  virtual ~config_store() = default;
  virtual caf::expected<std::optional<config_entry>> get(const std::string& name) = 0;
  /// Writes `payload` when the stored version is `expected` (0: absent);
  /// false when another writer came first.
  virtual caf::expected<bool> compare_and_set(const std::string& name, int64_t expected,
                                              const std::string& payload) = 0;
};

/// The same URIs as open_metadata_store; runs the migrations.
caf::expected<std::unique_ptr<config_store>> open_config_store(const std::string& uri);

}  // namespace sv::adapters
