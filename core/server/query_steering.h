#pragma once
// Steering UDP queries among the per-worker sockets of one address by their question, so that
// every query for a name reaches the same worker, whichever client and port sent it
// (docs/architecture.md, "Workers and sockets").
namespace coredns::server {

// Attaches to the SO_REUSEPORT group of `fd`, which has `count` sockets, a classic BPF program
// that picks a socket by a hash of the question (socket(7), SO_ATTACH_REUSEPORT_CBPF). False,
// with errno set, where the kernel refuses it: the kernel's hash of addresses and ports then
// spreads the queries, as before.
bool steer_by_question(int fd, int count);

}  // namespace coredns::server
