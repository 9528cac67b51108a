# The GIMP plug-in's own checks that need no running GIMP (the real-GIMP
# tests are in gimp.cmake).
if(TARGET barbershop-gimp)
  add_test(NAME plugin_translations
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plugin_translations.sh ${PROJECT_SOURCE_DIR} ${BARBERSHOP_PLUGIN_BUILD_DIR})
endif()
