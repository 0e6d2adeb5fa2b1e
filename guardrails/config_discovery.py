"""Find the configuration file for `guardrails check` and check it against the policy catalog.

Discovery: from the current folder up to the repository root (the first folder holding `.git`; the
filesystem root when there is none), the first folder with `.guardrails.yaml` or `guardrails.yaml`
wins. `--config FILE` always wins over discovery. Two candidates in one folder are ambiguous: an error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from guardrails.config import ConfigError, GuardrailsConfig
from guardrails.engine.bundle import Catalog

CONFIG_NAMES = (".guardrails.yaml", "guardrails.yaml")


def discover_config(start: Path | None = None) -> Path | None:
    """The config file that applies to `start` (default: the current folder), or None."""
    folder = (start or Path.cwd()).resolve()
    while True:
        found = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
        if len(found) > 1:
            names = " and ".join(str(p) for p in found)
            raise ConfigError(f"{names}: two configuration files in one folder; keep one (or pass --config)")
        if found:
            return found[0]
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def check_against_catalog(
    config: GuardrailsConfig, catalog: Catalog, source: Path | None, today: date | None = None
) -> list[str]:
    """Raise ConfigError for control ids the catalog does not have; return warnings (expired exemptions)."""
    where = f"{source}: " if source else ""
    known = set(catalog.by_id)
    unknown = [f"controls.{c}" for c in config.controls if c not in known]
    unknown += [f"runtime.controls.{c}" for c in config.runtime.controls if c not in known]
    unknown += [
        f"exemptions[{i}].control {e.control}"
        for i, e in enumerate(config.exemptions)
        if e.control != "*" and e.control not in known
    ]
    if unknown:
        raise ConfigError(
            f"{where}unknown control id(s): {', '.join(unknown)} (see `guardrails policy controls`)"
        )
    today = today or datetime.now(UTC).date()
    return [
        f"{where}exemptions[{i}] ({e.control} on {e.resource}) expired on {e.expires}; it no longer applies"
        for i, e in enumerate(config.exemptions)
        if not e.active_on(today)
    ]
