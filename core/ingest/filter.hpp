#pragma once
// transformSpec.filter compiled for fast evaluation on parsed records:
// selector, in, bound, not, and, or. A multi-value field matches when any of
// its values matches. Rows the filter rejects count as thrownAway.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/ingest/row_buffer.hpp"
#include "core/json.hpp"

namespace sv::core::ingest {

class row_filter {
 public:
  /// Compiles a filter JSON; `slot_of` registers the fields it reads.
  static caf::expected<row_filter> compile(const json& filter, field_router& router);

  bool matches(const row_buffer& row) const;

  struct node;
  row_filter();
  row_filter(const row_filter&);  ///< shares the compiled tree (never changed)
  row_filter& operator=(const row_filter&);
  row_filter(row_filter&&) noexcept;
  row_filter& operator=(row_filter&&) noexcept;
  ~row_filter();

 private:
  std::shared_ptr<const node> root_;
};

}  // namespace sv::core::ingest
