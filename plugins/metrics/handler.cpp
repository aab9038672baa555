#include "plugins/metrics/handler.h"

#include <algorithm>

#include "core/async/worker_id.h"
#include "core/dns/types.h"

namespace coredns::plugins::metrics {
namespace {

namespace t = dns::type;
constexpr std::array<uint16_t, kTypeSlots - 1> kMonitored = {
    t::A,   t::AAAA, t::CNAME, t::DNSKEY, t::DS,  t::MX,    t::NSEC3, t::NSEC, t::NS,
    t::PTR, t::RRSIG, t::SOA,  t::SRV,    t::TXT, t::HTTPS, t::IXFR,  t::AXFR, t::ANY};

}  // namespace

size_t type_slot(uint16_t qtype) {
  auto it = std::find(kMonitored.begin(), kMonitored.end(), qtype);
  return static_cast<size_t>(it - kMonitored.begin());  // kMonitored.size() for "other"
}

std::string type_label(size_t slot) {
  return slot < kMonitored.size() ? dns::type_name(kMonitored[slot]) : "other";
}

PrometheusHandler::PrometheusHandler(const std::vector<std::string>& zones)
    : families_(Families::get()),
      slots_(async::worker_slots()),
      workers_(new WorkerSeries[static_cast<size_t>(async::worker_slots())]) {
  for (const std::string& z : zones) {
    if (std::find(zone_labels_.begin(), zone_labels_.end(), z) != zone_labels_.end()) continue;
    dns::Name name;
    if (!dns::Name::from_text(z, name)) continue;
    zones_.push_back(name.lowered());
    zone_labels_.push_back(z);
  }
  // CoreDNS labels a query that matches none of the zones with ".".
  zones_.emplace_back();
  zone_labels_.push_back(".");
}

Task<Response> PrometheusHandler::serve(Request& req, Next next) {
  const auto start = std::chrono::steady_clock::now();
  Response resp = co_await next(req);
  record(req, resp,
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  co_return resp;
}

size_t PrometheusHandler::zone_index(const Request& req) const {
  // The longest of the block's zones the name is in.
  size_t best = zones_.size() - 1;
  for (size_t i = 0; i + 1 < zones_.size(); ++i)
    if (req.qname_lower().is_subdomain_of(zones_[i]) &&
        (best == zones_.size() - 1 || zones_[i].size() > zones_[best].size()))
      best = i;
  return best;
}

PrometheusHandler::ServerSeries& PrometheusHandler::server_series(const Request& req) {
  const int slot = std::min(async::worker_index(), slots_ - 1);
  auto& servers = workers_[static_cast<size_t>(slot)].servers;
  const std::string* server = &req.server_key();
  for (auto& s : servers)
    if (s.server == server) return s;
  servers.push_back({server, *server, std::vector<ZoneSeries>(zones_.size())});
  return servers.back();
}

void PrometheusHandler::record(const Request& req, const Response& resp, double seconds) {
  ServerSeries& s = server_series(req);
  const size_t zi = zone_index(req);
  ZoneSeries& z = s.zones[zi];
  const std::string& zone = zone_labels_[zi];
  const size_t proto = req.tcp() ? 1 : 0;
  const size_t family = req.remote().is_ipv4() ? 0 : 1;
  const size_t type = type_slot(req.qtype());
  const char* proto_label = proto ? "tcp" : "udp";

  Counter*& requests = z.requests[(proto * 2 + family) * kTypeSlots + type];
  if (!requests)
    requests = &families_.requests.with(
        {s.label, zone, "", proto_label, family ? "2" : "1", type_label(type)});
  requests->inc();

  Histogram*& duration = z.duration[type];
  if (!duration) duration = &families_.duration.with({s.label, zone, "", type_label(type)});
  duration->observe(seconds);

  Histogram*& request_size = z.request_size[proto];
  if (!request_size) request_size = &families_.request_size.with({s.label, zone, "", proto_label});
  request_size->observe(static_cast<double>(req.wire().size()));

  // Nothing written (the server writes the error reply itself) counts as 0 bytes, as in CoreDNS.
  Histogram*& response_size = z.response_size[proto];
  if (!response_size)
    response_size = &families_.response_size.with({s.label, zone, "", proto_label});
  response_size->observe(static_cast<double>(resp.written() ? resp.wire.size() : 0));

  auto it = std::find_if(z.responses.begin(), z.responses.end(), [&](const ZoneSeries::Rcode& r) {
    return r.rcode == resp.rcode && r.plugin == resp.plugin;
  });
  if (it == z.responses.end()) {
    Counter& c = families_.responses.with(
        {s.label, zone, "", dns::rcode_name(resp.rcode), std::string(resp.plugin)});
    z.responses.push_back({resp.rcode, std::string(resp.plugin), &c});
    it = z.responses.end() - 1;
  }
  it->counter->inc();
}

}  // namespace coredns::plugins::metrics
