"""UI strings from message catalogues (`templates/i18n/<lang>.yaml`), never from templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.model import LANGS


@dataclass(frozen=True)
class Messages:
    catalogues: dict[str, dict[str, str]]

    def get(self, lang: str, key: str, **values: Any) -> str:
        try:
            text = self.catalogues[lang][key]
        except KeyError:
            # A missing UI string is a bug in the theme, not bad content: fail loudly.
            raise KeyError(f"message {key!r} is missing from the {lang} catalogue") from None
        return text.format(**values) if values else text


def load_messages(folder: Path) -> Messages:
    """Merge `<lang>.yaml` with each section's `<section>.<lang>.yaml` (keys are namespaced)."""
    catalogues: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        merged: dict[str, str] = {}
        files = [folder / f"{lang}.yaml", *sorted(folder.glob(f"*.{lang}.yaml"))]
        for path in files:
            with path.open(encoding="utf-8") as fh:
                flat = _flatten(yaml.safe_load(fh) or {})
            clash = merged.keys() & flat.keys()
            if clash:
                raise ValueError(f"{path}: message keys defined twice: {sorted(clash)}")
            merged.update(flat)
        catalogues[lang] = merged
    return Messages(catalogues)


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat
