#include "app/node.hpp"
#include "app/cluster_wiring.hpp"
#include "app/identity.hpp"
#include "app/security_options.hpp"

#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>
#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "actors/cluster_runner_actor.hpp"
#include "actors/manager_actor.hpp"
#include "actors/metadata_actor.hpp"
#include "actors/task_runner_actor.hpp"
#include "adapters/deep_storage.hpp"
#include "adapters/errc.hpp"
#include "adapters/kafka/mock_cluster.hpp"
#include "adapters/metadata_store.hpp"
#include "core/errc.hpp"
#include "http/gateway_actor.hpp"
#include "messages/type_ids.hpp"

namespace sv::app {

namespace {

caf::expected<std::unique_ptr<adapters::metadata_store>> open_store_with_retry(
    const serve_options& opts) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds{opts.metadata_connect_timeout_s};
  auto backoff = std::chrono::milliseconds{250};
  while (true) {
    auto store = adapters::open_metadata_store(opts.metadata_uri);
    if (store || !adapters::is(store.error(), adapters::errc::store_unavailable) ||
        std::chrono::steady_clock::now() + backoff > deadline)
      return store;
    spdlog::warn("metadata store unavailable, retrying in {} ms: {}", backoff.count(),
                 core::error_message(store.error()));
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds{5000});
  }
}

struct system_config : caf::actor_system_config {
  explicit system_config(const serve_options& opts) {
    msg::register_message_types(*this);
    auto render = [](std::string area) {
      return [area](uint8_t code, caf::atom_value, const caf::message& ctx) {
        return area + " error " + std::to_string(code) +
               (ctx.empty() ? std::string{} : ": " + caf::to_string(ctx));
      };
    };
    add_error_category(core::core_error_category(), render("core"));
    add_error_category(adapters::adapters_error_category(), render("adapters"));
    if (opts.threads > 0) set("scheduler.max-threads", opts.threads);
    // Requests start on HTTP threads; 'sharing' wakes workers promptly and idles at 0%
    // CPU.
    set("scheduler.policy", caf::atom("sharing"));
    if (opts.role != node_role::all) configure_middleman(*this, opts);
  }
};

class node_impl final : public node {
 public:
  explicit node_impl(const serve_options& opts)
      : cfg_(std::make_unique<system_config>(opts)),
        sys_(std::make_unique<caf::actor_system>(*cfg_)),
        grace_ms_(opts.graceful_shutdown_timeout_ms) {}

  ~node_impl() override {
    stop();
    // An actor system whose actors did not stop would block in its
    // destructor: it is left behind (the process is about to exit).
    if (hung_) {
      (void)sys_.release();
      (void)cfg_.release();
    }
  }

  caf::error start(const serve_options& opts,
                   std::unique_ptr<adapters::metadata_store> store) {
    if (auto err = check_tls(opts)) return err;
    if (auto err = start_kafka(opts)) return err;
    metadata_ = actors::spawn_metadata_actor(*sys_, std::move(store));
    if (opts.role == node_role::all) {
      lockbox_ = actors::spawn_lockbox(*sys_);
    } else if (opts.role == node_role::overlord) {
      // The leader's lockbox keeps its grants for the next leader; tasks on
      // the workers ask it (a worker has none of its own).
      actors::lockbox_config lc;
      lc.metadata = metadata_;
      lc.leading = false;
      lc.claim_timeout = std::chrono::milliseconds{
          std::max<int64_t>(30000, 3 * int64_t{opts.heartbeat_timeout_ms})};
      lockbox_ = actors::spawn_lockbox(*sys_, std::move(lc));
    }
    if (opts.role == node_role::overlord) {
      // An overlord runs no task itself: it places them on the workers.
      actors::cluster_runner_config rc;
      rc.middleman = peer_connector(*sys_, opts);
      rc.lockbox = lockbox_;
      rc.tls = opts.tls();
      rc.retry_interval = std::chrono::milliseconds{opts.heartbeat_interval_ms};
      cluster_runner_ = actors::spawn_cluster_runner(*sys_, std::move(rc));
      runner_ = cluster_runner_;
    } else if (auto err = start_runner(opts)) {
      return err;
    }
    identity_ = make_identity(opts, capacity_);
    if (opts.role != node_role::all)
      identity_->cluster = std::make_shared<http::cluster_status>();
    // A cluster's node runs supervisors only while it leads.
    probes_ = std::make_shared<actors::probe_hub>(
        *sys_,
        [bootstrap = kafka_bootstrap_](const core::supervisor_spec& spec) {
          return actors::open_probe_reader(spec, "streamvisor-probe", bootstrap);
        },
        actors::probe_source_of);
    manager_ = actors::spawn_manager(*sys_, metadata_, supervisor_env(opts),
                                     opts.role == node_role::all);
    http::gateway_config gw;
    gw.host = opts.listen_host;
    gw.port = opts.listen_port;
    gw.limits.threads = static_cast<size_t>(opts.http_threads);
    gw.limits.max_connections = static_cast<size_t>(opts.http_max_connections);
    gw.limits.header_timeout = std::chrono::seconds{opts.http_header_timeout_s};
    gw.limits.idle_timeout = std::chrono::seconds{opts.http_idle_timeout_s};
    gw.limits.max_body_bytes = static_cast<size_t>(opts.http_max_body_bytes);
    gw.api.embedded_kafka = kafka_;
    gw.api.runner = runner_;
    gw.api.lockbox = lockbox_;
    gw.api.node = identity_;
    gw.api.console_dir = opts.console_dir;
    if (auto err = load_https(opts, gw.limits)) return err;
    auto sec_opts = make_security_options(opts);
    if (!sec_opts) return sec_opts.error();
    auto sec = http::security::open(std::move(*sec_opts));
    if (!sec) return sec.error();
    gw.api.security = std::move(*sec);
    auto gateway = http::spawn_gateway(*sys_, manager_, metadata_, gw);

    if (!gateway) return gateway.error();
    gateway_ = *gateway;
    caf::scoped_actor self{*sys_};
    self->request(gateway_, std::chrono::seconds{10}, http::get_port_atom::value)
        .receive([this](uint16_t p) { port_ = p; }, [](caf::error&) {});
    identity_->port = port_;
    // Tasks record where they run (Druid's task location).
    self->send(runner_, msg::set_runner_location{identity_->address()});
    if (opts.role != node_role::all) return join_cluster(opts);
    return {};
  }

  uint16_t port() const override { return port_; }

  std::string kafka_bootstrap() const override { return kafka_bootstrap_; }

  bool stop() override {
    if (stopped_) return true;
    stopped_ = true;
    using clock = std::chrono::steady_clock;
    const auto grace = std::chrono::milliseconds{grace_ms_};
    const auto deadline = clock::now() + grace;
    if (gateway_) {
      // Stop HTTP first so no request is in flight while the actors go.
      caf::scoped_actor self{*sys_};
      self->send_exit(gateway_, caf::exit_reason::user_shutdown);
      self->wait_for(gateway_);
      gateway_ = nullptr;
    }
    leave_cluster();
    if (grace.count() > 0) stop_supervisors(deadline);
    caf::anon_send_exit(manager_, caf::exit_reason::user_shutdown);
    // Tasks still running stop with the node; what they did not publish is
    // read again at the next start.
    caf::anon_send_exit(runner_, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(metadata_, caf::exit_reason::user_shutdown);
    if (lockbox_) caf::anon_send_exit(lockbox_, caf::exit_reason::user_shutdown);
    if (probes_) probes_->stop();
    manager_ = nullptr;
    runner_ = nullptr;
    cluster_runner_ = nullptr;
    lockbox_ = nullptr;
    metadata_ = nullptr;
    // Actors get what is left of the grace period (at least a second)
    // to go; a node that cannot wait for them says so and is left to exit.
    auto left =
        std::max<clock::duration>(deadline - clock::now(), std::chrono::seconds{1});
    if (!await_actors(left)) {
      spdlog::error("actors still running {} ms after the stop began",
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock::now() - (deadline - grace))
                        .count());
      hung_ = true;
      return false;
    }
    kafka_.reset();
    return true;
  }

 private:
  // Every supervisor stops as on terminate (reading groups publish what
  // they read) but stays submitted; waits until all have, or the deadline.
  // Keeps a few seconds of the grace period for the rest of the stop.
  void stop_supervisors(std::chrono::steady_clock::time_point deadline) {
    auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now() - std::chrono::seconds{3});
    if (budget.count() < 1000) budget = std::chrono::milliseconds{1000};
    caf::scoped_actor self{*sys_};
    self->request(manager_, budget, msg::shutdown_supervisors{})
        .receive([](msg::ack&) { spdlog::info("every task published what it read"); },
                 [budget](caf::error& err) {
                   spdlog::warn(
                       "supervisors did not stop within {} ms ({}); the tasks still "
                       "running are stopped and their data read again at the next start",
                       budget.count(), core::error_message(err));
                 });
  }

  // await_all_actors_done, bounded: false when actors are still running
  // after `limit` (the waiting thread is then left behind). A detached actor
  // counts until its last handle goes, and timers (delayed messages, request
  // timeouts) hold handles: every actor has been told to exit, so pending
  // timers are dropped as they come.
  bool await_actors(std::chrono::steady_clock::duration limit) {
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    std::thread{[this, done] {
      sys_->await_all_actors_done();
      done->set_value();
    }}.detach();
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (finished.wait_for(std::chrono::milliseconds{50}) !=
           std::future_status::ready) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      sys_->clock().cancel_all();
    }
    return true;
  }

 private:
  caf::error join_cluster(const serve_options& opts) {
    uint16_t cluster_port = 0;
    if (opts.role == node_role::worker) {
      auto p = publish_runner(*sys_, runner_, opts);
      if (!p) return p.error();
      cluster_port = *p;
      spdlog::info("task runner reachable by the cluster at {}:{}", opts.cluster_host,
                   cluster_port);
    }
    std::vector<caf::actor> followers{caf::actor_cast<caf::actor>(manager_)};
    if (cluster_runner_)
      followers.push_back(caf::actor_cast<caf::actor>(cluster_runner_));
    if (lockbox_) followers.push_back(caf::actor_cast<caf::actor>(lockbox_));
    auto c = start_cluster(*sys_, opts, identity_, cluster_port, metadata_,
                           std::move(followers));
    if (!c) return c.error();
    cluster_ = *c;
    return {};
  }

  // Deregisters and gives the leader lock up, so another overlord leads at
  // once instead of after the heartbeat timeout.
  void leave_cluster() {
    if (!cluster_) return;
    caf::scoped_actor self{*sys_};
    self->request(cluster_, std::chrono::seconds{5}, actors::leave_atom::value)
        .receive([](msg::ack&) {}, [](caf::error&) {});
    self->send_exit(cluster_, caf::exit_reason::user_shutdown);
    cluster_ = nullptr;
  }

  caf::error start_runner(const serve_options& opts) {
    namespace fs = std::filesystem;
    auto deep = adapters::open_local_deep_storage(
        opts.deep_storage_dir.empty() ? (fs::path{opts.data_dir} / "segments").string()
                                      : opts.deep_storage_dir);
    if (!deep) return deep.error();
    actors::task_runner_config rc;
    rc.capacity = opts.worker_capacity > 0
                      ? opts.worker_capacity
                      : std::max<int32_t>(
                            4, static_cast<int32_t>(std::thread::hardware_concurrency()));
    capacity_ = rc.capacity;
    rc.env.log_dir = (fs::path{opts.data_dir} / "task-logs").string();
    rc.env.metadata = metadata_;
    rc.env.lockbox = lockbox_;
    rc.env.deep_storage = std::move(*deep);
    rc.env.work_dir = (fs::path{opts.data_dir} / "tasks").string();
    rc.env.embedded_kafka_bootstrap = kafka_bootstrap_;
    // Kafka tasks share one client per cluster and run without threads of
    // their own (see task_env::shared).
    rc.env.shared = actors::make_shared_stream_clients();
    // Final builds and pushes run on a few threads of their own, so a mass
    // hand-off leaves the scheduler free for status and control requests.
    rc.env.builder = actors::make_build_pool();
    // A worker shares the task table with the cluster: only its own rows
    // left RUNNING are orphans.
    rc.own_rows_only = opts.role == node_role::worker;
    spdlog::info("task runner with {} slots", rc.capacity);
    runner_ = actors::spawn_task_runner(*sys_, std::move(rc));
    return {};
  }

  actors::supervisor_env supervisor_env(const serve_options& opts) const {
    actors::supervisor_env env;
    env.metadata = metadata_;
    env.runner = runner_;
    env.open_probe = [bootstrap = kafka_bootstrap_](const core::supervisor_spec& spec) {
      return actors::open_spec_reader(spec, spec.id + "-supervisor", bootstrap);
    };
    env.probes = probes_;
    auto& t = env.planner.thresholds;
    t.unhealthiness = opts.unhealthiness_threshold;
    t.healthiness = opts.healthiness_threshold;
    t.task_unhealthiness = opts.task_unhealthiness_threshold;
    t.task_healthiness = opts.task_healthiness_threshold;
    t.max_stored_errors = opts.max_stored_exception_events;
    env.planner.idle_enabled_default = opts.idle_enabled;
    env.planner.idle_after_ms_default = opts.idle_inactive_after_ms;
    env.planner.seed = std::random_device{}();
    return env;
  }

  // Without --kafka the node runs an embedded Kafka and writes its address to
  // {data-dir}/kafka.bootstrap for other processes (kcat, generate).
  caf::error start_kafka(const serve_options& opts) {
    if (!opts.kafka_bootstrap.empty()) {
      kafka_bootstrap_ = opts.kafka_bootstrap;
      return {};
    }
    auto cluster = adapters::start_mock_cluster(opts.kafka_brokers);
    if (!cluster) return cluster.error();
    kafka_ = std::move(*cluster);
    kafka_bootstrap_ = kafka_->bootstrap();
    auto path = std::filesystem::path{opts.data_dir} / "kafka.bootstrap";
    std::ofstream out{path};
    out << kafka_bootstrap_ << "\n";
    if (!out)
      return core::make_error(core::errc::unavailable, "cannot write " + path.string());
    spdlog::info("embedded Kafka at {} (written to {})", kafka_bootstrap_, path.string());
    return {};
  }

  std::unique_ptr<system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  int64_t grace_ms_ = 0;
  int32_t capacity_ = 0;
  std::shared_ptr<http::node_identity> identity_;
  bool hung_ = false;
  actors::metadata_actor metadata_;
  actors::manager_actor manager_;
  actors::task_runner_actor runner_;
  actors::lockbox_actor lockbox_;
  actors::cluster_actor cluster_;
  actors::cluster_runner_actor cluster_runner_;
  std::shared_ptr<actors::probe_hub> probes_;

  std::shared_ptr<adapters::mock_cluster> kafka_;
  std::string kafka_bootstrap_;
  http::gateway_actor gateway_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace

caf::expected<std::unique_ptr<node>> start_node(const serve_options& opts) {
  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec)
    return core::make_error(
        core::errc::invalid_input,
        "cannot create data directory '" + opts.data_dir + "': " + ec.message());
  auto store = open_store_with_retry(opts);
  if (!store) return store.error();
  auto n = std::make_unique<node_impl>(opts);
  if (auto err = n->start(opts, std::move(*store))) {
    n->stop();
    return err;
  }
  return std::unique_ptr<node>{std::move(n)};
}

}  // namespace sv::app
