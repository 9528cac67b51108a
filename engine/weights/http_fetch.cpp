#include "engine/weights/http_fetch.h"

// Built without libcurl (-DBARBERSHOP_WITH_CURL=OFF, as on the GPU machine,
// which has neither libcurl's headers nor a network): every fetch fails at
// once, before anything is written, saying how to get the files instead.
#ifdef BARBERSHOP_NO_CURL
#include <filesystem>

namespace barbershop::weights {

void fetch_to_file(const std::string&, const std::string& part_path, const ByteProgress&) {
  const std::string dir = std::filesystem::path(part_path).parent_path().string();
  // Unreachable: the other files would fail the same way.
  throw Unreachable("this build of barbershop has no libcurl and cannot download: copy the weights files into " +
                    dir + " (`barbershop weights --help` lists their addresses), or rebuild with "
                    "-DBARBERSHOP_WITH_CURL=ON (libcurl's development files)");
}

}  // namespace barbershop::weights
#else
#include <curl/curl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <regex>

namespace barbershop::weights {
namespace {

namespace fs = std::filesystem;

constexpr int kAttempts = 4;                       // a first try and three resumptions
constexpr int kConfirmationPages = 3;              // pages followed before giving up
constexpr size_t kLargestPage = 2 * 1024 * 1024;  // an HTML page, not a file

void initialise_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

uint64_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

bool starts_with_ignoring_case(const std::string& text, const char* prefix) {
  const size_t n = std::strlen(prefix);
  return text.size() >= n && strncasecmp(text.data(), prefix, n) == 0;
}

// One request's state, shared with libcurl's callbacks.
struct Exchange {
  CURL* curl = nullptr;
  std::string part_path;
  uint64_t resume_from = 0;
  std::string content_type;
  bool is_page = false;  // an HTML page came instead of the file
  std::string page;
  FILE* file = nullptr;
  std::string write_error;
  const ByteProgress* progress = nullptr;

  ~Exchange() {
    if (file) std::fclose(file);
  }
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const std::string line(data, size * count);
  if (starts_with_ignoring_case(line, "HTTP/")) exchange.content_type.clear();  // a new response (redirects)
  if (starts_with_ignoring_case(line, "content-type:")) {
    exchange.content_type = line.substr(13);
    exchange.content_type.erase(0, exchange.content_type.find_first_not_of(" \t"));
  }
  return size * count;
}

// Opens the partial file when the first bytes of the file arrive: appending
// after a 206 (the range was honoured), from the start after a 200.
bool open_part_file(Exchange& exchange) {
  long status = 0;
  curl_easy_getinfo(exchange.curl, CURLINFO_RESPONSE_CODE, &status);
  const bool appending = status == 206 && exchange.resume_from > 0;
  if (!appending) exchange.resume_from = 0;
  std::error_code error;
  fs::create_directories(fs::path(exchange.part_path).parent_path(), error);
  exchange.file = std::fopen(exchange.part_path.c_str(), appending ? "ab" : "wb");
  if (!exchange.file) exchange.write_error = "cannot write " + exchange.part_path + " (" + std::strerror(errno) + ")";
  return exchange.file != nullptr;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (!exchange.file && !exchange.is_page) {
    exchange.is_page = starts_with_ignoring_case(exchange.content_type, "text/html");
    if (!exchange.is_page && !open_part_file(exchange)) return 0;
  }
  if (exchange.is_page) {
    if (exchange.page.size() + bytes > kLargestPage) return 0;
    exchange.page.append(data, bytes);
    return bytes;
  }
  if (std::fwrite(data, 1, bytes, exchange.file) != bytes) {
    exchange.write_error = "cannot write " + exchange.part_path + " (" + std::strerror(errno) + ")";
    return 0;
  }
  return bytes;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto& exchange = *static_cast<Exchange*>(user);
  if (exchange.is_page || !*exchange.progress) return 0;
  const uint64_t base = exchange.resume_from;
  const bool keep_going = (*exchange.progress)(base + now, total > 0 ? base + total : 0);
  return keep_going ? 0 : 1;
}

std::string unescape_html(std::string text) {
  static const std::pair<const char*, const char*> entities[] = {{"&amp;", "&"}, {"&quot;", "\""}, {"&#39;", "'"}};
  for (const auto& [entity, plain] : entities)
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1))
      text.replace(at, std::strlen(entity), plain);
  return text;
}

std::string attribute(const std::string& tag, const std::string& name) {
  const std::regex pattern("\\s" + name + "\\s*=\\s*\"([^\"]*)\"", std::regex::icase);
  std::smatch match;
  return std::regex_search(tag, match, pattern) ? unescape_html(match[1].str()) : "";
}

std::string escaped(CURL* curl, const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> out(curl_easy_escape(curl, text.c_str(), int(text.size())), curl_free);
  return out ? out.get() : text;
}

// Where a "this file is too large to scan, download anyway?" page leads: its
// form (action plus hidden fields, as Google Drive serves today), else a
// link carrying confirm= (Drive's older page). Empty when neither is there.
std::string confirmation_target(CURL* curl, const std::string& page) {
  static const std::regex form_tag("<form[^>]*>", std::regex::icase);
  static const std::regex input_tag("<input[^>]*>", std::regex::icase);
  static const std::regex confirm_link("href=\"([^\"]*confirm=[^\"]*)\"", std::regex::icase);
  std::smatch match;
  if (std::regex_search(page, match, form_tag)) {
    const std::string action = attribute(match[0].str(), "action");
    std::string query;
    for (std::sregex_iterator it(page.begin(), page.end(), input_tag), end; it != end; ++it) {
      const std::string tag = it->str();
      if (attribute(tag, "type") != "hidden" || attribute(tag, "name").empty()) continue;
      query += (query.empty() ? "" : "&") + escaped(curl, attribute(tag, "name")) + "=" +
               escaped(curl, attribute(tag, "value"));
    }
    if (!action.empty()) return action + (action.find('?') == std::string::npos ? "?" : "&") + query;
  }
  if (std::regex_search(page, match, confirm_link)) return unescape_html(match[1].str());
  return "";
}

// `target` (possibly relative) resolved against the page's own address.
std::string resolve(const std::string& base, const std::string& target) {
  CURLU* url = curl_url();
  std::string resolved = target;
  char* text = nullptr;
  if (curl_url_set(url, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_set(url, CURLUPART_URL, target.c_str(), 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_URL, &text, 0) == CURLUE_OK)
    resolved = text;
  curl_free(text);
  curl_url_cleanup(url);
  return resolved;
}

std::string host_of(const std::string& address) {
  CURLU* url = curl_url();
  std::string host = address;
  char* text = nullptr;
  if (curl_url_set(url, CURLUPART_URL, address.c_str(), 0) == CURLUE_OK &&
      curl_url_get(url, CURLUPART_HOST, &text, 0) == CURLUE_OK) {
    host = text;
    char* port = nullptr;
    if (curl_url_get(url, CURLUPART_PORT, &port, 0) == CURLUE_OK) host += std::string(":") + port;
    curl_free(port);
  }
  curl_free(text);
  curl_url_cleanup(url);
  return host;
}

bool broke_off(CURLcode code) {
  return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING ||
         code == CURLE_OPERATION_TIMEDOUT || code == CURLE_SEND_ERROR || code == CURLE_HTTP2_STREAM;
}

bool unreachable(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY;
}

struct CurlHandle {
  CURL* curl;
  CurlHandle() : curl(curl_easy_init()) {
    if (!curl) throw Error("cannot start libcurl");
  }
  ~CurlHandle() { curl_easy_cleanup(curl); }
};

void configure(CURL* curl, Exchange& exchange, char* error_text) {
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "");  // Drive's older page sets a cookie its link needs
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "barbershop-weights/1");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 byte/s for a minute) counts as broken off.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  // A plain Range header, not CURLOPT_RESUME_FROM: that one fails when the
  // answer is a 200 (a confirmation page, or a server without ranges),
  // which on_body handles by starting the file over.
  if (exchange.resume_from > 0)
    curl_easy_setopt(curl, CURLOPT_RANGE, (std::to_string(exchange.resume_from) + "-").c_str());
}

enum class Outcome { Complete, Page, BrokeOff, RangeRefused };

// One request of `url`; throws for errors that retrying cannot mend.
Outcome request(CurlHandle& handle, const std::string& url, const std::string& part_path,
                const ByteProgress& progress, std::string& page) {
  Exchange exchange;
  exchange.curl = handle.curl;
  exchange.part_path = part_path;
  exchange.resume_from = file_size_or_zero(part_path);
  exchange.progress = &progress;
  char error_text[CURL_ERROR_SIZE] = "";
  curl_easy_reset(handle.curl);
  curl_easy_setopt(handle.curl, CURLOPT_URL, url.c_str());
  configure(handle.curl, exchange, error_text);
  const CURLcode code = curl_easy_perform(handle.curl);
  long status = 0;
  curl_easy_getinfo(handle.curl, CURLINFO_RESPONSE_CODE, &status);
  const std::string reason = *error_text ? error_text : curl_easy_strerror(code);
  if (code == CURLE_OK) {
    if (!exchange.is_page) return Outcome::Complete;
    page = exchange.page;
    return Outcome::Page;
  }
  if (code == CURLE_ABORTED_BY_CALLBACK) throw DownloadCancelled();
  if (!exchange.write_error.empty()) throw Error(exchange.write_error);
  if (code == CURLE_HTTP_RETURNED_ERROR && status == 416) return Outcome::RangeRefused;
  if (code == CURLE_HTTP_RETURNED_ERROR)
    throw Error(url + " answered HTTP " + std::to_string(status) + "; nothing was saved");
  if (unreachable(code))
    throw Unreachable("cannot reach " + host_of(url) + " (" + reason + "): check the network connection, or "
                      "fetch from a mirror that serves the files; nothing was saved");
  if (broke_off(code)) return Outcome::BrokeOff;
  throw Error("downloading " + url + " failed: " + reason);
}

}  // namespace

void fetch_to_file(const std::string& url, const std::string& part_path, const ByteProgress& progress) {
  initialise_curl_once();
  CurlHandle handle;
  std::string current = url;
  int pages = 0, attempts = 0;
  bool range_restarted = false;
  for (;;) {
    std::string page;
    const Outcome outcome = request(handle, current, part_path, progress, page);
    if (outcome == Outcome::Complete) return;
    if (outcome == Outcome::Page) {
      const std::string target = confirmation_target(handle.curl, page);
      if (target.empty() || ++pages > kConfirmationPages)
        throw Error(current + " sent a web page instead of the file; open it in a browser to see why "
                    "(moved, private, or over its download quota)");
      char* effective = nullptr;
      curl_easy_getinfo(handle.curl, CURLINFO_EFFECTIVE_URL, &effective);
      current = resolve(effective ? effective : current, target);
    } else if (outcome == Outcome::RangeRefused && !range_restarted) {
      // The partial file is not a prefix the server recognises: start over.
      range_restarted = true;
      std::error_code error;
      fs::remove(part_path, error);
    } else if (outcome == Outcome::BrokeOff && ++attempts < kAttempts) {
      continue;  // resumes from what the partial file holds
    } else {
      throw Error("the connection to " + host_of(current) + " kept breaking off (" +
                  std::to_string(file_size_or_zero(part_path)) + " bytes of " + fs::path(part_path).filename().string() +
                  " kept); run the download again to resume");
    }
  }
}

}  // namespace barbershop::weights
#endif  // BARBERSHOP_NO_CURL
