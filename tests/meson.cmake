# The Meson build (meson-compat/) compiles what this build compiles: the
# source lists cover every engine and plug-in file, and, where Meson is
# installed, a Meson configuration with this build's options compiles the
# same files into the same targets as this (Ninja) build. .ci/meson builds,
# installs and tests the Meson build itself.
find_program(BARBERSHOP_MESON meson)
set(_meson_check bash ${CMAKE_CURRENT_SOURCE_DIR}/meson_sources.sh ${PROJECT_SOURCE_DIR})
if(BARBERSHOP_MESON AND CMAKE_GENERATOR STREQUAL "Ninja")
  list(APPEND _meson_check ${CMAKE_BINARY_DIR}
       -Dplugin=$<IF:$<TARGET_EXISTS:barbershop-gimp>,enabled,disabled>
       -Dgimp=$<IF:$<BOOL:${BARBERSHOP_GIMP_MAJOR}>,${BARBERSHOP_GIMP_MAJOR},auto>
       -Dopencv=$<IF:$<BOOL:${BARBERSHOP_WITH_OPENCV}>,enabled,disabled>
       -Ddlib=$<IF:$<BOOL:${BARBERSHOP_WITH_DLIB}>,enabled,disabled>
       "-Dcmake_prefix_path=${CMAKE_PREFIX_PATH}")  # the same LibTorch
else()
  message(STATUS "meson or the Ninja generator missing: meson_sources checks the source lists only")
endif()
add_test(NAME meson_sources COMMAND ${_meson_check})
set_tests_properties(meson_sources PROPERTIES TIMEOUT 120)
