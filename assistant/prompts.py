"""Templates for the offline prose, read from `prompts/*.md` and `prompts/*.txt`.

A file holds any number of templates. Each starts with a `## name` line, then a `vars:` line declaring the
variables it may use (comma- or space-separated; empty for none), then its text; blank lines and
`<!-- comments -->` are ignored and the remaining lines are joined without spaces (Chinese prose). Text
before the first `## ` is the file's description. Placeholders are `{name}`.

Checked when loaded, so a broken template never reaches a draft:
- a placeholder that is not declared is an error;
- a template may not write a digit itself: every number in a rendered template comes from a variable, and
  the caller fills figures only from cited facts' stated text;
- a name used twice is an error.
Rendering requires exactly the declared variables.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
_NAME = re.compile(r"^##\s+(\S+)\s*$")
_VARS = re.compile(r"^vars\s*[:：](.*)$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_DIGIT = re.compile(r"[0-9０-９]")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PromptError(ValueError):
    """A template file that breaks the rules above, or a render call that does not match its template."""


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    variables: frozenset[str]
    body: str
    source: str

    def render(self, **values: object) -> str:
        given = set(values)
        if given != self.variables:
            missing, extra = sorted(self.variables - given), sorted(given - self.variables)
            raise PromptError(f"模板 {self.name}（{self.source}）渲染参数不符：缺少 {missing}，多余 {extra}")
        return self.body.format(**{k: str(v) for k, v in values.items()})


def placeholders(body: str, where: str) -> set[str]:
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise PromptError(f"{where}：花括号不成对（{exc}）") from exc
    for literal, field, spec, conversion in parsed:
        if _DIGIT.search(literal):
            raise PromptError(f"{where}：模板正文不得自写数字（“{literal.strip()[:30]}”），数字只能来自变量")
        if field is None:
            continue
        if not _IDENT.match(field) or spec or conversion:
            raise PromptError(f"{where}：占位符 {{{field}}} 只能是简单变量名")
        names.add(field)
    return names


def parse_templates(text: str, source: str = "<string>") -> dict[str, Template]:
    text = _COMMENT.sub("", text)
    out: dict[str, Template] = {}
    name: str | None = None
    declared: frozenset[str] | None = None
    body: list[str] = []

    def close() -> None:
        if name is None:
            return
        where = f"{source} 模板 {name}"
        if declared is None:
            raise PromptError(f"{where}：缺少 vars: 声明行")
        joined = "".join(body)
        if not joined:
            raise PromptError(f"{where}：正文为空")
        undeclared = placeholders(joined, where) - declared
        if undeclared:
            raise PromptError(
                f"{where}：使用了未声明的变量 {sorted(undeclared)}（已声明：{sorted(declared)}）"
            )
        if name in out:
            raise PromptError(f"{where}：模板名重复")
        out[name] = Template(name, declared, joined, source)

    for raw in text.splitlines():
        line = raw.strip()
        heading = _NAME.match(line)
        if heading:
            close()
            name, declared, body = heading.group(1), None, []
            continue
        if name is None or not line:
            continue
        found = _VARS.match(line) if declared is None and not body else None
        if found:
            names = [v for v in re.split(r"[,，\s]+", found.group(1).strip()) if v]
            bad = [v for v in names if not _IDENT.match(v)]
            if bad:
                raise PromptError(f"{source} 模板 {name}：变量名不合法 {bad}")
            declared = frozenset(names)
            continue
        body.append(line)
    close()
    return out


def load_templates(directory: Path | None = None) -> dict[str, Template]:
    """Every template under `directory` (default: the repository's prompts/), checked."""
    return dict(_load(str(directory or PROMPTS_DIR)))


@lru_cache(maxsize=4)
def _load(directory: str) -> tuple[tuple[str, Template], ...]:
    folder = Path(directory)
    if not folder.is_dir():
        raise PromptError(f"没有找到模板目录 {folder}")
    out: dict[str, Template] = {}
    for path in sorted([*folder.glob("*.md"), *folder.glob("*.txt")]):
        for key, template in parse_templates(path.read_text(encoding="utf-8"), path.name).items():
            if key in out:
                raise PromptError(f"模板 {key} 在 {out[key].source} 与 {path.name} 中重复定义")
            out[key] = template
    return tuple(out.items())


class Prompts:
    """The loaded templates, looked up by name; `require` fails early when a caller's template is missing."""

    def __init__(self, directory: Path | None = None) -> None:
        self.templates = load_templates(directory)

    def require(self, names: set[str] | list[str] | tuple[str, ...]) -> None:
        missing = sorted(set(names) - set(self.templates))
        if missing:
            raise PromptError(f"模板目录中缺少模板：{missing}")

    def has(self, name: str) -> bool:
        return name in self.templates

    def render(self, name: str, **values: object) -> str:
        if name not in self.templates:
            raise PromptError(f"没有名为 {name} 的模板")
        return self.templates[name].render(**values)
