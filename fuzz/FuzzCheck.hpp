#pragma once
// The fuzz targets' assertion: an invariant that does not hold stops the run where it failed
// (libFuzzer reports the crash and keeps the input), in every build type.
inline void check(bool ok) {
  if (!ok) __builtin_trap();
}
