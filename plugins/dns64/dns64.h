#pragma once
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/plugin/handler.h"
#include "plugins/dns64/answer_store.h"
#include "plugins/dns64/config.h"
#include "plugins/dns64/synthesis.h"
#include "plugins/dns64/translated_counter.h"

namespace coredns::plugins::dns64 {

// The dns64 handler (CoreDNS's plugin/dns64/README.md; RFC 6147): AAAA answers synthesized from A
// records under the NAT64 prefix, PTR under the prefix followed to in-addr.arpa, and ipv4only.arpa
// answered locally. Its own lookups re-enter the whole server (routing, chain, scrub), as CoreDNS's
// upstream. Synthesized answers built from cache hits are kept (AnswerStore) while the cache
// promised them fresh.
class Dns64 : public Handler {
 public:
  explicit Dns64(Config config, int64_t (*now_ns)() = &monotonic_ns);
  std::string_view name() const override { return "dns64"; }
  Task<Response> serve(Request& req, Next next) override;
  const Config& config() const { return config_; }

  // Whether answers may be kept: only when the handlers after this one in `chain`, through
  // Reuse::pass and Reuse::gate ones, reach a Reuse::source (the cache) whose fresh_for then
  // holds for every client. Then the gates on the way (acl), which must admit a query before a
  // kept answer may replace it; nothing when answers may not be kept. Set once, before the
  // configuration serves.
  using Gates = std::vector<Handler*>;
  static std::optional<Gates> keeping_gates(std::span<Handler* const> chain, const Handler* self);
  static bool may_keep_answers(std::span<Handler* const> chain, const Handler* self) {
    return keeping_gates(chain, self).has_value();
  }
  void keep_answers(std::optional<Gates> gates) {
    keep_ = gates.has_value();
    gates_ = gates ? std::move(*gates) : Gates{};
    promises_ = keep_ && gates_.empty() && config_.clients.empty();
  }
  // A source (Handler::reply_reuse) when the chain below is a source reached through question-
  // only handlers and no `clients` rule picks clients: then what dns64 answers depends on the
  // query and the client's address family alone (allow_ipv4), and it sets fresh_for on every
  // reply where that holds: on replies passed on from below, on synthesized answers, on none
  // that a second lookup decided otherwise.
  Reuse reply_reuse() const override { return promises_ ? Reuse::source : Reuse::none; }

 private:
  // Whether this query gets DNS64 at all: the client rule, and RFC 6147 §5.5 (a validating
  // stub that sets DO and CD does its own synthesis), and the bound on nested lookups.
  bool serves(const Request& req) const;
  Embedding embedding() const { return {config_.prefix, config_.skips_non_global()}; }

  // RFC 6147 order: AAAA first, A only when no usable AAAA came back.
  Task<Response> aaaa_first(Request& req, Next next);
  // translate_all: the A answer decides; AAAA is asked only when A has no usable record.
  Task<Response> a_first(Request& req, Next next);
  Task<Response> reverse(Request& req, Ipv4 v4);
  Task<Response> local(const Request& req, bool dns64_on);
  // The kept answer to an AAAA query, counted as a translation.
  bool kept_answer(const Request& req, Response& out);

  // The A reply has no record to synthesize from (a NOERROR with no usable A record).
  bool nothing_to_translate(const dns::MessageView& a_reply) const;
  // The reply when neither side has a usable address, from the NOERROR AAAA reply `aaaa`
  // (parsed as `v`) or the A reply.
  Response no_address(const Request& req, Response aaaa, const dns::MessageView& v,
                      const dns::MessageView& a_reply);
  // What a parsed AAAA reply `v` of `aaaa` comes to: the reply to return (as it is, or without
  // its excluded records), or nothing when the AAAA is synthesized, with `bound` set to the
  // TTL bound the AAAA reply's SOA gives.
  std::optional<Response> settle_aaaa(Response& aaaa, const dns::MessageView& v,
                                      uint32_t& bound) const;
  // The reply built from the A lookup's reply, into `buffer` (reused storage); kept when it has
  // synthesized records and `fresh_for` (the least Response::fresh_for of the replies it was
  // built from) allows.
  Response from_a_reply(const Request& req, std::vector<uint8_t> buffer,
                        const dns::MessageView& a_reply, uint32_t ttl_bound,
                        uint32_t fresh_for = 0);

  Config config_;
  TranslatedCounter translated_;
  AnswerStore store_;
  bool keep_ = false;
  Gates gates_;
  bool promises_ = false;
};

}  // namespace coredns::plugins::dns64
