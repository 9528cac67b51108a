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
