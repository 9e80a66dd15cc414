#!/usr/bin/env bash
# A model's modality is declared, not guessed from its input shape: an ONNX model whose input is cochleagram-shaped
# (1, 1, 211, 40) is visual unless told otherwise, so on sounds it gives one line and exit 1; declared audio
# (`activations --modality audio`, or `modality = audio` in a suite's [model]) it runs through the cochleagram front
# end and its (units, frequency, time) layers are averaged over time: (stimuli, channel, frequency). A front end of
# another modality is one line and exit 1 too, an unknown one a usage error (exit 2); no output is left behind.
# usage: audio_onnx.sh CORTEXBENCH   (from the project root)
set -uo pipefail
bin=$1
py=/usr/bin/python3
D=$(mktemp -d /tmp/cb-audonnx.XXXXXX)
trap 'rm -rf "$D"' EXIT
pass=0 fail=0
check() { # NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@" >"$D/log" 2>&1; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/     | /' "$D/log" | head -20; fi
}
refused() { # NAME RC TEXT OUT ARGS...: exit RC, one stderr line holding TEXT, OUT absent
  local name=$1 want=$2 text=$3 out=$4; shift 4
  "$bin" "$@" >/dev/null 2>"$D/err"; local rc=$?
  if [[ $rc -eq $want && $(wc -l <"$D/err") -eq 1 ]] && grep -qF -- "$text" "$D/err" && [[ ! -e $out ]]; then
    pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name (exit $rc)"; sed 's/^/     | /' "$D/err" | head -5; fi
}
"$py" - "$D" <<'PY' || { echo "FAIL: model and sounds"; exit 1; }
import sys, wave
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
d = sys.argv[1]
rng = np.random.default_rng(3)
w = numpy_helper.from_array(rng.normal(0, 0.1, (4, 1, 3, 3)).astype(np.float32), "w")
nodes = [helper.make_node("Conv", ["x", "w"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["conv"], ["relu"], name="relu")]
vi = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
g = helper.make_graph(nodes, "aud", [vi("x", [1, 1, 211, 40])], [vi("relu", [1, 4, 211, 40])], initializer=[w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.save(m, f"{d}/aud.onnx")
with open(f"{d}/sounds.csv", "w") as f:
    f.write("stimulus_id,filename\n")
    for k in range(3):  # 0.25 s tones at 20 kHz, 16-bit PCM
        t = np.arange(5000) / 20000.0
        x = (0.3 * np.sin(2 * np.pi * (300 + 400 * k) * t) * 32767).astype("<i2")
        with wave.open(f"{d}/tone{k}.wav", "wb") as wf:
            wf.setnchannels(1); wf.setsampwidth(2); wf.setframerate(20000); wf.writeframes(x.tobytes())
        f.write(f"tone{k},tone{k}.wav\n")
PY
acts() { "$bin" -q activations --model "$D/aud.onnx" --stimuli "$D/sounds.csv" "$@"; }
refused "undeclared: visual, refused on sounds" 1 "model 'aud' takes visual input but $D/sounds.csv holds audio stimuli" \
  "$D/v.h5" activations --model "$D/aud.onnx" --stimuli "$D/sounds.csv" --out "$D/v.h5"
refused "audio model, image front end" 1 "model 'aud' is audio but front end 'image' takes visual stimuli" \
  "$D/f.h5" activations --model "$D/aud.onnx" --stimuli "$D/sounds.csv" --modality audio --front-end image --out "$D/f.h5"
refused "unknown front end (usage)" 2 "option --front-end: unknown input front end 'retina' (known: image, cochleagram)" \
  "$D/r.h5" activations --model "$D/aud.onnx" --stimuli "$D/sounds.csv" --modality audio --front-end retina --out "$D/r.h5"
check "declared audio runs" acts --modality audio --out "$D/a.h5"
check "declared audio + cochleagram front end: same file contents" bash -c \
  "'$bin' -q activations --model '$D/aud.onnx' --stimuli '$D/sounds.csv' --modality audio --front-end cochleagram --out '$D/c.h5' && h5diff '$D/a.h5' '$D/c.h5'"
check "layers averaged over time: (stimulus, channel, frequency)" "$py" - "$D/a.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    v = f["relu"]
    dims = [d[0].name.lstrip("/") for d in v.dims]
    a = v[()]
    assert a.shape == (3, 4, 211), a.shape
    assert dims == ["stimulus_id", "channel_4", "frequency_211"], dims
    assert np.isfinite(a).all() and (a >= 0).all() and a.max() > 0
    assert not np.allclose(a[0], a[1]), "different tones give different activations"
print("ok")
PY
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
