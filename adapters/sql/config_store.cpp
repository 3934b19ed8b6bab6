// config_store over an sql::connection (SQLite or PostgreSQL).

#include "adapters/config_store.hpp"

#include "adapters/errc.hpp"
#include "adapters/sql/open_connection.hpp"
#include "adapters/sql/schema.hpp"

namespace sv::adapters {

namespace {

class sql_config_store final : public config_store {
 public:
  explicit sql_config_store(std::unique_ptr<sql::connection> conn)
      : conn_(std::move(conn)) {}

  caf::expected<std::optional<config_entry>> get(const std::string& name) override {
    auto rows =
        conn_->query("SELECT payload, version FROM config WHERE name = $1", {name});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<config_entry>{};
    const auto& r = rows->front();
    if (!r[0] || !r[1]) return make_error(errc::corrupt_record, "config row " + name);
    return std::optional<config_entry>{config_entry{*r[0], std::stoll(*r[1])}};
  }

  caf::expected<bool> compare_and_set(const std::string& name, int64_t expected,
                                      const std::string& payload) override {
    if (auto e = conn_->begin_write({"config:" + name})) return e;
    auto done = [&](caf::expected<bool> r) -> caf::expected<bool> {
      if (!r || !*r) {
        conn_->rollback();
        return r;
      }
      if (auto e = conn_->commit()) return e;
      return true;
    };
    auto rows = conn_->query("SELECT version FROM config WHERE name = $1", {name});
    if (!rows) return done(rows.error());
    int64_t current =
        rows->empty() || !rows->front()[0] ? 0 : std::stoll(*rows->front()[0]);
    if (current != expected) return done(false);
    auto next = std::to_string(expected + 1);
    auto w =
        expected == 0
            ? conn_->query(
                  "INSERT INTO config (name, version, payload) VALUES ($1, $2, $3)",
                  {name, next, payload})
            : conn_->query("UPDATE config SET version = $2, payload = $3 WHERE name = $1",
                           {name, next, payload});
    if (!w) return done(w.error());
    return done(true);
  }

 private:
  std::unique_ptr<sql::connection> conn_;
};

}  // namespace

caf::expected<std::unique_ptr<config_store>> open_config_store(const std::string& uri) {
  auto conn = sql::open_connection(uri);
  if (!conn) return conn.error();
  if (auto v = sql::migrate(**conn); !v) return v.error();
  return std::unique_ptr<config_store>{new sql_config_store(std::move(*conn))};
}

}  // namespace sv::adapters
