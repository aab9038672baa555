// The program's std::terminate handler. The C++ runtime's default one prints the exception's
// demangled type name, and its demangler is about 47 KB of the static binary (docs/container.md,
// "Size budget"). Defining the runtime's handler variable here means a static link never pulls
// the default handler's object file, and the demangler goes with it. This handler prints what()
// and aborts: a core dump and the message are all a report of ours needs.
//
// Linked as an object file into each program (core/CMakeLists.txt): from an archive it would
// never be chosen, because the runtime asks for the variable only after our archives are read.
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace {

[[noreturn]] void print_and_abort() noexcept {
  static bool terminating = false;  // a throwing what() must not bring us back here forever
  if (!terminating) {
    terminating = true;
    if (std::exception_ptr current = std::current_exception()) {
      try {
        std::rethrow_exception(current);
      } catch (const std::exception& e) {
        std::fputs("terminate called after throwing an exception\n  what():  ", stderr);
        std::fputs(e.what(), stderr);
        std::fputc('\n', stderr);
      } catch (...) {
        std::fputs("terminate called after throwing a non-standard exception\n", stderr);
      }
    } else {
      std::fputs("terminate called without an active exception\n", stderr);
    }
  }
  std::abort();
}

}  // namespace

// The variable std::terminate() reads (libsupc++'s eh_terminate); its default definition names
// the demangling handler.
namespace __cxxabiv1 {
std::terminate_handler __terminate_handler = print_and_abort;
}  // namespace __cxxabiv1
