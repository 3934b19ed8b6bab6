#pragma once
// Internal to core/segment: the plan of a merge (each output dimension's
// columns in the parts and its global dictionary) and the gathering of output
// columns from groups of input rows, shared by merge and split.

#include <string_view>
#include <vector>

#include "core/segment/segment_data.hpp"
#include "core/spread.hpp"

namespace sv::core::segment_detail {

struct row_ref {
  uint32_t part;
  uint32_t row;
};

// One output dimension: its column in every part, and for strings a global
// sorted dictionary with each part's ids remapped into it (so rows compare by
// integer, and dictionaries merge without string comparisons per row).
struct dim_plan {
  std::string name;
  column_type type = column_type::string;
  bool multi = false;
  std::vector<const column_data*> cols;
  std::vector<std::vector<uint32_t>> remap;  ///< [part][local id] -> global id (0 = null)
  std::vector<std::string_view> dictionary;  ///< global, sorted, unique
};

std::vector<dim_plan> plan(const std::vector<const segment_data*>& parts);

/// A single-value row's global id in `d` (0: null).
inline uint32_t global_id(const dim_plan& d, const row_ref& r) {
  const auto* c = d.cols[r.part];
  return c ? d.remap[r.part][c->ids[r.row]] : 0;
}
/// A row's global ids in `d` (none: null).
std::vector<uint32_t> global_ids(const dim_plan& d, const row_ref& r);

/// The output of groups of equal rows (refs[starts[g] .. starts[g+1])), with
/// compact dictionaries (only the values the groups use); its columns are
/// gathered by the workers `spread` runs.
segment_data gather(const std::vector<const segment_data*>& parts,
                    const std::vector<dim_plan>& dims, const std::vector<row_ref>& refs,
                    const std::vector<size_t>& starts, const spread_fn& spread = {});

}  // namespace sv::core::segment_detail
