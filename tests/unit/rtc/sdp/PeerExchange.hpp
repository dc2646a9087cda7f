#pragma once
// Offer/answer with a real WebRTC stack run as a child process (a node script driving Chromium, a
// Python script driving aiortc), through files in a scratch directory: the peer writes
// DIR/offer.sdp ("no offer" if it failed), waits for DIR/answer.sdp, applies it and prints one
// line saying how that went. Each file appears whole (written aside, then renamed).
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace onair::rtc::sdp::testing {

struct PeerExchange {
  std::string offer;   // what the peer offered
  std::string answer;  // what it was given
  std::string output;  // its standard output and error
  int status = -1;     // its exit status as pclose reports it

  // Runs `command DIR`, answers its offer with answerFor(offer), and waits for it to finish.
  static PeerExchange run(const std::string& command, const std::function<std::string(const std::string&)>& answerFor) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("onair-sdp-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    PeerExchange exchange;
    FILE* peer = popen((command + " " + dir.string() + " 2>&1").c_str(), "r");
    if (!peer) return exchange;

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(dir / "offer.sdp") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    exchange.offer = readAll(dir / "offer.sdp");
    exchange.answer = answerFor(exchange.offer);
    std::ofstream(dir / "answer.tmp", std::ios::binary) << exchange.answer;
    fs::rename(dir / "answer.tmp", dir / "answer.sdp");

    std::array<char, 512> chunk{};
    while (size_t n = fread(chunk.data(), 1, chunk.size(), peer)) exchange.output.append(chunk.data(), n);
    exchange.status = pclose(peer);
    fs::remove_all(dir);
    return exchange;
  }

 private:
  static std::string readAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

}  // namespace onair::rtc::sdp::testing
