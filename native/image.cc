// Image decoding and resampling for the data pipeline (DataLoader worker threads call these).
//
// JPEG: decoded by the system's libjpeg-turbo (libjpeg.so.62), the library PIL itself uses,
// with PIL's settings (accurate integer IDCT, fancy upsampling), so pixels equal
// torchvision's loader exactly. libjpeg is opened with dlopen on first use: the addon does not
// depend on it, and without it (or for JPEGs it does not handle here, e.g. CMYK) lib/ falls
// back to sharp. A corrupt file is an error (libjpeg's fatal errors longjmp back here instead
// of calling exit()), never a crash.
//
// Resize: PIL's ImagingResample with the bilinear (triangle) filter — fixed-point weights,
// antialiasing on downscale, horizontal then vertical pass — applied to a crop box, which is
// what torchvision's resized_crop does (crop, then resize the crop).
#include "common.h"

#include <dlfcn.h>

#include <algorithm>
#include <csetjmp>
#include <cmath>
#include <cstdio>
#include <mutex>

#ifdef TORCH_TS_JPEG
#include <jpeglib.h>
#include <jerror.h>
#endif

namespace tts {
namespace {

#ifdef TORCH_TS_JPEG
struct Jpeg {
  decltype(&jpeg_std_error) std_error = nullptr;
  decltype(&jpeg_CreateDecompress) create = nullptr;
  decltype(&jpeg_mem_src) mem_src = nullptr;
  decltype(&jpeg_read_header) read_header = nullptr;
  decltype(&jpeg_start_decompress) start = nullptr;
  decltype(&jpeg_read_scanlines) read_scanlines = nullptr;
  decltype(&jpeg_finish_decompress) finish = nullptr;
  decltype(&jpeg_destroy_decompress) destroy = nullptr;
  bool ok = false;
};

const Jpeg& LoadJpeg() {
  static Jpeg lib;
  static std::once_flag once;
  std::call_once(once, [] {
    void* h = dlopen("libjpeg.so.62", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) return;
    auto sym = [h](auto& fn, const char* name) { fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name)); return fn != nullptr; };
    lib.ok = sym(lib.std_error, "jpeg_std_error") && sym(lib.create, "jpeg_CreateDecompress") && sym(lib.mem_src, "jpeg_mem_src") &&
             sym(lib.read_header, "jpeg_read_header") && sym(lib.start, "jpeg_start_decompress") &&
             sym(lib.read_scanlines, "jpeg_read_scanlines") && sym(lib.finish, "jpeg_finish_decompress") &&
             sym(lib.destroy, "jpeg_destroy_decompress");
  });
  return lib;
}

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void OnFatal(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings are not printed. A file that ends early decodes to gray in libjpeg but is an
// error in PIL ("image file is truncated"), so that warning is remembered and refused.
void OnMessage(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) reinterpret_cast<ErrorManager*>(cinfo->err)->truncated = true;
}

// Anything larger is refused before allocating (PIL's decompression-bomb limit is ~179 MP).
constexpr uint64_t kMaxPixels = 1ull << 28;
#endif

// decodeJpeg(bytes) -> { data: Uint8Array (HWC RGB), width, height } | null (not handled here:
// libjpeg missing, or a colour space PIL converts differently, such as CMYK).
Napi::Value DecodeJpeg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
#ifdef TORCH_TS_JPEG
  const Jpeg& lib = LoadJpeg();
  if (!lib.ok) return env.Null();
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  jpeg_decompress_struct cinfo;
  ErrorManager err;
  cinfo.err = lib.std_error(&err.pub);
  err.pub.error_exit = OnFatal;
  err.pub.emit_message = OnMessage;
  err.truncated = false;
  // Everything that must be released after a longjmp lives outside the setjmp frame's locals.
  Napi::Uint8Array out;
  volatile bool created = false;  // written after setjmp, read after longjmp
  if (setjmp(err.jump)) {
    if (created) lib.destroy(&cinfo);
    ThrowTorchError(env, std::string("JPEG decode failed: ") + err.message);
  }
  lib.create(&cinfo, JPEG_LIB_VERSION, sizeof(cinfo));
  created = true;
  lib.mem_src(&cinfo, bytes.Data(), static_cast<unsigned long>(bytes.ByteLength()));
  lib.read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_GRAYSCALE && cinfo.jpeg_color_space != JCS_RGB) {
    lib.destroy(&cinfo);
    return env.Null();
  }
  if (static_cast<uint64_t>(cinfo.image_width) * cinfo.image_height > kMaxPixels) {
    lib.destroy(&cinfo);
    ThrowTorchError(env, "JPEG decode failed: " + std::to_string(cinfo.image_width) + "x" + std::to_string(cinfo.image_height) +
                             " pixels is over the limit of 2^28");
  }
  cinfo.out_color_space = JCS_RGB;  // grayscale is replicated, as PIL's convert("RGB")
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  lib.start(&cinfo);
  const size_t stride = static_cast<size_t>(cinfo.output_width) * 3;
  out = Napi::Uint8Array::New(env, stride * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.Data() + static_cast<size_t>(cinfo.output_scanline) * stride;
    lib.read_scanlines(&cinfo, &row, 1);
  }
  lib.finish(&cinfo);
  lib.destroy(&cinfo);
  if (err.truncated) ThrowTorchError(env, "JPEG decode failed: image file is truncated");
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", out);
  result.Set("width", Napi::Number::New(env, cinfo.output_width));
  result.Set("height", Napi::Number::New(env, cinfo.output_height));
  return result;
#else
  return env.Null();
#endif
}

// ---- PIL's bilinear resampling ----
constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr uint64_t kMaxOut = uint64_t{1} << 28;  // output pixels

struct Coefficients {
  std::vector<int> bounds;   // per output pixel: first input index, count
  std::vector<int> weights;  // per output pixel: ksize fixed-point weights
  int ksize = 0;
};

// Coefficients for resampling the input span [offset, offset + inSize) to outSize pixels.
Coefficients Coeffs(int inSize, int outSize) {
  double scale = static_cast<double>(inSize) / outSize;
  double filterScale = std::max(scale, 1.0);
  double support = filterScale;  // bilinear support is 1
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(static_cast<size_t>(outSize) * 2);
  c.weights.assign(static_cast<size_t>(outSize) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int x = 0; x < outSize; x++) {
    double center = (x + 0.5) * scale;
    double ss = 1.0 / filterScale;
    int xmin = static_cast<int>(std::trunc(center - support + 0.5));
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(std::trunc(center + support + 0.5));
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    double total = 0;
    for (int j = 0; j < xmax; j++) {
      double t = std::fabs((j + xmin - center + 0.5) * ss);
      double w = t < 1 ? 1 - t : 0;
      k[j] = w;
      total += w;
    }
    for (int j = 0; j < xmax; j++) {
      double w = total != 0 ? k[j] / total : 0;
      // PIL rounds half away from zero into fixed point.
      c.weights[static_cast<size_t>(x) * c.ksize + j] =
          static_cast<int>(std::trunc(w < 0 ? w * (1 << kPrecisionBits) - 0.5 : w * (1 << kPrecisionBits) + 0.5));
    }
    c.bounds[2 * x] = xmin;
    c.bounds[2 * x + 1] = xmax;
  }
  return c;
}

inline uint8_t Clip8(int64_t v) {
  int64_t r = v >> kPrecisionBits;
  return static_cast<uint8_t>(r < 0 ? 0 : r > 255 ? 255 : r);
}

// resizedCrop(data, height, width, channels, top, left, cropH, cropW, outH, outW) -> Uint8Array
// (HWC): the crop box of the HWC image, resized as PIL does. With the box equal to the image
// this is a plain resize.
Napi::Value ResizedCrop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array src = info[0].As<Napi::Uint8Array>();
  const int64_t h = ToInt(info[1]), w = ToInt(info[2]), c = ToInt(info[3]);
  const int64_t top = ToInt(info[4]), left = ToInt(info[5]), ch = ToInt(info[6]), cw = ToInt(info[7]);
  const int64_t oh = ToInt(info[8]), ow = ToInt(info[9]);
  if (h <= 0 || w <= 0 || c <= 0 || c > 4 || static_cast<uint64_t>(h * w * c) != src.ByteLength()) {
    throw Napi::RangeError::New(env, "resizedCrop: the pixel buffer does not match its height x width x channels");
  }
  if (top < 0 || left < 0 || ch <= 0 || cw <= 0 || top + ch > h || left + cw > w) {
    throw Napi::RangeError::New(env, "resizedCrop: the crop box is outside the image");
  }
  if (oh <= 0 || ow <= 0 || oh * ow > static_cast<int64_t>(kMaxOut)) throw Napi::RangeError::New(env, "resizedCrop: bad output size");
  const uint8_t* in = src.Data();
  const int64_t half = int64_t{1} << (kPrecisionBits - 1);
  // Horizontal pass over the crop's rows: ch x ow.
  std::vector<uint8_t> mid;
  const uint8_t* rows = nullptr;
  int64_t rowStride;  // bytes between rows of `rows`
  int64_t rowStart;   // byte offset of the crop's first pixel within a row
  if (ow != cw) {
    Coefficients cx = Coeffs(static_cast<int>(cw), static_cast<int>(ow));
    mid.resize(static_cast<size_t>(ch * ow * c));
    for (int64_t y = 0; y < ch; y++) {
      const uint8_t* row = in + ((top + y) * w + left) * c;
      uint8_t* dst = mid.data() + y * ow * c;
      for (int64_t x = 0; x < ow; x++) {
        const int xmin = cx.bounds[2 * x], n = cx.bounds[2 * x + 1];
        const int* k = cx.weights.data() + x * cx.ksize;
        for (int64_t k0 = 0; k0 < c; k0++) {
          int64_t ss = half;
          for (int j = 0; j < n; j++) ss += static_cast<int64_t>(row[(xmin + j) * c + k0]) * k[j];
          dst[x * c + k0] = Clip8(ss);
        }
      }
    }
    rows = mid.data();
    rowStride = ow * c;
    rowStart = 0;
  } else {
    rows = in + top * w * c;
    rowStride = w * c;
    rowStart = left * c;
  }
  Napi::Uint8Array out = Napi::Uint8Array::New(env, static_cast<size_t>(oh * ow * c));
  uint8_t* dst = out.Data();
  if (oh != ch) {
    Coefficients cy = Coeffs(static_cast<int>(ch), static_cast<int>(oh));
    const int64_t span = ow * c;
    std::vector<int64_t> acc(static_cast<size_t>(span));
    for (int64_t y = 0; y < oh; y++) {
      const int ymin = cy.bounds[2 * y], n = cy.bounds[2 * y + 1];
      const int* k = cy.weights.data() + y * cy.ksize;
      std::fill(acc.begin(), acc.end(), half);
      for (int j = 0; j < n; j++) {
        const uint8_t* r = rows + (ymin + j) * rowStride + rowStart;
        const int64_t kj = k[j];
        for (int64_t i = 0; i < span; i++) acc[i] += r[i] * kj;
      }
      for (int64_t i = 0; i < span; i++) dst[y * span + i] = Clip8(acc[i]);
    }
  } else {
    for (int64_t y = 0; y < oh; y++) std::copy_n(rows + y * rowStride + rowStart, ow * c, dst + y * ow * c);
  }
  return out;
}

}  // namespace

void RegisterImage(Napi::Env env, Napi::Object exports) {
  Export<DecodeJpeg>(env, exports, "decodeJpeg");
  Export<ResizedCrop>(env, exports, "resizedCrop");
}

}  // namespace tts
