// samsa's Node-API addon: the two loops that touch every byte of every record batch, where JS was the
// largest cost left (see crc32c.c and walk-records.c). Built by node-gyp at npm install; when it is
// missing, src/records falls back to @node-rs/crc32 and to the same walk in JS.

#include <node_api.h>

#include "crc32c.h"
#include "walk-records.h"

// The Uint8Array in argv[0] and the range [argv[1], argv[2]) inside it; throws and returns 0 when invalid.
static int get_range(napi_env env, napi_value *argv, const uint8_t **data, int64_t *start, int64_t *end) {
  napi_typedarray_type type;
  size_t length;
  void *bytes;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &bytes, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "the first argument must be a Uint8Array");
    return 0;
  }
  if (napi_get_value_int64(env, argv[1], start) != napi_ok || napi_get_value_int64(env, argv[2], end) != napi_ok ||
      *start < 0 || *start > *end || *end > (int64_t)length) {
    napi_throw_range_error(env, NULL, "range outside the view");
    return 0;
  }
  *data = bytes;
  return 1;
}

#if SAMSA_HAVE_CRC32C_HW
// crc32c(view, start, end): number
static napi_value Crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  const uint8_t *data;
  int64_t start, end;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "crc32c(view, start, end)");
    return NULL;
  }
  if (!get_range(env, argv, &data, &start, &end)) return NULL;
  napi_value result;
  napi_create_uint32(env, crc32c_hw(0, data + start, (size_t)(end - start)), &result);
  return result;
}
#endif

// 0 for WALK_OK, else [result, index, value]: the array only on failure, so a good batch allocates nothing.
static napi_value walk_outcome(napi_env env, enum walk_result r, int64_t index, int64_t value) {
  napi_value result;
  if (r == WALK_OK) {
    napi_create_int32(env, 0, &result);
    return result;
  }
  napi_value parts[3];
  napi_create_int32(env, (int32_t)r, &parts[0]);
  napi_create_int64(env, index, &parts[1]);
  napi_create_int64(env, value, &parts[2]);
  napi_create_array_with_length(env, 3, &result);
  for (uint32_t k = 0; k < 3; k++) napi_set_element(env, result, k, parts[k]);
  return result;
}

// walkRecords(view, start, end, count, sequential): 0 when fine, else [result, index, value]
static napi_value WalkRecords(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  const uint8_t *data;
  int64_t start, end, count;
  bool sequential;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) {
    napi_throw_type_error(env, NULL, "walkRecords(view, start, end, count, sequential)");
    return NULL;
  }
  if (!get_range(env, argv, &data, &start, &end)) return NULL;
  if (napi_get_value_int64(env, argv[3], &count) != napi_ok || napi_get_value_bool(env, argv[4], &sequential) != napi_ok) {
    napi_throw_type_error(env, NULL, "walkRecords: count must be a number and sequential a boolean");
    return NULL;
  }
  int64_t index = 0, value = 0;
  enum walk_result r = walk_records(data, start, end, count, sequential, &index, &value);
  return walk_outcome(env, r, index, value);
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok) napi_set_named_property(env, exports, name, fn);
}

// crc32c is exported only where the CPU has SSE4.2: its absence tells the caller to fall back.
static napi_value Init(napi_env env, napi_value exports) {
#if SAMSA_HAVE_CRC32C_HW
  if (crc32c_hw_init()) export_function(env, exports, "crc32c", Crc32c);
#endif
  export_function(env, exports, "walkRecords", WalkRecords);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
