#include "core/async/worker_id.h"

namespace coredns::async {
namespace {

thread_local int t_index = -1;
int g_count = 1;

}  // namespace

int worker_index() { return t_index >= 0 ? t_index : g_count; }
int worker_count() { return g_count; }
void set_worker_count(int n) { g_count = n > 0 ? n : 1; }
void set_worker_index(int i) { t_index = i; }

}  // namespace coredns::async
