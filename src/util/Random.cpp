#include "util/Random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/Base64Url.hpp"

namespace onair::util {
namespace {

void fillOrDie(unsigned char* out, size_t count) {
  if (RAND_bytes(out, static_cast<int>(count)) != 1) {
    std::fputs("onair: the system random number generator failed\n", stderr);
    std::abort();
  }
}

// Ids are minted per request (attach ids, session ids): one RAND_bytes call per 4 KiB of ids
// instead of one per id. The pool is per thread, and every byte is handed out once.
class IdEntropyPool {
 public:
  void take(unsigned char* out, size_t count) {
    while (count > 0) {
      if (next_ == bytes_.size()) refill();
      size_t n = std::min(count, bytes_.size() - next_);
      std::memcpy(out, bytes_.data() + next_, n);
      std::memset(bytes_.data() + next_, 0, n);  // handed out once, not kept
      next_ += n;
      out += n;
      count -= n;
    }
  }

 private:
  void refill() {
    fillOrDie(bytes_.data(), bytes_.size());
    next_ = 0;
  }
  std::array<unsigned char, 4096> bytes_{};
  size_t next_ = bytes_.size();
};

}  // namespace

std::string randomBytes(size_t count) {
  std::string out(count, '\0');
  fillOrDie(reinterpret_cast<unsigned char*>(out.data()), count);
  return out;
}

std::string randomId(std::string_view prefix, size_t entropyBytes) {
  std::string id;
  appendRandomId(id, prefix, entropyBytes);
  return id;
}

void appendRandomId(std::string& out, std::string_view prefix, size_t entropyBytes) {
  thread_local IdEntropyPool pool;
  unsigned char entropy[64];
  entropyBytes = std::min(entropyBytes, sizeof entropy);
  pool.take(entropy, entropyBytes);
  out.append(prefix);
  appendBase64Url(out, std::string_view(reinterpret_cast<const char*>(entropy), entropyBytes));
  std::memset(entropy, 0, entropyBytes);  // handed out once, not kept
}

}  // namespace onair::util
