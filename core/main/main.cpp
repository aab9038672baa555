#include "core/main/program.h"

int main(int argc, char** argv) { return coredns::run_coredns(argc, argv); }
