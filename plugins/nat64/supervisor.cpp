#include "plugins/nat64/supervisor.h"

#include <fmt/format.h>

#include <algorithm>

namespace coredns::plugins::nat64 {

Supervisor::~Supervisor() = default;  // children left here get SIGTERM from ~Child

void Supervisor::retire_unwanted() {
  for (auto it = children_.begin(); it != children_.end();) {
    const bool wanted = std::any_of(pending_.begin(), pending_.end(), [&](const ChildSpec& s) {
      return s.identity == (*it)->spec().identity;
    });
    if (wanted) {
      ++it;
      continue;
    }
    Child* child = it->get();
    stopping_.push_back(std::move(*it));
    it = children_.erase(it);
    child->stop([this, child] {
      auto gone = std::find_if(stopping_.begin(), stopping_.end(),
                               [&](const auto& c) { return c.get() == child; });
      std::unique_ptr<Child> keep;  // destroyed at the end of this callback
      if (gone != stopping_.end()) {
        keep = std::move(*gone);
        stopping_.erase(gone);
      }
      if (stopping_.empty()) start_waiting();
    });
  }
}

void Supervisor::ensure(const std::vector<ChildSpec>& wants, uv_loop_t* loop) {
  for (const ChildSpec& spec : wants) {
    auto it = std::find_if(children_.begin(), children_.end(),
                           [&](const auto& c) { return c->spec().identity == spec.identity; });
    if (it != children_.end()) {
      if ((*it)->pid() > 0)
        sink_(log::Level::info, fmt::format("nat64 (pid {}) keeps running: its configuration did not change",
                                            (*it)->pid()));
      continue;
    }
    children_.push_back(std::make_unique<Child>(loop, spec, timing_, sink_));
  }
  if (stopping_.empty()) start_waiting();
}

void Supervisor::start_waiting() {
  for (auto& c : children_)
    if (c->idle()) c->start();
}

void Supervisor::stop_all_now() {
  for (auto* list : {&stopping_, &children_}) {
    for (auto& c : *list) c->stop_now();
    list->clear();
  }
}

}  // namespace coredns::plugins::nat64
