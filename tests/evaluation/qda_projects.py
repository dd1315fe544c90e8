"""Hypothesis strategies for REFI-QDA projects: accents, emoji, Windows line ends, characters
XML must escape, nested codes, overlapping passages coded by several coders."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import strategies as st

from maillage.evaluation.refi_qda import (
    Case,
    Code,
    Coding,
    Note,
    Project,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
    VariableType,
    VariableValue,
)

_PIECES = st.sampled_from(
    [
        "a",
        "e",
        "é",
        "è",
        "à",
        "ç",
        "Œ",
        "ü",
        " ",
        ".",
        "\r\n",
        "\n",
        "\t",
        "🎉",
        "👶🏽",
        "😀",
        "&",
        "<",
        '"',
        "中",
    ]
)
text = st.lists(_PIECES, max_size=60).map("".join)
short = st.lists(_PIECES.filter(lambda p: p not in ("\r\n", "\n", "\t")), max_size=12).map("".join)
name = short.filter(lambda s: s.strip() != "") | st.just("Code")
# Hypothesis takes naive bounds and adds the zone itself.
moment = st.none() | st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2040, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
color = st.sampled_from(["", "#FF0000", "#00aa11", "#abc"])


@st.composite
def projects(draw) -> Project:
    base = draw(st.integers(0, 2**120))
    counter = iter(range(10_000))

    def guid() -> str:
        return str(uuid.UUID(int=base + next(counter)))

    users = [User(guid(), draw(name)) for _ in range(draw(st.integers(1, 3)))]
    notes = [
        Note(guid(), draw(short), draw(text), draw(st.sampled_from(users)).guid, draw(moment))
        for _ in range(draw(st.integers(0, 2)))
    ]
    note_guids = [n.guid for n in notes]

    def note_refs() -> list[str]:
        return draw(st.lists(st.sampled_from(note_guids), max_size=1, unique=True)) if notes else []

    def code(depth: int) -> Code:
        children = [code(depth + 1) for _ in range(draw(st.integers(0, 2 if depth < 2 else 0)))]
        return Code(
            guid(), draw(name), draw(st.booleans()), draw(color), draw(text), children, note_refs()
        )

    codes = [code(0) for _ in range(draw(st.integers(1, 3)))]
    all_codes = [c.guid for top in codes for c in top.walk()]
    variables = [
        Variable(guid(), draw(name), kind, draw(short))
        for kind in draw(st.lists(st.sampled_from(list(VariableType)), max_size=3))
    ]

    def value_of(variable: Variable) -> VariableValue:
        strategies = {
            VariableType.TEXT: short,
            VariableType.BOOLEAN: st.booleans(),
            VariableType.INTEGER: st.integers(-(10**9), 10**9),
            VariableType.FLOAT: st.decimals(allow_nan=False, allow_infinity=False, places=3).map(
                lambda d: Decimal(str(d))
            ),
            VariableType.DATE: st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
            VariableType.DATETIME: moment.filter(lambda m: m is not None),
        }
        return VariableValue(variable.guid, draw(strategies[variable.type]))

    sources = []
    for _ in range(draw(st.integers(1, 3))):
        body = draw(text)
        selections = []
        for _ in range(draw(st.integers(0, 5))):
            start = draw(st.integers(0, len(body)))
            end = draw(st.integers(start, len(body)))
            codings = [
                Coding(
                    guid(), draw(st.sampled_from(all_codes)), user.guid, draw(moment), note_refs()
                )
                for user in draw(st.lists(st.sampled_from(users), min_size=1, max_size=2))
            ]
            selections.append(
                Selection(
                    guid(),
                    start,
                    end,
                    body[start:end][:40],
                    draw(short),
                    draw(st.sampled_from(users)).guid,
                    draw(moment),
                    codings,
                    note_refs(),
                )
            )
        sources.append(
            TextSource(
                guid(),
                draw(name),
                body,
                draw(text),
                users[0].guid,
                draw(moment),
                selections,
                note_refs(),
                [value_of(v) for v in variables[:1]],
            )
        )
    cases = [
        Case(
            guid(),
            draw(short),
            draw(short),
            draw(st.lists(st.sampled_from(all_codes), max_size=1)),
            [value_of(v) for v in variables],
            [s.guid for s in sources[:1]],
            [sel.guid for s in sources for sel in s.selections][:1],
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    sets = [
        Set(
            guid(),
            draw(name),
            draw(short),
            all_codes[:1],
            [s.guid for s in sources][-1:],
            note_guids[:1],
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return Project(
        name=draw(name),
        origin="Maillage (tests)",
        creating_user=users[0].guid,
        created_at=draw(moment),
        modifying_user=users[-1].guid,
        modified_at=draw(moment),
        description=draw(text),
        users=users,
        codes=codes,
        variables=variables,
        cases=cases,
        sources=sources,
        notes=notes,
        sets=sets,
        note_guids=note_refs(),
    )
