#include "adapters/sql/node_registry.hpp"

#include <charconv>

#include "adapters/errc.hpp"
#include "adapters/sql/postgres_connection.hpp"

namespace sv::adapters::sql {

namespace {

int64_t to_int(const value& v) {
  int64_t out = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

class pg_node_registry final : public node_registry {
 public:
  pg_node_registry(std::unique_ptr<connection> conn, std::string cluster)
      : conn_(std::move(conn)), cluster_(std::move(cluster)) {}

  caf::error heartbeat(const node_record& self) override {
    auto r = conn_->query(
        "INSERT INTO nodes (cluster, id, role, http_address, cluster_address, capacity, "
        "version, started, heartbeat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "clock_timestamp()) ON CONFLICT (cluster, id) DO UPDATE SET role = "
        "EXCLUDED.role, http_address = EXCLUDED.http_address, cluster_address = "
        "EXCLUDED.cluster_address, capacity = EXCLUDED.capacity, version = "
        "EXCLUDED.version, started = EXCLUDED.started, heartbeat = clock_timestamp()",
        {cluster_, self.id, self.role, self.http_address, self.cluster_address,
         std::to_string(self.capacity), self.version, self.started});
    return r ? caf::error{} : r.error();
  }

  caf::expected<std::vector<node_record>> live_nodes(
      std::chrono::milliseconds max_age) override {
    auto rows = conn_->query(
        "SELECT id, role, http_address, cluster_address, capacity, version, started, "
        "to_char(heartbeat AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
        "(extract(epoch FROM clock_timestamp() - heartbeat) * 1000)::bigint FROM nodes "
        "WHERE cluster = $1 AND heartbeat >= clock_timestamp() - $2::bigint * interval "
        "'1 millisecond' ORDER BY id",
        {cluster_, std::to_string(max_age.count())});
    if (!rows) return rows.error();
    std::vector<node_record> out;
    for (const auto& r : *rows) {
      if (r.size() != 9)
        return make_error(errc::corrupt_record, "nodes row of cluster " + cluster_);
      node_record n;
      n.id = r[0].value_or("");
      n.role = r[1].value_or("");
      n.http_address = r[2].value_or("");
      n.cluster_address = r[3].value_or("");
      n.capacity = static_cast<int32_t>(to_int(r[4]));
      n.version = r[5].value_or("");
      n.started = r[6].value_or("");
      n.last_seen = r[7].value_or("");
      n.age_ms = to_int(r[8]);
      out.push_back(std::move(n));
    }
    return out;
  }

  caf::expected<std::optional<leader_record>> leader() override {
    return read_leader(*conn_, cluster_);
  }

  caf::error leave(const std::string& node_id) override {
    auto r = conn_->query("DELETE FROM nodes WHERE cluster = $1 AND id = $2",
                          {cluster_, node_id});
    return r ? caf::error{} : r.error();
  }

 private:
  std::unique_ptr<connection> conn_;
  std::string cluster_;
};

}  // namespace

caf::expected<std::unique_ptr<node_registry>> open_node_registry(
    const std::string& conninfo, const std::string& cluster) {
  auto conn = open_postgres(conninfo);
  if (!conn) return conn.error();
  return std::unique_ptr<node_registry>{
      std::make_unique<pg_node_registry>(std::move(*conn), cluster)};
}

}  // namespace sv::adapters::sql
