"""Reading a .qdpx archive without trusting it.

A hostile archive may be huge, may declare small sizes and inflate to gigabytes (a zip bomb),
or may name files outside itself ("../"). Sizes are checked on the archive, then on what each
entry declares, then on what it really inflates to, read in chunks; nothing is written to disk.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from .problems import Kind, Problem, QdaFileError

_CHUNK = 1 << 16
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    archive_bytes: int = 100 * 1024 * 1024
    entry_bytes: int = 50 * 1024 * 1024
    total_bytes: int = 200 * 1024 * 1024
    entries: int = 10_000


DEFAULT_LIMITS = Limits()


def unsafe_path(path: str) -> bool:
    """Whether a path inside an archive could land outside it once joined to a folder."""
    if not path or path.startswith(("/", "\\")) or "\\" in path or _DRIVE.match(path):
        return True
    return any(part == ".." for part in path.split("/")) or "\x00" in path


class Archive:
    """The entries of a ZIP file, each read at most once, within the limits."""

    def __init__(self, stream: BinaryIO, limits: Limits):
        self.limits = limits
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        if size > limits.archive_bytes:
            raise QdaFileError(
                [
                    Problem(
                        Kind.ARCHIVE_TOO_LARGE, params={"size": size, "limit": limits.archive_bytes}
                    )
                ]
            )
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise QdaFileError([Problem(Kind.NOT_A_ZIP)]) from None
        if len(infos) > limits.entries:
            raise QdaFileError(
                [
                    Problem(
                        Kind.TOO_MANY_ENTRIES,
                        params={"entries": len(infos), "limit": limits.entries},
                    )
                ]
            )
        problems = [
            Problem(Kind.UNSAFE_PATH, "ZIP entry", {"path": info.filename})
            for info in infos
            if unsafe_path(info.filename)
        ]
        declared = sum(info.file_size for info in infos)
        problems += [
            Problem(
                Kind.ENTRY_TOO_LARGE,
                "ZIP entry",
                {"path": info.filename, "size": info.file_size, "limit": limits.entry_bytes},
            )
            for info in infos
            if info.file_size > limits.entry_bytes
        ]
        if declared > limits.total_bytes and not problems:
            problems.append(
                Problem(
                    Kind.ENTRY_TOO_LARGE,
                    "ZIP archive",
                    {"path": "*", "size": declared, "limit": limits.total_bytes},
                )
            )
        if problems:
            raise QdaFileError(problems)
        # Tools differ in the case of "sources/" and of file names: look up without case.
        self.by_name = {info.filename.casefold(): info for info in infos if not info.is_dir()}
        self.read_total = 0

    def names(self) -> list[str]:
        return [info.filename for info in self.by_name.values()]

    def has(self, name: str) -> bool:
        return name.casefold() in self.by_name

    def read(self, name: str) -> bytes:
        info = self.by_name[name.casefold()]
        limit = min(self.limits.entry_bytes, info.file_size)
        parts: list[bytes] = []
        got = 0
        try:
            with self.zip.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    got += len(chunk)
                    # Never trust the declared size: stop as soon as the real one passes it.
                    if got > limit or self.read_total + got > self.limits.total_bytes:
                        raise QdaFileError(
                            [
                                Problem(
                                    Kind.ENTRY_TOO_LARGE,
                                    "ZIP entry",
                                    {"path": info.filename, "size": got, "limit": limit},
                                )
                            ]
                        )
                    parts.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
            raise QdaFileError(
                [Problem(Kind.NOT_A_ZIP, "ZIP entry " + info.filename, {"reason": str(error)})]
            ) from None
        self.read_total += got
        return b"".join(parts)


def join_inside(folder: str, name: str) -> str | None:
    """`folder/name` if it stays inside `folder` as a flat name, else None."""
    if unsafe_path(name) or "/" in name.strip("/"):
        return None
    return posixpath.join(folder, name.strip("/"))
