barbershop_fixture(losses losses_files.py)
barbershop_gtest(test_losses
  SOURCES test_bicubic.cpp test_sha256.cpp test_lpips.cpp test_style.cpp test_pca_prior.cpp
          test_loss_cli.cpp
  LIBS bb_losses
  FIXTURES losses)
