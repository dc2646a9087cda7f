#pragma once
// Cryptographically secure random values (OpenSSL RAND_bytes). Used for API secrets, session
// ids and attach ids; never for anything that must be reproducible.
#include <string>
#include <string_view>

namespace onair::util {

// `count` random bytes. Aborts the process if the system RNG fails: nothing secure can follow.
std::string randomBytes(size_t count);

// A printable id: `prefix` followed by base64url of `entropyBytes` random bytes. The bytes come
// from a per-thread pool filled by RAND_bytes (secrets should use randomBytes).
std::string randomId(std::string_view prefix, size_t entropyBytes = 12);
// The same id appended to `out` (at most 64 bytes of entropy).
void appendRandomId(std::string& out, std::string_view prefix, size_t entropyBytes = 12);

}  // namespace onair::util
