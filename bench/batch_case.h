#pragma once
// The batch case of barbershop-bench (--batch N): one face with N
// hairstyles, as N separate transfers (each embedding the face again) and as
// one batch (Engine::transfer_each: the face embedded once, then found in
// the cache), in transfers per hour.
#include <string>

#include "engine/barbershop.h"

namespace barbershop {

// Prints a table and one JSON line ("variant": "batch"); writes the JSON to
// `json_path` too when it is not empty. Returns the exit code.
int run_batch_case(Engine& engine, int styles, const std::string& json_path);

}  // namespace barbershop
