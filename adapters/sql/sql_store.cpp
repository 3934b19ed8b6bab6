#include "adapters/sql/sql_store.hpp"

#include <map>

#include "adapters/errc.hpp"
#include "adapters/sql/leader_log_rows.hpp"
#include "adapters/sql/lock_rows.hpp"
#include "adapters/sql/schema.hpp"
#include "core/errc.hpp"

namespace sv::adapters::sql {

namespace {

using core::json;

caf::expected<json> parse_payload(const value& v, std::string_view what) {
  if (!v) return make_error(errc::corrupt_record, std::string{what} + ": NULL payload");
  auto j = json::parse(*v);
  if (!j)
    return make_error(errc::corrupt_record,
                      std::string{what} + ": " + core::error_message(j.error()));
  return j;
}

std::string text(const value& v) {
  return v ? *v : std::string{};
}
int64_t number(const value& v) {
  return v ? std::stoll(*v) : 0;
}

class sql_store final : public metadata_store {
 public:
  explicit sql_store(std::unique_ptr<connection> conn) : conn_(std::move(conn)) {}

  std::string kind() const override {
    return conn_->kind() == dialect::sqlite ? "sqlite" : "postgres";
  }

  caf::expected<int32_t> schema_version() override {
    auto rows = conn_->query("SELECT MAX(version) FROM schema_version");
    if (!rows) return rows.error();
    return static_cast<int32_t>(number(rows->at(0).at(0)));
  }

  // -- specs ----------------------------------------------------------------

  void fence_leader_writes(std::optional<leader_fence> f) override {
    fence_ = std::move(f);
  }

  caf::expected<core::spec_version> append_spec(const std::string& spec_id,
                                                const json& payload) override {
    return leader_write<core::spec_version>(
        "spec", {}, [&] { return insert_spec(spec_id, payload); });
  }

  caf::expected<core::spec_version> insert_spec(const std::string& spec_id,
                                                const json& payload) {
    core::spec_version v{0, spec_id, core::format_utc_time(core::utc_now()), payload};
    auto rows = conn_->query(
        "INSERT INTO supervisors (spec_id, created_date, payload) VALUES ($1, $2, $3) "
        "RETURNING id",
        {spec_id, v.created_date, payload.dump()});
    if (!rows) return rows.error();
    v.seq = number(rows->at(0).at(0));
    return v;
  }

  caf::expected<std::vector<core::spec_version>> latest_specs() override {
    return specs(
        "SELECT s.id, s.spec_id, s.created_date, s.payload FROM supervisors s "
        "JOIN (SELECT spec_id, MAX(id) AS id FROM supervisors GROUP BY spec_id) m ON "
        "s.id = m.id "
        "ORDER BY s.spec_id",
        {});
  }

  caf::expected<std::vector<core::spec_version>> spec_history(
      const std::optional<std::string>& spec_id, std::optional<int32_t> limit) override {
    auto rows = spec_id
                    ? specs(
                          "SELECT id, spec_id, created_date, payload FROM supervisors "
                          "WHERE spec_id = $1 ORDER BY id DESC",
                          {*spec_id})
                    : specs(
                          "SELECT id, spec_id, created_date, payload FROM supervisors "
                          "ORDER BY spec_id, id DESC",
                          {});
    if (!rows || !limit) return rows;
    std::vector<core::spec_version> out;
    std::map<std::string, int32_t> taken;
    for (auto& v : *rows)
      if (taken[v.spec_id]++ < *limit) out.push_back(std::move(v));
    return out;
  }

  // -- offsets --------------------------------------------------------------

  caf::expected<std::optional<core::committed_offsets>> committed_offsets(
      const std::string& supervisor_id) override {
    auto rows =
        conn_->query("SELECT payload FROM datasource_metadata WHERE supervisor_id = $1",
                     {supervisor_id});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<core::committed_offsets>{};
    auto payload =
        parse_payload(rows->at(0).at(0), "datasource_metadata " + supervisor_id);
    if (!payload) return payload.error();
    auto offsets = core::committed_offsets_from_json(*payload);
    if (!offsets)
      return make_error(errc::corrupt_record, "datasource_metadata " + supervisor_id +
                                                  ": " +
                                                  core::error_message(offsets.error()));
    return std::optional<core::committed_offsets>{std::move(*offsets)};
  }

  caf::error reset_offsets(const std::string& supervisor_id,
                           const core::committed_offsets& offsets) override {
    auto r = leader_write<bool>("offsets reset", {"publish:" + supervisor_id},
                                [&]() -> caf::expected<bool> {
                                  if (auto err = write_offsets(supervisor_id, offsets))
                                    return err;
                                  return true;
                                });
    return r ? caf::error{} : r.error();
  }

  caf::expected<core::committed_offsets> edit_offsets(
      const std::string& supervisor_id, const std::string& type,
      const std::string& stream, const core::offset_map& set,
      const std::vector<core::partition_id>& drop,
      const core::offset_map& if_absent) override {
    return leader_write<core::committed_offsets>(
        "offsets edit", {"publish:" + supervisor_id},
        [&]() -> caf::expected<core::committed_offsets> {
          auto stored = committed_offsets(supervisor_id);
          if (!stored) return stored.error();
          auto row = stored->value_or(
              core::committed_offsets{type, stream, {}, std::nullopt, {}});
          for (const auto& p : drop) row.offsets.erase(p);
          row.offsets = core::plus(row.offsets, set);
          bool added = false;
          for (const auto& [p, o] : if_absent) added |= row.offsets.try_emplace(p, o).second;
          if (set.empty() && drop.empty() && !added) return row;  // nothing to write
          // The operator's offsets replace a pending jump on those partitions.
          for (const auto& p : drop) forget_jump(row.jump, p);
          for (const auto& [p, _] : set) forget_jump(row.jump, p);
          if (auto err = write_offsets(supervisor_id, row)) return err;
          return row;
        });
  }

  caf::expected<core::spec_version> begin_backfill(
      const std::string& supervisor_id, const std::string& type,
      const std::string& stream, const core::offset_jump& jump,
      const std::string& backfill_id, const core::json& backfill_spec,
      const core::audit_record& audit) override {
    return leader_write<core::spec_version>(
        "backfill begin", {"publish:" + supervisor_id},
        [&]() -> caf::expected<core::spec_version> {
          // The backfill's id must be new. A newest version equal to this
          // spec is this very call committed before (its reply was lost):
          // done already, nothing is written twice.
          auto used = spec_history(backfill_id, 1);
          if (!used) return used.error();
          if (!used->empty()) {
            if (used->front().payload == backfill_spec) return used->front();
            return make_error(errc::id_taken,
                              "supervisor id [" + backfill_id + "] has been used before");
          }
          auto stored = committed_offsets(supervisor_id);
          if (!stored) return stored.error();
          auto row = stored->value_or(
              core::committed_offsets{type, stream, {}, std::nullopt, {}});
          row.jump.from = core::plus(row.jump.from, jump.from);
          row.jump.to = core::plus(row.jump.to, jump.to);
          if (auto err = write_offsets(supervisor_id, row)) return err;
          auto v = insert_spec(backfill_id, backfill_spec);
          if (!v) return v.error();
          if (auto a = insert_audit(audit); !a) return a.error();
          return v;
        });
  }

  caf::expected<bool> delete_offsets(const std::string& supervisor_id) override {
    return leader_write<bool>(
        "offsets delete", {"publish:" + supervisor_id}, [&]() -> caf::expected<bool> {
          auto rows =
              conn_->query("DELETE FROM datasource_metadata WHERE supervisor_id = $1",
                           {supervisor_id});
          if (!rows) return rows.error();
          return conn_->changes() > 0;
        });
  }

  caf::expected<core::publish_result> publish(const core::publish_request& req) override {
    // Serialise with this supervisor's other publishes (the offsets CAS) and,
    // when segments are allocated, with every writer of their datasource.
    std::vector<std::string> locks{"publish:" + req.supervisor_id};
    if (!req.segments.empty())
      locks.push_back("datasource:" + req.segments.front().data_source);
    return in_write_tx<core::publish_result>(
        locks, [&] { return publish_in_tx(req); },
        [](const core::publish_result& r) {
          return r.outcome == core::publish_outcome::committed;
        });
  }

  // -- segments -------------------------------------------------------------

  caf::expected<std::vector<core::segment_record>> segments(
      const std::string& data_source, bool used_only) override {
    auto rows = conn_->query(
        "SELECT id, datasource, start_ms, end_ms, version, partition_num, size_bytes, "
        "num_rows, "
        "path, supervisor_id, used, payload FROM segments WHERE datasource = $1 " +
            std::string{used_only ? "AND used = 1 " : ""} +
            "ORDER BY start_ms, version, partition_num",
        {data_source});
    if (!rows) return rows.error();
    std::vector<core::segment_record> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
      core::segment_record s;
      s.id = text(r[0]);
      s.data_source = text(r[1]);
      s.start = core::utc_time{core::millis{number(r[2])}};
      s.end = core::utc_time{core::millis{number(r[3])}};
      s.version = text(r[4]);
      s.partition_num = static_cast<int32_t>(number(r[5]));
      s.size_bytes = number(r[6]);
      s.num_rows = number(r[7]);
      s.path = text(r[8]);
      s.supervisor_id = text(r[9]);
      s.used = number(r[10]) != 0;
      auto payload = parse_payload(r[11], "segment " + s.id);
      if (!payload) return payload.error();
      s.payload = std::move(*payload);
      out.push_back(std::move(s));
    }
    return out;
  }

  caf::expected<std::vector<std::string>> data_sources() override {
    auto rows = conn_->query(
        "SELECT DISTINCT datasource FROM segments WHERE used = 1 ORDER BY datasource");
    if (!rows) return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows) out.push_back(text(r[0]));
    return out;
  }

  // -- tasks ----------------------------------------------------------------

  caf::error upsert_task(const core::task_record& t) override {
    auto r = conn_->query(
        "INSERT INTO tasks (id, supervisor_id, datasource, type, group_id, status, "
        "created_date, location, payload, report, duration_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, location = "
        "excluded.location, payload = excluded.payload, report = excluded.report, "
        "duration_ms = excluded.duration_ms",
        {t.id, t.supervisor_id, t.data_source, t.type, std::to_string(t.group_id),
         t.status,
         t.created_date.empty() ? core::format_utc_time(core::utc_now()) : t.created_date,
         t.location, t.payload.dump(), t.report.dump(), std::to_string(t.duration_ms)});
    return r ? caf::error{} : r.error();
  }

  caf::expected<std::optional<core::task_record>> task(const std::string& id) override {
    auto rows = tasks_where("WHERE id = $1", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<core::task_record>{};
    return std::optional<core::task_record>{std::move(rows->front())};
  }

  caf::expected<std::vector<core::task_record>> tasks(
      const core::task_filter& f) override {
    std::string where = "WHERE 1 = 1";
    std::vector<value> params;
    auto add = [&](const char* column, const std::string& v) {
      if (v.empty()) return;
      params.emplace_back(v);
      where += std::string{" AND "} + column + " = $" + std::to_string(params.size());
    };
    add("supervisor_id", f.supervisor_id);
    add("datasource", f.data_source);
    add("status", f.status);
    add("type", f.type);
    auto bound = [&](const char* op, const std::string& v) {
      if (v.empty()) return;
      params.emplace_back(v);
      where +=
          std::string{" AND created_date "} + op + " $" + std::to_string(params.size());
    };
    bound(">=", f.created_from);
    bound("<", f.created_to);
    auto rows = tasks_where(where, params);
    if (rows && f.limit > 0 && rows->size() > static_cast<size_t>(f.limit))
      rows->resize(static_cast<size_t>(f.limit));
    return rows;
  }

  // -- time-chunk locks -----------------------------------------------------

  caf::error persist_lock(const core::locks::lock_request& r) override {
    auto done = leader_write<bool>("lock grant", {}, [&]() -> caf::expected<bool> {
      if (auto err = insert_lock(*conn_, r)) return err;
      return true;
    });
    return done ? caf::error{} : done.error();
  }

  caf::error drop_locks(const std::string& task_id) override {
    auto done = leader_write<bool>("lock release", {}, [&]() -> caf::expected<bool> {
      if (auto err = delete_locks(*conn_, task_id)) return err;
      return true;
    });
    return done ? caf::error{} : done.error();
  }

  caf::expected<std::vector<core::locks::lock_request>> task_locks() override {
    return select_locks(*conn_);
  }

  caf::expected<std::vector<core::verify::leader_log_row>> leader_log(
      const std::string& cluster) override {
    return select_leader_log(*conn_, cluster);
  }

  // -- audit ----------------------------------------------------------------

  caf::expected<core::audit_record> append_audit(const core::audit_record& rec) override {
    return leader_write<core::audit_record>("audit", {},
                                            [&] { return insert_audit(rec); });
  }

  caf::expected<core::audit_record> insert_audit(const core::audit_record& rec) {
    core::audit_record out = rec;
    if (out.created_date.empty())
      out.created_date = core::format_utc_time(core::utc_now());
    auto rows = conn_->query(
        "INSERT INTO audit (audit_key, type, author, comment, payload, created_date) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        {out.key, out.type, out.author, out.comment, out.payload.dump(),
         out.created_date});
    if (!rows) return rows.error();
    out.seq = number(rows->at(0).at(0));
    return out;
  }

  caf::expected<std::vector<core::audit_record>> audit(
      const std::optional<std::string>& key, std::optional<int32_t> limit) override {
    std::string sql =
        "SELECT id, audit_key, type, author, comment, payload, created_date FROM audit ";
    std::vector<value> params;
    if (key) {
      sql += "WHERE audit_key = $1 ";
      params.emplace_back(*key);
    }
    sql += "ORDER BY id DESC";
    if (limit) sql += " LIMIT " + std::to_string(*limit);
    auto rows = conn_->query(sql, params);
    if (!rows) return rows.error();
    std::vector<core::audit_record> out;
    for (const auto& r : *rows) {
      core::audit_record a;
      a.seq = number(r[0]);
      a.key = text(r[1]);
      a.type = text(r[2]);
      a.author = text(r[3]);
      a.comment = text(r[4]);
      auto payload = parse_payload(r[5], "audit row");
      if (!payload) return payload.error();
      a.payload = std::move(*payload);
      a.created_date = text(r[6]);
      out.push_back(std::move(a));
    }
    return out;
  }

  caf::expected<int32_t> run_migrations() { return migrate(*conn_); }

 private:
  caf::expected<std::vector<core::spec_version>> specs(std::string_view sql,
                                                       const std::vector<value>& params) {
    auto rows = conn_->query(sql, params);
    if (!rows) return rows.error();
    std::vector<core::spec_version> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
      auto payload = parse_payload(r[3], "supervisors row " + text(r[0]));
      if (!payload) return payload.error();
      out.push_back(
          core::spec_version{number(r[0]), text(r[1]), text(r[2]), std::move(*payload)});
    }
    return out;
  }

  caf::expected<std::vector<core::task_record>> tasks_where(
      const std::string& where, const std::vector<value>& params) {
    auto rows = conn_->query(
        "SELECT id, supervisor_id, datasource, type, group_id, status, created_date, "
        "location, payload, report, duration_ms FROM tasks " +
            where + " ORDER BY created_date DESC, id DESC",
        params);
    if (!rows) return rows.error();
    std::vector<core::task_record> out;
    for (const auto& r : *rows) {
      core::task_record t;
      t.id = text(r[0]);
      t.supervisor_id = text(r[1]);
      t.data_source = text(r[2]);
      t.type = text(r[3]);
      t.group_id = static_cast<int32_t>(number(r[4]));
      t.status = text(r[5]);
      t.created_date = text(r[6]);
      t.location = text(r[7]);
      auto payload = parse_payload(r[8], "task " + t.id);
      if (!payload) return payload.error();
      auto report = parse_payload(r[9], "task " + t.id);
      if (!report) return report.error();
      t.payload = std::move(*payload);
      t.report = std::move(*report);
      t.duration_ms = number(r[10]);
      out.push_back(std::move(t));
    }
    return out;
  }

  // Runs `body` in a write transaction holding `locks`; commits when `body`
  // succeeded and `keep` says so, else rolls back.
  template <class T, class Body, class Keep>
  caf::expected<T> in_write_tx(const std::vector<std::string>& locks, Body body,
                               Keep keep) {
    if (auto err = conn_->begin_write(locks)) return err;
    caf::expected<T> result = body();
    if (!result || !keep(*result)) {
      conn_->rollback();
      return result;
    }
    if (auto err = conn_->commit()) {
      conn_->rollback();
      return err;
    }
    return result;
  }

  // A leader write: without a fence as it always was (one statement on its
  // own, or a transaction holding `locks`); with one, in a transaction that
  // first checks, with the leader row share-locked until the commit, that the
  // cluster's epoch is still the fence's — a node that no longer leads gets
  // errc::leadership_lost and writes nothing.
  // With a fence, the write leaves a row in the leader log (`what`, the
  // fence's epoch) in the same transaction.
  template <class T, class Body>
  caf::expected<T> leader_write(const char* what, const std::vector<std::string>& locks,
                                Body body) {
    if (!fence_ && locks.empty()) return body();
    return in_write_tx<T>(
        locks,
        [&]() -> caf::expected<T> {
          if (auto err = check_fence()) return err;
          if (fence_)
            if (auto err =
                    insert_leader_log(*conn_, fence_->cluster, fence_->epoch, what))
              return err;
          return body();
        },
        [](const T&) { return true; });
  }

  caf::error check_fence() {
    if (!fence_) return {};
    auto rows = conn_->query(std::string{"SELECT epoch FROM leader WHERE cluster = $1"} +
                                 (conn_->kind() == dialect::postgres ? " FOR SHARE" : ""),
                             {fence_->cluster});
    if (!rows) return rows.error();
    auto current = rows->empty() ? int64_t{0} : number(rows->front().at(0));
    if (current == fence_->epoch) return {};
    ++fence_->refused;
    return make_error(errc::leadership_lost,
                      "refused a leader write: this node led cluster '" +
                          fence_->cluster + "' at epoch " +
                          std::to_string(fence_->epoch) + ", the current epoch is " +
                          std::to_string(current));
  }

  static void forget_jump(core::offset_jump& j, const core::partition_id& p) {
    j.from.erase(p);
    j.to.erase(p);
  }

  caf::error write_offsets(const std::string& supervisor_id,
                           const core::committed_offsets& o) {
    auto r = conn_->query(
        "INSERT INTO datasource_metadata (supervisor_id, created_date, payload, version) "
        "VALUES ($1, $2, $3, 1) ON CONFLICT (supervisor_id) DO UPDATE SET "
        "payload = excluded.payload, version = datasource_metadata.version + 1",
        {supervisor_id, core::format_utc_time(core::utc_now()), core::to_json(o).dump()});
    return r ? caf::error{} : r.error();
  }

  caf::expected<core::publish_result> publish_in_tx(const core::publish_request& req) {
    auto stored = committed_offsets(req.supervisor_id);
    if (!stored) return stored.error();
    core::publish_result result;
    result.stored = *stored;
    result.outcome = core::check_publish(*stored, req.start, req.end, req.bounded);
    if (result.outcome != core::publish_outcome::committed) return result;
    const auto created = core::format_utc_time(core::utc_now());
    for (auto s : req.segments) {
      if (s.version.empty())
        if (auto err = allocate(s, created)) return err;
      auto r = conn_->query(
          "INSERT INTO segments (id, datasource, created_date, start_ms, end_ms, "
          "version, "
          "partition_num, size_bytes, num_rows, path, used, supervisor_id, payload) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
          {s.id, s.data_source, created,
           std::to_string(s.start.time_since_epoch().count()),
           std::to_string(s.end.time_since_epoch().count()), s.version,
           std::to_string(s.partition_num), std::to_string(s.size_bytes),
           std::to_string(s.num_rows), s.path, s.used ? "1" : "0", req.supervisor_id,
           s.payload.dump()});
      if (!r) return r.error();
      s.supervisor_id = req.supervisor_id;
      result.segments.push_back(std::move(s));
    }
    auto next = core::row_after_publish(*stored, req.type, req.stream, req.end,
                                        req.commit_as, req.bounded);
    if (auto err = write_offsets(req.supervisor_id, next)) return err;
    return result;
  }

  // Version: the interval's current one, else the publish time (ISO, like
  // Druid's lock versions). Partition: the next free number in that version.
  caf::error allocate(core::segment_record& s, const std::string& now) {
    auto start = std::to_string(s.start.time_since_epoch().count());
    auto end = std::to_string(s.end.time_since_epoch().count());
    auto rows = conn_->query(
        "SELECT version, MAX(partition_num) FROM segments WHERE datasource = $1 AND "
        "start_ms = $2 "
        "AND end_ms = $3 AND used = 1 GROUP BY version ORDER BY version DESC LIMIT 1",
        {s.data_source, start, end});
    if (!rows) return rows.error();
    if (rows->empty()) {
      s.version = now;
      s.partition_num = 0;
    } else {
      s.version = text(rows->at(0)[0]);
      s.partition_num = static_cast<int32_t>(number(rows->at(0)[1]) + 1);
    }
    s.id =
        core::make_segment_id(s.data_source, s.start, s.end, s.version, s.partition_num);
    return {};
  }

  std::unique_ptr<connection> conn_;
  std::optional<leader_fence> fence_;
};

}  // namespace

caf::expected<std::unique_ptr<metadata_store>> make_sql_store(
    std::unique_ptr<connection> conn) {
  auto store = std::make_unique<sql_store>(std::move(conn));
  if (auto v = store->run_migrations(); !v) return v.error();
  return std::unique_ptr<metadata_store>{std::move(store)};
}

}  // namespace sv::adapters::sql
