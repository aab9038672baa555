#pragma once
// Which worker thread is running: per-worker slots (metrics, plugin state) are indexed by it.

namespace coredns::async {

// 0..worker_count()-1 on a worker thread; worker_count() on any other thread (the control
// loop, helper threads), so arrays of worker_slots() entries cover every thread.
int worker_index();
int worker_count();
inline int worker_slots() { return worker_count() + 1; }

// Set by the server: the number of workers (before any configuration is built), and the index
// of the calling worker thread.
void set_worker_count(int n);
void set_worker_index(int i);

}  // namespace coredns::async
