"""``.env`` and ``env_file`` files, read exactly as Docker Compose (compose-go's ``dotenv``) reads them.

Each statement is ``KEY=value`` (or ``KEY: value``), optionally after ``export``:

- Blank lines and lines starting with ``#`` are skipped.
- Unquoted values end at the line break, lose a trailing `` #comment`` (a ``#`` with a
  space before it; ``a#b`` keeps its ``#``) and surrounding blanks, then expand
  ``${VAR}``. Leading blanks go before the comment cut, so ``KEY= #x`` gives ``#x``.
- ``'single'`` quotes keep their text literally (only ``\\'`` becomes ``'``).
- ``"double"`` quotes take ``\\n \\t \\r \\a \\b \\f \\v \\\\ \\" \\$`` and ``\\0NNN`` (octal)
  escapes, keep unknown escapes (``\\x``) as written, then expand ``${VAR}``.
- Quoted values may span lines; parsing continues right after the closing quote, so
  ``K="a" # note`` and ``A="1" B=2`` both work.
- ``KEY`` alone on a line takes its value from the environment, or is left out.
- Variables expand from the environment first, then from keys defined earlier.

Quirks kept on purpose because docker-compose v2.40.3 shows them: a key may hold
letters and digits of any script and ``_ . - [ ]``, and tabs (``A<TAB>B=1`` is key
``A<TAB>B``); a final line with no ``=``/``:`` and no line break (``KEY`` at the end of the
file) becomes the value of the empty key ``""``; a key may start with a digit.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from translator.compose.interpolation import (
    Lookup,
    TemplateError,
    quote,
    report_unset,
    single_line,
    substitute,
)
from translator.findings import Findings
from translator.source import InputError, Position

# Blanks inside a statement (compose-go's isSpace): Latin-1 white space except the line break.
_BLANK = "\t\v\f\r \x85\xa0"
# Go's unicode.IsSpace; Python's str.isspace() also accepts \x1c-\x1f, which Go does not.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
# Go's \s is [\t\n\f\r ]: "export" must be followed by one of these to be a prefix.
_EXPORT = re.compile(r"export[\t\n\f\r ]+")
_KEY_PUNCTUATION = "_.-[]"
_SEPARATORS = "=:\n"
_QUOTES = "'\""
# The escapes compose-go expands in double quotes; anything else after "\" stays as written.
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


def parse_dotenv(
    text: str,
    filename: str,
    lookup: Lookup,
    *,
    findings: Findings | None = None,
    fallback: Lookup | None = None,
) -> dict[str, str]:
    """Parse a dotenv file into its keys and values, in the order they first appear.

    ``lookup`` gives the environment (it wins over keys defined earlier in the file,
    as in Compose); ``fallback`` (keys of env files read before this one) comes after
    those keys, since Compose reads every file into one map. Unset variables in values
    become ``""`` and, when ``findings`` is given, are reported there. Malformed input
    raises :class:`InputError`.
    """
    parser = _Parser(text.removeprefix("\ufeff"), filename, lookup, findings)
    parser.fallback = fallback
    return parser.parse()


class _Parser:
    def __init__(self, text: str, filename: str, lookup: Lookup, findings: Findings | None) -> None:
        self.text = text
        self.filename = filename
        self.lookup = lookup
        self.findings = findings
        self.values: dict[str, str] = {}
        self.fallback: Lookup | None = None
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def parse(self) -> dict[str, str]:
        offset = self._next_statement(0)
        while offset < len(self.text):
            offset = self._statement(offset)
            offset = self._next_statement(offset)
        return self.values

    def _next_statement(self, offset: int) -> int:
        """Skip blanks, line breaks and comment lines; returns len(text) at the end."""
        text = self.text
        while True:
            while offset < len(text) and text[offset] in _SPACE:
                offset += 1
            if offset >= len(text) or text[offset] != "#":
                return offset
            line_end = text.find("\n", offset)
            if line_end < 0:
                return len(text)
            offset = line_end

    def _statement(self, start: int) -> int:
        """Read one statement at ``start``; returns where the next one may begin."""
        text = self.text
        key_start = start
        export = _EXPORT.match(text, start)
        if export:
            key_start = self._skip_blanks(start + len("export"))
        separator = self._key_end(key_start)
        if separator < 0:
            # No "=", ":" or line break before the end: Compose stores the rest under "".
            if key_start >= len(text):
                raise InputError(self._position(start), "zero length string; expected KEY=VALUE after export")
            self.values[""] = text[key_start:].rstrip(_SPACE)
            return len(text)
        key = text[key_start:separator].rstrip(_SPACE)
        if " " in key:
            raise InputError(self._position(key_start), "key cannot contain a space")
        value_start = self._skip_blanks(separator + 1)
        if text[separator] == "\n":
            inherited = self._resolve(key)
            if inherited is not None:
                self.values[key] = inherited
            return value_start
        if value_start < len(text) and text[value_start] in _QUOTES:
            value, end = self._quoted(value_start, key)
        else:
            value, end = self._unquoted(value_start, key)
        self.values[key] = value
        return end

    def _key_end(self, offset: int) -> int:
        """Index of the separator ending the key at ``offset``, or -1 when the text ends first."""
        text = self.text
        for index in range(offset, len(text)):
            char = text[index]
            if char in _SEPARATORS:
                return index
            if char in _BLANK or char in _KEY_PUNCTUATION or unicodedata.category(char)[0] in "LN":
                continue
            first_line = text[offset:].split("\n", 1)[0]
            raise InputError(
                self._position(index),
                f"unexpected character {quote(char)} in variable name {quote(first_line)}; "
                "expected letters, digits and _ . - [ ]",
            )
        return -1

    def _unquoted(self, start: int, key: str) -> tuple[str, int]:
        line_end = self.text.find("\n", start)
        end = len(self.text) if line_end < 0 else line_end
        raw = self.text[start:end].split(" #", 1)[0].rstrip(_SPACE)
        return self._expand(raw, start, key), end

    def _quoted(self, start: int, key: str) -> tuple[str, int]:
        """The value in quotes at ``start``; returns it and the index after the closing quote."""
        text = self.text
        quote_char = text[start]
        chars: list[str] = []
        escaped = False
        for index in range(start + 1, len(text)):
            char = text[index]
            if char == quote_char and not escaped:
                value = "".join(chars)
                if quote_char == '"':
                    value = self._expand(_unescape(value), start, key)
                return value, index + 1
            if char == "\\" and not escaped:
                escaped = True
                continue
            # A backslash survives unless it escaped the quote itself; double quotes
            # decode the remaining escapes afterwards, single quotes keep them.
            if escaped and char != quote_char:
                chars.append("\\")
            escaped = False
            chars.append(char)
        first_line = text[start:].split("\n", 1)[0]
        raise InputError(
            self._position(start),
            f"unterminated quoted value {single_line(first_line)}; "
            f"expected a closing {quote_char} before the end",
        )

    def _expand(self, value: str, start: int, key: str) -> str:
        """Interpolate the value of ``key`` that starts at ``start``."""
        position = self._position(start)

        def on_unset(name: str) -> None:
            if self.findings is not None:
                report_unset(self.findings, name, position)

        try:
            return substitute(value, self._resolve, on_unset)
        except TemplateError as err:
            raise InputError(position, err.message(key)) from None

    def _resolve(self, name: str) -> str | None:
        """The environment first, then keys defined earlier, as Compose looks them up."""
        value = self.lookup(name)
        if value is None:
            value = self.values.get(name)
        if value is None and self.fallback is not None:
            value = self.fallback(name)
        return value

    def _skip_blanks(self, offset: int) -> int:
        while offset < len(self.text) and self.text[offset] in _BLANK:
            offset += 1
        return offset

    def _position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.line_starts, offset)
        return Position(self.filename, line, offset - self.line_starts[line - 1] + 1)


def _unescape(value: str) -> str:
    """Decode the escapes of a double-quoted value before it is interpolated."""
    return _ESCAPE.sub(_decode_escape, value)


def _decode_escape(match: re.Match[str]) -> str:
    code = match.group()[1:]
    if code == "$":
        return "$$"  # a literal "$" that interpolation must leave alone
    if code.startswith("0"):
        # "\0NNN" is octal NNN; Compose drops the "0" and keeps "\NN" when NNN is not
        # three octal digits below 256 ("\012" gives "\12", "\0" gives "\").
        digits = code[1:]
        if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) < 256:
            return chr(int(digits, 8))
        return "\\" + digits
    return _ESCAPES.get(code, match.group())  # "\c" is matched but not an escape: kept
