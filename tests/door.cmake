# The engine's door (docs/architecture.md): hosts include only door headers,
# and door headers include no LibTorch header.
add_test(NAME door_headers COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/door_headers.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(door_headers PROPERTIES TIMEOUT 60)
