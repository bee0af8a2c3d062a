"""Why the replicas behind nginx must be sticky, shown (not in CI; needs nginx).

Starts two replicas behind nginx (deploy/run_replicas.sh), opens the page
like a browser (its cookies: ``convscope_replica`` from nginx,
``_streamlit_xsrf`` from Streamlit), opens a session over the websocket with
those cookies, then uploads a small CSV for that session twice: once with the
cookie naming the session's replica, once naming the other. Expected: 204
from the session's replica, 400 ("Invalid session_id") from the other. Run
from the repository root::

    python benchmarks/check_sticky.py
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import websockets
from load_test import HOST, Servers  # the same server start and stop
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


async def uploads_during_session(port: int, mine: str, other: str, xsrf: str) -> list[int]:
    """Open a session on replica ``mine``; while it is open, upload for it via each replica."""
    cookie = f"convscope_replica={mine}; _streamlit_xsrf={xsrf}"
    url = f"ws://{HOST}:{port}/_stcore/stream"
    async with websockets.connect(
        url, subprotocols=["streamlit"], additional_headers={"Cookie": cookie}, max_size=None
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = "example=seed-3d"
        await ws.send(msg.SerializeToString())
        found = ""
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
            if fwd.WhichOneof("type") == "new_session":
                found = fwd.new_session.initialize.session_id
            if fwd.WhichOneof("type") == "script_finished":
                # Only a connected session accepts uploads: ask while the websocket is open.
                return [upload(port, found, replica, xsrf) for replica in (mine, other)]


def upload(port: int, sid: str, replica: str, xsrf: str) -> int:
    boundary = "convscope-check-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n1,2\n3,4\n\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"http://{HOST}:{port}/_stcore/upload_file/{sid}/check", data=body, method="PUT",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Cookie": f"convscope_replica={replica}; _streamlit_xsrf={xsrf}",
                 "X-Xsrftoken": xsrf},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    with Servers(2, []) as servers:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        browser.open(f"http://{HOST}:{servers.port}/", timeout=20).read()
        browser.open(f"http://{HOST}:{servers.port}/_stcore/health", timeout=20).read()
        cookies = {c.name: c.value for c in jar}
        mine, xsrf = cookies["convscope_replica"], cookies["_streamlit_xsrf"]
        other = "r1" if mine == "r0" else "r0"
        same, elsewhere = asyncio.run(uploads_during_session(servers.port, mine, other, xsrf))
    print(f"session on replica {mine}: upload to it -> {same}, to {other} -> {elsewhere}")
    if (same, elsewhere) != (204, 400):
        sys.exit("unexpected: stickiness is not what the README says")


if __name__ == "__main__":
    main()
