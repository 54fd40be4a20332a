"""The console's aiohttp sub-application, mounted under ``/konsol/``: middlewares (error page,
session, CSRF), login by link, logout, language, static files; the pages live in ``pages/``.

Every route but the login pages and the static files needs a live session (``session.py``);
every POST carries the session's CSRF token; pages that write need Dinsos (or admin) and check
the region of what they touch against the viewer's roles, whatever the URL or form says.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.web.ports import AuditProcessingLog, ProcessingLog
from bot.web.render import Renderer
from bot.web.session import COOKIE, Viewer, new_secret, role_keys, same_secret, viewer_for
from bot.web.uploads import Upload, UploadRefused, read_multipart
from handlers.app import Kawal
from locales import DEFAULT_LANG, LANGS, lang_of
from storage.db import UnitOfWork

__all__ = ["CONSOLE_KEY", "PREFIX", "Console", "ConsoleConfig"]

log = logging.getLogger(__name__)

PREFIX = "/konsol"
LANG_COOKIE = "kawal_bahasa"
STATIC = Path(__file__).resolve().parent / "static"
_PUBLIC = ("/masuk/", "/static/", "/keluar/selesai", "/bahasa")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
VIEWER_KEY = web.RequestKey("viewer", Viewer)
FORM_KEY: web.RequestKey[MultiDictProxy[Any]] = web.RequestKey("form", MultiDictProxy)
UPLOAD_KEY = web.RequestKey("upload", Upload)
# The pages that take a file (multipart/form-data), each into the viewer's own folder under
# ``Console.uploads_dir``; any other page refuses a file.
UPLOAD_PATHS = frozenset({"/pengumuman/baru"})


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    session_hours: int = 8
    secure_cookie: bool = False


class Console:
    """The console of one Kawal: its database, forms, clock and options."""

    def __init__(
        self,
        kawal: Kawal,
        config: ConsoleConfig | None = None,
        processing_log: ProcessingLog | None = None,
    ) -> None:
        self.kawal = kawal
        self.db = kawal.db
        self.config = config or ConsoleConfig()
        self.log: ProcessingLog = processing_log or AuditProcessingLog()
        self.renderer = Renderer()

    @property
    def options(self) -> Any:
        return self.kawal.options

    def uploads_dir(self, person_id: int) -> Path:
        """Where files ``person_id`` sends to the console are kept (announcement attachments,
        beside the chat's received files: removed by housekeeping after
        ``KAWAL_MEDIA_KEEP_DAYS`` unless still to be sent)."""
        media = self.options.media_dir or self.options.exports_dir.parent / "media"
        return Path(media) / "announcements" / f"web-{person_id}"

    def now(self) -> dt.datetime:
        return self.kawal.clock.now()

    def install(self, app: web.Application) -> None:
        """Mount the console under ``/konsol/`` of ``app`` (a route installer for
        :func:`bot.server.build_web_app`)."""
        app.add_subapp(PREFIX, self.app())

    def app(self) -> web.Application:
        from bot.web.pages import install_pages

        console_app = web.Application(middlewares=[self._errors, self._session])
        console_app[CONSOLE_KEY] = self
        console_app.router.add_static("/static/", STATIC, append_version=False)
        console_app.router.add_get("/masuk/{token}", self.login_page)
        console_app.router.add_post("/masuk/{token}", self.login)
        console_app.router.add_post("/keluar", self.logout)
        console_app.router.add_get("/keluar/selesai", self.logged_out)
        console_app.router.add_post("/bahasa", self.set_language)
        install_pages(console_app)
        return console_app

    # ---- rendering ---------------------------------------------------------------------------

    def page(
        self,
        request: web.Request,
        template: str,
        http_status: int = 200,
        **values: Any,
    ) -> web.Response:
        viewer = request.get(VIEWER_KEY)
        lang = viewer.lang if viewer else _cookie_lang(request)
        values.setdefault("viewer", viewer)
        values.setdefault("csrf", viewer.csrf if viewer else "")
        values.setdefault("prefix", PREFIX)
        values.setdefault("here", request.path_qs)
        values.setdefault("section", "")
        return self.renderer.page(template, lang, values, http_status)

    def error(self, request: web.Request, status: int, key: str, **fields: object) -> web.Response:
        return self.page(request, "error.html", status, message_key=key, fields=fields)

    # ---- middlewares ---------------------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPRedirection:
            raise
        except web.HTTPException as error:
            key = {404: "error_not_found", 403: "error_forbidden", 405: "error_not_found"}.get(
                error.status, "error_bad_request"
            )
            return self.error(request, error.status if error.status < 500 else 500, key)
        except Exception:
            # No personal data in the log: the path (ids only) and the exception.
            log.exception("console page %s %s failed", request.method, request.path)
            return self.error(request, 500, "error_internal")

    @web.middleware
    async def _session(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path.removeprefix(PREFIX)
        if path.startswith(_PUBLIC):
            return await handler(request)
        cookie = request.cookies.get(COOKIE, "")
        now = self.now()

        async def work(uow: UnitOfWork) -> Viewer | None:
            return await viewer_for(uow, cookie, now)

        viewer = await self.db.run(work) if cookie else None
        if viewer is None:
            response = self.error(request, 401, "error_login_needed")
            if cookie:
                response.del_cookie(COOKIE, path=PREFIX)
            return response
        request[VIEWER_KEY] = viewer
        if request.method == "POST" and request.content_type == "multipart/form-data":
            return await self._with_upload(request, handler, viewer, path)
        if request.method == "POST":
            form = await request.post()
            request[FORM_KEY] = form
            if not same_secret(str(form.get("csrf", "")), viewer.csrf):
                return self.error(request, 403, "error_csrf")
        return await handler(request)

    async def _with_upload(
        self, request: web.Request, handler: Handler, viewer: Viewer, path: str
    ) -> web.StreamResponse:
        """A multipart POST: its fields, and its file on the pages that take one (a temporary
        file, gone after the request unless the page kept it)."""
        folder = self.uploads_dir(viewer.person_id) if path in UPLOAD_PATHS else None
        try:
            form, upload = await read_multipart(request, viewer.csrf, folder)
        except UploadRefused as refused:
            return self.error(request, refused.status, refused.key)
        request[FORM_KEY] = form
        if upload is not None:
            request[UPLOAD_KEY] = upload
        try:
            if not same_secret(str(form.get("csrf", "")), viewer.csrf):
                return self.error(request, 403, "error_csrf")
            return await handler(request)
        finally:
            if upload is not None:
                upload.discard()

    # ---- login, logout, language -----------------------------------------------------------

    async def login_page(self, request: web.Request) -> web.StreamResponse:
        """The link's page: a button, so a link preview (which only GETs) spends nothing."""
        return self.page(request, "login.html", token=request.match_info["token"])

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        now = self.now()
        cookie, csrf = new_secret(), new_secret()
        hours = self.config.session_hours

        async def work(uow: UnitOfWork) -> str | None:
            person_id = await uow.web.use_login(token, now) if len(token) <= 100 else None
            if person_id is None:
                return "error_link_invalid"
            roles = role_keys(await uow.people.active_roles(person_id))
            known = await uow.people.name_and_lang(person_id)
            if not roles or known is None:
                return "error_no_console_role"
            lang = lang_of(known[1])
            expires = now + dt.timedelta(hours=hours)
            await uow.web.open_session(cookie, person_id, roles, csrf, lang, now, expires)
            await uow.audit.add(
                "web.login", "person", str(person_id), now, person_id=person_id, channel="web"
            )
            return None

        problem = await self.db.run(work)
        if problem is not None:
            return self.error(request, 403, problem)
        response = see_other(PREFIX + "/")
        response.set_cookie(
            COOKIE,
            cookie,
            path=PREFIX,
            max_age=hours * 3600,
            httponly=True,
            secure=self.config.secure_cookie,
            samesite="Strict",
        )
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        viewer = request[VIEWER_KEY]
        now = self.now()

        async def work(uow: UnitOfWork) -> None:
            await uow.web.end_session(viewer.cookie, now)

        await self.db.run(work)
        response = see_other(PREFIX + "/keluar/selesai")
        response.del_cookie(COOKIE, path=PREFIX)
        response.set_cookie(LANG_COOKIE, viewer.lang, path=PREFIX, samesite="Strict", httponly=True)
        return response

    async def logged_out(self, request: web.Request) -> web.StreamResponse:
        return self.page(request, "logged_out.html")

    async def set_language(self, request: web.Request) -> web.StreamResponse:
        """Switch the language; with a session (and its CSRF token) for the session too."""
        form = await request.post()
        lang = str(form.get("lang", ""))
        if lang not in LANGS:
            lang = DEFAULT_LANG
        back = str(form.get("back", PREFIX + "/"))
        if not back.startswith(PREFIX + "/") or back.startswith(PREFIX + "//"):
            back = PREFIX + "/"
        cookie = request.cookies.get(COOKIE, "")
        now = self.now()

        async def work(uow: UnitOfWork) -> None:
            viewer = await viewer_for(uow, cookie, now)
            if viewer is not None and same_secret(str(form.get("csrf", "")), viewer.csrf):
                await uow.web.set_lang(cookie, lang)

        if cookie:
            await self.db.run(work)
        response = see_other(back)
        response.set_cookie(LANG_COOKIE, lang, path=PREFIX, samesite="Strict", httponly=True)
        return response


def see_other(location: str) -> web.Response:
    """A redirect after a POST that also sets cookies (a returned, not raised, response)."""
    return web.Response(status=303, headers={"Location": location})


def _cookie_lang(request: web.Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "")
    return lang if lang in LANGS else DEFAULT_LANG


CONSOLE_KEY = web.AppKey("console", Console)


def console_of(request: web.Request) -> Console:
    return request.config_dict[CONSOLE_KEY]


def viewer_of(request: web.Request) -> Viewer:
    return request[VIEWER_KEY]


@dataclass
class Page:
    """What a page handler needs: the console, the request and who is looking."""

    console: Console
    request: web.Request
    viewer: Viewer
    now: dt.datetime

    @classmethod
    def of(cls, request: web.Request) -> Page:
        console = console_of(request)
        return cls(console, request, viewer_of(request), console.now())

    def render(self, template: str, http_status: int = 200, **values: Any) -> web.Response:
        return self.console.page(self.request, template, http_status, **values)

    def error(self, status: int, key: str, **fields: object) -> web.Response:
        return self.console.error(self.request, status, key, **fields)

    @property
    def lang(self) -> str:
        return self.viewer.lang

    @property
    def form(self) -> Any:
        return self.request.get(FORM_KEY, {})

    @property
    def upload(self) -> Upload | None:
        """The file sent with the form (on the pages of ``UPLOAD_PATHS``), if any."""
        return self.request.get(UPLOAD_KEY)

    @property
    def submit_key(self) -> str:
        """The posted form's idempotency key ("" when it has none)."""
        return str(self.form.get("key", ""))[:100]

    async def repeated(self, uow: UnitOfWork, key: str) -> str | None:
        """A double submit of the form with ``key``: the first submit's redirect ("" while it
        had none); None the first time (and without a key), when the caller goes on and acts."""
        if not key:
            return None
        return await uow.web.claim_submit(key, self.viewer.person_id, self.now)

    async def done(self, uow: UnitOfWork, key: str, target: str) -> str:
        """Record ``target`` as the result of the submit with ``key`` (what a repeat of it is
        sent to); ``target``."""
        if key:
            await uow.web.record_submit(key, target)
        return target

    async def logged(self, uow: UnitOfWork, action: str, subject: str, region: str | None) -> None:
        await self.console.log.record(
            uow,
            person_id=self.viewer.person_id,
            action=action,
            subject=subject,
            region_code=region,
            now=self.now,
        )
