// The rows of docs/bad-input.md about whole transfers: masks of another size,
// all-black and all-white masks, two transfers sharing the cache, a full
// disk, cancelling in every stage and running out of memory. Transfers run on
// the random-weight 64x64 generator of the pipeline fixture; the CLI runs as
// a child process, as users run it.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <c10/util/Exception.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sys/file.h>
#include <thread>
#include <vector>

#include "engine/error.h"
#include "engine/files.h"
#include "engine/io/image.h"
#include "engine/io/npy.h"
#include "engine/photo/face_landmarks.h"
#include "engine/photo/photo_transfer.h"
#include "engine/pipeline/transfer.h"
#include "tests/pipeline_support.h"
#include "engine/pipeline/embedding_cache.h"

namespace barbershop {
namespace {

namespace fs = std::filesystem;

const std::string& kWeights = test::kPipelineWeights;
const std::string& kFaces = test::kSampleFaces;
const Models& models() { return test::pipeline_models(); }
constexpr int64_t kParserSize = 512;

std::string fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("barbershop-test-bad-transfer-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void expect_contains(const std::string& text, const std::string& fragment) {
  EXPECT_NE(text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << text;
}

at::Tensor face(const std::string& name) { return read_image(kFaces + name); }

// One step per stage: enough for masks and cancelling, and keeps each
// transfer to about a minute on two cores.
TransferSettings one_step() {
  TransferSettings settings;
  settings.steps = StepCounts{1, 1, 1, 1, 1, 1};
  return settings;
}

// Stages (in order of first report) and warnings of one run; optionally
// cancels at the first step of `cancel_in` and counts the reports after it.
struct Recorder {
  std::vector<std::string> stages, warnings;
  std::string cancel_in;
  std::atomic<bool> cancel{false};
  int reports_after_cancel = 0;

  Progress progress() {
    return Progress(
        [this](const std::string& stage, int, int) {
          if (cancel) ++reports_after_cancel;
          if (stages.empty() || stages.back() != stage) stages.push_back(stage);
          if (stage == cancel_in) cancel = true;
        },
        &cancel, [this](const std::string& message) { warnings.push_back(message); });
  }
  bool saw(const std::string& prefix) const {
    for (const auto& stage : stages)
      if (stage.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

// out[i][j] = mask[floor(i * H / 512)][floor(j * W / 512)]: nearest
// neighbour written out by index (sizes here make H / 512 exact in binary).
at::Tensor nearest_by_hand(const at::Tensor& mask) {
  const int64_t h = mask.size(0), w = mask.size(1);
  const at::Tensor rows = (at::arange(kParserSize, at::kLong) * h).div(kParserSize, "floor");
  const at::Tensor cols = (at::arange(kParserSize, at::kLong) * w).div(kParserSize, "floor");
  return mask.index_select(0, rows).index_select(1, cols);
}

// A painted hair blob over the top of an h x w mask, 1 = hair.
at::Tensor blob(int64_t h, int64_t w) {
  const at::Tensor y = at::arange(h).view({h, 1}).to(at::kFloat) / h;
  const at::Tensor x = at::arange(w).view({1, w}).to(at::kFloat) / w;
  return ((y - 0.3).pow(2) + (x - 0.5).pow(2)).lt(0.08).to(at::kFloat);
}

at::Tensor target_hair_of(const TransferOutput& result) {
  return result.intermediates.at("target_labels").eq(FaceParser::kHair);
}

// ------------------------------------------------------------------ masks

// The same image (1024x1024) in every role, each with one 384x256 mask: the
// target's hair is that mask, stretched to 512x512 by nearest neighbour.
TEST(BadMask, MasksOfAnotherSizeAreResizedNearestTo512) {
  const at::Tensor image = face("15.png");
  const at::Tensor mask = blob(384, 256);
  const TransferTensors images{image, image, image, mask, mask, mask};
  Recorder recorder;
  const TransferOutput result = transfer(models(), images, one_step(), recorder.progress());
  const at::Tensor expected = nearest_by_hand(mask).ge(0.5);
  EXPECT_GT(expected.sum().item<int64_t>(), 10000);
  EXPECT_TRUE(target_hair_of(result).equal(expected));
  EXPECT_TRUE(recorder.warnings.empty());
}

// ------------------------------------------------------------ the CLI

struct Cli {
  std::vector<std::string> args;
  std::string log;             // its stderr
  rlim_t file_size_limit = 0;  // > 0: RLIMIT_FSIZE, SIGXFSZ ignored: writes past it fail (EFBIG)
  std::string steps = "w=1,fs=1,mask=1,align1=1,align2=1,blend=2";  // BARBERSHOP_STEPS
};

// One image in every role (one embedding, one alignment); the result has
// its size.
std::vector<std::string> transfer_args(const std::string& out, const std::vector<std::string>& more = {},
                                       const std::string& image = kFaces + "15.png") {
  std::vector<std::string> args = {"transfer", "--identity", image,      "--structure", image, "--appearance",
                                   image,      "--weights",  kWeights,   "--align",     "off", "--out",
                                   out};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Starts `barbershop`. Between fork and exec only async-signal-safe calls:
// the test process runs LibTorch's threads.
pid_t start(const Cli& cli) {
  setenv("BARBERSHOP_STEPS", cli.steps.c_str(), 1);
  setenv("BARBERSHOP_PCA_SAMPLES", "2000", 1);
  std::vector<std::string> words = {BARBERSHOP_CLI};
  words.insert(words.end(), cli.args.begin(), cli.args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int log = open(cli.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(log, STDERR_FILENO);
  if (cli.file_size_limit) {
    signal(SIGXFSZ, SIG_IGN);  // kept across exec: writes fail instead of killing
    const rlimit limit{cli.file_size_limit, cli.file_size_limit};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  execv(argv[0], argv.data());
  _exit(127);
}

// The exit code, or 128 + the signal that ended it.
int finish(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run(const Cli& cli) { return finish(start(cli)); }

// The same face in every role, masks given as PNG files: an all-white
// structure mask of another size (300x300 for a 1024x1024 face: everything is
// hair, and so is the whole target), an all-black appearance mask (no hair: a
// warning naming that role, the transfer goes on). Without masks both roles
// warn (the random-weight parser finds no hair in this face).
TEST(BadMaskCli, WhiteMaskOfAnotherSizeIsAllHairBlackMaskWarnsNamingItsRole) {
  const std::string dir = fresh_dir("cli-masks");
  write_image(dir + "/white-300.png", at::ones({3, 300, 300}));
  write_image(dir + "/black.png", at::full({3, 1024, 1024}, -1.0));
  const Cli cli{transfer_args(dir + "/out.png", {"--no-cache", "--structure-mask", dir + "/white-300.png",
                                                 "--appearance-mask", dir + "/black.png", "--dump", dir + "/dump"}),
                dir + "/log"};
  ASSERT_EQ(run(cli), 0) << contents(cli.log);
  const std::string log = contents(cli.log);
  expect_contains(log, "warning: no hair found in the appearance image; give a hair mask");
  EXPECT_EQ(log.find("no hair found in the structure"), std::string::npos) << log;
  EXPECT_EQ(read_image(dir + "/out.png").sizes(), (c10::IntArrayRef{3, 1024, 1024}));  // the identity's size
  EXPECT_TRUE(read_npy(dir + "/dump/target_labels.npy").eq(FaceParser::kHair).all().item<bool>());
}

// ------------------------------------------------------------ the cache

Embedding embedding_numbered(int seed) {
  at::manual_seed(seed);
  return Embedding{at::randn({1, 10, 512}), at::randn({1, 10, 512}), at::randn({1, 32, 8, 8})};
}

bool same(const Embedding& a, const Embedding& b) {
  return a.w_plus.equal(b.w_plus) && a.latent.equal(b.latent) && a.F.equal(b.F);
}

// sha256sum's answer, independent of the engine's own hashing.
std::string sha256sum(const std::string& path) {
  std::FILE* pipe = popen(("sha256sum '" + path + "'").c_str(), "r");
  char digest[65] = {};
  const size_t read = std::fread(digest, 1, 64, pipe);
  pclose(pipe);
  return std::string(digest, read);
}

// The entries of a cache folder, each checked to be whole (its hash file
// matches it); no temporary may be left beside them.
int whole_entries(const std::string& dir) {
  int entries = 0;
  for (const auto& file : fs::directory_iterator(dir)) {
    const std::string path = file.path().string(), name = file.path().filename().string();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "a temporary was left: " << name;
    if (name.rfind("embedding-", 0) != 0 || file.path().extension() != ".npy") continue;
    EXPECT_EQ(contents(path + ".sha256"), sha256sum(path)) << name;
    ++entries;
  }
  return entries;
}

// Two writers store different embeddings under one key while a reader reads
// it: each read finds one writer's whole entry, never a miss (an entry paired
// with the other writer's hash) and never a mix.
TEST(SharedCache, ConcurrentStoresAndReadsNeverSeeAHalfEntry) {
  const std::string dir = fresh_dir("concurrent");
  const EmbeddingCache cache(dir);
  const Embedding a = embedding_numbered(1), b = embedding_numbered(2);
  std::vector<std::string> warnings;
  const Progress progress(nullptr, nullptr, [&](const std::string& message) { warnings.push_back(message); });
  cache.store("k", a, progress);
  std::atomic<bool> writing{true};
  int reads = 0, misses = 0, mixed = 0;
  std::thread reader([&] {
    while (writing) {
      const std::optional<Embedding> found = cache.find("k", c10::kCPU);
      ++reads;
      if (!found) ++misses;
      else if (!same(*found, a) && !same(*found, b)) ++mixed;
    }
  });
  auto writer = [&](const Embedding& embedding) {
    for (int i = 0; i < 150; ++i) cache.store("k", embedding, progress);
  };
  std::thread writer_a(writer, a), writer_b(writer, b);
  writer_a.join();
  writer_b.join();
  writing = false;
  reader.join();
  EXPECT_TRUE(warnings.empty());
  EXPECT_GT(reads, 10);
  EXPECT_EQ(misses, 0) << "of " << reads << " reads";
  EXPECT_EQ(mixed, 0);
  EXPECT_EQ(whole_entries(dir), 1);
}

// A process holds the lock and is killed (SIGKILL, no clean-up): its lock
// file stays, but the kernel released the lock with the process, so a store
// that waited for it goes on at once.
TEST(SharedCache, LockFileOfAKilledProcessNeverBlocks) {
  const std::string dir = fresh_dir("stale-lock");
  const EmbeddingCache cache(dir);
  const std::string lock_path = cache.lock_path();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t holder = fork();
  if (holder == 0) {  // only async-signal-safe calls
    const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT, 0666);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
    if (write(ready[1], "x", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  EXPECT_FALSE(FileLock(lock_path, FileLock::Mode::Shared, std::chrono::milliseconds(100)).locked())
      << "the lock is not exclusive";

  std::vector<std::string> warnings;
  const Progress progress(nullptr, nullptr, [&](const std::string& message) { warnings.push_back(message); });
  std::thread store([&] { cache.store("k", embedding_numbered(1), progress); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(fs::exists(dir + "/embedding-k.npy")) << "stored while another process held the lock";
  kill(holder, SIGKILL);
  EXPECT_EQ(finish(holder), 128 + SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  store.join();
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(5));
  EXPECT_TRUE(fs::exists(lock_path));
  EXPECT_TRUE(warnings.empty());
  ASSERT_TRUE(cache.find("k", c10::kCPU).has_value());
  EXPECT_TRUE(same(*cache.find("k", c10::kCPU), embedding_numbered(1)));
  EXPECT_TRUE(FileLock(lock_path, FileLock::Mode::Exclusive, std::chrono::milliseconds(0)).locked());
}

// Two `barbershop transfer` processes at once on one cache folder: both
// outputs equal a lone run's, and the entry they both wrote is whole.
TEST(SharedCache, TwoTransfersAtOnceGiveTheLoneRunsResult) {
  const std::string dir = fresh_dir("two-at-once");
  ASSERT_EQ(run({transfer_args(dir + "/lone.png", {"--cache", dir + "/lone-cache"}), dir + "/lone.log"}), 0);
  const std::string cache = dir + "/cache";
  const Cli first{transfer_args(dir + "/a.png", {"--cache", cache}), dir + "/a.log"};
  const Cli second{transfer_args(dir + "/b.png", {"--cache", cache}), dir + "/b.log"};
  const pid_t a = start(first), b = start(second);
  ASSERT_EQ(finish(a), 0) << contents(first.log);
  ASSERT_EQ(finish(b), 0) << contents(second.log);
  const std::string lone = contents(dir + "/lone.png");
  ASSERT_FALSE(lone.empty());
  EXPECT_EQ(contents(dir + "/a.png"), lone);
  EXPECT_EQ(contents(dir + "/b.png"), lone);
  for (const Cli* cli : {&first, &second}) {
    EXPECT_EQ(contents(cli->log).find("could not write the embedding cache"), std::string::npos) << contents(cli->log);
    EXPECT_EQ(contents(cli->log).find("not cached"), std::string::npos) << contents(cli->log);
  }

  EXPECT_EQ(whole_entries(cache), 1);  // one distinct image
}

// ------------------------------------------------------------- full disk

// A cache entry (about 2 MB) larger than the process may write: the write
// fails part-way with EFBIG, as it fails with ENOSPC on a full disk. One
// warning, the output (a few kB) appears, no entry or temporary is left.
TEST(FullDisk, CacheWriteFailingOnlyWarnsAndTheOutputAppears) {
  const std::string dir = fresh_dir("full-cache");
  const std::string cache = dir + "/cache";
  // A face crop at the generator's 64 px, so the result is a few kB too.
  const std::string face = dir + "/face64.png";
  write_image(face, at::adaptive_avg_pool2d(read_image(kFaces + "15.png").unsqueeze(0), {64, 64})[0]);
  const Cli cli{transfer_args(dir + "/out.png", {"--cache", cache}, face), dir + "/log", 256 * 1024};
  ASSERT_EQ(run(cli), 0) << contents(cli.log);
  const std::string log = contents(cli.log);
  expect_contains(log, "could not write the embedding cache (cannot write " + cache + "/embedding-");
  expect_contains(log, "File too large");
  expect_contains(log, "the next run will embed again");
  EXPECT_EQ(read_image(dir + "/out.png").sizes(), (c10::IntArrayRef{3, 64, 64}));
  for (const auto& file : fs::directory_iterator(cache)) {
    const std::string name = file.path().filename().string();
    EXPECT_EQ(name.find("embedding-"), std::string::npos) << "a (half) entry was left: " << name;
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "a temporary was left: " << name;
  }
}

// The output itself cannot be written: the user's earlier file at that path
// is kept byte for byte, the message says so, no temporary is left.
TEST(FullDisk, OutputWriteFailingKeepsTheEarlierFile) {
  const std::string dir = fresh_dir("full-output");
  const std::string out = dir + "/out.png";
  fs::copy_file(kFaces + "15.png", out);
  const std::string earlier = contents(out);
  const Cli cli{transfer_args(out, {"--no-cache"}), dir + "/log", 1024};
  EXPECT_EQ(run(cli), 2);
  const std::string log = contents(cli.log);
  expect_contains(log, "error: cannot write " + out + ": File too large");
  expect_contains(log, "the file already there is unchanged");
  EXPECT_EQ(contents(out), earlier);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2) << "out.png and log only";
}

// In this process: a file size limit below the file's size makes the write
// fail part-way; with no earlier file, nothing is left at all.
TEST(FullDisk, FailedAtomicWriteLeavesNothing) {
  const std::string dir = fresh_dir("atomic");
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_file_atomically(dir + "/big.bin", std::string(10000, 'x'));
  } catch (const Error& error) {
    message = error.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, previous_handler);
  expect_contains(message, "cannot write " + dir + "/big.bin: File too large");
  expect_contains(message, "nothing was written");
  EXPECT_TRUE(fs::is_empty(dir));
}

// ------------------------------------------------------------- cancelling

// ---------------------------------------------------------- photos

#define REQUIRE_DLIB() \
  if (!face_detection_available()) GTEST_SKIP() << "built without dlib (BARBERSHOP_WITH_DLIB=OFF)"

// A photo in which no face can be found (not square, so it cannot be taken
// as an aligned crop either): named by its role before any optimisation.
TEST(NoFace, APhotoWithoutAFaceIsNamedBeforeTheMethodRuns) {
  REQUIRE_DLIB();
  const at::Tensor image = face("15.png");
  const at::Tensor blank = at::zeros({3, 200, 300});
  Recorder recorder;
  try {
    transfer_photos(models(), {image, blank, image}, one_step(), recorder.progress());
    FAIL() << "a photo without a face was accepted";
  } catch (const Error& error) {
    expect_contains(error.what(), "no face found in the structure image");
  }
  EXPECT_FALSE(recorder.saw("embedding"));
}

// Cancelling while faces are looked for (the unaligned sample photo as the
// identity): nothing is reported after it and the method never starts.
TEST(Cancel, WhileFindingFacesStopsBeforeTheMethod) {
  REQUIRE_DLIB();
  const at::Tensor photo = read_image(kFaces + "unaligned-90.jpg");
  const at::Tensor image = face("15.png");
  Recorder recorder;
  recorder.cancel_in = "finding faces";
  EXPECT_THROW(transfer_photos(models(), {photo, image, image}, one_step(), recorder.progress()), Cancelled);
  EXPECT_TRUE(recorder.cancel) << "finding faces never reported";
  EXPECT_EQ(recorder.reports_after_cancel, 0);
  EXPECT_FALSE(recorder.saw("embedding"));
}

// Cancelled at the first step of each stage in turn (one cache; one step
// per stage, so the next step is the next stage's first): no step is
// reported after it, the run throws Cancelled, the cache holds only whole
// entries (none until a run got past the embedding, which with stored noise
// comes after the target mask: the layout preview needs only the parser),
// and the next run, from that cache, gives a lone uncached run's result.
TEST(Cancel, InEveryStageStopsAtTheNextStepAndTheNextRunWorks) {
  const at::Tensor image = face("15.png");
  const TransferTensors images{image, image, image};
  TransferSettings settings = one_step();
  Recorder lone_run;
  const TransferOutput lone = transfer(models(), images, settings, lone_run.progress());
  const std::vector<std::string> every_stage = {"embedding W+",    "embedding FS",    "target mask (1/2)",
                                                "target mask (2/2)", "alignment (1/2)", "alignment (2/2)",
                                                "blending"};
  for (const std::string& stage : every_stage)
    ASSERT_NE(std::find(lone_run.stages.begin(), lone_run.stages.end(), stage), lone_run.stages.end()) << stage;

  const auto position = [&](const std::string& stage) {
    return std::find(lone_run.stages.begin(), lone_run.stages.end(), stage) - lone_run.stages.begin();
  };
  settings.cache_dir = fresh_dir("cancel");
  bool embedded = false;  // whether a run so far got past the embedding
  for (const std::string& stage : every_stage) {
    Recorder recorder;
    recorder.cancel_in = stage;
    EXPECT_THROW(transfer(models(), images, settings, recorder.progress()), Cancelled) << stage;
    EXPECT_TRUE(recorder.cancel) << stage << " never ran";
    EXPECT_EQ(recorder.reports_after_cancel, 0) << stage;
    embedded = embedded || position(stage) > position("embedding FS");
    EXPECT_EQ(whole_entries(settings.cache_dir), embedded ? 1 : 0) << stage;
  }
  Recorder next;
  const TransferOutput result = transfer(models(), images, settings, next.progress());
  EXPECT_FALSE(next.saw("embedding"));
  EXPECT_TRUE(result.image.equal(lone.image));
}

// -------------------------------------------------------- out of memory

void translated(const std::function<void()>& failing) {
  try {
    failing();
  } catch (...) {
    rethrow_with_memory_advice();
  }
}

// The advice's message, then " [setting: <the option that fixes it>]".
std::string advice_for(const std::function<void()>& failing) {
  try {
    translated(failing);
  } catch (const Error& error) {
    return std::string(error.what()) + " [setting: " + error.setting() + "]";
  }
  return "no barbershop::Error";
}

#if defined(__SANITIZE_ADDRESS__)
#define BARBERSHOP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BARBERSHOP_ASAN 1
#endif
#endif

// The CPU allocator's own failure: 2^50 floats (4 PiB) cannot be had.
TEST(OutOfMemory, CpuAllocationFailureBecomesAdvice) {
#ifdef BARBERSHOP_ASAN
  GTEST_SKIP() << "ASan aborts on a failed allocation instead of returning null";
#endif
  const std::string message = advice_for([] { at::empty({int64_t(1) << 50}, at::kFloat); });
  expect_contains(message, "out of memory (DefaultCPUAllocator: ");
  expect_contains(message, "4503599627370496 bytes");
  expect_contains(message, "close other programs");
}

// Bytes of private data (heap and anonymous mappings) this process holds
// now: VmData in /proc/self/status, in kB.
uint64_t data_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmData:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

// A whole transfer that runs out of memory, for real: a child process whose
// data (RLIMIT_DATA: heap and anonymous mappings, not the stack, so a call
// that needs a new stack page is not what fails) is capped 64 MB above what
// it holds with the networks loaded. It must end in the advice (an Error),
// not in a crash or LibTorch's allocator text.
TEST(OutOfMemory, ATransferThatRunsOutOfMemoryEndsInAdvice) {
#ifdef BARBERSHOP_ASAN
  GTEST_SKIP() << "ASan's allocator reserves its own memory: a data cap stops it first";
#endif
  const at::Tensor image = face("15.png");
  models();  // loaded before the cap
  const std::string report = fresh_dir("oom") + "/message";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The parent's OpenMP threads do not exist in a forked child: a parallel
    // region would wait for them for ever, so the child computes on one
    // thread; and it ends itself should it hang anyway.
    at::set_num_threads(1);
    alarm(600);
    const rlimit cap{data_bytes() + (64u << 20), RLIM_INFINITY};
    setrlimit(RLIMIT_DATA, &cap);
    std::string message = "finished without running out of memory";
    try {
      transfer(models(), {image, image, image}, one_step(), Progress());
    } catch (const Error& error) {
      message = error.what();
    } catch (const std::exception& error) {
      message = std::string("not translated: ") + error.what();
    }
    std::ofstream(report) << message;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the transfer crashed (signal " << WTERMSIG(status) << ")";
  const std::string message = contents(report);
  expect_contains(message, "out of memory (");
  expect_contains(message, "close other programs");
}

// What LibTorch's CUDA caching allocator throws (c10::OutOfMemoryError,
// both in 1.13 and 2.x), thrown here with its own macro and wording.
TEST(OutOfMemory, CudaOutOfMemoryErrorBecomesAdvice) {
  const std::string message = advice_for([] {
    C10_THROW_ERROR(OutOfMemoryError, "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)");
  });
  expect_contains(message, "the GPU ran out of memory (CUDA out of memory. Tried to allocate 2.00 GiB");
  expect_contains(message, "run on the CPU instead");
  expect_contains(message, "[setting: device]");
}

TEST(OutOfMemory, OtherErrorsPassUnchanged) {
  EXPECT_THROW(translated([] { throw Cancelled(); }), Cancelled);
  try {
    translated([] { at::ones({2, 2}).mm(at::ones({3, 3})); });
    FAIL() << "no error";
  } catch (const c10::Error& error) {
    expect_contains(error.what_without_backtrace(), "shapes cannot be multiplied");
  }
}

}  // namespace
}  // namespace barbershop
