"""The content/ folder as the running app sees it: loaded once, validated, shared read-only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from server.content import (
    ChecklistTemplateDef,
    ConsentPurpose,
    Glossary,
    IndicatorSet,
    load_checklist_templates,
    load_consent_purposes,
    load_glossary,
    load_indicators,
)
from server.content.holidays import Calendar, load_holidays
from server.settings import DEFAULT_CONTENT_DIR

_content_dir = DEFAULT_CONTENT_DIR


def configure(content_dir: Path) -> None:
    """Point the app at another content folder (tests, deployments) and forget what was read."""
    global _content_dir
    _content_dir = content_dir
    indicator_set.cache_clear()
    consent_purposes.cache_clear()
    consent_rules.cache_clear()
    checklist_templates.cache_clear()
    glossary.cache_clear()
    holidays.cache_clear()


def content_dir() -> Path:
    """The folder content is read from."""
    return _content_dir


@lru_cache(maxsize=1)
def indicator_set() -> IndicatorSet:
    """The household indicator set."""
    return load_indicators(_content_dir)


@lru_cache(maxsize=1)
def consent_purposes() -> tuple[ConsentPurpose, ...]:
    """The purposes a household can consent to."""
    return load_consent_purposes(_content_dir)


@lru_cache(maxsize=1)
def consent_rules() -> tuple[frozenset[str], tuple[str, ...]]:
    """The keys of every consent purpose, and of those a household must consent to."""
    purposes = consent_purposes()
    return (
        frozenset(purpose.key for purpose in purposes),
        tuple(purpose.key for purpose in purposes if purpose.required),
    )


@lru_cache(maxsize=1)
def checklist_templates() -> dict[str, ChecklistTemplateDef]:
    """The support checklist templates by key."""
    return {template.key: template for template in load_checklist_templates(_content_dir)}


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The words lessons link to, with their plain definitions."""
    return load_glossary(_content_dir)


@lru_cache(maxsize=1)
def holidays() -> Calendar:
    """The public holidays and swapped working days the legal clocks skip and count."""
    return load_holidays(_content_dir)
