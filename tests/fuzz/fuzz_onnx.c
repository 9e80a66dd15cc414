/* fuzz_onnx.c - libFuzzer target: the ONNX loader (protobuf parse, opset and
 * op checks, shape inference, graph planning) on arbitrary bytes. */
#include "cb_graph.h"
#include "cb_onnx.h"
#include "cb_status.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file_put("model.onnx", data, size);
  if (path == NULL) return 0;
  cb_graph *g = NULL;
  if (cb_onnx_load_graph(path, NULL, &g) == CB_OK) cb_graph_destroy(&g);
  cb_onnx_summary sum;
  (void)cb_onnx_summarize(path, &sum);
  cb_error_clear();
  return 0;
}
