#include "nat64/program.h"

int main(int argc, char** argv) { return nat64::run_nat64(argc, argv); }
