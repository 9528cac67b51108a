# StyleGAN2 generator: layers against hand computations, the whole network
# against the independent Python implementation, checkpoint errors, and the
# `barbershop generate` command.
barbershop_fixture(stylegan2 stylegan2_files.py)
barbershop_gtest(test_stylegan2 SOURCES test_stylegan2.cpp LIBS bb_networks FIXTURES stylegan2)
