"""Where the dashboard keeps files: one private folder per session, one root per server.

Nothing a user sends (an uploaded file's name, queue or scenario names, the
file names a scenario refers to) ever forms a path on the server.

* **The root.**  ``python -m ccwfm.dashboard`` makes one folder per server
  with :func:`make_root` (``tempfile.mkdtemp``: mode 0700, named
  ``ccwfm-dashboard-*``, holding the marker file :data:`MARK`), hands it to
  the Streamlit child in the environment variable :data:`ROOT_ENV` and
  removes it when the server stops.  The app accepts a root from the
  environment only if it is such a folder (see :func:`given_root`); an app
  started otherwise (``streamlit run``, ``AppTest``) makes its own root on
  first use.  The process serving the app removes its root when it exits
  (``atexit``), so a launcher killed by SIGKILL, whose child is then stopped
  by the kernel, leaves nothing either once a session has run; and
  :func:`make_root` first removes the roots of launchers that are gone
  (their marker names the launcher's process id).
* **A session's folder** is the root plus a random token
  (:func:`new_token`), made with mode 0700 at the session's first write
  (:meth:`SessionFiles.writing`) and removed by :meth:`SessionFiles.release`
  when the session ends.  A session that writes nothing makes nothing.
* **Names shown or offered** (scenario and queue names taken from an
  uploaded file's name, download file names) go through :func:`label` and
  :func:`file_name`.
"""

import atexit
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path

ROOT_ENV = "CCWFM_DASHBOARD_ROOT"
"""Environment variable through which the launcher hands its root to the app."""
MARK = ".ccwfm-dashboard-root"
"""Marker file in a root made by :func:`make_root`."""
PREFIX = "ccwfm-dashboard-"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_LABEL_MAX = 60

_lock = threading.Lock()
_root = None                     # this process's root, once made or accepted
_registered = set()              # roots this process removes at exit


def _alive(pid):
    """False only when no process ``pid`` exists (anything unclear counts as alive)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def sweep(folder=None):
    """Remove the roots in ``folder`` (default: the system temp folder) whose launcher is gone.

    Only this user's private ``ccwfm-dashboard-*`` folders whose marker
    names a process id that no longer exists are removed; anything else
    (a live server's root, a folder without a marker) is left alone.

    Returns
    -------
    list of Path
        The roots removed.
    """
    folder = Path(tempfile.gettempdir() if folder is None else folder)
    removed = []
    try:
        candidates = list(folder.glob(f"{PREFIX}*"))
    except OSError:
        return removed
    for path in candidates:
        if given_root({ROOT_ENV: str(path)}) is None:
            continue
        try:
            pid = int((path / MARK).read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError, UnicodeDecodeError):
            continue
        if pid != os.getpid() and not _alive(pid):
            remove(path)
            removed.append(path)
    return removed


def make_root():
    """A new root folder: ``ccwfm-dashboard-*`` in the system temp folder, mode 0700.

    Its marker file :data:`MARK` holds this process's id.  The roots of
    launchers that are gone are removed first (:func:`sweep`).
    """
    sweep()
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    (root / MARK).write_text(f"{os.getpid()}\n", encoding="ascii")
    return root


def remove(path):
    """Remove ``path`` and everything in it; nothing happens if it is gone already."""
    shutil.rmtree(path, ignore_errors=True)


def given_root(environ=None):
    """The root the launcher handed over in :data:`ROOT_ENV`, or None.

    Only a folder :func:`make_root` could have made is accepted: an absolute
    path to a real folder (not a symbolic link) of this user, closed to
    everyone else (no group or other permission bits), holding :data:`MARK`.
    Anything else is ignored, so a stray variable can never make the app
    write into, or remove, a folder it did not make.
    """
    raw = (os.environ if environ is None else environ).get(ROOT_ENV)
    if not raw:
        return None
    path = Path(raw)
    try:
        info = path.lstat()
        mark = (path / MARK).lstat()
    except (OSError, ValueError):                # missing, or a NUL in the value
        return None
    if (not path.is_absolute() or not stat.S_ISDIR(info.st_mode) or not stat.S_ISREG(mark.st_mode)
            or info.st_mode & 0o077 or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
        return None
    return path


def _remove_at_exit(path):
    if path not in _registered:
        _registered.add(path)
        atexit.register(remove, path)


def adopt():
    """Remove the launcher's root (if one was handed over) when this process exits.

    Called by every new session; the root is registered once.
    """
    given = given_root()
    if given is not None:
        with _lock:
            _remove_at_exit(given)
    return given


def root():
    """This process's root folder: the launcher's, else one made now; removed at exit."""
    global _root
    with _lock:
        if _root is None or not _root.is_dir():
            _root = given_root() or make_root()
            _remove_at_exit(_root)
        return _root


def new_token():
    """A random session token (32 hexadecimal digits): the name of the session's folder."""
    return secrets.token_hex(16)


class SessionFiles:
    """The private folder of one session: made on first write, removed on :meth:`release`.

    Parameters
    ----------
    token : str
        The session's token from :func:`new_token`; the folder is
        ``root() / token``.
    """

    def __init__(self, token):
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise ValueError(f"'token' must be 32 hexadecimal digits: {token!r}")
        self.token = token
        self.released = False
        self._path = None
        self._lock = threading.Lock()

    @property
    def path(self):
        """The folder if it was made (None before the first write)."""
        return self._path

    @contextmanager
    def writing(self):
        """Yield the session's folder (made now, mode 0700, if it does not exist) to write in.

        If the session ended while the caller wrote (:meth:`release` ran in
        the meantime), what was written is removed when the block ends.
        """
        with self._lock:
            path = root() / self.token
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                pass
            info = path.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o077:
                raise RuntimeError(f"the session folder {path} is not a private folder")
            self._path = path
        try:
            yield path
        finally:
            with self._lock:
                if self.released:
                    remove(path)

    def release(self):
        """The session ended: remove its folder (now, and after a write still going on)."""
        with self._lock:
            self.released = True
            path = self._path
        if path is not None:
            remove(path)


def _clean(text, default):
    text = unicodedata.normalize("NFC", str(text))
    out = " ".join(re.sub(r"[^\w-]+", " ", text).split())[:_LABEL_MAX].strip(" -_")
    return out or default


def label(name, default):
    """A short, plain name for a scenario or queue from an uploaded file's name.

    The last component of the name without its extension, with every run of
    characters other than letters, digits, ``-`` and ``_`` (of any script)
    turned into one space, trimmed, at most 60 characters; ``default`` when
    nothing is left (``...csv``, ``../.csv``, a name of control characters).

    Examples
    --------
    >>> label("../../etc/Call volumes 2024.csv", "upload")
    'Call volumes 2024'
    >>> label("...csv", "upload")
    'upload'
    """
    text = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return _clean(text.rsplit(".", 1)[0] if "." in text else text, default)


def file_name(name, extension, default="ccwfm"):
    """A file name to offer for a download: ``name`` cleaned as by :func:`label`
    (but not split at ``/`` or ``.``), spaces as ``_``, then ``.extension``.

    Examples
    --------
    >>> file_name("what-if: 50%/bot", "csv")
    'what-if_50_bot.csv'
    >>> file_name("../..", "toml")
    'ccwfm.toml'
    """
    return f"{_clean(name, default).replace(' ', '_')}.{extension}"
