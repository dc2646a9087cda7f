#pragma once
// One client request being handled. A handler replies exactly once, now or later; a Call that
// is dropped without a reply answers `internal` so the client never waits forever.
//
// Threading: reply()/fail() may be called from any thread; the reply is sent on the session's
// loop.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "api/ApiError.hpp"

namespace onair::api {

class ClientSession;

class Call {
 public:
  Call(std::shared_ptr<ClientSession> session, boost::json::value id, std::string op, boost::json::object args);
  Call(Call&&) noexcept = default;
  Call& operator=(Call&&) noexcept = default;
  Call(const Call&) = delete;
  ~Call();

  const std::string& op() const { return op_; }
  const boost::json::object& args() const { return args_; }
  ClientSession& session() { return *session_; }

  void reply(boost::json::value result);
  // `resultJson` is exactly one JSON value (see JsonText).
  void replyText(std::string_view resultJson);
  void fail(ApiError error);

 private:
  void send(std::string_view text, std::string_view outcome, bool clientMistake);
  static void deliver(ClientSession& session, std::string_view op, std::string_view outcome, std::string_view text, bool clientMistake);

  std::shared_ptr<ClientSession> session_;
  boost::json::value id_;
  std::string op_;
  boost::json::object args_;
  bool answered_ = false;
};

}  // namespace onair::api
