"""The shipped catalog's data read ahead of time (cli/precompiled_catalog.py) is what plain_yaml reads
from the shipped catalog.yaml, and only that text gets it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml
from guardrails.cli import catalog_data, precompiled_catalog

from guardrails.engine import plain_yaml as plain_yaml_module
from guardrails.engine.bundle import PolicyBundle, default_policy_dir
from guardrails.engine.plain_yaml import KNOWN, NOT_PLAIN, plain_yaml


@pytest.fixture
def no_known_texts() -> Iterator[None]:
    saved = dict(KNOWN)
    KNOWN.clear()
    yield
    KNOWN.clear()
    KNOWN.update(saved)


@pytest.fixture
def recorded_series(monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed PyYAML seen as a release of the recorded series (CI may have any 6.x installed)."""
    monkeypatch.setattr(yaml, "__version__", catalog_data.YAML_SERIES + ".99")


def test_the_generated_data_is_what_the_installed_pyyaml_reads_from_the_shipped_catalog(
    no_known_texts: None, recorded_series: None
) -> None:
    text = (default_policy_dir() / "catalog.yaml").read_text(encoding="utf-8")
    regenerate = "stale: python -m guardrails.cli.precompiled_catalog"
    assert text == catalog_data.TEXT, regenerate
    assert json.loads(catalog_data.DATA) == plain_yaml(text) != NOT_PLAIN
    assert precompiled_catalog.generated_source() == precompiled_catalog.generated_file().read_text(
        encoding="utf-8"
    ), regenerate


@pytest.mark.parametrize(
    ("version", "series"),
    [("6.0", "6.0"), ("6.0.3", "6.0"), ("6.0.4", "6.0"), ("6.1.0", "6.1"), ("7.0b1", "7.0b1")],
)
def test_release_series(version: str, series: str) -> None:
    assert precompiled_catalog.release_series(version) == series


@pytest.mark.parametrize("version", ["6.0.1", "6.0.3", "6.0.4"])
def test_every_patch_release_of_the_series_seeds(
    no_known_texts: None, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.setattr(yaml, "__version__", version)
    precompiled_catalog.seed()
    assert KNOWN == {catalog_data.TEXT: catalog_data.DATA}


def test_seeded_the_bundle_is_the_same(no_known_texts: None, recorded_series: None) -> None:
    before = PolicyBundle.load()
    precompiled_catalog.seed()
    assert KNOWN == {catalog_data.TEXT: catalog_data.DATA}
    first, second = plain_yaml(catalog_data.TEXT), plain_yaml(catalog_data.TEXT)
    assert first == second and first is not second  # fresh data for every reader
    after = PolicyBundle.load()
    assert after.catalog == before.catalog and after.digest == before.digest


def test_a_known_text_is_read_as_before_when_the_safe_loader_was_changed(
    no_known_texts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    KNOWN["a: b\n"] = '{"a": "not what the text says"}'
    assert plain_yaml("a: c\n") == {"a": "c"}  # another text: read
    assert plain_yaml("a: b\n") == {"a": "not what the text says"}  # the known text: its data, unread
    monkeypatch.setattr(plain_yaml_module, "_unchanged_safe_loader", lambda: False)
    assert plain_yaml("a: b\n") is NOT_PLAIN  # the full loader decides, as without the cache


@pytest.mark.parametrize("version", ["0.0", "5.4.1", "6.1.0", "7.0"])
def test_another_pyyaml_series_seeds_nothing(
    no_known_texts: None, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    monkeypatch.setattr(yaml, "__version__", version)
    precompiled_catalog.seed()
    assert KNOWN == {}
