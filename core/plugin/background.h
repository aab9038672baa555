#pragma once
// Work a plugin starts for a query and does not wait for (cache's prefetch and stale refresh).
#include "core/async/task.h"
#include "core/plugin/request.h"

namespace coredns {

// Starts `work` now and lets it run to its end on this worker thread while `hold` keeps the
// query's configuration alive (a reload waits for it as for a query in flight). The hold is let
// go only after the finished work is destroyed: its frames may live in the configuration's
// handlers. An exception the work throws ends it quietly.
void run_in_background(ConfigHold hold, async::Task<void> work);

}  // namespace coredns
