"""The `gasmix` command (and `python -m gasmix`): the command line of cli.py, run so that
however it stops, it says what is on disk.

`run()` is the console script's entry point. It installs its signal handlers before it
imports anything of gasmix's beyond this file, so that a Ctrl-C in the first moments (while
click, numpy, pandas or HiGHS load) also ends in one line rather than a traceback.

* SIGINT (Ctrl-C) and SIGTERM stop the run: exit 128 + the signal's number (130, 143; see
  optimizer/errors.py) with one line, "interrupted: …" or "terminated: …", then what this
  run wrote — "nothing was written", or the outputs it swapped in, each complete
  (optimizer/output/files.py keeps that record, and the swap and its record happen with
  these signals held back, so the line is never out of date). Outputs are finished aside
  and swapped in, so everything else is as it was.
* A signal is acted on even when the exception its handler raised was lost on the way:
  Python drops an exception raised inside a finaliser (a ZipFile's `__del__` while a
  workbook is saved), and an import cut short can surface as an ImportError. A run that
  received one never exits 0, nor with a traceback.
* Standard output closed by its reader (`gasmix … | head`): printing stops quietly, the
  work goes on to its own exit code, and one line on standard error says so.
* What the run repaired of killed runs' leftovers is listed on standard error ("note: …").
"""

import os
import signal
import sys

# Imported only by name: this module must load nothing before its handlers are in place.
_FILES = "gasmix.optimizer.output.files"
_STOPS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
_received: list = []  # the signals received, in order


class Stop(BaseException):
    """Raised by the handlers of SIGINT and SIGTERM. Not a KeyboardInterrupt, so neither
    click nor a library handles it on the way: it unwinds (cleaning up temporary output)
    to `run()`."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


# A stop must end gasmix even where unwinding cannot finish: a Stop raised inside the
# machinery of a process pool can leave a thread the interpreter joins at exit waiting for
# ever (seen once in three clean-clone CI runs: a two-worker sweep alive 120 s after its
# SIGTERM). After this many seconds the stop ends the process as it would have ended.
_STOP_BOUND = 20
_reported: list = []  # the stop's last line has been written


def _stop(signum, frame):
    if not _received and hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _give_up)
        signal.alarm(_STOP_BOUND)
    _received.append(signum)
    raise Stop(signum)


def _give_up(_signum, _frame):
    """The stop's bound has passed: say what is on disk (once) and end the process now."""
    signum = _received[0]
    if not _reported:
        files = sys.modules.get(_FILES)
        on_disk = files.on_disk() if files else "nothing was written"
        from gasmix.models.safe_text import visible  # paths are shown, never sent raw
        os.write(2, f"{_STOPS[signum]}: {visible(on_disk)}\n".encode(errors="replace"))
    os._exit(128 + signum)


class _ReaderGone:
    """Standard output that, once its reader has closed the pipe, discards what is
    written instead of raising BrokenPipeError in the middle of the work."""

    def __init__(self, stream):
        self._stream = stream
        self.closed_by_reader = False

    def _guard(self, method, *args):
        if self.closed_by_reader:
            return None
        try:
            return method(*args)
        except BrokenPipeError:
            self.closed_by_reader = True
            # Whatever is still buffered goes nowhere, now and at exit.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self._stream.fileno())
                os.close(devnull)
            except (OSError, ValueError):  # a stream without a file descriptor
                pass
            return None

    def write(self, text):
        written = self._guard(self._stream.write, text)
        return len(text) if written is None else written

    def flush(self):
        self._guard(self._stream.flush)

    def __getattr__(self, name):  # isatty, fileno, encoding, … as the real stream has them
        return getattr(self._stream, name)


def run(args=None) -> None:
    for signum in _STOPS:
        signal.signal(signum, _stop)
    code = 0
    stdout = sys.stdout = _ReaderGone(sys.stdout) if sys.stdout is not None else None
    try:
        from gasmix.cli import main

        main.main(args=args, prog_name="gasmix")
    except SystemExit as exc:  # how click and cli.py end every run
        code = exc.code
    except Stop:
        pass
    except KeyboardInterrupt:  # a library's own SIGINT handler: the same as ours
        _received.append(signal.SIGINT)
    except BaseException:
        if not _received:
            raise  # not caused by a stop: a bug, to be seen with its traceback
    _finish(code, stdout)


def _finish(code, stdout) -> None:
    # The outcome is decided: nothing is left to stop (a signal now would only kill the
    # interpreter mid-exit).
    for signum in _STOPS:
        signal.signal(signum, signal.SIG_IGN)
    if stdout is not None:
        stdout.flush()
    files = sys.modules.get(_FILES)  # not loaded: nothing was written
    # Paths are the user's: their control characters are shown, never sent to the terminal.
    from gasmix.models.safe_text import visible

    for note in (files.recovered() if files else ()):
        sys.stderr.write(f"note: {visible(note)}\n")
    if stdout is not None and stdout.closed_by_reader:
        sys.stderr.write("note: standard output was closed by its reader (broken pipe); what "
                         "was printed after that was dropped\n")
    if _received:
        signum = _received[0]
        on_disk = files.on_disk() if files else "nothing was written"
        sys.stderr.write(f"{_STOPS[signum]}: {visible(on_disk)}\n")
        code = 128 + signum
    sys.stderr.flush()
    if _received:
        _reported.append(True)  # (the bound still holds through the interpreter's exit)
    sys.exit(code)


if __name__ == "__main__":
    run()
