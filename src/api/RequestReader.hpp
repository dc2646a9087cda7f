#pragma once
// The event handler behind Envelope::decode: Boost.JSON's basic_parser reports the tokens of a
// client message and this handler keeps what the envelope needs, building a DOM only for `args`.
//
// Why not parse the whole message into a DOM: every request paid for a root object (hashing and
// duplicate checks of "id", "op" and "args", three lookups, copies of id and op, its teardown):
// a quarter of the decode (3,680 → ~2,700 instructions per churn message, callgrind; see
// bench/RESULTS.md). The envelope's fields are read as they
// stream by; `args` goes through Boost.JSON's own value_stack, so it is exactly the object the
// DOM parser would have built (duplicate keys: the last one wins, as there).
//
// Contract: one message per reset(); the handler never fails a parse (syntax, depth and size are
// basic_parser's). After the document ends, the fields say what the message held; Envelope
// turns them into a request or an error. Single-threaded (one per thread).
#include <boost/json/array.hpp>
#include <boost/json/basic_parser.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace onair::api {

class RequestReader {
 public:
  // basic_parser's limits: those of the DOM that value_stack builds, as in Boost.JSON's own
  // parser (the envelope's sizes are checked by Envelope, the message's by the WebSocket codec).
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  // What a root-level member held, as far as the envelope cares.
  enum class Shape : uint8_t { Absent, Null, String, Integer, Object, Other };

  // After a document: whether the root was an object, and what its members were. A value is
  // meaningful only for the shapes noted.
  bool rootIsObject = false;
  Shape id = Shape::Absent;
  boost::json::value idValue;    // String or Integer
  Shape op = Shape::Absent;
  std::string opText;            // String
  Shape args = Shape::Absent;
  boost::json::value argsValue;  // Object
  bool argsSawInfinity = false;  // Object: a number in it overflowed to infinity (a duplicate key
                                 // may have replaced it since: check the object)

  void reset();

  bool on_document_begin(boost::json::error_code&) { return reset(), true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&);
  bool on_object_end(std::size_t n, boost::json::error_code&);
  bool on_array_begin(boost::json::error_code&);
  bool on_array_end(std::size_t n, boost::json::error_code&);
  bool on_key_part(boost::json::string_view s, std::size_t n, boost::json::error_code&);
  bool on_key(boost::json::string_view s, std::size_t n, boost::json::error_code&);
  bool on_string_part(boost::json::string_view s, std::size_t n, boost::json::error_code&);
  bool on_string(boost::json::string_view s, std::size_t n, boost::json::error_code&);
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view, boost::json::error_code&);
  bool on_uint64(uint64_t u, boost::json::string_view, boost::json::error_code&);
  bool on_double(double d, boost::json::string_view, boost::json::error_code&);
  bool on_bool(bool b, boost::json::error_code&);
  bool on_null(boost::json::error_code&);
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  enum class Field : uint8_t { None, Id, Op, Args, Other };

  bool inArgs() const { return argsDepth_ != 0; }
  // A token at the root object's level: a key, or the value of the current key.
  bool atMember() const { return rootIsObject && depth_ == 1; }
  // The current member's value has this shape (containers other than args' object: Other).
  void memberIs(Shape shape);
  template <class Int>
  bool integer(Int value);  // int64 or uint64, in args or at the root
  // Any other scalar: pushed onto args' stack, or at the root the current member's shape.
  template <class Push>
  bool scalar(Push push, Shape atRoot);
  // A root-level key or string: its last part joined to the parts before it (valid until
  // part_ is cleared).
  std::string_view whole(boost::json::string_view last);

  int depth_ = 0;       // containers open around the next token
  int argsDepth_ = 0;   // depth inside args' object (0: not in args)
  Field field_ = Field::None;
  std::string part_;    // a root-level key or string that arrives in parts
  boost::json::value_stack stack_;  // builds args
};

}  // namespace onair::api
