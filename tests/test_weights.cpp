// engine/weights/ without a network: the catalogue's lookups, the generator
// listing of a folder made here, the manifest round trip and its refusals,
// and the check of each role on the random-weight files in the official
// formats (and on each file under a role it is not).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/error.h"
#include "engine/weights/catalogue.h"
#include "engine/weights/check.h"
#include "engine/weights/manifest.h"

namespace barbershop::weights {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/test_weights.XXXXXX";
    path_ = mkdtemp(pattern);
  }
  // Not fs::remove_all: LibTorch 2.11's libtorch.so exports its own copy,
  // which crashes (a null call) when the test binary binds to it.
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  void touch(const std::string& name, const std::string& text = "x") const {
    std::ofstream(path_ + "/" + name) << text;
  }

 private:
  std::string path_;
};

std::string served(const std::string& name) { return std::string(BARBERSHOP_FIXTURE_DIR) + "/weights/" + name; }

TEST(Catalogue, RequiredNamesAreTheFourATransferNeeds) {
  EXPECT_EQ(required_names(), (std::vector<std::string>{"ffhq.pt", "seg.pth", "vgg16-397923af.pth", "vgg.pth"}));
}

TEST(Catalogue, UnknownNameListsTheKnownOnes) {
  try {
    catalogue_entry("fhq.pt");
    FAIL() << "an unknown name was accepted";
  } catch (const Error& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("'fhq.pt'"), std::string::npos) << text;
    EXPECT_NE(text.find("metfaces.pt"), std::string::npos) << text;
  }
}

TEST(Catalogue, MirrorAddressIsBaseSlashName) {
  const CatalogueEntry& vgg = catalogue_entry("vgg.pth");
  EXPECT_EQ(source_url(vgg, "http://mirror/w"), "http://mirror/w/vgg.pth");
  EXPECT_EQ(source_url(vgg, "http://mirror/w/"), "http://mirror/w/vgg.pth");
  EXPECT_EQ(source_url(vgg, ""), vgg.official_url);
  EXPECT_EQ(source_url(catalogue_entry("vgg16-397923af.pth"), ""),
            "https://download.pytorch.org/models/vgg16-397923af.pth");
}

TEST(Catalogue, GeneratorsInFolderKnownFirstThenOthersSorted) {
  TempDir dir;
  for (const char* name : {"zebra.pt", "metfaces.pt", "ffhq.pt", "alpha.pt", "seg.pth", "notes.txt"}) dir.touch(name);
  fs::create_directory(dir.path() + "/folder.pt");  // not a file
  EXPECT_EQ(generator_files_in(dir.path()), (std::vector<std::string>{"ffhq.pt", "metfaces.pt", "alpha.pt", "zebra.pt"}));
  EXPECT_TRUE(generator_files_in(dir.path() + "/absent").empty());
}

TEST(Manifest, AbsentIsEmptyAndRecordsRoundTrip) {
  TempDir dir;
  EXPECT_TRUE(read_manifest(dir.path()).empty());
  const std::string a(64, 'a'), b(64, 'b');
  record_in_manifest(dir.path(), "ffhq.pt", {a, 127000000000ull});
  record_in_manifest(dir.path(), "vgg.pth", {b, 7289});
  record_in_manifest(dir.path(), "ffhq.pt", {b, 5});  // replaces, keeps vgg.pth
  const Manifest manifest = read_manifest(dir.path());
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest.at("ffhq.pt").sha256, b);
  EXPECT_EQ(manifest.at("ffhq.pt").size, 5u);
  EXPECT_EQ(manifest.at("vgg.pth").sha256, b);
  EXPECT_EQ(manifest.at("vgg.pth").size, 7289u);
}

TEST(Manifest, ForeignJsonIsRefusedNamingTheFile) {
  TempDir dir;
  dir.touch("manifest.json", "{\"something\": 1}");
  try {
    read_manifest(dir.path());
    FAIL() << "a foreign manifest was read";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(dir.path() + "/manifest.json"), std::string::npos) << error.what();
  }
}

TEST(Manifest, NamesThatNeedJsonEscapesAreRefused) {
  TempDir dir;
  EXPECT_THROW(write_manifest(dir.path(), {{"a\"b.pt", {std::string(64, 'a'), 1}}}), Error);
  EXPECT_FALSE(fs::exists(manifest_path(dir.path())));
}

TEST(Check, EachOfficialFormatPassesUnderItsRole) {
  for (const std::string& name : required_names())
    EXPECT_NO_THROW(check_weights_file(served(name), catalogue_entry(name).role)) << name;
}

TEST(Check, EachFileFailsUnderAnotherRoleNamingIt) {
  const std::vector<std::string> names = required_names();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& other = names[(i + 1) % names.size()];
    try {
      check_weights_file(served(other), catalogue_entry(names[i]).role);
      ADD_FAILURE() << other << " passed as " << names[i];
    } catch (const std::exception& error) {
      EXPECT_NE(std::string(error.what()).find(other), std::string::npos) << error.what();
    }
  }
}

TEST(Check, TruncatedFileFails) {
  TempDir dir;
  const std::string path = dir.path() + "/seg.pth";
  fs::copy_file(served("seg.pth"), path);
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(fs::file_size(path) / 2)), 0);
  EXPECT_ANY_THROW(check_weights_file(path, Role::Parser));
}

}  // namespace
}  // namespace barbershop::weights
