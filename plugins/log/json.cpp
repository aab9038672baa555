#include "plugins/log/json.h"

#include "core/dns/types.h"
#include "core/util/log_json.h"

namespace coredns::plugins::querylog {

void write_json_line(const Request& req, const ReplySummary& r) {
  auto j = log::json_line(log::Level::info, "log");
  std::string text;
  append_ip(text, req.remote(), false);
  j["remote"] = text;
  j["port"] = req.remote().port();
  j["id"] = req.id();
  j["type"] = dns::type_name(req.qtype());
  j["class"] = dns::class_name(req.qclass());
  j["name"] = req.name();
  j["proto"] = req.tcp() ? "tcp" : "udp";
  j["size"] = req.msg().uncompressed_size();
  j["do"] = req.do_bit();
  j["bufsize"] = req.size_limit();
  if (r.has_message) {
    j["rcode"] = dns::rcode_name(r.rcode);
    text.clear();
    append_flags(text, r.flags);
    j["rflags"] = text;
  } else {
    j["rcode"] = nullptr;
    j["rflags"] = nullptr;
  }
  j["rsize"] = r.size;
  // Seconds, as the text format's {duration} (there with an "s").
  j["duration"] = std::chrono::duration<double>(r.duration).count();
  log::write_json(j);
}

}  // namespace coredns::plugins::querylog
