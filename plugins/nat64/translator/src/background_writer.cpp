#include "nat64/background_writer.h"

#include "nat64/dynamic_map_file.h"

namespace nat64 {

BackgroundWriter::BackgroundWriter(OnDone on_done) : on_done_(std::move(on_done)), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
  flush();
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BackgroundWriter::submit(std::string path, std::string content) {
  {
    std::lock_guard lk(mu_);
    pending_.emplace(std::move(path), std::move(content));
  }
  cv_.notify_all();
}

void BackgroundWriter::flush() {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [this] { return !pending_ && !busy_; });
}

void BackgroundWriter::run() {
  std::unique_lock lk(mu_);
  while (true) {
    cv_.wait(lk, [this] { return pending_ || stopping_; });
    if (!pending_) return;
    auto job = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    lk.unlock();
    std::string err;
    const bool ok = write_file_atomic(job.first, job.second, err);
    if (on_done_) on_done_(ok, err);
    lk.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace nat64
