"""Reading a transcript file into speaker turns: plain text, Word (.docx), WebVTT and SRT
subtitles. What a file is comes from its bytes, checked by the parser of its kind; a file
that is not what it says, or too large, is refused with a message saying why, before
anything is written.

A turn is a speaker's label (as written in the file: "Marie", "P03", "Animatrice", or
empty when the file does not say) and what they said. Consecutive captions of one
speaker are one turn.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import srt
import webvtt
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .models import DOCUMENT_MAX_CHARS

MAX_FILE_BYTES = 5 * 1024 * 1024
SPEAKER_MAX = 100
EXTENSIONS = (".txt", ".docx", ".vtt", ".srt")
# "Marie Roy : bonjour", "P03: oui", "ANIMATRICE — alors": a short label of letters
# (no digits but a pseudonym's) then a colon or a dash, at the start of a line.
SPEAKER_LINE = re.compile(
    r"^\s*(?P<label>[^\W\d_][\w.'’ -]{0,58}?[\w.])\s*(?:\u00a0)?[:—–]\s*(?P<text>.*)$"
)


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def _turns_from_lines(lines) -> list[Turn]:
    """Lines of text into turns: a line that starts with a speaker's label opens a turn,
    other lines continue the current one."""
    turns: list[list[str]] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = SPEAKER_LINE.match(line)
        if match and len(match.group("label").split()) <= 4:
            turns.append([match.group("label").strip(), match.group("text").strip()])
        elif turns:
            turns[-1][1] = f"{turns[-1][1]}\n{line}".strip()
        else:
            turns.append(["", line])
    return _merged([Turn(speaker[:SPEAKER_MAX], text) for speaker, text in turns if text])


def _merged(turns: list[Turn]) -> list[Turn]:
    merged: list[Turn] = []
    for turn in turns:
        if merged and turn.speaker and merged[-1].speaker == turn.speaker:
            merged[-1] = Turn(turn.speaker, f"{merged[-1].text}\n{turn.text}")
        else:
            merged.append(turn)
    return merged


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is not UTF-8 text (byte %(position)s cannot be read). Save it "
                    "again as UTF-8 (in Word or Notepad: “Save as”, encoding UTF-8)."
                )
                % {"name": name, "position": error.start}
            }
        ) from None
    if "\x00" in text:
        raise ValidationError({"file": _("“%(name)s” is not a text file.") % {"name": name}})
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _docx_lines(data: bytes, name: str) -> list[str]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ValidationError(
            {
                "file": _(
                    "“%(name)s” is not a real Word document (.docx). Open it in Word and save "
                    "it again as .docx, or as UTF-8 text."
                )
                % {"name": name}
            }
        ) from error
    except Exception as error:  # python-docx raises its own PackageNotFoundError and others
        raise ValidationError(
            {"file": _("“%(name)s” is not a real Word document (.docx).") % {"name": name}}
        ) from error
    return [paragraph.text for paragraph in document.paragraphs]


def _vtt_turns(text: str, name: str) -> list[Turn]:
    try:
        captions = webvtt.from_buffer(io.StringIO(text))
    except Exception as error:  # webvtt-py's MalformedFileError and parsing errors
        raise ValidationError(
            {"file": _("“%(name)s” is not a valid WebVTT file.") % {"name": name}}
        ) from error
    turns: list[Turn] = []
    for caption in captions:
        voice = (getattr(caption, "voice", None) or "").strip()
        if voice:
            turns.append(Turn(voice[:SPEAKER_MAX], caption.text.strip()))
        else:
            turns.extend(_turns_from_lines([caption.text.replace("\n", " ")]))
    return _merged([t for t in turns if t.text])


def _srt_turns(text: str, name: str) -> list[Turn]:
    try:
        subtitles = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as error:
        raise ValidationError(
            {"file": _("“%(name)s” is not a valid SRT subtitle file.") % {"name": name}}
        ) from error
    turns: list[Turn] = []
    for subtitle in subtitles:
        turns.extend(_turns_from_lines([subtitle.content.replace("\n", " ")]))
    return _merged(turns)


def check_size(*, name: str, size: int) -> None:
    """Before reading an upload: a file over the limit is refused unread."""
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            {
                "file": _("“%(name)s” is too large (at most %(size)s).")
                % {"name": Path(name or "").name[-120:], "size": filesizeformat(MAX_FILE_BYTES)}
            }
        )


def read_transcript(*, name: str, data: bytes) -> list[Turn]:
    """The turns of an uploaded file, or a ValidationError on "file" saying why not."""
    check_size(name=name, size=len(data))
    name = Path(name or "").name[-120:]
    extension = Path(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            {"file": _("“%(name)s” must be a .txt, .docx, .vtt or .srt file.") % {"name": name}}
        )
    if extension == ".docx":
        turns = _turns_from_lines(_docx_lines(data, name))
    else:
        text = _decode(data, name)
        if extension == ".vtt":
            turns = _vtt_turns(text, name)
        elif extension == ".srt":
            turns = _srt_turns(text, name)
        else:
            turns = _turns_from_lines(text.split("\n"))
    if not turns:
        raise ValidationError({"file": _("“%(name)s” holds no text.") % {"name": name}})
    if sum(len(t.speaker) + len(t.text) + 4 for t in turns) > DOCUMENT_MAX_CHARS:
        raise ValidationError(
            {
                "file": _("“%(name)s” is too long: at most %(max)s characters.")
                % {"name": name, "max": f"{DOCUMENT_MAX_CHARS:,}".replace(",", "\u202f")}
            }
        )
    return turns
