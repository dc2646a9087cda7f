#pragma once
// The ceiling's signaling, shared by sfu_ceiling and sfu_load: one TCP connection per peer
// connection on 127.0.0.1, one exchange, then held open (closing it closes the transport).
//   client → "<publish|subscribe> <length>\n" + offer (length bytes)
//   server → "<length>\n" + answer (length bytes), or "error <length>\n" + reason
// Bench code only: no limits beyond kMaxSdpBytes, no framing for anything else.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <istream>
#include <stdexcept>
#include <string>

namespace sfubench {

inline constexpr size_t kMaxSdpBytes = 64 * 1024;

// One "<word...> <length>\n" header, then the body. Throws on a malformed or oversized frame.
inline boost::asio::awaitable<std::pair<std::string, std::string>> readFrame(boost::asio::ip::tcp::socket& socket,
                                                                             boost::asio::streambuf& buffer) {
  using boost::asio::use_awaitable;
  co_await boost::asio::async_read_until(socket, buffer, '\n', use_awaitable);
  std::istream in(&buffer);
  std::string header;
  std::getline(in, header);
  const size_t space = header.rfind(' ');
  const std::string word = space == std::string::npos ? "" : header.substr(0, space);
  const size_t length = std::stoul(space == std::string::npos ? header : header.substr(space + 1));
  if (length > kMaxSdpBytes) throw std::runtime_error("frame too large");
  if (buffer.size() < length) co_await boost::asio::async_read(socket, buffer, boost::asio::transfer_exactly(length - buffer.size()), use_awaitable);
  std::string body(length, '\0');
  in.read(body.data(), static_cast<std::streamsize>(length));
  co_return std::pair{word, body};
}

inline boost::asio::awaitable<void> writeFrame(boost::asio::ip::tcp::socket& socket, const std::string& word,
                                               const std::string& body) {
  const std::string frame = (word.empty() ? "" : word + " ") + std::to_string(body.size()) + "\n" + body;
  co_await boost::asio::async_write(socket, boost::asio::buffer(frame), boost::asio::use_awaitable);
}

}  // namespace sfubench
