barbershop_fixture(ops ops_files.py)
barbershop_gtest(test_ops SOURCES test_ops.cpp LIBS bb_pipeline FIXTURES ops)
