"""``.env`` / ``env_file`` parsing.

Every expected value below is what docker-compose v2.40.3 produced for the same file,
read as a service's ``env_file`` (``docker-compose config --format json`` under
``env -i`` plus the listed variables; Compose re-escapes ``$`` as ``$$`` in its output
and that is undone here). Error texts are Compose's wording on one line, with our own
``file:line:col`` (Compose prints only a line number, and sometimes the wrong one).
"""

from __future__ import annotations

import pytest

from translator.compose.dotenv import parse_dotenv
from translator.findings import UNSET_VARIABLE, Findings
from translator.source import InputError, Position

NO_ENV: dict[str, str] = {}


def parse(text: str, env: dict[str, str] | None = None) -> dict[str, str]:
    return parse_dotenv(text, "app.env", (env or {}).get)


def test_a_typical_file() -> None:
    text = (
        "# comment\n"
        "PLAIN=value\n"
        "SPACED =  spaced value   \n"
        "INLINE=val # comment\n"
        "NOSPACE=val#notcomment\n"
        "TAB=val\t# tab comment\n"
        "EMPTY=\n"
        "EMPTYC= # c\n"
        "export EXPORTED=yes\n"
        "YAML: colon\n"
        "   INDENT=ind\n"
        "K.dot-dash[x]=1\n"
        "L=x=y=z\n"
        "WIN=win\r\n"
    )
    assert parse(text) == {
        "PLAIN": "value",
        "SPACED": "spaced value",
        "INLINE": "val",
        "NOSPACE": "val#notcomment",
        "TAB": "val\t# tab comment",  # only " #" starts a comment
        "EMPTY": "",
        "EMPTYC": "# c",  # blanks after "=" go first, so the "#" has no space before it
        "EXPORTED": "yes",
        "YAML": "colon",
        "INDENT": "ind",
        "K.dot-dash[x]": "1",
        "L": "x=y=z",
        "WIN": "win",
    }


def test_order_is_first_appearance_and_last_value_wins() -> None:
    assert list(parse("B=1\nA=2\nB=3\n").items()) == [("B", "3"), ("A", "2")]


def test_single_quotes_are_literal() -> None:
    text = "SQ='single $PLAIN \\n \\' end'\nB='$$'\nP=\"it's\"\nQ='say \"hi\"'\nR='a\\\\b'\n"
    assert parse(text, {"PLAIN": "value"}) == {
        "SQ": "single $PLAIN \\n ' end",
        "B": "$$",
        "P": "it's",
        "Q": 'say "hi"',
        "R": "a\\\\b",
    }


def test_double_quotes_take_escapes_and_expand() -> None:
    text = (
        'DQ="double $PLAIN \\n \\t \\\\ \\" \\$PLAIN end"\n'
        'A="x\\$y $$z"\n'
        'K="\\a\\b\\f\\v\\r"\n'
        'J="tab\\there"\n'
        'OCT="\\0123 \\012 \\0 \\c \\x41"\n'
        'D="  padded  "\n'
        'E=  "x"\n'
        'T="a\\\\"\n'
    )
    assert parse(text, {"PLAIN": "value"}) == {
        "DQ": 'double value \n \t \\ " $PLAIN end',
        "A": "x$y $z",
        "K": "\a\b\f\v\r",
        "J": "tab\there",
        # \0NNN is octal; Compose keeps what it cannot decode without the 0
        "OCT": "S \\12 \\ \\c \\x41",
        "D": "  padded  ",
        "E": "x",
        "T": "a\\",
    }


def test_unquoted_backslashes_are_kept() -> None:
    assert parse("A=a\\nb\nI=\\x\n") == {"A": "a\\nb", "I": "\\x"}


def test_multi_line_quoted_values() -> None:
    text = 'DQM="line1\nline2"\nSQM=\'l1\nl2\'\nAFTER=1\nWINQ="q"\r\n'
    assert parse(text) == {"DQM": "line1\nline2", "SQM": "l1\nl2", "AFTER": "1", "WINQ": "q"}


def test_parsing_continues_after_the_closing_quote() -> None:
    assert parse('N="a" # c\n') == {"N": "a"}
    assert parse('A="x" B=2\n') == {"A": "x", "B": "2"}
    # "bar" is read as a key of its own, taken from the environment.
    assert parse('A="x"bar\nB=2\n', {"bar": "BAR"}) == {"A": "x", "bar": "BAR", "B": "2"}


def test_expansion_of_earlier_keys_and_the_environment() -> None:
    text = "PLAIN=value\nREF=${PLAIN}-${UNDEF:-dflt}\nC=$$\n"
    assert parse(text) == {"PLAIN": "value", "REF": "value-dflt", "C": "$"}
    # The environment wins over a key defined earlier in the file.
    assert parse("A=file\nB=${A}\nC=$A$$\n", {"A": "env"}) == {"A": "file", "B": "env", "C": "env$"}
    # An expanded value is not expanded again.
    assert parse('A="x\\$y"\nH=${A}\n') == {"A": "x$y", "H": "x$y"}


def test_keys_without_a_value_are_inherited() -> None:
    text = "A=1\nINH\nINHSP \nMISSING\nexport F\nB=2"
    env = {"INH": "fromenv", "INHSP": "sp", "F": "f"}
    assert parse(text, env) == {"A": "1", "INH": "fromenv", "INHSP": "sp", "F": "f", "B": "2"}
    assert parse("A=1\nA\n") == {"A": "1"}  # falls back to the file's own keys


def test_compose_quirks() -> None:
    # A bare word on the last line, with no line break, is stored under the empty key.
    assert parse("A=1\nLAST", {"LAST": "x"}) == {"A": "1", "": "LAST"}
    assert parse("export") == {"": "export"}
    assert parse("=val\n") == {"": "val"}
    assert parse("1ABC=1\n") == {"1ABC": "1"}
    assert parse("A\tB=1\n") == {"A\tB": "1"}
    assert parse("É=1\nA-B=2\n") == {"É": "1", "A-B": "2"}
    assert parse("export\nB=1") == {"B": "1"}
    assert parse('export  A = "v"') == {"A": "v"}
    assert parse("A=\u00a0x\u00a0\n") == {"A": "x"}
    assert parse(" # c\n\n  B = 2 # x") == {"B": "2"}


def test_byte_order_mark() -> None:
    assert parse("\ufeffA=1\n") == {"A": "1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # docker-compose: line 1: key cannot contain a space
        ("A B=1\n", "app.env:1:1: key cannot contain a space"),
        # docker-compose: line 1: unexpected character "$" in variable name "A$=1"
        (
            "X=1\n  A$=1\n",
            'app.env:2:4: unexpected character "$" in variable name "A$=1"; '
            "expected letters, digits and _ . - [ ]",
        ),
        (
            '"A"=1\n',
            'app.env:1:1: unexpected character "\\"" in variable name "\\"A\\"=1"; '
            "expected letters, digits and _ . - [ ]",
        ),
        # docker-compose: line 2: unterminated quoted value "unterminated
        # (its line is where it gave up; ours is the opening quote)
        (
            'A="unterminated\nB=2\n',
            'app.env:1:3: unterminated quoted value "unterminated; expected a closing " before the end',
        ),
        ("A='x", "app.env:1:3: unterminated quoted value 'x; expected a closing ' before the end"),
        # docker-compose: zero length string
        ("A=1\nexport ", "app.env:2:1: zero length string; expected KEY=VALUE after export"),
        # docker-compose: Invalid template: "${"
        (
            "A=1\nB= ${",
            'app.env:2:4: invalid interpolation format for B: "${"; '
            "you may need to escape any $ with another $",
        ),
        (
            'A="${B"',
            'app.env:1:3: invalid interpolation format for A: "${B"; '
            "you may need to escape any $ with another $",
        ),
        # docker-compose: required variable B is missing a value: need
        (
            "A=${B:?need}",
            "app.env:1:3: error while interpolating A: required variable B is missing a value: need",
        ),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_single_quotes_do_not_interpolate_bad_syntax() -> None:
    assert parse("A='${B'") == {"A": "${B"}


def test_unset_variables_become_empty_and_are_reported() -> None:
    # docker-compose warned about UNDEF only: ":+" does not warn.
    findings = Findings()
    values = parse_dotenv("X=1\nA=${UNDEF}\nB=${UNDEF2:+x}\n", "app.env", NO_ENV.get, findings=findings)
    assert values == {"X": "1", "A": "", "B": ""}
    [finding] = findings.items
    assert finding.code == UNSET_VARIABLE
    assert finding.position == Position("app.env", 2, 3)
    assert finding.message == "variable UNDEF is not set; using an empty string"


def test_findings_are_optional() -> None:
    assert parse("A=$UNDEF\n") == {"A": ""}
