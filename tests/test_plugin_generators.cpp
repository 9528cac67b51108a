// The transfer dialog's generator picker in both GIMP versions
// (plugin/common/weights_panel.h): which files it lists for a weights folder
// and which one it shows chosen (generator_choices, plugin/common/download_run.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "plugin/common/download_run.h"

namespace barbershop::plugin {
namespace {

namespace fs = std::filesystem;

// A fresh folder holding empty files with these names.
class WeightsFolder {
 public:
  explicit WeightsFolder(const std::vector<std::string>& names)
      : path_(fs::temp_directory_path() /
              (std::string("bb-generators-") + ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    for (const std::string& name : names) std::ofstream(path_ / name).put('x');
  }
  ~WeightsFolder() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

using Names = std::vector<std::string>;

TEST(PluginGenerators, FfhqComesFirstThenTheOtherPtFilesByName) {
  const WeightsFolder folder({"b.pt", "notes.txt", "ffhq.pt", "a.pt"});
  const GeneratorChoices choices = generator_choices(folder.path(), "");
  EXPECT_EQ(choices.names, (Names{"ffhq.pt", "a.pt", "b.pt"}));
  EXPECT_EQ(choices.chosen, 0u);
}

TEST(PluginGenerators, TheRememberedFileIsChosenWhileTheFolderHasIt) {
  const WeightsFolder folder({"ffhq.pt", "a.pt", "b.pt"});
  EXPECT_EQ(generator_choices(folder.path(), "b.pt").chosen, 2u);
  EXPECT_EQ(generator_choices(folder.path(), "ffhq.pt").chosen, 0u);
  EXPECT_EQ(generator_choices(folder.path(), "gone.pt").chosen, 0u);
}

TEST(PluginGenerators, WithoutFfhqTheDefaultFallsToTheFirstFile) {
  const WeightsFolder folder({"b.pt", "a.pt"});
  const GeneratorChoices choices = generator_choices(folder.path(), "");
  EXPECT_EQ(choices.names, (Names{"a.pt", "b.pt"}));
  EXPECT_EQ(choices.chosen, 0u);
}

TEST(PluginGenerators, AnEmptyOrMissingFolderOffersFfhqBeforeItIsDownloaded) {
  const WeightsFolder folder({"seg.pth"});
  EXPECT_EQ(generator_choices(folder.path(), "a.pt").names, (Names{"ffhq.pt"}));
  EXPECT_EQ(generator_choices(folder.path() + "/not-made", "").names, (Names{"ffhq.pt"}));
  EXPECT_EQ(generator_choices(folder.path() + "/not-made", "").chosen, 0u);
}

TEST(PluginGenerators, FfhqIsTheDefaultArgumentAndOthersTheirFileName) {
  EXPECT_EQ(generator_argument("ffhq.pt"), "");
  EXPECT_EQ(generator_argument("G128.pt"), "G128.pt");
}

}  // namespace
}  // namespace barbershop::plugin
