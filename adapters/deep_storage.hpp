#pragma once
// Deep storage: where published segment files live. The local implementation
// is a directory (default {data-dir}/segments). A push copies a file to a
// temporary name, fsyncs it, renames it into place and fsyncs the directory,
// so a file is either absent or complete.

#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace sv::adapters {

class deep_storage {
 public:
  virtual ~deep_storage() = default;
  /// Copies `local_file` to `relative_path`; returns the stored location.
  virtual caf::expected<std::string> push(const std::string& local_file,
                                          const std::string& relative_path) = 0;
  /// Where `relative_path` is (or would be) stored.
  virtual std::string location(const std::string& relative_path) const = 0;
};

caf::expected<std::unique_ptr<deep_storage>> open_local_deep_storage(
    const std::string& dir);

}  // namespace sv::adapters
