# The programs on a machine without the CUDA toolkit (issue 26): `doctor` and
# a 64 px transfer with /usr/local/cuda* hidden in a mount namespace, the
# executables' NEEDED entries and ldd, and the GPU module's loading with the
# toolkit's stub driver (tests/no_cuda_toolkit.sh). Skipped (exit 77, with
# the reason) where `unshare -m` is not permitted.
set(_plugin "")
if(TARGET barbershop-gimp)
  set(_plugin $<TARGET_FILE:barbershop-gimp>)
endif()
set(_module "")
if(TARGET barbershop-cuda)
  set(_module $<TARGET_FILE:barbershop-cuda>)
endif()
add_test(NAME no_cuda_toolkit
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/no_cuda_toolkit.sh $<TARGET_FILE:barbershop> "${_plugin}"
                 "${_module}" ${BARBERSHOP_FIXTURE_DIR}/pipeline ${BARBERSHOP_TEST_DATA}/faces)
set_tests_properties(no_cuda_toolkit PROPERTIES FIXTURES_REQUIRED pipeline SKIP_RETURN_CODE 77 TIMEOUT 600)
