#include "core/stream_offset.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/errc.hpp"

namespace sv::core {

namespace {

constexpr int64_t max64 = std::numeric_limits<int64_t>::max();
constexpr std::string_view max64_digits = "9223372036854775807";

// Digits without leading zeros, compared as numbers.
int compare_digits(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  auto c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string strip(std::string s) {
  auto nz = s.find_first_not_of('0');
  if (nz == std::string::npos) return "0";
  s.erase(0, nz);
  return s;
}

// a + b, both non-negative digit strings.
std::string add_digits(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(std::max(a.size(), b.size()) + 1);
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return strip(std::move(out));
}

// a - b with a >= b, both non-negative digit strings.
std::string sub_digits(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size());
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = (a[a.size() - 1 - i] - '0') - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0 ? 1 : 0;
    out.push_back(static_cast<char>('0' + (d + 10) % 10));
  }
  std::reverse(out.begin(), out.end());
  return strip(std::move(out));
}

std::string digits_of(int64_t v) {
  return std::to_string(v);
}

}  // namespace

caf::expected<stream_offset> stream_offset::parse(std::string_view text) {
  if (text == "EOS") return end();
  auto bad = [&] {
    return make_error(errc::invalid_input, "not an offset: '" + std::string{text} + "'");
  };
  if (text.empty() || text.size() > 200) return bad();
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc{} && ptr == text.data() + text.size()) return stream_offset{v};
  if (ec != std::errc::result_out_of_range || text[0] == '-') return bad();
  for (char c : text)
    if (c < '0' || c > '9') return bad();
  stream_offset out;
  out.n_ = max64;
  out.big_ = std::make_shared<const std::string>(strip(std::string{text}));
  return out;
}

stream_offset stream_offset::end() {
  stream_offset out;
  out.n_ = max64;
  out.end_ = true;
  return out;
}

int64_t stream_offset::value() const {
  return n_;
}

std::string stream_offset::to_string() const {
  if (end_) return "EOS";
  if (big_) return *big_;
  return digits_of(n_);
}

stream_offset operator+(const stream_offset& a, int64_t k) {
  if (a.end_ || k == 0) return a;
  if (!a.big_) {
    int64_t r = 0;
    if (!__builtin_add_overflow(a.n_, k, &r)) return stream_offset{r};
    // Only a positive overflow is possible past INT64_MAX (k > 0 here).
    return *stream_offset::parse(add_digits(digits_of(a.n_), digits_of(k)));
  }
  std::string r;
  if (k > 0) {
    r = add_digits(*a.big_, digits_of(k));
  } else {
    // |k| <= 2^63 and a > INT64_MAX, so a - |k| >= 0.
    auto abs_k = k == std::numeric_limits<int64_t>::min()
                     ? std::string{"9223372036854775808"}
                     : digits_of(-k);
    r = sub_digits(*a.big_, abs_k);
  }
  return *stream_offset::parse(r);
}

int64_t operator-(const stream_offset& a, const stream_offset& b) {
  if (a.end_ || b.end_) return 0;
  if (!a.big_ && !b.big_) {
    int64_t r = 0;
    if (!__builtin_sub_overflow(a.n_, b.n_, &r)) return r;
    return a.n_ > b.n_ ? max64 : std::numeric_limits<int64_t>::min();
  }
  int c = compare(a, b);
  if (c == 0) return 0;
  const auto& hi = c > 0 ? a : b;
  const auto& lo = c > 0 ? b : a;
  if (lo.n_ < 0) return c > 0 ? max64 : -max64;  // a negative and a long value
  auto d = sub_digits(hi.to_string(), lo.to_string());
  if (compare_digits(d, max64_digits) > 0) return c > 0 ? max64 : -max64;
  int64_t v = 0;
  std::from_chars(d.data(), d.data() + d.size(), v);
  return c > 0 ? v : -v;
}

int compare(const stream_offset& a, const stream_offset& b) {
  if (a.end_ || b.end_) return a.end_ == b.end_ ? 0 : (a.end_ ? 1 : -1);
  if (!a.big_ && !b.big_) return a.n_ < b.n_ ? -1 : (a.n_ > b.n_ ? 1 : 0);
  if (!a.big_) return -1;  // every long value is above INT64_MAX
  if (!b.big_) return 1;
  return compare_digits(*a.big_, *b.big_);
}

}  // namespace sv::core
