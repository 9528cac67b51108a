# Hardening (issue 8): `barbershop doctor`, and the libFuzzer targets of the
# readers that take users' files (docs/bad-input.md lists every bad-input case
# and its test).
# The versions doctor must report, from LibTorch's own CMake package files;
# the weights fixture's random-weight files, which load.
set(_cuda_version "")
if(TARGET torch_cuda)
  set(_cuda_version "${CUDA_VERSION}")
endif()
add_test(NAME cli_doctor COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_doctor.sh $<TARGET_FILE:barbershop>
                                 ${BARBERSHOP_FIXTURE_DIR}/weights "${Torch_VERSION}" "${_cuda_version}")
set_tests_properties(cli_doctor PROPERTIES FIXTURES_REQUIRED weights TIMEOUT 300)
# Regressions of the fuzzers' findings and the engine-level bad-input rows.
barbershop_gtest(test_bad_input SOURCES test_bad_input.cpp LIBS bb_pipeline)
# Whole transfers with bad masks, a shared cache, a full disk, cancelling in
# every stage, running out of memory (the pipeline fixture's 64 px weights).
barbershop_gtest(test_bad_transfer SOURCES test_bad_transfer.cpp LIBS bb_photo FIXTURES pipeline)

# The fuzz targets need clang's -fsanitize=fuzzer: configure with the
# `sanitizers` preset (CMakePresets.json), which turns this on.
option(BARBERSHOP_FUZZ "Build the libFuzzer targets (clang only)" OFF)
set(BARBERSHOP_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz_* test fuzzes")

# barbershop_fuzzer(NAME LIB FIXTURE SEED_PATTERN...): tests/fuzz/fuzz_NAME.cpp,
# run by the test fuzz_NAME on a corpus seeded from FIXTURE's files.
function(barbershop_fuzzer name lib fixture)
  add_executable(fuzz_${name} fuzz/fuzz_${name}.cpp)
  target_link_libraries(fuzz_${name} PRIVATE ${lib})
  target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  add_test(NAME fuzz_${name}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run_fuzzer.sh $<TARGET_FILE:fuzz_${name}>
                   ${BARBERSHOP_FUZZ_SECONDS} ${CMAKE_BINARY_DIR}/fuzz/${name} ${ARGN})
  set_tests_properties(fuzz_${name} PROPERTIES FIXTURES_REQUIRED ${fixture} LABELS fuzz
                       TIMEOUT 900)
endfunction()

if(BARBERSHOP_FUZZ)
  set(_checkpoints ${BARBERSHOP_FIXTURE_DIR}/checkpoint)
  barbershop_fuzzer(checkpoint bb_checkpoint checkpoint
    "${_checkpoints}/*.pt" "${_checkpoints}/*.pkl" "${_checkpoints}/*.safetensors")
  barbershop_fuzzer(npy bb_core core "${BARBERSHOP_FIXTURE_DIR}/core/*.npy")
  barbershop_fuzzer(image bb_core core "${BARBERSHOP_FIXTURE_DIR}/core/*.png")
endif()
