/* cb_pbscan.c - see cb_pbscan.h. */
#include "cb_pbscan.h"

#include <stdlib.h>

/* Reads a varint of at most 10 bytes ending before `end`: 1 on success. */
static int varint(const uint8_t *buf, size_t end, size_t *pos, uint64_t *v) {
  uint64_t x = 0;
  for (int i = 0; i < 10; ++i) {
    if (*pos >= end) return 0;
    const uint8_t b = buf[(*pos)++];
    x |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      *v = x;
      return 1;
    }
  }
  return 0;
}

typedef struct frame {
  size_t end;       /* first byte after this message */
  const void *type; /* its message type (opaque to this file) */
} frame;

cb_status cb_pb_check_depth(const uint8_t *buf, size_t n, const void *root, cb_pb_child_fn child, int max_depth) {
  if ((buf == NULL && n > 0) || child == NULL || max_depth < 1)
    return CB_ERROR(CB_ERR_INTERNAL, "protobuf scan: bad arguments");
  frame *stack = malloc((size_t)max_depth * sizeof *stack);
  if (stack == NULL) return CB_ERROR(CB_ERR_NOMEM, "protobuf scan: out of memory");
  int depth = 1;
  stack[0] = (frame){n, root};
  size_t pos = 0;
  cb_status st = CB_OK;
  while (depth > 0) {
    const frame *top = &stack[depth - 1];
    if (pos == top->end) {
      --depth;
      continue;
    }
    const size_t at = pos;
    uint64_t key = 0, len = 0;
    if (!varint(buf, top->end, &pos, &key)) goto malformed;
    switch (key & 7) {
    case 0: /* varint */
      if (!varint(buf, top->end, &pos, &len)) goto malformed;
      break;
    case 1: /* fixed64 */
      if (top->end - pos < 8) goto malformed;
      pos += 8;
      break;
    case 5: /* fixed32 */
      if (top->end - pos < 4) goto malformed;
      pos += 4;
      break;
    case 2: { /* length-delimited: a nested message or opaque bytes */
      if (!varint(buf, top->end, &pos, &len) || len > top->end - pos) goto malformed;
      const uint64_t field = key >> 3;
      const void *type = field <= UINT32_MAX ? child(top->type, (uint32_t)field) : NULL;
      if (type == NULL) {
        pos += (size_t)len;
        break;
      }
      if (depth == max_depth) {
        st = CB_ERROR(CB_ERR_UNSUPPORTED, "protobuf messages nested deeper than %d levels (byte %zu)", max_depth, at);
        goto done;
      }
      stack[depth++] = (frame){pos + (size_t)len, type};
      break;
    }
    default: /* groups (3, 4) and the undefined wire types 6, 7 */
      goto malformed;
    }
    continue;
  malformed:
    st = CB_ERROR(CB_ERR_FORMAT, "malformed protobuf (byte %zu)", at);
    goto done;
  }
done:
  free(stack);
  return st;
}
