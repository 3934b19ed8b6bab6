#include "http/security.hpp"

#include <spdlog/spdlog.h>

#include "adapters/crypto/base64.hpp"
#include "adapters/crypto/password.hpp"
#include "core/auth/management.hpp"
#include "core/errc.hpp"
#include "http/access.hpp"

namespace sv::http {

namespace {

using clock = std::chrono::steady_clock;

response too_many(std::chrono::milliseconds wait, const std::string& why) {
  auto secs = std::max<int64_t>(1, (wait.count() + 999) / 1000);
  return response{429,
                  core::json::make_object({{"error", why}}).dump(),
                  "application/json",
                  {{"Retry-After", std::to_string(secs)}}};
}

// 401 with the basic challenge; a script's request (X-Requested-With:
// XMLHttpRequest, as the console sends) gets no challenge, so the browser
// does not pop up its own dialog over the console's sign-in form.
response unauthorized(const request& req) {
  response r{401, core::json::make_object({{"error", "Unauthorized"}}).dump()};
  if (req.requested_with != "XMLHttpRequest")
    r.headers.push_back(
        {"WWW-Authenticate", "Basic realm=\"streamvisor\", charset=\"UTF-8\""});
  return r;
}

// "Basic base64(user:password)" -> user, password.
std::optional<std::pair<std::string, std::string>> basic(const std::string& header) {
  const std::string scheme = "basic ";
  if (header.size() <= scheme.size()) return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i])
      return std::nullopt;
  auto b64 = header.substr(scheme.size());
  while (!b64.empty() && b64.front() == ' ') b64.erase(0, 1);
  while (!b64.empty() && b64.back() == ' ') b64.pop_back();
  std::string decoded;
  if (b64.size() > 4096 || !adapters::base64_decode(b64, decoded)) return std::nullopt;
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

// Paths served to anyone (Druid's unsecured health check).
bool unsecured(const request& req) {
  return req.method == "GET" && req.path == "/status/health";
}

}  // namespace

security::security(security_options o)
    : opts_(std::move(o)),
      guard_(opts_.sign_in),
      rate_(opts_.rate_per_client, opts_.rate_burst) {}

caf::expected<std::shared_ptr<security>> security::open(security_options o) {
  std::shared_ptr<security> s{new security(std::move(o))};
  if (!s->opts_.enabled) return s;
  auto store = adapters::open_config_store(s->opts_.metadata_uri);
  if (!store) return store.error();
  s->store_ = std::move(*store);
  std::lock_guard<std::mutex> g{s->store_mtx_};
  if (auto e = s->load()) return e;
  return s;
}

caf::error security::load() {
  auto entry = store_->get(security_document);
  if (!entry) return entry.error();
  if (!*entry) {
    if (opts_.admin_password.empty())
      return core::make_error(
          core::errc::invalid_input,
          "authentication is on and the metadata store has no users yet: give the "
          "initial admin's password (--auth-admin-password-env or "
          "--auth-admin-password-file)");
    auto db = core::auth::initial_db(adapters::make_credential(opts_.admin_password));
    auto ok =
        store_->compare_and_set(security_document, 0, core::auth::to_json(db).dump());
    if (!ok) return ok.error();
    if (*ok) spdlog::warn("security: created the initial admin user 'admin'");
    entry = store_->get(security_document);
    if (!entry) return entry.error();
    if (!*entry)
      return core::make_error(core::errc::internal, "security document vanished");
  }
  auto j = core::json::parse((*entry)->payload);
  if (!j) return j.error();
  auto db = core::auth::auth_db_from_json(*j);
  if (!db) return db.error();
  {
    std::lock_guard<std::mutex> g{db_mtx_};
    db_ = std::make_shared<const core::auth::auth_db>(std::move(*db));
  }
  if (version_ != (*entry)->version) {
    std::lock_guard<std::mutex> g{verified_mtx_};
    verified_.clear();
  }
  version_ = (*entry)->version;
  loaded_ = clock::now();
  return {};
}

caf::expected<std::shared_ptr<const core::auth::auth_db>> security::current() {
  if (!opts_.enabled) return core::make_error(core::errc::unsupported, "security is off");
  {
    std::unique_lock<std::mutex> g{store_mtx_, std::try_to_lock};
    // One thread reads a stale document again; the others use the cached one.
    if (g.owns_lock() && clock::now() - loaded_ > opts_.refresh)
      if (auto e = load())
        spdlog::warn("security: cannot read the users: {}", core::error_message(e));
  }
  std::lock_guard<std::mutex> g{db_mtx_};
  return db_;
}

caf::error security::update(
    const std::function<caf::error(core::auth::auth_db&)>& change) {
  if (!opts_.enabled) return core::make_error(core::errc::unsupported, "security is off");
  std::lock_guard<std::mutex> g{store_mtx_};
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (auto e = load()) return e;
    core::auth::auth_db db;
    {
      std::lock_guard<std::mutex> d{db_mtx_};
      db = *db_;
    }
    if (auto e = change(db)) return e;
    auto ok = store_->compare_and_set(security_document, version_,
                                      core::auth::to_json(db).dump());
    if (!ok) return ok.error();
    if (*ok) return load();
  }
  return core::make_error(core::errc::unavailable,
                          "the security document changed under every attempt; retry");
}

std::optional<response> security::admit(request& req) {
  if (rate_.limited()) {
    std::lock_guard<std::mutex> g{limits_mtx_};
    if (!rate_.admit(req.remote_addr, clock::now()))
      return too_many(std::chrono::milliseconds{1000},
                      "too many requests from " + req.remote_addr);
  }
  if (!opts_.enabled || unsecured(req)) return std::nullopt;
  return authenticate(req);
}

std::optional<response> security::authenticate(request& req) {
  auto now = clock::now();
  {
    std::lock_guard<std::mutex> g{limits_mtx_};
    if (auto wait = guard_.wait(req.remote_addr, now); wait.count() > 0)
      return too_many(
          wait, "too many failed sign-ins from " + req.remote_addr + "; try again later");
  }
  if (req.authorization.empty()) return unauthorized(req);
  auto creds = basic(req.authorization);
  auto db = current();
  if (!db)
    return response{
        503, core::json::make_object(
                 {{"error", "cannot read the users: " + core::error_message(db.error())}})
                 .dump()};
  bool ok = false;
  if (creds) {
    auto login = (*db)->logins.find(creds->first);
    if (login != (*db)->logins.end() && login->second) {
      auto key = adapters::verified_key(creds->first, *login->second, creds->second);
      {
        std::lock_guard<std::mutex> g{verified_mtx_};
        ok = verified_.count(key) > 0;
      }
      if (!ok && adapters::verify_password(*login->second, creds->second)) {
        ok = true;
        std::lock_guard<std::mutex> g{verified_mtx_};
        if (verified_.size() >= 4096) verified_.clear();
        verified_.insert(key);
      }
    }
  }
  std::lock_guard<std::mutex> g{limits_mtx_};
  if (!ok) {
    // The name as sent, made printable and short (no forged log lines).
    std::string user = "(malformed Authorization header)";
    if (creds) {
      user.clear();
      for (unsigned char ch : creds->first.substr(0, 64))
        user += ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '?';
    }
    bool blocked = guard_.failed(req.remote_addr, now);
    spdlog::warn("security: failed sign-in as '{}' from {}{}", user, req.remote_addr,
                 blocked ? "; this client is refused for a while" : "");
    return unauthorized(req);
  }
  guard_.succeeded(req.remote_addr);
  req.who = std::make_shared<const caller>(caller{creds->first, *db});
  return std::nullopt;
}

}  // namespace sv::http
