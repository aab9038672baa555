#pragma once
// The capabilities a program takes from its file (docs/container.md, "One binary"). The image's
// single binary carries both programs' capabilities as permitted-only file capabilities
// (`cap_net_bind_service,cap_net_admin+p`): without the effective bit the kernel never refuses
// the exec where a container withholds one of them, and each program raises the one it uses and
// drops the other's (capabilities(7), "File capabilities").
namespace coredns::util {

// For a process that is not root: makes `use` effective if it is permitted, and removes `drop`
// from the permitted and effective sets. Root (who has every capability anyway) is left as it
// is. Returns false when the kernel refused (the caller goes on: a missing capability shows up
// as EPERM where it is needed, with that error).
bool take_file_capability(int use, int drop);

}  // namespace coredns::util
