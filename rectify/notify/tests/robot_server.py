"""A real HTTP server on 127.0.0.1 that plays a group robot (WeCom, DingTalk, Feishu).

It checks what each platform checks: the payload shape and, with a secret,
the signature (recomputed here from the request, as the platform does), and
answers in the platform's words: ``{"errcode": 0}`` or ``{"code": 0}``, or
an error. ``script`` lists the answers to give, in order, before answering
success: ``[500, 500]`` fails twice, then accepts.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request the robot got, and what it made of it."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict
    problems: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The message text, whichever the platform."""
        if "msg_type" in self.body:
            return self.body["content"]["text"]
        return self.body[self.body["msgtype"]]["content"]


class Robot:
    """The server: ``url`` to post to, ``received`` requests, ``accepted`` messages."""

    def __init__(self, kind: str, secret: str = "", script=()):
        self.kind, self.secret = kind, secret
        self.script = list(script)
        self.received: list[Received] = []
        self.accepted: list[Received] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                robot._handle(self)

            def do_GET(self):
                self.send_response(405)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address
        tokens = {
            "wecom": "/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "dingtalk": "/robot/send?access_token=98975521a1b23c02cdd1a9a08c69511ddf5fa9d2",
            "feishu": "/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd",
        }
        self.url = f"http://{host}:{port}{tokens[kind]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # ── what the platform checks ─────────────────────────────────────────
    def _check(self, got: Received) -> None:
        body, problems = got.body, got.problems
        if got.headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append("content type is not JSON")
        if self.kind in ("wecom", "dingtalk"):
            if body.get("msgtype") not in ("text", "markdown"):
                problems.append("msgtype is not text or markdown")
            elif not isinstance(body.get(body["msgtype"], {}).get("content"), str):
                problems.append("no content")
            elif self.kind == "wecom" and len(body["text"]["content"].encode()) > 2048:
                problems.append("text longer than 2048 bytes")
        if self.kind == "dingtalk" and self.secret:
            timestamp, sign = got.query.get("timestamp", ""), got.query.get("sign", "")
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3_600_000:
                problems.append("timestamp missing or more than an hour off")
            else:
                expected = base64.b64encode(
                    hmac.new(
                        self.secret.encode(),
                        f"{timestamp}\n{self.secret}".encode(),
                        hashlib.sha256,
                    ).digest()
                ).decode()
                if not hmac.compare_digest(sign, expected):
                    problems.append("sign mismatch")
        if self.kind == "feishu":
            if body.get("msg_type") != "text" or not isinstance(
                body.get("content", {}).get("text"), str
            ):
                problems.append("not a text message")
            if self.secret:
                timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
                if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
                    problems.append("timestamp missing or more than an hour off")
                else:
                    key = f"{timestamp}\n{self.secret}".encode()
                    expected = base64.b64encode(
                        hmac.new(key, b"", hashlib.sha256).digest()
                    ).decode()
                    if not hmac.compare_digest(sign, expected):
                        problems.append("sign mismatch")

    def _answer(self, ok: bool, problems: list[str]) -> dict:
        words = "; ".join(problems)
        if self.kind == "feishu":
            return {"code": 0, "msg": "success"} if ok else {"code": 19021, "msg": words}
        return {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 310000, "errmsg": words}

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        parts = urllib.parse.urlsplit(handler.path)
        try:
            body = json.loads(raw.decode())
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = {}
        got = Received(
            path=parts.path,
            query=dict(urllib.parse.parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        self._check(got)
        with self.lock:
            self.received.append(got)
            scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            status, answer = (scripted, {}) if isinstance(scripted, int) else scripted
        else:
            ok = not got.problems
            status, answer = 200, self._answer(ok, got.problems)
            if ok:
                with self.lock:
                    self.accepted.append(got)
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
