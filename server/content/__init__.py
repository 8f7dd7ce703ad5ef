"""Load and validate the files in content/: indicator set, consent purposes, checklists, lessons.

The file formats are described field by field in docs/content.md. The readers live in
`toml.py` (shared checks), `indicators.py` (indicators, consent, checklists), `lessons.py`
(lessons) and `glossary.py` (the words lessons explain); `curriculum.py` holds what the running
app loaded. This module is the package's face.
"""

from __future__ import annotations

from server.content.glossary import GLOSSARY_LINK, Glossary, Term, load_glossary
from server.content.indicators import (
    PERSONAL_FIELDS,
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
from server.content.lessons import (
    LessonDef,
    QuizQuestion,
    dump_lesson,
    load_lessons,
    normalise_body,
    parse_lesson,
)
from server.content.toml import (
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
    "GLOSSARY_LINK",
    "INDICATOR_TYPES",
    "LANGUAGES",
    "MSG_BOOL",
    "MSG_CHOICE",
    "MSG_INT",
    "PERSONAL_FIELDS",
    "ChecklistItem",
    "ChecklistTemplateDef",
    "Choice",
    "ConsentPurpose",
    "ContentError",
    "Glossary",
    "Indicator",
    "IndicatorGroup",
    "IndicatorSet",
    "LessonDef",
    "QuizQuestion",
    "Source",
    "Target",
    "Term",
    "dump_lesson",
    "load_checklist_templates",
    "load_consent_purposes",
    "load_glossary",
    "load_indicators",
    "load_lessons",
    "normalise_body",
    "parse_lesson",
]
