"""Load and validate the files in content/: indicator set, consent purposes, checklists, lessons.

The file formats are described field by field in docs/content.md. The readers live in
`content_toml.py` (shared checks), `content_indicators.py` (indicators, consent, checklists)
and `content_lessons.py` (lessons); this module is where the rest of the server imports them.
"""

from __future__ import annotations

from server.content_indicators import (
    ChecklistItem,
    ChecklistTemplateDef,
    Choice,
    ConsentPurpose,
    Indicator,
    IndicatorGroup,
    IndicatorSet,
    Target,
    load_checklist_templates,
    load_consent_purposes,
    load_indicators,
)
from server.content_lessons import (
    LessonDef,
    QuizQuestion,
    dump_lesson,
    load_lessons,
    normalise_body,
    parse_lesson,
)
from server.content_toml import (
    ACCEPTED_FIELDS,
    INDICATOR_TYPES,
    LANGUAGES,
    MSG_BOOL,
    MSG_CHOICE,
    MSG_INT,
    ContentError,
    Source,
)

__all__ = [
    "ACCEPTED_FIELDS",
    "INDICATOR_TYPES",
    "LANGUAGES",
    "MSG_BOOL",
    "MSG_CHOICE",
    "MSG_INT",
    "ChecklistItem",
    "ChecklistTemplateDef",
    "Choice",
    "ConsentPurpose",
    "ContentError",
    "Indicator",
    "IndicatorGroup",
    "IndicatorSet",
    "LessonDef",
    "QuizQuestion",
    "Source",
    "Target",
    "dump_lesson",
    "load_checklist_templates",
    "load_consent_purposes",
    "load_indicators",
    "load_lessons",
    "normalise_body",
    "parse_lesson",
]
