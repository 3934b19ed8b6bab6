#include "core/task/sequences.hpp"

#include "core/errc.hpp"

namespace sv::core::task {

sequences::sequences(offset_map start, std::optional<offset_map> final_end,
                     std::optional<offset_map> commit_as)
  : position_(start) {
  sequence s;
  s.start = std::move(start);
  if (final_end) {
    s.end = std::move(final_end);
    s.commit_as = std::move(commit_as);
    s.is_final = true;
  }
  seqs_.push_back(std::move(s));
}

int32_t sequences::route(const partition_id& p, stream_offset offset) const {
  // Newest first: a record belongs to the newest sequence whose start it reached.
  for (auto i = static_cast<int32_t>(seqs_.size()) - 1; i >= 0; --i) {
    const auto& s = seqs_[static_cast<size_t>(i)];
    auto st = s.start.find(p);
    if (st == s.start.end()) return -1;
    if (offset < st->second) continue;
    if (s.end) {
      auto e = s.end->find(p);
      if (e != s.end->end() && offset >= e->second) return -1;
    }
    return i;
  }
  return -1;
}

void sequences::advance(const partition_id& p, stream_offset next) {
  auto i = position_.find(p);
  if (i != position_.end() && next > i->second) i->second = next;
}

caf::error sequences::set_end(const offset_map& end, bool finish,
                              const std::optional<offset_map>& commit_as) {
  auto& open_seq = seqs_.back();
  if (open_seq.is_final)
    return make_error(errc::conflict, "end offsets are already final for this task");
  for (const auto& [p, o] : end) {
    auto pos = position_.find(p);
    if (pos == position_.end())
      return make_error(errc::invalid_input, "partition [" + p + "] is not read by this task");
    if (o < pos->second)
      return make_error(errc::invalid_input,
                        "end offset " + std::to_string(o) + " of partition [" + p +
                          "] is below the current offset " + std::to_string(pos->second));
  }
  for (const auto& [p, o] : position_)
    if (!end.count(p))
      return make_error(errc::invalid_input, "end offsets lack partition [" + p + "]");
  if (finish) {
    open_seq.end = end;
    open_seq.commit_as = commit_as;
    open_seq.is_final = true;
    return {};
  }
  // A checkpoint: close the open sequence at `end`, open the next one there.
  open_seq.end = end;
  sequence next;
  next.id = open_seq.id + 1;
  next.start = end;
  seqs_.push_back(std::move(next));
  return {};
}

bool sequences::complete(const sequence& s) const {
  if (!s.end) return false;
  for (const auto& [p, e] : *s.end) {
    auto pos = position_.find(p);
    if (pos != position_.end() && pos->second < e) return false;
  }
  return true;
}

std::vector<int32_t> sequences::ready() const {
  std::vector<int32_t> out;
  for (size_t i = 0; i < seqs_.size(); ++i)
    if (!seqs_[i].published && complete(seqs_[i])) out.push_back(static_cast<int32_t>(i));
  return out;
}

offset_map sequences::to_read() const {
  offset_map out;
  const auto& last = seqs_.back();
  for (const auto& [p, pos] : position_) {
    if (last.is_final) {
      auto e = last.end->find(p);
      if (e != last.end->end() && pos >= e->second) continue;
    }
    out[p] = pos;
  }
  return out;
}

bool sequences::done() const { return seqs_.back().is_final && seqs_.back().published; }

std::optional<offset_map> sequences::final_end() const {
  if (!seqs_.back().is_final) return std::nullopt;
  return seqs_.back().end;
}

}  // namespace sv::core::task
