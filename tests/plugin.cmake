# The GIMP plug-in's own checks that need no running GIMP (the real-GIMP
# tests are in gimp.cmake).
if(TARGET barbershop-gimp)
  add_test(NAME plugin_translations
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plugin_translations.sh ${PROJECT_SOURCE_DIR} ${BARBERSHOP_PLUGIN_BUILD_DIR})
endif()
# The pairing of hair shape and colour groups, shared by both GIMP versions.
if(TARGET barbershop-gimp)
  barbershop_gtest(test_plugin_styles SOURCES test_plugin_styles.cpp ${PROJECT_SOURCE_DIR}/plugin/common/styles.cpp
                   LIBS PkgConfig::GIMP${BARBERSHOP_GIMP_MAJOR})
  target_compile_definitions(test_plugin_styles PRIVATE GETTEXT_PACKAGE="${BARBERSHOP_PLUGIN_NAME}")
endif()
# The procedures both GIMP versions run (plugin/common/procedures.h), against
# an image in memory (plugin_memory_host.h) and the pipeline fixture's weights.
if(TARGET barbershop-gimp)
  set(_common ${PROJECT_SOURCE_DIR}/plugin/common)
  barbershop_gtest(test_plugin_procedures
                   SOURCES test_plugin_procedures.cpp ${_common}/procedures.cpp ${_common}/engine_bridge.cpp
                           ${_common}/progress_bar.cpp ${_common}/settings.cpp ${_common}/styles.cpp
                           ${_common}/worker.cpp
                   LIBS barbershop_engine_internals PkgConfig::GIMP${BARBERSHOP_GIMP_MAJOR} FIXTURES pipeline)
  target_compile_definitions(test_plugin_procedures PRIVATE GETTEXT_PACKAGE="${BARBERSHOP_PLUGIN_NAME}")
endif()
# The dialog's generator picker (plugin/common/download_run.h), in a real
# folder.
if(TARGET barbershop-gimp)
  barbershop_gtest(test_plugin_generators
                   SOURCES test_plugin_generators.cpp ${PROJECT_SOURCE_DIR}/plugin/common/download_run.cpp
                           ${PROJECT_SOURCE_DIR}/plugin/common/worker.cpp
                   LIBS barbershop_engine PkgConfig::GIMP${BARBERSHOP_GIMP_MAJOR})
  target_compile_definitions(test_plugin_generators PRIVATE GETTEXT_PACKAGE="${BARBERSHOP_PLUGIN_NAME}")
endif()
