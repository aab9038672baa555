#pragma once
// The hosts handler: answers A, AAAA and PTR from a hosts file and inline lines, as CoreDNS's
// hosts plugin, and re-reads the file when it changes.
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/plugin/fall.h"
#include "core/plugin/handler.h"
#include "core/plugin/zones.h"
#include "plugins/hosts/published.h"
#include "plugins/hosts/store.h"

namespace coredns::plugins::hosts {

struct Options {
  std::string path = "/etc/hosts";
  std::vector<std::string> zones;
  uint32_t ttl = 3600;
  std::chrono::nanoseconds reload = std::chrono::seconds(5);
  bool reverse = true;
  Fallthrough fall;
  bool fall_unsupported = false;
  std::string inline_text;  // the inline lines, joined with '\n'
};

// What identifies one version of the file: CoreDNS compares mtime and size; the inode is added
// so that a file replaced by another of the same size within one mtime tick is still seen.
struct FileStamp {
  int64_t mtime_ns = -1;
  int64_t size = -1;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// Reads the file at `path` into a table; nullopt if it cannot be opened or read.
std::unique_ptr<Store> load_file(const std::string& path, const ZoneSet& zones, bool reverse,
                                 FileStamp* stamp);

// The address a reverse name stands for (4 or 16 bytes into `out`), 0 if it stands for none:
// in-addr.arpa with exactly four decimal labels, ip6.arpa with exactly 32 nibbles.
int reverse_address(const dns::Name& lowered, uint8_t out[16]);

class Hosts : public Handler {
 public:
  explicit Hosts(Options o);
  ~Hosts() override;
  std::string_view name() const override { return "hosts"; }
  Task<Response> serve(Request& req, Next next) override;

  // The reply for `req`, or nullopt to pass it on.
  std::optional<Response> answer(const Request& req) const;

  // Reads the file now if it changed (on the control loop at startup, then on the refresh
  // thread); true if a new table was published.
  bool refresh();
  // Starts the periodic refresh (after a first synchronous one); stop() ends it.
  void start();
  void stop();

  const Options& options() const { return opt_; }
  size_t inline_size() const { return inline_.size(); }

 private:
  void run();

  Options opt_;
  ZoneSet zones_;
  Store inline_;
  Published<Store> file_;
  FileStamp stamp_;
  bool missing_logged_ = false;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coredns::plugins::hosts
