"""A progress bar for long commands (seed, import, export), on the terminal's stderr."""

import sys
import time


class ProgressBar:
    def __init__(self, title: str, stream=None, width: int = 30):
        self.title = title
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self._last_logged: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(self.width * share)
        bar = "█" * filled + "·" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        line = f"{self.title} [{bar}] {share:4.0%} {stage} ({elapsed:.1f}s)"
        # On a terminal the bar redraws in place; in a log file, a line every tenth.
        if self.interactive:
            self.stream.write("\r" + line.ljust(100))
        elif (stage, int(share * 10)) != self._last_logged:
            self._last_logged = (stage, int(share * 10))
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
