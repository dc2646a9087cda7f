// onair_yjs_tool: runs onair's Yjs update code (src/collab/yjs) on files, for the differential
// test against npm yjs (tests/integration/yjs-updates.test.mjs). Test-only; not installed.
//
//   onair_yjs_tool session DIR
//   onair_yjs_tool document DIR...
//
// DIR holds update-0.bin … update-N.bin and sv-0.bin … sv-M.bin. The tool writes, next to them:
//   merged.bin        mergeUpdates(all updates)
//   merged-halves.bin mergeUpdates(mergeUpdates(first half), mergeUpdates(second half))
//   merged-odd.bin    mergeUpdates(update-1, update-3, …): gaps in clocks, so Skips
//   merged-sv.bin     the state vector of merged.bin
//   roundtrip-I.bin   encode(decode(update-I.bin))
//   update-sv-I.bin   the state vector of update-I.bin
//   diff-J.bin        diffUpdate(merged.bin, sv-J.bin)
//
// `document` runs collab/yjs/DocumentState, the way the server will, on each DIR holding
// append-0.bin … append-N.bin, sv-0.bin … sv-M.bin and limits.txt ("compactAfterUpdates
// compactAfterBytes"): it appends the updates in order, compacting whenever needsCompaction()
// says so, and writes
//   doc-sv-I.bin      the document's state vector after append-I.bin
//   doc-full.bin      fullState() at the end
//   doc-sv.bin        the state vector at the end
//   doc-diff-J.bin    diff(sv-J.bin) at the end
//   doc-stored.txt    the number of stored updates and their bytes before the diffs
// Exits 1 with the error's name on stderr when any step fails.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "collab/yjs/DocumentState.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateEncoder.hpp"
#include "collab/yjs/UpdateMerger.hpp"

namespace fs = std::filesystem;
using namespace onair::collab::yjs;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Files NAME-0.bin, NAME-1.bin, … until one is missing.
std::vector<Bytes> readSeries(const fs::path& dir, const std::string& name) {
  std::vector<Bytes> series;
  for (size_t i = 0; fs::exists(dir / (name + "-" + std::to_string(i) + ".bin")); ++i) {
    series.push_back(readFile(dir / (name + "-" + std::to_string(i) + ".bin")));
  }
  return series;
}

[[noreturn]] void die(const std::string& step, YjsError error) {
  std::cerr << step << ": " << describe(error) << "\n";
  std::exit(1);
}

Bytes mergeAll(const std::vector<Bytes>& updates, size_t begin, size_t end, const std::string& step) {
  std::vector<std::span<const uint8_t>> spans(updates.begin() + static_cast<std::ptrdiff_t>(begin),
                                              updates.begin() + static_cast<std::ptrdiff_t>(end));
  auto merged = UpdateMerger::merge(spans);
  if (!merged) die(step, merged.error());
  return *merged;
}

int session(const fs::path& dir) {
  const auto updates = readSeries(dir, "update");
  for (size_t i = 0; i < updates.size(); ++i) {
    auto decoded = UpdateDecoder::decode(updates[i]);
    if (!decoded) die("decode update-" + std::to_string(i), decoded.error());
    writeFile(dir / ("roundtrip-" + std::to_string(i) + ".bin"), UpdateEncoder::encode(*decoded));
    writeFile(dir / ("update-sv-" + std::to_string(i) + ".bin"), StateVector::fromUpdate(*decoded).encode());
  }
  const Bytes merged = mergeAll(updates, 0, updates.size(), "merge");
  writeFile(dir / "merged.bin", merged);
  const size_t half = updates.size() / 2;
  const std::vector<Bytes> halves{mergeAll(updates, 0, half, "merge first half"),
                                  mergeAll(updates, half, updates.size(), "merge second half")};
  writeFile(dir / "merged-halves.bin", mergeAll(halves, 0, 2, "merge halves"));
  std::vector<Bytes> odd;
  for (size_t i = 1; i < updates.size(); i += 2) odd.push_back(updates[i]);
  writeFile(dir / "merged-odd.bin", mergeAll(odd, 0, odd.size(), "merge odd"));
  auto mergedUpdate = UpdateDecoder::decode(merged);
  if (!mergedUpdate) die("decode merged", mergedUpdate.error());
  writeFile(dir / "merged-sv.bin", StateVector::fromUpdate(*mergedUpdate).encode());
  const auto stateVectors = readSeries(dir, "sv");
  for (size_t j = 0; j < stateVectors.size(); ++j) {
    auto diff = UpdateDiff::diff(merged, stateVectors[j]);
    if (!diff) die("diff sv-" + std::to_string(j), diff.error());
    writeFile(dir / ("diff-" + std::to_string(j) + ".bin"), *diff);
  }
  return 0;
}

int document(const fs::path& dir) {
  const std::string where = dir.filename().string() + ": ";
  DocumentLimits limits;
  std::ifstream(dir / "limits.txt") >> limits.compactAfterUpdates >> limits.compactAfterBytes;
  DocumentState doc(limits);
  const auto updates = readSeries(dir, "append");
  for (size_t i = 0; i < updates.size(); ++i) {
    if (const YjsError error = doc.append(updates[i]); error != YjsError::None) die(where + "append-" + std::to_string(i), error);
    if (doc.needsCompaction()) {
      if (const YjsError error = doc.compact(); error != YjsError::None) die(where + "compact", error);
    }
    writeFile(dir / ("doc-sv-" + std::to_string(i) + ".bin"), doc.stateVector().encode());
  }
  std::ofstream(dir / "doc-stored.txt") << doc.updates().size() << " " << doc.storedBytes() << "\n";
  const auto stateVectors = readSeries(dir, "sv");
  for (size_t j = 0; j < stateVectors.size(); ++j) {
    auto diff = doc.diff(stateVectors[j]);
    if (!diff) die(where + "document diff sv-" + std::to_string(j), diff.error());
    writeFile(dir / ("doc-diff-" + std::to_string(j) + ".bin"), *diff);
  }
  auto full = doc.fullState();
  if (!full) die(where + "document full state", full.error());
  writeFile(dir / "doc-full.bin", *full);
  writeFile(dir / "doc-sv.bin", doc.stateVector().encode());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "session") return session(argv[2]);
  if (argc >= 3 && std::string(argv[1]) == "document") {
    for (int i = 2; i < argc; ++i) document(argv[i]);
    return 0;
  }
  std::cerr << "usage: onair_yjs_tool session DIR | document DIR...\n";
  return 2;
}
