"""The process's HTTP server: ``/healthz`` plus the routes channels install (webhooks).

Channels extend it by passing route installers, functions that add their routes to the app:

    app = build_web_app([telegram.install_routes, whatsapp.install_routes])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiohttp import web

RouteInstaller = Callable[[web.Application], None]


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(routes: Sequence[RouteInstaller] = ()) -> web.Application:
    app = web.Application()
    app.router.add_get("/healthz", healthz)
    for install in routes:
        install(app)
    return app


class WebServer:
    """Serves an app on host:port (port 0: any free port; see :attr:`base_url`)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> str:
        runner = web.AppRunner(self.app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.base_url = f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
