#pragma once
// What the HTTP API knows of the node's cluster: the latest cluster_view,
// written by the cluster actor's thread and read by request threads.

#include <mutex>

#include "messages/cluster_messages.hpp"

namespace sv::http {

class cluster_status {
 public:
  void update(msg::cluster_view v) {
    std::lock_guard<std::mutex> g{mtx_};
    view_ = std::move(v);
  }
  msg::cluster_view view() const {
    std::lock_guard<std::mutex> g{mtx_};
    return view_;
  }

 private:
  mutable std::mutex mtx_;
  msg::cluster_view view_;
};

}  // namespace sv::http
