// Checkpoint reading against files written by real torch.save (see
// fixtures/checkpoint_files.py): every tensor must equal, byte for byte, what
// Python stored, and every damaged file must give one barbershop::Error line.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/checkpoint/checkpoint.h"
#include "engine/checkpoint/unpickler.h"
#include "engine/error.h"

namespace barbershop {
namespace {

using Kind = CheckpointValue::Kind;

const std::string kFixtures = BARBERSHOP_FIXTURE_DIR "/checkpoint/";
const std::string kLpips = BARBERSHOP_TEST_DATA "/weights/lpips_vgg_v0.1.pth";

std::string fixture(const std::string& name) { return kFixtures + name; }

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = fixture("scratch_" + name);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// One line of expected_<name>.txt plus the bytes Python stored for it.
struct ExpectedTensor {
  std::string key;  // "g_ema/conv.weight": entry conv.weight of the dict under g_ema
  std::string dtype;
  std::vector<int64_t> sizes;
  std::string bytes;
};

std::vector<ExpectedTensor> expected_tensors(const std::string& name) {
  std::vector<ExpectedTensor> all;
  std::ifstream manifest(fixture("expected_" + name + ".txt"));
  EXPECT_TRUE(manifest) << "missing expected_" << name << ".txt";
  for (std::string line; std::getline(manifest, line);) {
    std::istringstream fields(line);
    ExpectedTensor expected;
    std::string index;
    fields >> expected.key >> expected.dtype >> index;
    for (int64_t size; fields >> size;) expected.sizes.push_back(size);
    expected.bytes = read_bytes(fixture("expected_" + name + "/" + index + ".bin"));
    all.push_back(std::move(expected));
  }
  EXPECT_FALSE(all.empty());
  return all;
}

at::Tensor lookup(const Checkpoint& checkpoint, const std::string& key) {
  const auto slash = key.find('/');
  const std::string dict = slash == std::string::npos ? "" : key.substr(0, slash);
  const StateDict state = checkpoint.state_dict(dict);
  const auto found = state.find(key.substr(slash == std::string::npos ? 0 : slash + 1));
  return found == state.end() ? at::Tensor() : found->second;
}

void expect_equal(const at::Tensor& tensor, const ExpectedTensor& expected) {
  ASSERT_TRUE(tensor.defined()) << expected.key;
  EXPECT_EQ(std::string(c10::toString(tensor.scalar_type())), expected.dtype) << expected.key;
  EXPECT_EQ(tensor.sizes().vec(), expected.sizes) << expected.key;
  EXPECT_TRUE(tensor.device().is_cpu()) << expected.key;
  const at::Tensor dense = tensor.contiguous();
  ASSERT_EQ(dense.nbytes(), expected.bytes.size()) << expected.key;
  if (expected.bytes.empty()) return;  // an empty tensor may have no buffer, and memcmp(nullptr, ...) is undefined
  EXPECT_EQ(0, std::memcmp(dense.data_ptr(), expected.bytes.data(), expected.bytes.size())) << expected.key;
}

void expect_all_equal(const Checkpoint& checkpoint, const std::string& expected_name) {
  for (const auto& expected : expected_tensors(expected_name)) expect_equal(lookup(checkpoint, expected.key), expected);
}

// The message load() throws for `path`; fails the test when it loads.
std::string load_error(const std::string& path) {
  try {
    Checkpoint::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded without an error";
  return "";
}

void expect_user_message(const std::string& message, const std::string& path, const std::string& fragment) {
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
  EXPECT_NE(message.find(fragment), std::string::npos) << "expected \"" << fragment << "\" in: " << message;
}

// "truncated_zip_30.pt" -> "truncated_zip_30_pt", for parameterised test names.
std::string test_name(const std::string& file) {
  std::string name = file;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

// ------------------------------------------------ torch.save zip and legacy

class TorchSaveFormats : public testing::TestWithParam<const char*> {
 protected:
  Checkpoint load() const { return Checkpoint::load(fixture(GetParam())); }
};

INSTANTIATE_TEST_SUITE_P(Checkpoint, TorchSaveFormats,
                         testing::Values("zip.pt", "zip_proto4.pt", "bytesio.pt", "legacy.pt", "legacy_proto4.pt"),
                         [](const auto& info) { return test_name(info.param); });

TEST_P(TorchSaveFormats, EveryTensorEqualsWhatPythonStored) { expect_all_equal(load(), "checkpoint"); }

TEST_P(TorchSaveFormats, TensorsOwnCompactMemoryAndOutliveTheCheckpoint) {
  const StateDict state = load().state_dict("g_ema");
  for (const char* key : {"transposed", "sliced", "strided", "base", "half"}) {
    const at::Tensor& tensor = state.at(key);
    EXPECT_TRUE(tensor.is_contiguous()) << key;
    EXPECT_EQ(tensor.storage().nbytes(), tensor.nbytes()) << key;
  }
  EXPECT_TRUE(at::equal(state.at("transposed"), state.at("base").t()));
  EXPECT_TRUE(at::equal(state.at("sliced"), state.at("base").slice(0, 1, 3).slice(1, 2, 5)));
}

TEST_P(TorchSaveFormats, StateDictHoldsOnlyTheTensors) {
  const Checkpoint checkpoint = load();
  const StateDict state = checkpoint.state_dict("g_ema");
  EXPECT_EQ(state.count("not_a_tensor"), 0u);
  EXPECT_EQ(state.size(), 18u);
  // state_dict()'s OrderedDict carries _metadata, set by BUILD.
  EXPECT_NE(checkpoint.root().find("g_ema")->attribute("_metadata"), nullptr);
  EXPECT_EQ(checkpoint.tensor("latent_avg").sizes().vec(), std::vector<int64_t>{512});
}

// The plain values checkpoint_files.py's checkpoint() stores.
TEST_P(TorchSaveFormats, PlainValuesComeThrough) {
  const Checkpoint checkpoint = load();
  const CheckpointValue& root = checkpoint.root();
  EXPECT_EQ(root.find("iteration")->integer, 550000);
  EXPECT_EQ(root.find("ratio")->real, 0.5);
  EXPECT_EQ(root.find("negative")->integer, -123456789012);
  EXPECT_EQ(root.find("big")->kind, Kind::Opaque);  // 2**70 does not fit 64 bits
  EXPECT_EQ(root.find("name")->text, "stylegan2 \xc3\xbc");
  EXPECT_TRUE(root.find("flag")->boolean);
  EXPECT_EQ(root.find("nothing")->kind, Kind::None);
  EXPECT_EQ(root.find("blob")->kind, Kind::Bytes);
  EXPECT_EQ(root.find("blob")->text, std::string("\x00\x01\xff", 3));
  const auto& numbers = root.find("numbers")->items;
  ASSERT_EQ(numbers.size(), 4u);
  EXPECT_EQ(numbers[2]->integer, 3000000000);
  EXPECT_EQ(numbers[3]->integer, -(int64_t{1} << 40));
  const auto& list = *root.find("list");
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[1]->text, "two");
  EXPECT_EQ(list.items[2]->items.at(0)->integer, 3);
}

TEST_P(TorchSaveFormats, ArgparseNamespaceIsOpaqueWithItsFields) {
  const Checkpoint checkpoint = load();
  const CheckpointValue* args = checkpoint.root().find("args");
  ASSERT_NE(args, nullptr);
  EXPECT_EQ(args->kind, Kind::Opaque);
  EXPECT_EQ(args->text, "argparse.Namespace");
  ASSERT_NE(args->attribute("size"), nullptr);
  EXPECT_EQ(args->attribute("size")->integer, 64);
  EXPECT_EQ(args->attribute("channel_multiplier")->integer, 2);
  EXPECT_EQ(args->attribute("name")->text, "ffhq");
  EXPECT_DOUBLE_EQ(args->attribute("lr")->real, 0.002);
}

TEST_P(TorchSaveFormats, MissingOrWrongEntriesNameTheFileAndWhatIsThere) {
  const std::string path = fixture(GetParam());
  const Checkpoint checkpoint = load();
  try {
    checkpoint.state_dict("generator");
    FAIL();
  } catch (const Error& e) {
    expect_user_message(e.what(), path, "no 'generator' entry (found: g_ema, latent_avg, args");
  }
  try {
    checkpoint.tensor("g_ema");
    FAIL();
  } catch (const Error& e) {
    expect_user_message(e.what(), path, "'g_ema' is a dict, not a tensor");
  }
  try {
    checkpoint.state_dict("args");
    FAIL();
  } catch (const Error& e) {
    expect_user_message(e.what(), path, "'args' is a pickled argparse.Namespace, not a dict of tensors");
  }
}

TEST(Checkpoint, LegacyStorageViewsOfOldTorchVersions) {
  const Checkpoint checkpoint = Checkpoint::load(fixture("legacy_views.pt"));
  expect_all_equal(checkpoint, "legacy_views");
}

// ------------------------------------------------------------- safetensors

TEST(Checkpoint, SafetensorsTensorsAndMetadata) {
  const Checkpoint checkpoint = Checkpoint::load(fixture("model.safetensors"));
  expect_all_equal(checkpoint, "safetensors");
  const CheckpointValue* metadata = checkpoint.root().find("__metadata__");
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(metadata->find("format")->text, "pt");
  EXPECT_EQ(metadata->find("note")->text, "caf\xc3\xa9 \"quoted\" \\ \xf0\x9f\x98\x80");
  EXPECT_EQ(checkpoint.state_dict().size(), 8u);
}

TEST(Checkpoint, SafetensorsWithBadOffsetsIsRefused) {
  std::string bytes = read_bytes(fixture("model.safetensors"));
  const auto at = bytes.find("\"data_offsets\": [0, 48]");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 23, "\"data_offsets\": [0, 52]");
  const std::string path = write_scratch("bad_offsets.safetensors", bytes);
  expect_user_message(load_error(path), path, "do not match its dtype and shape");
}

// ------------------------------------------------------------------ LPIPS

TEST(Checkpoint, RealLpipsWeightsInTheLegacyFormat) {
  if (!std::filesystem::exists(kLpips)) GTEST_SKIP() << kLpips << " is not there";
  const Checkpoint checkpoint = Checkpoint::load(kLpips);
  const StateDict state = checkpoint.state_dict();
  ASSERT_EQ(state.size(), 5u);
  const std::vector<int64_t> channels = {64, 128, 256, 512, 512};
  for (size_t i = 0; i < channels.size(); ++i) {
    const std::string key = "lin" + std::to_string(i) + ".model.1.weight";
    ASSERT_EQ(state.count(key), 1u) << key;
    EXPECT_EQ(state.at(key).sizes().vec(), (std::vector<int64_t>{1, channels[i], 1, 1})) << key;
  }
  expect_all_equal(checkpoint, "lpips");
  try {
    checkpoint.state_dict("g_ema");
    FAIL();
  } catch (const Error& e) {
    expect_user_message(e.what(), kLpips, "is this a StyleGAN2 checkpoint from rosinality's stylegan2-pytorch?");
  }
}

// ------------------------------------------------------- nothing gets run

TEST(Checkpoint, OsSystemInAPickleIsNeverCalled) {
  for (const char* name : {"evil_zip.pt", "evil_legacy.pt"}) {
    const Checkpoint checkpoint = Checkpoint::load(fixture(name));
    const CheckpointValue* evil = checkpoint.root().find("evil");
    ASSERT_NE(evil, nullptr) << name;
    EXPECT_EQ(evil->kind, Kind::Opaque) << name;
    EXPECT_EQ(evil->text, "posix.system") << name;
    EXPECT_EQ(checkpoint.state_dict().size(), 1u) << name;  // "weight" is still readable
  }
  const std::string pickle = fixture("evil.pkl");
  expect_user_message(load_error(pickle), pickle, "not a torch.save checkpoint");
  EXPECT_FALSE(std::filesystem::exists(fixture("evil_ran_marker")));
}

TEST(Checkpoint, AWholePickledModuleIsNotAStateDict) {
  const std::string path = fixture("whole_model.pt");
  const Checkpoint checkpoint = Checkpoint::load(path);
  EXPECT_EQ(checkpoint.root().kind, Kind::Opaque);
  EXPECT_EQ(checkpoint.root().text, "torch.nn.modules.linear.Linear");
  try {
    checkpoint.state_dict();
    FAIL();
  } catch (const Error& e) {
    expect_user_message(e.what(), path, "holds a pickled torch.nn.modules.linear.Linear, not a dict of tensors");
  }
}

// ------------------------------------------------------------- bad files

struct BadFile {
  const char* name;
  const char* fragment;
};

class BadFiles : public testing::TestWithParam<BadFile> {};

INSTANTIATE_TEST_SUITE_P(
    Checkpoint, BadFiles,
    testing::Values(BadFile{"does_not_exist.pt", "cannot open the file"},
                    BadFile{"truncated_zip_0.pt", "the file is empty; download it again"},
                    BadFile{"truncated_zip_1.pt", "download it again"},
                    BadFile{"truncated_zip_3.pt", "download it again"},
                    BadFile{"truncated_zip_30.pt", "download it again"},
                    BadFile{"truncated_zip_1000.pt", "download it again"},
                    BadFile{"truncated_legacy_10.pt", "truncated after 10 bytes"},
                    BadFile{"truncated_legacy_15.pt", "truncated after 15 bytes"},
                    BadFile{"truncated_legacy_40.pt", "truncated after 40 bytes"},
                    BadFile{"truncated_legacy_300.pt", "truncated after 300 bytes"},
                    BadFile{"truncated_legacy_2000.pt", "truncated after 2000 bytes"},
                    BadFile{"wrong_magic.pt", "not a torch.save checkpoint"},
                    BadFile{"text.pt", "not a PyTorch checkpoint"},
                    BadFile{"plain.pkl", "not a torch.save checkpoint"},
                    BadFile{"zip_without_pkl.pt", "without data.pkl"},
                    BadFile{"plain.zip", "cannot read it as a PyTorch checkpoint"},
                    BadFile{"zip_missing_storage.pt", "storage record 'data/0' is missing"},
                    BadFile{"zip_bad_opcode.pt", "unknown pickle opcode 0xff"},
                    BadFile{"legacy_bad_opcode.pt", "unknown pickle opcode 0xfe"},
                    BadFile{"zip_deep.pt", "nested deeper than"},
                    BadFile{"zip_cycle.pt", "or a cycle"}),
    [](const auto& info) { return test_name(info.param.name); });

TEST_P(BadFiles, GiveOneLineNamingTheFileAndTheProblem) {
  const std::string path = fixture(GetParam().name);
  expect_user_message(load_error(path), path, GetParam().fragment);
}

TEST(Checkpoint, TruncatedFixtureCopiesAllFail) {
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("truncated_", 0) != 0) continue;
    const std::string message = load_error(entry.path().string());
    expect_user_message(message, entry.path().string(), "download it again");
  }
}

// Every prefix of a legacy or safetensors file (both read straight from
// disk) and many of a zip file must fail cleanly, never crash.
TEST(Checkpoint, EveryTruncationIsAnErrorNotACrash) {
  for (const char* name : {"legacy.pt", "model.safetensors", "zip.pt"}) {
    const std::string bytes = read_bytes(fixture(name));
    // Each byte of the pickled part; the zip and the raw storage bytes sparsely.
    const bool zip = std::string(name) == "zip.pt";
    for (size_t length = 0; length < bytes.size(); length += zip ? 53 : length < 3000 ? 1 : 11) {
      const std::string path = write_scratch(name, bytes.substr(0, length));
      try {
        Checkpoint::load(path);
        ADD_FAILURE() << name << " cut to " << length << " bytes loaded";
      } catch (const Error& e) {
        ASSERT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      }
    }
  }
}

// Random byte changes must give a value or barbershop::Error, nothing else:
// a refusal is one line naming the file, a file that still reads gives
// tensors. Both must happen in 1500 rounds, or the changes missed the parts
// that matter (the header and the pickle sit in the first 2600 bytes).
TEST(Checkpoint, CorruptedLegacyFilesNeverCrash) {
  const std::string original = read_bytes(fixture("legacy.pt"));
  std::mt19937 random(1234);
  int refused = 0, read = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string bytes = original;
    const int changes = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < changes; ++i) bytes[random() % std::min<size_t>(bytes.size(), 2600)] = static_cast<char>(random());
    const std::string path = write_scratch("fuzz_legacy.pt", bytes);
    try {
      const StateDict state = Checkpoint::load(path).state_dict("g_ema");
      for (const auto& [key, tensor] : state) ASSERT_TRUE(tensor.defined()) << "round " << round << ": " << key;
      ++read;
    } catch (const Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("fuzz_legacy.pt"), std::string::npos) << "round " << round << ": " << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << "round " << round << ": " << message;
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(read, 0);
  EXPECT_EQ(refused + read, 1500);
}

// n lists, each appended to the one before: a chain n values deep.
std::string nested_lists_pickle(int n) {
  return "\x80\x02" + std::string(n, ']') + std::string(n - 1, 'a') + ".";
}

TEST(Checkpoint, UnpicklerTakesNestingUpToItsLimit) {
  const std::string fits = nested_lists_pickle(kMaxPickleDepth);
  MemoryBytes fits_in(fits.data(), fits.size());
  EXPECT_EQ(unpickle(fits_in, nullptr)->kind, Kind::List);
  const std::string too_deep = nested_lists_pickle(kMaxPickleDepth + 1);
  MemoryBytes too_deep_in(too_deep.data(), too_deep.size());
  EXPECT_THROW(unpickle(too_deep_in, nullptr), MalformedInput);
}

TEST(Checkpoint, UnpicklerRefusesPersistentIdsWhereNoneBelong) {
  const std::string pickle = "\x80\x02K\x01Q.";  // BINPERSID(1)
  MemoryBytes in(pickle.data(), pickle.size());
  EXPECT_THROW(unpickle(in, nullptr), MalformedInput);
}

TEST(Checkpoint, CorruptedPicklesNeverCrashTheUnpickler) {
  const std::string original = read_bytes(fixture("zip_data.pkl"));
  const PersistentLoader storage = [](const CheckpointValue&) {
    auto value = std::make_shared<CheckpointValue>();
    value->kind = Kind::Tensor;
    value->tensor = at::zeros({1000});
    return value;
  };
  std::mt19937 random(99);
  int parsed = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string bytes = original;
    const int changes = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < changes; ++i) bytes[random() % bytes.size()] = static_cast<char>(random());
    MemoryBytes in(bytes.data(), bytes.size());
    try {
      unpickle(in, storage);
      ++parsed;
    } catch (const TruncatedInput&) {
    } catch (const MalformedInput&) {
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace barbershop
