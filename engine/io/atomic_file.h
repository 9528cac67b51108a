#pragma once
// Writing output files so that a failure never leaves a half-written file
// and never destroys the previous one: write a temporary beside the target,
// then rename it over the target.
#include <string>
#include <string_view>

namespace barbershop {

void write_file_atomically(const std::string& path, std::string_view bytes);

// Reads a whole file; throws barbershop::Error naming it when unreadable.
std::string read_file(const std::string& path);

}  // namespace barbershop
