#pragma once
#include <memory>
#include <string>

#include "core/plugin/handler.h"
#include "plugins/errors/consolidator.h"

namespace coredns::plugins::errors {

// Logs the error a query's chain returned, "RCODE NAME TYPE: TEXT", or counts it for a
// consolidate pattern (CoreDNS's errors plugin). The reply itself is passed on untouched.
class Errors : public Handler {
 public:
  // `consolidator` is null without consolidate lines.
  Errors(std::shared_ptr<Consolidator> consolidator, Consolidator::Printer printer)
      : consolidator_(std::move(consolidator)), printer_(std::move(printer)) {}
  std::string_view name() const override { return "errors"; }
  Task<Response> serve(Request& req, Next next) override;
  // Replies pass untouched; the only ones it acts on carry an error, and those are never kept.
  Reuse reply_reuse() const override { return Reuse::pass; }

  // Logs (or counts) one error of `req`.
  void report(const Request& req, uint16_t rcode, const std::string& error) const;

 private:
  std::shared_ptr<Consolidator> consolidator_;
  Consolidator::Printer printer_;
};

// "2 example.org. A: plugin/forward: no healthy upstream".
std::string error_line(const Request& req, uint16_t rcode, std::string_view error);

}  // namespace coredns::plugins::errors
