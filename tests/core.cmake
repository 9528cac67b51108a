barbershop_fixture(core core_files.py)
barbershop_gtest(test_core SOURCES test_core.cpp LIBS bb_core FIXTURES core)
