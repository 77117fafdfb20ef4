"""Text cleaning shared by every reader: Unicode NFC, whitespace, line-wrap hyphens, light LaTeX tidy."""

from __future__ import annotations

import json
import math
import re
import unicodedata

import pandas as pd

__all__ = ["join_text", "normalize_text", "shown_name", "strip_control", "tidy_latex", "to_str_or_none"]

# "repre-\nsentation" -> "representation" (only lower-case letters on both sides: a real word wrap)
_WRAP_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\r?\n[ \t]*(?=[a-z])")
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C1_CONTROL = re.compile(r"[\x80-\x9f]")  # \x9b starts an escape sequence in some terminals too
_LATEX_HINT = re.compile(r"[\\${}~]")

# accents: \"o, \"{o}, {\"o}, \'e, \c{c}, \v s ...
_ACCENT_MARKS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "c": "\u0327",
    "k": "\u0328",
}  # fmt: skip
_ACCENTS = (  # {\"o} or {\"{o}}; \"{o}; \"o; \c{c}; \v s
    re.compile(r"""\{\\([`'^~=".uvHcrk])\s*\{?\s*(\\?[A-Za-z])\s*\}?\}"""),
    re.compile(r"""\\([`'^~=".uvHcrk])\s*\{\s*(\\?[A-Za-z])\s*\}"""),
    re.compile(r"""\\([`'^~=".])(\\?[A-Za-z])"""),
    re.compile(r"\\([uvHcrk])\s+([A-Za-z])(?![A-Za-z])"),
)
_SPECIAL_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_SPECIAL_LETTER = re.compile(r"\{?\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])\s*\}?")
# text commands (Zotero and JabRef write ’ “ – < as {\textquoteright}, {\textquotedblleft}, ...);
# characters that the later steps would take for LaTeX go through placeholders
_DOLLAR = "\x00DOLLAR\x00"
_KEPT = {"\\": "\x00BACKSLASH\x00", "~": "\x00TILDE\x00", "{": "\x00LBRACE\x00", "}": "\x00RBRACE\x00"}
_SYMBOLS = {
    "textquoteright": "’", "textquoteleft": "‘", "textquotedblleft": "“", "textquotedblright": "”",
    "textquotesingle": "'", "textquotedbl": '"', "guillemotleft": "«", "guillemotright": "»",
    "guillemetleft": "«", "guillemetright": "»", "textendash": "–", "textemdash": "—", "textless": "<",
    "textgreater": ">", "textbar": "|", "textbackslash": _KEPT["\\"], "textasciitilde": _KEPT["~"],
    "textbraceleft": _KEPT["{"], "textbraceright": _KEPT["}"], "textdollar": _DOLLAR,
    "textasciicircum": "^", "textunderscore": "_", "textampersand": "&", "textslash": "/",
    "textasteriskcentered": "*", "textbullet": "•", "textperiodcentered": "·", "textellipsis": "…",
    "ldots": "…", "dots": "…", "textdegree": "°", "textregistered": "®", "texttrademark": "™",
    "textcopyright": "©", "copyright": "©", "textsection": "§", "S": "§", "textdagger": "†",
    "texttimes": "×", "textminus": "−", "textpm": "±", "textmu": "µ", "textperthousand": "‰",
    "texteuro": "€", "euro": "€", "textsterling": "£", "pounds": "£", "textyen": "¥",
    "textexclamdown": "¡", "textquestiondown": "¿", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "TeX": "TeX",
    "BibTeX": "BibTeX",
}  # fmt: skip
_SYMBOL = re.compile(rf"\\({'|'.join(sorted(_SYMBOLS, key=len, reverse=True))})(?![A-Za-z])(?:\s*\{{\}})?")
_SWITCH = re.compile(  # {\em x}, {\bf x}, {\small x}: the switch goes, its group's text stays
    r"\\(?:em|bf|it|sl|sc|tt|rm|sf|up|md|bfseries|mdseries|itshape|slshape|scshape|upshape|rmfamily"
    r"|sffamily|ttfamily|normalfont|tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE"
    r"|huge|Huge|boldmath|unboldmath)(?![A-Za-z])\s*"
)
_HREF_URL = re.compile(r"\\href\s*\{[^{}]*\}\s*")  # \href{url}{text}: the text stays
_BRACED_COMMAND = re.compile(r"\{\\[A-Za-z]+\*?\s*\}")  # {\unknown}: dropped, not glued to the next word
_CONTROL_SPACE = re.compile(r"\\[ ,;:]")  # \, \; \: and "\ " are spaces
# \- hyphenation hints, \/ italic corrections, the backslash of a doubled "\\%"
_STRAY_BACKSLASH = re.compile(r"\\(?:[-/@]|(?![A-Za-z]))")
_ESCAPED = re.compile(r"\\([&%_#$])")
# pandoc's rule for inline math: no space after the opening $, none before the closing $,
# and the closing $ is not followed by a digit (so "$5 and $6" stays money)
_MATH = re.compile(r"\$(?=\S)([^$]{1,300}?)(?<=\S)\$(?!\d)")
_DROP_COMMANDS = re.compile(  # citations and references, with the tie or space before them
    r"\s*~?\\(?:cite[a-z]*|ref|eqref|autoref|label|nocite)\*?\s*(?:\[[^\]]*\])?\{[^{}]*\}"
)
_COMMAND_WITH_ARG = re.compile(r"\\[A-Za-z]+\*?\s*\{([^{}]*)\}")
_TILDE = re.compile(r"(?<=[^\s/])~")  # a tie, not "~5%" nor a URL's "/~user"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _accent(mark: str, letter: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENT_MARKS[mark])


def tidy_latex(text: str) -> str:
    """Turn the LaTeX that shows up in titles and abstracts into plain text.

    ``$x^2$`` keeps its content, ``\\emph{x}``/``{\\em x}``/``\\href{url}{x}`` become ``x``,
    ``{\\"o}``/``\\'e`` become ``ö``/``é``, ``{\\textquoteright}``/``\\textendash`` become ``’``/``–``, a
    tie ``~`` becomes a space, citations and unknown ``{\\commands}`` are dropped and the remaining
    braces go.
    """
    if not _LATEX_HINT.search(text):
        return text
    text = text.replace("\\$", _DOLLAR)
    text = _MATH.sub(r"\1", text)
    text = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(1)], text)
    text = _SWITCH.sub("", text)
    text = _HREF_URL.sub("", text)
    for pattern in _ACCENTS:
        text = pattern.sub(lambda m: _accent(m.group(1), m.group(2)), text)
    text = _SPECIAL_LETTER.sub(lambda m: _SPECIAL_LETTERS[m.group(1)], text)
    text = _DROP_COMMANDS.sub("", text)
    previous = None
    while previous != text:  # innermost first: \textbf{\emph{x}}
        previous = text
        text = _COMMAND_WITH_ARG.sub(r"\1", text)
    text = _BRACED_COMMAND.sub("", text)
    text = _ESCAPED.sub(r"\1", text)
    text = text.replace("\\\\", " ")
    text = _CONTROL_SPACE.sub(" ", text)
    text = _STRAY_BACKSLASH.sub("", text)
    text = _TILDE.sub(" ", text)
    text = text.replace("{", "").replace("}", "")
    for character, placeholder in _KEPT.items():
        text = text.replace(placeholder, character)
    return text.replace(_DOLLAR, "$")


def to_str_or_none(value: object) -> str | None:
    """A cell as a string: None for missing, ``3`` (not ``3.0``) for a whole float."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (list, tuple)):
        parts = [to_str_or_none(v) for v in value]
        return " ".join(p for p in parts if p)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def strip_control(text: str) -> str:
    """`text` with its control characters (the ESC of a terminal escape sequence among them) as spaces;
    tabs and line breaks stay."""
    return _CONTROL.sub(" ", text)


def shown_name(name: object) -> str:
    """A column name as a message may show it: no control characters, whitespace collapsed."""
    return _WHITESPACE.sub(" ", _C1_CONTROL.sub(" ", strip_control(str(name)))).strip()


def normalize_text(value: object) -> str:
    """Clean one title/abstract/text value; missing values become ``""``."""
    text = to_str_or_none(value)
    if not text:
        return ""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = _WRAP_HYPHEN.sub("", text)
    text = strip_control(text)
    text = _WHITESPACE.sub(" ", text)
    text = tidy_latex(text)
    text = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", text).strip()


_END_PUNCTUATION = tuple(".!?:;…")


def join_text(*parts: str) -> str:
    """Join cleaned parts with ". " unless a part already ends with punctuation (then a space)."""
    out = ""
    for part in parts:
        if not part:
            continue
        if not out:
            out = part
        elif out.endswith(_END_PUNCTUATION):
            out = f"{out} {part}"
        else:
            out = f"{out}. {part}"
    return out
