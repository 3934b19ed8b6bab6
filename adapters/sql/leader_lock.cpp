#include "adapters/sql/leader_lock.hpp"

#include <charconv>

#include <libpq-fe.h>

#include "adapters/errc.hpp"
#include "adapters/sql/postgres_connection.hpp"
#include "core/errc.hpp"
#include "core/time.hpp"

namespace sv::adapters::sql {

namespace {

bool to_int64(const std::string& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// The advisory lock's key: one per cluster name, apart from the keys the
// store's writers take (those use another seed).
constexpr const char* lock_key = "hashtextextended('streamvisor.leader/' || $1, 0)";

class pg_leader_lock final : public leader_lock {
 public:
  pg_leader_lock(PGconn* conn, std::string cluster, std::string node_id,
                 std::string address)
      : conn_(conn),
        cluster_(std::move(cluster)),
        node_id_(std::move(node_id)),
        address_(std::move(address)) {}

  ~pg_leader_lock() override { PQfinish(conn_); }

  caf::expected<std::optional<int64_t>> try_acquire() override {
    if (held_) {
      if (auto err = check()) return err;
      return epoch_;
    }
    auto got =
        exec(std::string{"SELECT pg_try_advisory_lock("} + lock_key + ")", {cluster_});
    if (!got) return got.error();
    if (*got != "t") return std::optional<int64_t>{};
    held_ = true;
    auto epoch = exec(
        "INSERT INTO leader (cluster, epoch, node_id, address, since) "
        "VALUES ($1, 1, $2, $3, $4) ON CONFLICT (cluster) DO UPDATE SET "
        "epoch = leader.epoch + 1, node_id = EXCLUDED.node_id, "
        "address = EXCLUDED.address, since = EXCLUDED.since RETURNING epoch",
        {cluster_, node_id_, address_, core::format_utc_time(core::utc_now())});
    if (!epoch) {
      release();
      return epoch.error();
    }
    if (!to_int64(*epoch, epoch_)) {
      release();
      return make_error(errc::corrupt_record, "leader epoch '" + *epoch + "'");
    }
    // After the leader row's commit: a fenced write of the old epoch that
    // held the row before it is already logged.
    if (auto logged = exec(
            "INSERT INTO leader_log (cluster, epoch, kind, at) VALUES ($1, "
            "$2, 'elected', $3) RETURNING epoch",
            {cluster_, std::to_string(epoch_), core::format_utc_time(core::utc_now())});
        !logged) {
      release();
      return logged.error();
    }
    // The log keeps a week (a check covers a drill or an incident).
    auto week_ago = core::format_utc_time(core::utc_now() - std::chrono::hours{24 * 7});
    (void)exec("DELETE FROM leader_log WHERE cluster = $1 AND at < $2 RETURNING seq",
               {cluster_, week_ago});
    return epoch_;
  }

  caf::error check() override {
    if (!held_) return make_error(errc::leadership_lost, "the leader lock is not held");
    auto held =
        exec(std::string{"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                         "granted AND pid = pg_backend_pid() AND objsubid = 1 AND "
                         "((classid::bigint << 32) | objid::bigint) = "} +
                 lock_key,
             {cluster_});
    if (!held || *held != "1") {
      // Whatever this session may still hold goes too: a node that is told it
      // lost leadership must not keep the lock from the next leader.
      if (PQstatus(conn_) == CONNECTION_OK)
        (void)exec("SELECT pg_advisory_unlock_all()", {});
      held_ = false;
      return make_error(
          errc::leadership_lost,
          "lost the leader lock of cluster '" + cluster_ + "'" +
              (held ? std::string{} : ": " + core::error_message(held.error())));
    }
    return {};
  }

  caf::expected<bool> evict_holder() override {
    auto n =
        exec(std::string{"SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE "
                         "locktype = 'advisory' AND granted AND objsubid = 1 AND pid "
                         "<> pg_backend_pid() AND "
                         "((classid::bigint << 32) | objid::bigint) = "} +
                 lock_key,
             {cluster_});
    if (!n) return n.error();
    return *n != "0";
  }

  void release() override {
    if (held_ && PQstatus(conn_) == CONNECTION_OK)
      (void)exec(std::string{"SELECT pg_advisory_unlock("} + lock_key + ")", {cluster_});
    held_ = false;
  }

 private:
  // One statement returning one cell (text), or an error. No reset: a lost
  // connection stays lost.
  caf::expected<std::string> exec(const std::string& sql,
                                  const std::vector<std::string>& params) {
    if (PQstatus(conn_) != CONNECTION_OK)
      return make_error(errc::store_unavailable,
                        "postgres: the leader lock's connection is gone");
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 1) {
      std::string msg = "postgres: ";
      const char* text = res ? PQresultErrorMessage(res) : nullptr;
      msg += (text && *text) ? text : PQerrorMessage(conn_);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      PQclear(res);
      return make_error(
          PQstatus(conn_) == CONNECTION_OK ? errc::store_failed : errc::store_unavailable,
          std::move(msg));
    }
    std::string out{PQgetvalue(res, 0, 0), static_cast<size_t>(PQgetlength(res, 0, 0))};
    PQclear(res);
    return out;
  }

  PGconn* conn_;
  std::string cluster_;
  std::string node_id_;
  std::string address_;
  bool held_ = false;
  int64_t epoch_ = 0;
};

}  // namespace

caf::expected<std::unique_ptr<leader_lock>> open_leader_lock(const std::string& conninfo,
                                                             const std::string& cluster,
                                                             const std::string& node_id,
                                                             const std::string& address) {
  // A dead peer is noticed in seconds: keepalives after 2 s idle, every 1 s,
  // 3 probes; unacknowledged data for 5 s breaks the connection.
  const char* keys[] = {"dbname",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        "connect_timeout",
                        "application_name",
                        nullptr};
  std::string app = "streamvisor-leader " + node_id;
  const char* vals[] = {conninfo.c_str(), "1", "2",         "1",    "3",
                        "5000",           "5", app.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = "postgres: cannot connect for the leader lock: ";
    msg += conn ? PQerrorMessage(conn) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return make_error(errc::store_unavailable, std::move(msg));
  }
  // The server's end the same: a leader cut off from it loses the lock in
  // about 5 s, and the standby can take over while the cut lasts.
  if (auto err = set_server_keepalives(conn, 2, 1, 3, 5000)) {
    PQfinish(conn);
    return err;
  }
  return std::unique_ptr<leader_lock>{
      std::make_unique<pg_leader_lock>(conn, cluster, node_id, address)};
}

caf::expected<std::optional<leader_record>> read_leader(connection& conn,
                                                        const std::string& cluster) {
  auto rows = conn.query(
      "SELECT node_id, address, epoch, since FROM leader WHERE cluster = $1", {cluster});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<leader_record>{};
  const auto& r = rows->front();
  leader_record out;
  if (r.size() != 4 || !r[0] || !r[1] || !r[2] || !r[3] || !to_int64(*r[2], out.epoch))
    return make_error(errc::corrupt_record, "leader row of cluster '" + cluster + "'");
  out.node_id = *r[0];
  out.address = *r[1];
  out.since = *r[3];
  return out;
}

}  // namespace sv::adapters::sql
