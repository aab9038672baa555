#pragma once
// The nat64 program, callable from its own main (src/entry.cpp) or from the container image's
// single binary (plugins/nat64/multicall.cpp), which runs it when called as "nat64".
namespace nat64 {

int run_nat64(int argc, char** argv);

}  // namespace nat64
