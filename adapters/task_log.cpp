#include "adapters/task_log.hpp"

#include <filesystem>
#include <fstream>

#include "adapters/errc.hpp"
#include "core/time.hpp"

namespace sv::adapters {

namespace {

namespace fs = std::filesystem;

class file_task_log final : public task_log {
 public:
  explicit file_task_log(const fs::path& path) : out_(path, std::ios::app) {}

  void write(std::string_view level, std::string_view message) override {
    if (!out_) return;
    out_ << core::format_utc_time(core::utc_now()) << ' ' << level << ' ' << message
         << '\n';
    out_.flush();
  }

 private:
  std::ofstream out_;
};

constexpr int64_t max_read = 16 << 20;

fs::path path_of(const std::string& dir, const std::string& task_id) {
  return fs::path{dir} / (task_id + ".log");
}

}  // namespace

std::unique_ptr<task_log> open_task_log(const std::string& dir,
                                        const std::string& task_id) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  return std::make_unique<file_task_log>(path_of(dir, task_id));
}

caf::expected<std::string> read_task_log(const std::string& dir,
                                         const std::string& task_id, int64_t offset) {
  // Ids come from URLs: nothing that could leave the directory.
  if (task_id.empty() || task_id.front() == '.' ||
      task_id.find_first_of("/\\") != std::string::npos)
    return make_error(errc::io_error, "no log for task [" + task_id + "]");
  auto path = path_of(dir, task_id);
  std::ifstream in{path, std::ios::binary};
  if (!in) return make_error(errc::io_error, "no log for task [" + task_id + "]");
  in.seekg(0, std::ios::end);
  auto size = static_cast<int64_t>(in.tellg());
  int64_t from =
      offset >= 0 ? std::min(offset, size) : std::max<int64_t>(0, size + offset);
  in.seekg(from);
  // At most the last max_read bytes of what was asked for.
  from = std::max(from, size - max_read);
  in.seekg(from);
  std::string out(static_cast<size_t>(size - from), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace sv::adapters
