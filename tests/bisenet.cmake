# The face parser (engine/networks/bisenet.*) and `barbershop segment`.
barbershop_fixture(bisenet bisenet_files.py)
barbershop_gtest(test_bisenet SOURCES test_bisenet.cpp LIBS bb_networks FIXTURES bisenet)
