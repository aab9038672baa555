// Writes files atomically on a thread of its own, so an fsync on a busy disk never stalls
// the packet loop. Only the latest content per submission matters (dynamic.map snapshots).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace nat64 {

class BackgroundWriter {
 public:
  using OnDone = std::function<void(bool ok, const std::string& err)>;
  explicit BackgroundWriter(OnDone on_done);
  ~BackgroundWriter();
  // Queues `content` for `path`, replacing a snapshot not yet written.
  void submit(std::string path, std::string content);
  // Waits until everything submitted is on disk.
  void flush();

 private:
  void run();
  OnDone on_done_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<std::string, std::string>> pending_;
  bool busy_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace nat64
