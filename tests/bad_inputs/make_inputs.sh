#!/usr/bin/env bash
# Writes the malformed inputs of cases.txt into DIR, each made from valid
# files that cortexbench itself writes (generate, activations, import) or
# from bytes written here; nothing comes from ../shared/data.
# usage: make_inputs.sh CORTEXBENCH DIR
set -euo pipefail
cb=$1 D=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=/usr/bin/python3
mkdir -p "$D/out" "$D/zoo" "$D/mirror/badfetch" "$D/manifests"

# --- valid material ---------------------------------------------------------
"$cb" -q generate gratings-v1 --seed 3 --out "$D/data" >/dev/null
"$cb" -q activations --model pixels --stimuli "$D/data/stimuli.csv" --out "$D/acts.h5" >/dev/null
printf 'stimulus_id,repetition,n1,n2,n3\ns1,0,1,2,3\ns1,1,4,5,6\ns2,0,7,8,9\ns2,1,1,0,2\ns3,0,3,3,1\ns3,1,0,1,0\n' >"$D/three.csv"
"$cb" -q import assembly "$D/three.csv" --out "$D/three_stimuli.nc" >/dev/null
# one repetition per stimulus: the first presentation of each grating
awk -F, 'NR == 1 { printf "stimulus_id,repetition"; for (i = 1; i <= 4; ++i) printf ",n%d", i; print ""; next }
         { printf "%s,0", $1; for (i = 1; i <= 4; ++i) printf ",%d", (NR * i) % 7; print "" }' \
  "$D/data/stimuli.csv" >"$D/onerep.csv"
"$cb" -q import assembly "$D/onerep.csv" --out "$D/one_repetition.nc" >/dev/null

# --- HDF5 / netCDF --------------------------------------------------------------
head -c 2000 "$D/data/assembly.nc" >"$D/truncated.nc"
head -c 3000 "$D/acts.h5" >"$D/truncated_acts.h5"
cp "$D/data/assembly.nc" "$D/corrupt.nc" # metadata intact, the first data chunks overwritten
printf '\xff%.0s' $(seq 1 300) | dd of="$D/corrupt.nc" bs=1 seek=20000 conv=notrunc status=none
printf 'not an hdf5 file\n' >"$D/text.h5"
for k in no_stimulus_id renamed_ids constant_neuroids; do
  "$py" "$here/make_h5.py" "$k" "$D/data/assembly.nc" "$D/asm_$k.nc"
done
# libhdf5 1.10.8 crashes on these (read in an isolated child: one line, no crash)
for k in segv_a segv_b segv_c bad_free; do
  "$py" "$here/make_crash_h5.py" "$k" "$D/data/assembly.nc" "$D/crash_$k.nc"
done
for k in nan inf constant renamed_ids short_layer; do
  "$py" "$here/make_h5.py" "$k" "$D/acts.h5" "$D/acts_$k.h5"
done

# --- ONNX (zoo manifest $D/zoo/zoo.ini names each model) ------------------------
"$py" "$here/make_onnx.py" "$D/zoo"
m=$(ls /usr/share/libonnx-testdata/data/node/test_relu/model.onnx 2>/dev/null || true)
if [[ -n "$m" ]]; then # a real model with its last bytes cut off
  head -c $(( $(stat -c %s "$m") - 9 )) "$m" >"$D/zoo/testdata_cut.onnx"
  printf '[model]\nname = testdata_cut\nonnx = %s\ninput = 8x8\nvisual_degrees = 8\n\n' "$D/zoo/testdata_cut.onnx" >>"$D/zoo/zoo.ini"
fi

# --- configurations -----------------------------------------------------------
cat >"$D/good.ini" <<INI
[suite]
name = t
[dataset d]
stimuli = $D/data/stimuli.csv
assembly = $D/data/assembly.nc
[model pixels]
[benchmark b]
dataset = d
INI
bad_ini() { sed "$1" "$D/good.ini" >"$D/$2.ini"; }
bad_ini 's/^name = t/name = t\ncolour = blue/' unknown_key
bad_ini 's/^\[model pixels\]/[modell pixels]/' unknown_section
bad_ini 's/^dataset = d/dataset = d\nsplits = ten/' wrong_type
bad_ini 's/^dataset = d/dataset = d\ntrain_fraction = 1.5/' out_of_range
bad_ini 's/^dataset = d/dataset = nope/' dangling
bad_ini 's/^\[model pixels\]/[model pixels]\n[model pixels]/' duplicate_section
bad_ini '/^\[benchmark b\]/,$d' no_benchmark
bad_ini '/^\[model pixels\]/d' no_model
# RDM datasets and RDM-only models: an RDM file over the set's stimuli, entries "a" and "b".
"$py" - "$D/data/stimuli.csv" "$D/two_rdms.h5" <<'PY'
import csv, sys, h5py, numpy as np
ids = [r["stimulus_id"] for r in csv.DictReader(open(sys.argv[1]))]
n = len(ids)
x = np.random.default_rng(1).random((2, n, n)); x = x + x.transpose(0, 2, 1)
for k in range(2): np.fill_diagonal(x[k], 0)
s = h5py.string_dtype("utf-8")
with h5py.File(sys.argv[2], "w") as f:
    f["rdm"] = x
    f.create_dataset("stimulus_id", data=ids, dtype=s)
    f.create_dataset("subject", data=["a", "b"], dtype=s)
PY
bad_ini "s|^assembly = .*|rdm = $D/two_rdms.h5|; s/^dataset = d/dataset = d\nmetric = pls/" rdm_dataset_metric
bad_ini "s|^\[model pixels\]|[model m]\nrdm = $D/two_rdms.h5\nrdm_entry = c|" rdm_entry_unknown
bad_ini "s|^\[model pixels\]|[model m]\nrdm = $D/two_rdms.h5|" rdm_entry_missing
bad_ini "s|^\[model pixels\]|[model m]\nrdm = $D/two_rdms.h5\nrdm_entry = a\nlayers = x|" rdm_model_layers
bad_ini 's/^\[model pixels\]/[model pixels]\nreinit = pytorch/' reinit_nothing
bad_ini 's/^\[model pixels\]/[model pixels]\nreinit = xavier/' reinit_unknown
# Declared modality and input front end (docs/config.md "Modality and input front end").
bad_ini 's/^\[model pixels\]/[model pixels]\nmodality = smell/' modality_unknown
bad_ini 's/^\[model pixels\]/[model pixels]\nmodality = audio/' modality_mismatch
bad_ini 's/^\[model pixels\]/[model pixels]\nfront_end = retina/' front_end_unknown
bad_ini 's/^\[model pixels\]/[model pixels]\nfront_end = cochleagram/' front_end_other_modality
bad_ini 's/^\[dataset d\]/[dataset d]\nmodality = audio/' dataset_modality_mismatch
# INI hazards: a line longer than libinih reads (its tail would become "splits = 7"), a NUL byte, a key given
# twice, names that would leave the output directory.
{ sed 's/^dataset = d/dataset = d/' "$D/good.ini"; printf '; %0230d splits = 7\n' 0; } >"$D/long_line.ini"
{ cat "$D/good.ini"; printf 'seed = 2\0\nsplits = 3\n'; } >"$D/nul_byte.ini"
bad_ini 's/^dataset = d/dataset = d\nsplits = 3\nsplits = 4/' duplicate_key
bad_ini 's/^name = t/name = ../' suite_dotdot
bad_ini 's/^\[model pixels\]/[model ..]\nzoo = pixels/' model_dotdot
printf 'this is not ini\n' >"$D/syntax.ini"

# --- training: [train] configurations and IDX task data ------------------------------------------------------------
printf '[train]\nmodel = fmnist_cnn\ncolour = blue\n' >"$D/train_key.ini"
mkdir -p "$D/idx"
/usr/bin/python3 - "$D/idx" <<'PY'
import gzip, struct, sys
d = sys.argv[1]
imgs = struct.pack(">BBBBIII", 0, 0, 8, 3, 100, 28, 28) + bytes(500)    # promises 78400 bytes, holds 500
labs = struct.pack(">BBBBI", 0, 0, 8, 1, 100) + bytes(100)
for split in ("train", "t10k"):
    open(f"{d}/{split}-images-idx3-ubyte.gz", "wb").write(gzip.compress(imgs, mtime=0))
    open(f"{d}/{split}-labels-idx1-ubyte.gz", "wb").write(gzip.compress(labs, mtime=0))
PY
printf '[train]\nmodel = fmnist_cnn\ndata_dir = %s/idx\nsteps = 2\nbatch = 4\nmicro_batch = 4\n' "$D" >"$D/train_idx.ini"

# --- stimulus sets ------------------------------------------------------------------
printf 'stimulus_id,filename\na,a.png\na,b.png\n' >"$D/dup.csv"
printf 'stimulus_id,filename\na,a.png\nb,b.wav\n' >"$D/mixed_modality.csv"
printf 'stimulus_id,name\na,a.png\n' >"$D/no_filename.csv"
printf 'stimulus_id,filename\n"a,a.png\n' >"$D/open_quote.csv"
printf 'stimulus_id,filename\na,../../etc/passwd\n' >"$D/escape.csv"
mkdir -p "$D/badpng" && printf 'stimulus_id,filename\na,a.png\n' >"$D/badpng/stimuli.csv"
printf '\x89PNG\r\n\x1a\nnot really a png' >"$D/badpng/a.png"
mkdir -p "$D/zipslip" && printf 'stimulus_id,filename\na,a.png\n' >"$D/zipslip/stimuli.csv"
"$py" - "$D/zipslip/stimuli.zip" "$D/data/images" <<'PY'
import os, sys, zipfile
img = sorted(os.listdir(sys.argv[2]))[0]
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.write(os.path.join(sys.argv[2], img), "a.png")
    z.writestr("../evil.png", b"x")
PY

printf 'stimulus_id,filename\n' >"$D/header_only.csv"

# --- images and sounds (make_media.py), inputs that are not regular files ------------
"$py" "$here/make_media.py" "$(ls "$D"/data/images/*.png | head -1)" "$D/media"
mkfifo "$D/media/wav_fifo/a.wav" "$D/media/png_fifo/a.png" "$D/fifo.csv" "$D/fifo.nc" "$D/fifo.ini"
truncate -s 3G "$D/sparse_3g.ini" # sparse: over the whole-file read limit, costs no disk

# --- downloads (file:// mirror; wrong checksum, truncated body) ----------------------
printf 'hello cortexbench\n' >"$D/mirror/badfetch/good.txt"
printf 'hello cortexbench\n' >"$D/mirror/badfetch/bad.txt"
head -c 8 "$D/mirror/badfetch/good.txt" >"$D/mirror/badfetch/short.txt"
sha=$(sha256sum "$D/mirror/badfetch/good.txt" | cut -d' ' -f1)
size=$(stat -c %s "$D/mirror/badfetch/good.txt")
cat >"$D/manifests/badfetch.ini" <<INI
[dataset]
id = badfetch
title = malformed downloads for tests
license = none
citation = none
verified = true

[file]
name = bad.txt
size = $size
sha256 = 0000000000000000000000000000000000000000000000000000000000000000
origin = conversion

[file]
name = short.txt
size = $size
sha256 = $sha
origin = conversion

[file]
name = fifo.txt
size = $size
sha256 = $sha
origin = conversion
INI
mkfifo "$D/mirror/badfetch/fifo.txt" # curl's file:// reader would wait for a writer

# --- other importers ----------------------------------------------------------------
"$py" - "$D/trunc.npy" <<'PY'
import io, sys, numpy as np
b = io.BytesIO(); np.save(b, np.arange(60, dtype=np.float64).reshape(3, 4, 5))
open(sys.argv[1], "wb").write(b.getvalue()[:150])
PY
printf '{"model": "m", "layer": "l"\n' >"$D/out/broken.json"
