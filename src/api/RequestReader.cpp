#include "api/RequestReader.hpp"

#include <cmath>
#include <type_traits>

namespace onair::api {

void RequestReader::reset() {
  // Nothing of the last message stays alive between messages: a parse that failed inside args
  // leaves values on the stack, and an args refused after parsing stays in argsValue.
  if (argsDepth_ != 0) stack_.reset();
  idValue = nullptr;
  argsValue = nullptr;
  rootIsObject = false;
  id = op = args = Shape::Absent;
  argsSawInfinity = false;
  depth_ = argsDepth_ = 0;
  field_ = Field::None;
  part_.clear();
}

std::string_view RequestReader::whole(boost::json::string_view last) {
  if (part_.empty()) return {last.data(), last.size()};
  return part_.append(last.data(), last.size());
}

void RequestReader::memberIs(Shape shape) {
  switch (field_) {
    case Field::Id: id = shape; break;
    case Field::Op: op = shape; break;
    case Field::Args: args = shape; break;
    default: break;
  }
  field_ = Field::None;
}

bool RequestReader::on_object_begin(boost::json::error_code&) {
  if (inArgs()) {
    ++argsDepth_;
  } else if (depth_ == 0) {
    rootIsObject = true;
  } else if (atMember() && field_ == Field::Args) {
    // args' own object: from here value_stack builds it, as Boost.JSON's parser would.
    argsDepth_ = 1;
    argsSawInfinity = false;
    stack_.reset();
  } else if (atMember()) {
    memberIs(Shape::Other);
  }
  ++depth_;
  return true;
}

bool RequestReader::on_object_end(std::size_t n, boost::json::error_code&) {
  --depth_;
  if (!inArgs()) return true;
  stack_.push_object(n);
  if (--argsDepth_ > 0) return true;
  argsValue = stack_.release();
  args = Shape::Object;
  field_ = Field::None;
  return true;
}

bool RequestReader::on_array_begin(boost::json::error_code&) {
  if (inArgs()) {
    ++argsDepth_;
  } else if (atMember()) {
    memberIs(Shape::Other);
  }
  ++depth_;
  return true;
}

bool RequestReader::on_array_end(std::size_t n, boost::json::error_code&) {
  --depth_;
  if (inArgs()) {
    stack_.push_array(n);
    --argsDepth_;  // args' own level is an object: this never ends args
  }
  return true;
}

bool RequestReader::on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
  if (inArgs()) {
    stack_.push_chars(s);
  } else if (atMember()) {
    part_.append(s.data(), s.size());
  }
  return true;
}

bool RequestReader::on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
  if (inArgs()) {
    stack_.push_key(s);
    return true;
  }
  if (!atMember()) return true;
  const std::string_view key = whole(s);
  field_ = key == "id" ? Field::Id : key == "op" ? Field::Op : key == "args" ? Field::Args : Field::Other;
  part_.clear();
  return true;
}

bool RequestReader::on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
  if (inArgs()) {
    stack_.push_chars(s);
  } else if (atMember() && (field_ == Field::Id || field_ == Field::Op)) {
    part_.append(s.data(), s.size());
  }
  return true;
}

bool RequestReader::on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
  if (inArgs()) {
    stack_.push_string(s);
    return true;
  }
  if (!atMember()) return true;
  const std::string_view text = whole(s);
  if (field_ == Field::Id) idValue = boost::json::string(text);
  if (field_ == Field::Op) opText.assign(text);
  part_.clear();
  memberIs(Shape::String);
  return true;
}

template <class Int>
bool RequestReader::integer(Int value) {
  if (inArgs()) {
    if constexpr (std::is_signed_v<Int>) {
      stack_.push_int64(value);
    } else {
      stack_.push_uint64(value);
    }
  } else if (atMember()) {
    if (field_ == Field::Id) idValue = value;
    memberIs(Shape::Integer);
  }
  return true;
}

bool RequestReader::on_int64(int64_t i, boost::json::string_view, boost::json::error_code&) { return integer(i); }

bool RequestReader::on_uint64(uint64_t u, boost::json::string_view, boost::json::error_code&) { return integer(u); }

template <class Push>
bool RequestReader::scalar(Push push, Shape atRoot) {
  if (inArgs()) {
    push(stack_);
  } else if (atMember()) {
    memberIs(atRoot);
  }
  return true;
}

bool RequestReader::on_double(double d, boost::json::string_view, boost::json::error_code&) {
  // Boost.JSON 1.81 parses 1e400 as infinity: noted so the envelope can look for it.
  if (inArgs() && !std::isfinite(d)) argsSawInfinity = true;
  return scalar([d](boost::json::value_stack& st) { st.push_double(d); }, Shape::Other);
}

bool RequestReader::on_bool(bool b, boost::json::error_code&) {
  return scalar([b](boost::json::value_stack& st) { st.push_bool(b); }, Shape::Other);
}

bool RequestReader::on_null(boost::json::error_code&) {
  return scalar([](boost::json::value_stack& st) { st.push_null(); }, Shape::Null);
}

}  // namespace onair::api
