#include "core/spec/check.hpp"

namespace sv::core::check {

void duration(const iso_period& p, const std::string& path, bool positive,
              std::vector<problem>& ps) {
  if (!p.is_fixed()) {
    add(ps, path,
        "must be a fixed-length period without years or months (got " + format_period(p) +
            ")");
    return;
  }
  if (positive && p.to_millis().count() <= 0)
    add(ps, path, "must be longer than zero (got " + format_period(p) + ")");
}

namespace {

// Decodes one UTF-8 code point at `i`, advancing `i`; -1 when malformed.
int32_t next_code_point(const std::string& s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = -1;
  if (b >= 0xC2 && b <= 0xDF)
    extra = 1;
  else if (b >= 0xE0 && b <= 0xEF)
    extra = 2;
  else if (b >= 0xF0 && b <= 0xF4)
    extra = 3;
  if (extra < 0) return -1;
  int32_t cp = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size()) return -1;
    auto c = static_cast<unsigned char>(s[i++]);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr int32_t least[] = {0, 0x80, 0x800, 0x10000};
  if (cp < least[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

// Java's Character.isWhitespace (what Druid's id check uses), except ' '.
bool non_space_whitespace(int32_t c) {
  if (c == ' ') return false;
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return true;
  if (c == 0x1680 || (c >= 0x2000 && c <= 0x2006) || (c >= 0x2008 && c <= 0x200A))
    return true;
  return c == 0x2028 || c == 0x2029 || c == 0x205F || c == 0x3000;
}

bool control(int32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

}  // namespace

void id(const std::string& value, const std::string& path, std::vector<problem>& ps) {
  if (value.empty()) {
    add(ps, path, "must not be empty");
    return;
  }
  if (value.size() > max_id_bytes) {
    add(ps, path,
        "must be at most " + std::to_string(max_id_bytes) + " bytes long (got " +
            std::to_string(value.size()) + ")");
    return;  // too long to quote back
  }
  if (value.find('/') != std::string::npos)
    add(ps, path, "must not contain '/' (got '" + value + "')");
  if (value.front() == '.')
    add(ps, path, "must not start with '.' (got '" + value + "')");
  bool bad_space = false, bad_control = false, bad_utf8 = false;
  for (size_t i = 0; i < value.size();) {
    auto c = next_code_point(value, i);
    if (c < 0)
      bad_utf8 = true;
    else if (non_space_whitespace(c))
      bad_space = true;
    else if (control(c))
      bad_control = true;
  }
  if (bad_space) add(ps, path, "must not contain whitespace other than spaces");
  if (bad_control) add(ps, path, "must not contain control characters");
  if (bad_utf8) add(ps, path, "must be valid UTF-8");
}

std::string list(std::initializer_list<std::string_view> xs) {
  std::string out;
  size_t i = 0;
  for (auto x : xs) {
    if (i > 0) out += (i + 1 == xs.size()) ? " or " : ", ";
    out += x;
    ++i;
  }
  return out;
}

void one_of(const std::string& value, std::initializer_list<std::string_view> allowed,
            const std::string& path, std::vector<problem>& ps) {
  for (auto a : allowed)
    if (value == a) return;
  add(ps, path, "must be " + list(allowed) + " (got '" + value + "')");
}

}  // namespace sv::core::check
