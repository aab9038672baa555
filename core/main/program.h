#pragma once
// The coredns program, callable from a main of its own (main.cpp) or from a binary that is
// several programs in one (plugins/nat64/multicall.cpp, the container image's single binary).
namespace coredns {

int run_coredns(int argc, char** argv);

}  // namespace coredns
