#include "core/task/sequences.hpp"

#include <algorithm>
#include <limits>

#include "core/errc.hpp"

namespace sv::core::task {

namespace {
const stream_offset open_end = stream_offset::end();
}  // namespace

sequences::sequences(offset_map start, std::optional<offset_map> final_end,
                     std::optional<offset_map> commit_as) {
  for (const auto& [p, o] : start) {
    ids_.push_back(p);
    position_.push_back(o);
  }
  sequence s;
  s.start = std::move(start);
  std::vector<bounds> b;
  for (size_t i = 0; i < ids_.size(); ++i) {
    stream_offset e = open_end;
    if (final_end)
      if (auto it = final_end->find(ids_[i]); it != final_end->end()) e = it->second;
    b.push_back(bounds{position_[i], e});
  }
  if (final_end) {
    s.end = std::move(final_end);
    s.commit_as = std::move(commit_as);
    s.is_final = true;
  }
  seqs_.push_back(std::move(s));
  bounds_.push_back(std::move(b));
}

int32_t sequences::index_of(const partition_id& p) const {
  // ids_ is in offset_map order (partition_less): binary search.
  auto it = std::lower_bound(ids_.begin(), ids_.end(), p, partition_less{});
  if (it == ids_.end() || *it != p) return -1;
  return static_cast<int32_t>(it - ids_.begin());
}

int32_t sequences::route(int32_t partition, stream_offset offset) const {
  if (partition < 0) return -1;
  auto pi = static_cast<size_t>(partition);
  // Newest first: a record belongs to the newest sequence whose start it reached.
  for (auto i = static_cast<int32_t>(seqs_.size()) - 1; i >= 0; --i) {
    const auto& b = bounds_[static_cast<size_t>(i)][pi];
    if (offset < b.start) continue;
    return offset < b.end ? i : -1;
  }
  return -1;
}

void sequences::advance(int32_t partition, stream_offset next) {
  if (partition < 0) return;
  auto& pos = position_[static_cast<size_t>(partition)];
  if (next > pos) pos = next;
}

offset_map sequences::position() const {
  offset_map m;
  for (size_t i = 0; i < ids_.size(); ++i) m[ids_[i]] = position_[i];
  return m;
}

caf::error sequences::set_end(const offset_map& end, bool finish,
                              const std::optional<offset_map>& commit_as) {
  auto& open_seq = seqs_.back();
  if (open_seq.is_final)
    return make_error(errc::conflict, "end offsets are already final for this task");
  for (const auto& [p, o] : end) {
    auto i = index_of(p);
    if (i < 0)
      return make_error(errc::invalid_input,
                        "partition [" + p + "] is not read by this task");
    if (o < position_[static_cast<size_t>(i)])
      return make_error(errc::invalid_input,
                        "end offset " + o.to_string() + " of partition [" + p +
                            "] is below the current offset " +
                            position_[static_cast<size_t>(i)].to_string());
  }
  for (const auto& p : ids_)
    if (!end.count(p))
      return make_error(errc::invalid_input, "end offsets lack partition [" + p + "]");
  auto& open_bounds = bounds_.back();
  for (size_t i = 0; i < ids_.size(); ++i) open_bounds[i].end = end.at(ids_[i]);
  open_seq.end = end;
  if (finish) {
    open_seq.commit_as = commit_as;
    open_seq.is_final = true;
    return {};
  }
  // A checkpoint: close the open sequence at `end`, open the next one there.
  sequence next;
  next.id = open_seq.id + 1;
  next.start = end;
  std::vector<bounds> b;
  for (size_t i = 0; i < ids_.size(); ++i) b.push_back(bounds{end.at(ids_[i]), open_end});
  seqs_.push_back(std::move(next));
  bounds_.push_back(std::move(b));
  return {};
}

bool sequences::complete(size_t seq) const {
  if (!seqs_[seq].end) return false;
  for (size_t i = 0; i < ids_.size(); ++i)
    if (position_[i] < bounds_[seq][i].end) return false;
  return true;
}

std::vector<int32_t> sequences::ready() const {
  std::vector<int32_t> out;
  for (size_t i = 0; i < seqs_.size(); ++i)
    if (!seqs_[i].published && complete(i)) out.push_back(static_cast<int32_t>(i));
  return out;
}

offset_map sequences::to_read() const {
  offset_map out;
  const auto& last = bounds_.back();
  bool is_final = seqs_.back().is_final;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (is_final && position_[i] >= last[i].end) continue;
    out[ids_[i]] = position_[i];
  }
  return out;
}

bool sequences::done() const {
  return seqs_.back().is_final && seqs_.back().published;
}

std::optional<offset_map> sequences::final_end() const {
  if (!seqs_.back().is_final) return std::nullopt;
  return seqs_.back().end;
}

}  // namespace sv::core::task
