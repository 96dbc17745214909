"""Atomic file output: a reader never sees a half-written file, a stopped writer leaves none.

:func:`write_atomic` writes to a temporary file next to the destination and
renames it over the destination when the writer has finished.

* **Errors, Ctrl+C, SIGTERM.**  On any exception, ``KeyboardInterrupt`` and
  ``SystemExit`` included, the temporary file is removed and the
  destination is untouched (the command line turns SIGTERM into an
  exception for this, see :mod:`plan.cli`).
* **SIGKILL** (or a power cut) cannot be caught.  The temporary file's name
  carries the writer's host (and process-id namespace), process id and
  process start time:
  ``.plan.ccwfm-<host>-<pid>-<start>-<random>.tmp.xlsx``.  Every write first
  removes, in its destination folder, the temporary files of this host
  whose process is gone (no such pid, or a pid reused by a process that
  started at another time), so a killed writer's leftovers last only until
  the next write there.  Files of other hosts (a shared network folder)
  and of live processes are never touched.
* **Permissions.**  The temporary file is created with ``open(...,
  0o666)``, so the kernel gives it ``0o666 & ~umask`` (and the folder's
  default ACL, if any), exactly as a plain ``open()`` would, with no need
  to read the umask (reading it with ``os.umask`` is racy between threads).
  If the writer replaced the file by another with other permissions, they
  are set back before the rename.  Folders are created by a normal
  ``mkdir`` (``0o777 & ~umask``).
"""

import hashlib
import os
import re
import secrets
import socket
from pathlib import Path

_TEMP = re.compile(r"\..*\.ccwfm-(?P<host>[0-9a-f]{8})-(?P<pid>\d{1,10})-(?P<start>\d{1,20})"
                   r"-[0-9a-f]{8}\.tmp(\.[^.]*)?", re.DOTALL)


def _host():
    """A short tag of this machine and process-id namespace (where our pids mean something)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")      # containers sharing a host name
    except OSError:
        namespace = ""
    name = f"{socket.gethostname()}\0{namespace}".encode("utf-8", "surrogateescape")
    return hashlib.blake2s(name, digest_size=4).hexdigest()


def _start_time(pid):
    """When process ``pid`` started (clock ticks since boot, from /proc), or 0 if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
        return int(data[data.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def _alive(pid, start):
    """Whether the process that made a temporary file may still be writing it."""
    if pid <= 0:
        return True
    if pid != os.getpid():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass                                # alive, another user's
        except (OSError, OverflowError, ValueError):
            return True                         # cannot tell: leave it
    now = _start_time(pid)
    return not (start and now and now != start)  # a reused pid is another process


def remove_stale(folder):
    """Remove ``folder``'s temporary files left by killed writers of this host.

    Returns the names removed.
    """
    host, removed = _host(), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.fullmatch(entry.name)
        if m is None or m["host"] != host:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if not _alive(int(m["pid"]), int(m["start"])):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:                         # gone already, or not ours to remove
            continue
    return removed


def _create(path):
    """A new empty temporary file next to ``path``: its name and its permission bits."""
    pid = os.getpid()
    stem = path.name[:-len(path.suffix)] if path.suffix else path.name
    # The name keeps the extension (Excel writers check it), and stays short.
    prefix = f".{stem[:48]}.ccwfm-{_host()}-{pid}-{_start_time(pid)}-"
    suffix = f".tmp{path.suffix[:16]}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        try:
            return tmp, os.fstat(fd).st_mode & 0o7777
        finally:
            os.close(fd)
    raise FileExistsError(f"no free temporary name next to {path}")


def write_atomic(path, write):
    """Call ``write(tmp_path)`` on a temporary file next to ``path``, then rename it.

    On any error or interruption the temporary file is removed and
    ``path`` is untouched; the file written has the permissions a plain
    ``open()`` would give it (``0o666 & ~umask``).  Stale temporary files
    of killed writers in the folder are removed first (see the module's
    notes).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path.parent)
    tmp = None
    try:
        tmp, mode = _create(path)
        write(str(tmp))
        if os.stat(tmp).st_mode & 0o7777 != mode:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
