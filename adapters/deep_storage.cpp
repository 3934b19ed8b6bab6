#include "adapters/deep_storage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "adapters/errc.hpp"

namespace sv::adapters {

namespace {

namespace fs = std::filesystem;

caf::error io(const std::string& what) {
  return make_error(errc::io_error, what + ": " + std::strerror(errno));
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

class local_deep_storage final : public deep_storage {
 public:
  explicit local_deep_storage(fs::path root) : root_(std::move(root)) {}

  std::string location(const std::string& rel) const override {
    return (root_ / rel).string();
  }

  caf::expected<std::string> push(const std::string& local_file,
                                  const std::string& rel) override {
    fs::path dest = root_ / rel;
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec)
      return make_error(errc::io_error, "cannot create " + dest.parent_path().string());
    fs::path tmp = dest;
    tmp += ".tmp";
    int in = ::open(local_file.c_str(), O_RDONLY);
    if (in < 0) return io("cannot open " + local_file);
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
      ::close(in);
      return io("cannot create " + tmp.string());
    }
    char buf[1 << 16];
    while (true) {
      auto n = ::read(in, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0 || ::write(out, buf, static_cast<size_t>(n)) != n) {
        auto err = io("cannot copy " + local_file + " to " + tmp.string());
        ::close(in);
        ::close(out);
        ::unlink(tmp.c_str());  // a partial copy would only hold the space
        return err;
      }
    }
    ::close(in);
    bool synced = ::fsync(out) == 0;
    auto sync_err = synced ? caf::error{} : io("cannot sync " + tmp.string());
    bool closed = ::close(out) == 0;
    if (synced && !closed) sync_err = io("cannot close " + tmp.string());
    if (sync_err) {
      ::unlink(tmp.c_str());
      return sync_err;
    }
    if (std::rename(tmp.c_str(), dest.c_str()) != 0)
      return io("cannot rename " + tmp.string());
    fsync_dir(dest.parent_path());
    return dest.string();
  }

 private:
  fs::path root_;
};

}  // namespace

caf::expected<std::unique_ptr<deep_storage>> open_local_deep_storage(
    const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(errc::io_error,
                      "cannot create deep storage " + dir + ": " + ec.message());
  return std::unique_ptr<deep_storage>{
      std::make_unique<local_deep_storage>(fs::absolute(dir))};
}

}  // namespace sv::adapters
