#include "adapters/segment/block_codec.hpp"

#include <memory>
#include <stdexcept>

#include <lz4frame.h>
#include <zstd.h>

#include "adapters/segment/segment_format.hpp"

namespace sv::adapters::segment_format {

namespace {

constexpr int zstd_level = 3;  // Druid's "zstd"

// The zstd contexts of this thread (kept for its next blocks).
ZSTD_CCtx* zstd_compressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx{ZSTD_createCCtx(),
                                                                      ZSTD_freeCCtx};
  return ctx.get();
}

LZ4F_dctx* lz4_decompressor() {
  struct holder {
    LZ4F_dctx* ctx = nullptr;
    holder() { LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION); }
    ~holder() { LZ4F_freeDecompressionContext(ctx); }
  };
  thread_local holder h;
  return h.ctx;
}

std::string zstd_compress(std::string_view raw) {
  ZSTD_CCtx* cctx = zstd_compressor();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zstd_level);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) throw std::runtime_error{ZSTD_getErrorName(n)};
  out.resize(n);
  return out;
}

std::string lz4_compress(std::string_view raw) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max4MB;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.contentSize = raw.size();
  prefs.compressionLevel = 0;  // LZ4's fast mode (Druid's lz4)
  std::string out(LZ4F_compressFrameBound(raw.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(out.data(), out.size(), raw.data(), raw.size(), &prefs);
  if (LZ4F_isError(n)) throw std::runtime_error{LZ4F_getErrorName(n)};
  out.resize(n);
  return out;
}

caf::expected<std::string> lz4_decompress(const std::string& path,
                                          std::string_view stored, size_t raw_length) {
  LZ4F_dctx* d = lz4_decompressor();
  if (!d) return corrupt(path, "cannot make an lz4 context");
  // The frame states its content's size: it must be the block's, before
  // anything is allocated for it.
  LZ4F_resetDecompressionContext(d);
  LZ4F_frameInfo_t info{};
  size_t header = stored.size();
  if (LZ4F_isError(LZ4F_getFrameInfo(d, &info, stored.data(), &header)) ||
      info.contentSize != raw_length)
    return corrupt(path, "bad lz4 block: wrong length");
  LZ4F_resetDecompressionContext(d);
  std::string out(raw_length, '\0');
  size_t in_at = 0, out_at = 0;
  for (;;) {
    size_t in_n = stored.size() - in_at, out_n = raw_length - out_at;
    size_t hint = LZ4F_decompress(d, out.data() + out_at, &out_n, stored.data() + in_at,
                                  &in_n, nullptr);
    if (LZ4F_isError(hint))
      return corrupt(path, std::string{"bad lz4 block: "} + LZ4F_getErrorName(hint));
    in_at += in_n;
    out_at += out_n;
    if (hint == 0) break;  // the frame ended (its checksum matched)
    if (in_n == 0 && out_n == 0) return corrupt(path, "bad lz4 block: truncated");
  }
  if (out_at != raw_length || in_at != stored.size())
    return corrupt(path, "bad lz4 block: wrong length");
  return out;
}

}  // namespace

const char* codec_name(core::codec c) {
  switch (c) {
    case core::codec::lz4:
      return "lz4";
    case core::codec::zstd:
      return "zstd";
    default:
      return "none";
  }
}

std::string compress_block(core::codec c, std::string_view raw) {
  switch (c) {
    case core::codec::lz4:
      return lz4_compress(raw);
    case core::codec::zstd:
      return zstd_compress(raw);
    default:
      return std::string{raw};
  }
}

caf::expected<std::string> decompress_block(const std::string& path,
                                            std::string_view codec,
                                            std::string_view stored, size_t raw_length) {
  if (codec == "none") {
    if (stored.size() != raw_length) return corrupt(path, "bad block length");
    return std::string{stored};
  }
  if (codec == "lz4") return lz4_decompress(path, stored, raw_length);
  if (codec != "zstd") return corrupt(path, "unknown codec '" + std::string{codec} + "'");
  // As for lz4: the frame's stated size first.
  if (ZSTD_getFrameContentSize(stored.data(), stored.size()) != raw_length)
    return corrupt(path, "bad zstd block");
  std::string out(raw_length, '\0');
  size_t n = ZSTD_decompress(out.data(), raw_length, stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw_length) return corrupt(path, "bad zstd block");
  return out;
}

}  // namespace sv::adapters::segment_format
