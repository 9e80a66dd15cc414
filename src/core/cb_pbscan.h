/* cb_pbscan.h - a check of protobuf wire bytes before a recursive parser
 * sees them. Parsers such as protobuf-c recurse once per nested message, so
 * a file of 50 000 nested messages (ONNX If nodes in then_branch graphs)
 * overflows the stack inside the parser. cb_pb_check_depth walks the same
 * bytes with an explicit stack (no recursion, no allocation per message)
 * and refuses nesting deeper than a limit. Which length-delimited fields
 * hold messages is schema knowledge: the caller supplies it as a callback
 * over opaque message types (protobuf-c descriptors in the ONNX importer). */
#ifndef CB_PBSCAN_H
#define CB_PBSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

/* The message type held by field `field` of a message of type `type`, or NULL
 * when the field's bytes are not a message (strings, bytes, packed numbers,
 * fields the schema does not know). */
typedef const void *(*cb_pb_child_fn)(const void *type, uint32_t field);

/* CB_OK when buf (n bytes, a message of type root) is well-formed wire data
 * (varint, fixed32, fixed64 and length-delimited fields that fit their
 * message) whose messages nest at most max_depth deep (root is depth 1).
 * Otherwise CB_ERR_UNSUPPORTED "protobuf messages nested deeper than N
 * levels (byte K)", or CB_ERR_FORMAT "malformed protobuf (byte K)"; groups
 * (wire types 3, 4) count as malformed, as protobuf-c refuses them. Linear
 * in n. */
cb_status cb_pb_check_depth(const uint8_t *buf, size_t n, const void *root, cb_pb_child_fn child, int max_depth);

#endif
