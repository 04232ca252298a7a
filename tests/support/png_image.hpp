// Reads a PNG far enough to judge a screenshot: its signature, size, and its pixels (8-bit RGB or
// RGBA, not interlaced: what Chromium writes), decoded with zlib and the five PNG row filters.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ptp::test {

struct PngImage {
  std::uint32_t width = 0, height = 0;
  int channels = 0;                  // 3 (RGB) or 4 (RGBA)
  std::vector<std::uint8_t> pixels;  // rows top to bottom, `channels` bytes a pixel
};

inline std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// Throws std::runtime_error naming what is wrong.
inline PngImage read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> f((std::istreambuf_iterator<char>(in)), {});
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (f.size() < 8 || !std::equal(kSignature, kSignature + 8, f.begin())) throw std::runtime_error(path + ": no PNG signature");
  PngImage img;
  std::vector<std::uint8_t> idat;
  for (std::size_t at = 8; at + 12 <= f.size();) {
    const std::uint32_t len = be32(&f[at]);
    const std::string type(f.begin() + static_cast<std::ptrdiff_t>(at) + 4, f.begin() + static_cast<std::ptrdiff_t>(at) + 8);
    if (at + 12 + len > f.size()) throw std::runtime_error(path + ": truncated " + type + " chunk");
    const std::uint8_t* data = &f[at + 8];
    if (type == "IHDR") {
      img.width = be32(data);
      img.height = be32(data + 4);
      if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12] != 0)
        throw std::runtime_error(path + ": not 8-bit RGB(A) without interlacing");
      img.channels = data[9] == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.insert(idat.end(), data, data + len);
    }
    at += 12 + len;
  }
  if (!img.width || !img.height) throw std::runtime_error(path + ": no IHDR");
  const std::size_t stride = std::size_t{img.width} * static_cast<std::size_t>(img.channels);
  std::vector<std::uint8_t> raw((stride + 1) * img.height);
  uLongf raw_len = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_len, idat.data(), static_cast<uLong>(idat.size())) != Z_OK || raw_len != raw.size())
    throw std::runtime_error(path + ": the image data does not inflate to its size");
  img.pixels.resize(stride * img.height);
  const std::size_t bpp = static_cast<std::size_t>(img.channels);
  for (std::size_t y = 0; y < img.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* src = &raw[y * (stride + 1) + 1];
    std::uint8_t* row = &img.pixels[y * stride];
    const std::uint8_t* up = y ? &img.pixels[(y - 1) * stride] : nullptr;
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? row[x - bpp] : 0, b = up ? up[x] : 0, c = up && x >= bpp ? up[x - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw std::runtime_error(path + ": unknown row filter");
      }
      row[x] = static_cast<std::uint8_t>(src[x] + pred);
    }
  }
  return img;
}

}  // namespace ptp::test
