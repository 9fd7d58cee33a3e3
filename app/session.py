"""A sign-in that survives a reload (SPEC §10): a signed, expiring, HttpOnly cookie.

Streamlit keeps a session's state only while the browser tab stays connected: a reload starts a new session.
A Streamlit script cannot set a cookie (it talks to the browser over a WebSocket), so the dashboard adds one
route of its own beside Streamlit's (`st.App`, see dashboard.py):

1. a sign-in with a password mints a token — user name, a random session id, the expiry and a fingerprint of
   the account's password hash, signed with HMAC-SHA256 — and a one-time ticket for it (TICKET_SECONDS);
2. the page shows an invisible image from `ROUTE?ticket=…`; the route swaps the ticket for a `Set-Cookie` of
   the token (HttpOnly, SameSite=Lax, Secure over HTTPS, Max-Age the token's lifetime);
3. on a reload the browser sends the cookie with the WebSocket handshake; app/auth.py reads it from
   `st.context.cookies` and trusts it only when `Sessions.read` finds it genuine, unexpired and not signed out,
   and the account's password is still the one it was issued for.

Signing out puts the session id on the signed-out list (kept in the data folder, so it outlives a restart) and
hands the browser a ticket that deletes the cookie. The secret is $UNCT_SESSION_SECRET, else `session_secret`
under [unct] in secrets.toml, else one generated at first use into the data folder (`session-secret`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE = "unct_session"
ROUTE = "_unct/session"
SECRET_FILE = "session-secret"
SIGNED_OUT_FILE = "signed-out-sessions.json"
MIN_SECRET = 32
TICKET_SECONDS = 120
MAX_TICKETS = 10_000
#: one transparent pixel: what the page's image receives along with the cookie
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

log = logging.getLogger(__name__)


class SessionSecretError(ValueError):
    """No usable secret to sign sessions with (too short, or none can be kept); the text is what the
    administrator reads."""


def lifetime_seconds() -> int:
    """How long a sign-in is remembered: $UNCT_SESSION_HOURS (default 8, a working day)."""
    return int(float(os.environ.get("UNCT_SESSION_HOURS") or 8) * 3600)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Claims:
    """What a genuine token says: whose sign-in, which one, until when, for which password."""

    user_name: str
    session_id: str
    expires: int
    password: str


class Sessions:
    """The remembered sign-ins of one data folder: its secret and its signed-out list."""

    def __init__(self, folder: Path, configured_secret: str | None = None) -> None:
        self.folder = Path(folder)
        self._key = self._secret(configured_secret)
        self._lock = threading.Lock()
        self._signed_out = self._load_signed_out()

    # -- the secret ------------------------------------------------------------------------------------

    def _secret(self, configured: str | None) -> bytes:
        configured = os.environ.get("UNCT_SESSION_SECRET") or configured
        if configured:
            if len(configured) < MIN_SECRET:
                raise SessionSecretError(
                    f"The session secret ($UNCT_SESSION_SECRET or session_secret under [unct] in secrets.toml) has "
                    f'{len(configured)} characters; it needs at least {MIN_SECRET}: python -c "import secrets; '
                    f'print(secrets.token_hex(32))"'
                )
            return configured.encode()
        path = self.folder / SECRET_FILE
        try:
            try:  # made once, readable by its owner only
                with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                    out.write(secrets.token_hex(32))
            except FileExistsError:
                pass
            key = path.read_bytes().strip()
        except OSError as error:
            raise SessionSecretError(
                f"No session secret can be kept in {self.folder} ({error.strerror}): set "
                f"$UNCT_SESSION_SECRET, or make the folder writable."
            ) from error
        if len(key) < MIN_SECRET:
            raise SessionSecretError(f"{path} holds no usable session secret: delete it, and a new one is made.")
        return key

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, b"unct-session." + payload.encode(), hashlib.sha256).digest())

    def fingerprint(self, password_hash: str | None) -> str:
        """Ties a token to the password it was issued for: a new password ends the account's sessions."""
        return _b64(hmac.new(self._key, b"password." + (password_hash or "").encode(), hashlib.sha256).digest()[:12])

    # -- tokens ----------------------------------------------------------------------------------------

    def issue(self, user_name: str, password_hash: str | None, now: float | None = None) -> str:
        claims = {
            "u": user_name,
            "s": secrets.token_urlsafe(16),
            "e": int((now or time.time()) + lifetime_seconds()),
            "p": self.fingerprint(password_hash),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def read(self, token: str | None, now: float | None = None) -> Claims | None:
        """The token's claims when it is genuine (signed with this secret), unexpired and not signed out."""
        payload, _, signature = token.partition(".") if isinstance(token, str) else ("", "", "")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return None
        try:
            raw = json.loads(_unb64(payload))
            claims = Claims(str(raw["u"]), str(raw["s"]), int(raw["e"]), str(raw["p"]))
        except (ValueError, KeyError, TypeError):
            return None
        if claims.expires <= (now or time.time()):
            return None
        with self._lock:
            if claims.session_id in self._signed_out:
                return None
        return claims

    # -- signing out ---------------------------------------------------------------------------------------

    def sign_out(self, token: str | None) -> None:
        """Refuse the token from now on, in every tab and after a restart, until it would have expired anyway."""
        claims = self.read(token)
        if claims is None:
            return
        now = time.time()
        with self._lock:
            self._signed_out[claims.session_id] = claims.expires
            self._signed_out = {sid: until for sid, until in self._signed_out.items() if until > now}
            self._save_signed_out()

    def _load_signed_out(self) -> dict[str, int]:
        try:
            kept = json.loads((self.folder / SIGNED_OUT_FILE).read_text())
            return {str(sid): int(until) for sid, until in kept.items() if int(until) > time.time()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            log.warning(
                "The signed-out list %s cannot be read (%s): starting an empty one",
                self.folder / SIGNED_OUT_FILE,
                error,
            )
            return {}

    def _save_signed_out(self) -> None:
        path = self.folder / SIGNED_OUT_FILE
        try:
            part = path.with_suffix(".part")
            part.write_text(json.dumps(self._signed_out))
            os.replace(part, path)
        except OSError as error:  # still refused by this process; only a restart would forget it
            log.warning("The signed-out list %s cannot be written: %s", path, error)


# ---------------------------------------------------------------------------------------- the hand-off

_tickets: dict[str, tuple[str | None, float]] = {}  # ticket → (token to set, or None to delete; valid until)
_tickets_lock = threading.Lock()


def hand_off(token: str | None) -> str:
    """A one-time ticket the browser swaps at ROUTE for the cookie holding `token` (None: deleting it)."""
    ticket = secrets.token_urlsafe(32)
    now = time.time()
    with _tickets_lock:
        for old in [t for t, (_, until) in _tickets.items() if until <= now]:
            del _tickets[old]
        if len(_tickets) >= MAX_TICKETS:  # never grows without bound: the oldest ticket goes first
            del _tickets[min(_tickets, key=lambda t: _tickets[t][1])]
        _tickets[ticket] = (token, now + TICKET_SECONDS)
    return ticket


def pending(ticket: str | None) -> bool:
    """Whether the browser has still to swap the ticket (so the page keeps showing its image)."""
    with _tickets_lock:
        entry = _tickets.get(ticket or "")
    return entry is not None and entry[1] > time.time()


def _take(ticket: str) -> tuple[bool, str | None]:
    with _tickets_lock:
        token, until = _tickets.pop(ticket, (None, 0.0))
    return until > time.time(), token


def routes(base_url: str | None) -> list:
    """The route to mount beside Streamlit's, under its `server.baseUrlPath`: it swaps a ticket for the session
    cookie (or its deletion), for a request from the dashboard's own pages only (`Sec-Fetch-Site`); a used,
    expired or unknown ticket changes nothing."""
    from starlette.responses import Response
    from starlette.routing import Route

    prefix = "/" + base_url.strip("/") if base_url and base_url.strip("/") else ""

    async def exchange(request) -> Response:
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
            # only the dashboard's own page may swap a ticket: a link or image elsewhere could otherwise sign a
            # visitor in as someone else (the ticket stays good for the page it was made for)
            return Response(PIXEL, status_code=403, media_type="image/gif", headers=headers)
        # the module the pages use now: Streamlit re-imports a changed source file on the next run (while
        # developing), and the route, made once at start-up, must see the tickets that module hands out
        valid, token = importlib.import_module(__name__)._take(request.query_params.get("ticket", ""))
        response = Response(PIXEL, status_code=200 if valid else 404, media_type="image/gif", headers=headers)
        secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"
        cookie = {"path": prefix or "/", "secure": secure, "httponly": True, "samesite": "lax"}
        if valid and token is None:
            response.delete_cookie(COOKIE, **cookie)
        elif valid:
            response.set_cookie(COOKIE, token, max_age=lifetime_seconds(), **cookie)
        return response

    return [Route(f"{prefix}/{ROUTE}", exchange, methods=["GET"])]
