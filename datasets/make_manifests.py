#!/usr/bin/python3
"""Writes the manifests of the real datasets (kriegeskorte2008, cowley2023_v4,
normanhaignere2015) from the SOURCE.md files of a staged copy, and checks every
listed file's size and SHA-256 against the staged bytes before writing
`verified = true`.

    /usr/bin/python3 datasets/make_manifests.py [../shared/data]

The staged copy is laid out as <dir>/<dataset id>/<file name> (the mirror
layout of `cortexbench fetch --mirror DIR`). File names, URLs, sizes and
SHA-256 come from SOURCE.md; titles, licences, citations and recipes are
written here. The Brain-Score manifests (majajhong2015, freemanziemba2013)
are written by hand: their files are not staged here.
"""
import hashlib
import os
import re
import sys

META = {
    "cowley2023_v4": dict(
        title="Macaque V4 spike counts, session 210325 (Cowley, Stan, Pillow & Smith 2023)",
        license="GPL-3.0 (LICENSE of cowleygroup/V4_compact_models; no separate data licence)",
        citation=["Cowley BR, Stan PL, Pillow JW, Smith MA (2023). Compact deep neural network models of",
                  "visual cortex. bioRxiv 2023.11.22.568315."],
        source="https://github.com/cowleygroup/V4_compact_models (commit f4552ad9d34a466ebc66658f72a08a8e5038f1cf)",
        recipes=[
            ("stimulus_set cowley2023.210325", [
                ("from", "images_210325.zip"),
                ("csv", "stimulus_cowley2023_210325.csv"),
                ("zip", "stimulus_cowley2023_210325.zip"),
                ("recipe", ["entry imageNNNN.jpg of images_210325.zip becomes cowley210325imageNNNN.jpg",
                            "(bytes unchanged, stored, flat); stimulus_id = cowley210325imageNNNN;",
                            "image_index = NNNN - 1 (position on axis 1 of responses_210325.npy); 640 rows."]),
            ]),
            ("assembly cowley2023.V4.210325", [
                ("kind", "neural"),
                ("from", "responses_210325.npy, stimulus_cowley2023_210325.csv"),
                ("file", "assy_cowley2023_V4_210325.nc"),
                ("stimulus_set", "cowley2023.210325"),
                ("recipe", ["responses_210325.npy is float64 (neuron 50, image 640, repeat 10) spike counts with",
                            "trailing NaN repeat slots; one presentation per non-NaN (image, repeat), by image then",
                            "repeat (4840); coords stimulus_id, repetition (0-based); neuroid_id",
                            "cowley210325_nNN, region V4, animal PE; one time bin [0, 100) ms whose start is",
                            "undocumented upstream (placeholder). BrainIO netCDF-4, data (4840, 50, 1)."]),
            ]),
        ]),
    "kriegeskorte2008": dict(
        title="The 92-image object set with monkey and human IT RDMs (Kriegeskorte et al. 2008)",
        license="MIT (rsagroup/rsatoolbox repository); the photographs' own terms are not stated",
        citation=["Kriegeskorte N, Mur M, Ruff DA, Kiani R, Bodurka J, Esteky H, Tanaka K, Bandettini PA",
                  "(2008). Matching categorical object representations in inferior temporal cortex of man",
                  "and monkey. Neuron 60(6):1126-1141. doi:10.1016/j.neuron.2008.10.043"],
        source="https://github.com/rsagroup/rsatoolbox demos/92imageData (commit f1f83cadb7243492a1aae7460466e0f0140b20ac)",
        recipes=[
            ("stimulus_set kriegeskorte2008.92images", [
                ("from", "Kriegeskorte_Neuron2008_supplementalData.mat"),
                ("csv", "stimuli.csv"),
                ("recipe", ["stimuli_92objs(k).image (uint8 175x175x3) -> stimuli/imgKKK.png for k = 1..92,",
                            "lossless RGB PNG; stimuli.csv: stimulus_id imgKKK, filename (relative to the",
                            "dataset folder), category, human, face, animal, natural from the struct fields."]),
            ]),
            ("rdm kriegeskorte2008.mIT", [
                ("kind", "rdm"),
                ("from", "Kriegeskorte_Neuron2008_supplementalData.mat"),
                ("stimulus_set", "kriegeskorte2008.92images"),
                ("recipe", ["RDMs_mIT_hIT_fig1(1).RDM: monkey IT, 674 neurons; 1x4186 upper triangle in MATLAB",
                            "pdist order of a 92x92 correlation-distance RDM (stimulus order imgKKK)."]),
            ]),
            ("rdm kriegeskorte2008.hIT", [
                ("kind", "rdm"),
                ("from", "Kriegeskorte_Neuron2008_supplementalData.mat"),
                ("stimulus_set", "kriegeskorte2008.92images"),
                ("recipe", "RDMs_mIT_hIT_fig1(2).RDM: human IT (fMRI), 316 voxels; same layout as the mIT RDM."),
            ]),
            ("rdm kriegeskorte2008.hIT_subjects", [
                ("kind", "rdm"),
                ("from", "92_brainRDMs.mat"),
                ("stimulus_set", "kriegeskorte2008.92images"),
                ("recipe", ["RDMs(1,s,k).RDM: float32 92x92 human IT RDMs, subjects s = BE, KO, SN, TI,",
                            "sessions k = 1, 2 (8 RDMs, column-major struct order)."]),
            ]),
            ("rdm kriegeskorte2008.models", [
                ("kind", "model rdm"),
                ("from", "92_modelRDMs.mat"),
                ("stimulus_set", "kriegeskorte2008.92images"),
                ("recipe", ["Models(i).RDM, i = 1..8: animacy, FaceBodyManmadeNatobj, monkeyIT, EVA, HMAX, V1,",
                            "Silhouette, RADON (reference model RDMs, not brain data)."]),
            ]),
        ]),
    "normanhaignere2015": dict(
        title="165 natural sounds and six auditory-cortex fMRI components (Norman-Haignere et al. 2015)",
        license="none stated (no licence file in snormanhaignere/natsound165-neuron2015)",
        citation=["Norman-Haignere S, Kanwisher NG, McDermott JH (2015). Distinct cortical pathways for",
                  "music and speech revealed by hypothesis-free voxel decomposition. Neuron",
                  "88(6):1281-1296. doi:10.1016/j.neuron.2015.11.035"],
        source="https://github.com/snormanhaignere/natsound165-neuron2015 (commit b41b99ff620d7997dbf278fc770f58566707726a)",
        recipes=[
            ("stimulus_set normanhaignere2015.165sounds", [
                ("from", "category_labels.csv"),
                ("recipe", ["line k of category_labels.csv (stim_name,category; no header) is sound k:",
                            "stimulus_id = stim_name, file wav/<stim_name>.wav (mono, 16-bit PCM, 44.1 kHz, 2 s)."]),
            ]),
            ("assembly normanhaignere2015.components", [
                ("kind", "component responses"),
                ("from", "components.mat, category_labels.csv"),
                ("file", "conversion_R_165x6.csv"),
                ("stimulus_set", "normanhaignere2015.165sounds"),
                ("recipe", ["R (165 sounds x 6 components, rows in stim_names = category_labels.csv order)",
                            "-> presentation = sound, neuroid = component (lowfreq, highfreq, envsounds, pitch,",
                            "speech, music), region = auditory cortex; conversion_R_165x6.csv is R as text."]),
            ]),
        ]),
}

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def parse_source(folder):
    """(name, url or None, size, sha256) for every table row naming a staged file."""
    rows, seen = [], set()
    header = []
    for line in open(os.path.join(folder, "SOURCE.md"), encoding="utf-8"):
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            continue
        if not header:
            header = [c.lower() for c in cells]
            continue
        name = url = size = digest = None
        for h, c in zip(header, cells):
            bare = c.strip("`")
            if name is None and c.startswith("`") and os.path.isfile(os.path.join(folder, bare)) and h.startswith("file"):
                name = bare
            elif HEX64.match(bare) and "sha-256" in h:
                digest = bare
            elif h == "bytes" and bare.isdigit():
                size = int(bare)
            elif c.startswith("https://"):
                url = c
        if name and digest and size is not None and name not in seen:
            seen.add(name)
            rows.append((name, url, size, digest))
    return rows


def wrap(key, value):
    lines = value if isinstance(value, list) else [value]
    out = ["%s = %s" % (key, lines[0])] + ["  " + l for l in lines[1:]]
    for l in out:
        assert len(l) < 200, l
    return out


def write_manifest(data_dir, out_dir, ds):
    meta = META[ds]
    folder = os.path.join(data_dir, ds)
    rows = parse_source(folder)
    urls = [u for _, u, _, _ in rows if u]
    base = os.path.commonprefix(urls)
    base = base[: base.rfind("/") + 1]
    m = re.match(r"(https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/)", base)
    base = m.group(1) if m else base
    for name, url, size, digest in rows:
        path = os.path.join(folder, name)
        actual = os.path.getsize(path)
        if actual != size or sha256(path) != digest:
            sys.exit("%s: staged bytes do not match SOURCE.md" % path)
    lines = ["; %s.ini - dataset manifest (format: docs/formats.md, 'Dataset manifests')." % ds,
             "; Written by datasets/make_manifests.py from %s/SOURCE.md; every size and sha256" % ds,
             "; below was checked against the staged bytes. origin = conversion: made by the",
             "; packagers of the staged copy, fetchable only from a mirror (no upstream URL).",
             "", "[dataset]", "id = %s" % ds]
    lines += wrap("title", meta["title"]) + wrap("license", meta["license"])
    lines += wrap("citation", meta["citation"]) + wrap("source", meta["source"])
    lines += ["base_url = %s" % base, "verified = true", ""]
    for kind_id, keys in meta["recipes"]:
        lines.append("[%s]" % kind_id)
        for k, v in keys:
            lines += wrap(k, v)
        lines.append("")
    for name, url, size, digest in rows:
        lines += ["[file]", "name = %s" % name]
        if url:
            assert url.startswith(base)
            lines.append("url = %s" % url[len(base):])
        lines += ["size = %d" % size, "sha256 = %s" % digest, "origin = %s" % ("upstream" if url else "conversion"), ""]
    with open(os.path.join(out_dir, ds + ".ini"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    n_up = sum(1 for r in rows if r[1])
    print("%s: %d files (%d upstream, %d conversions)" % (ds, len(rows), n_up, len(rows) - n_up))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")
    for ds in sorted(META):
        write_manifest(data_dir, here, ds)


if __name__ == "__main__":
    main()
