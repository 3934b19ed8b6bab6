#pragma once
// A minimal SQL connection used by sql_store: parameterised statements with
// text parameters and text results. Statements use $1, $2, ... placeholders
// for both dialects. Not thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace sv::adapters::sql {

enum class dialect { sqlite, postgres };

/// A parameter or cell: NULL or text (numbers are passed as text).
using value = std::optional<std::string>;
using row = std::vector<value>;

class connection {
 public:
  virtual ~connection() = default;

  virtual dialect kind() const = 0;

  /// Runs one statement; returns its rows (empty for non-queries).
  virtual caf::expected<std::vector<row>> query(
      std::string_view sql, const std::vector<value>& params = {}) = 0;

  /// Rows changed by the last statement.
  virtual int64_t changes() = 0;

  /// Starts a write transaction that serialises with every other writer that
  /// passes one of the same lock keys (SQLite: BEGIN IMMEDIATE serialises all
  /// writers; PostgreSQL: BEGIN and a transaction-scoped advisory lock per key,
  /// taken in the given order).
  virtual caf::error begin_write(const std::vector<std::string>& lock_keys) = 0;

  virtual caf::error commit() = 0;
  /// Never fails; a broken connection is noticed by the next statement.
  virtual void rollback() = 0;
};

}  // namespace sv::adapters::sql
