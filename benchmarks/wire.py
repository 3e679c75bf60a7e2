"""One Streamlit session driven over its websocket, as the browser drives it, without drawing.

The browser and the server speak protobufs over `/_stcore/stream`: the browser sends a
BackMsg `rerun_script` (the page, the query string, every widget's value), the server answers
with ForwardMsgs (one per element drawn, then `script_finished`). `Session` sends the same
messages, so the server does the work it does for a real analyst while the client costs next
to nothing: twenty of them fit beside the server on two cores, where twenty Chromium tabs
take the machine (bench_load measured 193 CPU-seconds of 254 in the browsers)."""

from __future__ import annotations

import asyncio
import json
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

SETTLED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY


class ServerError(RuntimeError):
    """The page showed a traceback (an exception element)."""


class Session:
    def __init__(self, url: str, page: str, query: str) -> None:
        self.url = url.replace("http", "ws", 1) + "/_stcore/stream"
        self.page, self.query = page, query
        self.components: dict[str, tuple[str, dict]] = {}  # component name -> (widget id, data)
        self.states: dict[str, str] = {}  # widget id -> json state, sent with every rerun
        self.settled, self.error, self.tick = False, None, asyncio.Event()

    async def __aenter__(self) -> Session:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self.reader = asyncio.create_task(self._read())
        await self.rerun()
        return self

    async def __aexit__(self, *exc) -> None:
        self.reader.cancel()
        await self.ws.close()

    async def rerun(self, component: str | None = None, state: dict | None = None, event: dict | None = None) -> None:
        """What the browser sends when a widget changes: `state` is the component's whole state
        (kept and sent again with later reruns), `event` a trigger value, sent once."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string, cs.page_name = self.query, self.page
        if component is not None:
            wid = self.components[component][0]
            if state is not None or wid not in self.states:  # the server drops an event with no state
                self.states[wid] = json.dumps(state or {})
            if event is not None:
                w = cs.widget_states.widgets.add()
                w.id = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{wid}__events"
                w.json_trigger_value = json.dumps([{"event": "event", "value": event}])
        for wid, value in self.states.items():
            w = cs.widget_states.widgets.add()
            w.id, w.json_value = wid, value
        self.settled = False
        await self.ws.send(msg.SerializeToString())

    async def until(self, component: str, key: str, prefix: str, timeout: float) -> float:
        """Seconds until `component` is drawn with data[key] starting with `prefix`."""
        t = time.perf_counter()
        async with asyncio.timeout(timeout):
            while not self._shows(component, key, prefix):
                await self._next_message()
        return time.perf_counter() - t

    async def settle(self, timeout: float) -> None:
        """Until a run has finished with no rerun after it: the page is still."""
        async with asyncio.timeout(timeout):
            while not self.settled:
                await self._next_message()

    def data(self, component: str) -> dict:
        return self.components[component][1]

    def _shows(self, component: str, key: str, prefix: str) -> bool:
        got = self.components.get(component)
        return got is not None and str(got[1].get(key, "")).startswith(prefix)

    async def _next_message(self) -> None:
        if self.error is None:
            self.tick.clear()
            await self.tick.wait()
        if self.error is not None:
            raise self.error

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self._take(raw)
                self.tick.set()
            raise ConnectionError("the server closed the session")
        except Exception as e:  # whoever waits hears it
            self.error = e
            self.tick.set()

    def _take(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string  # the app moved the URL (st.query_params)
        elif kind == "script_finished" and msg.script_finished == SETTLED:
            self.settled = True
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            if el.WhichOneof("type") == "exception":
                self.error = ServerError(f"{el.exception.type}: {el.exception.message}")
            elif el.WhichOneof("type") == "bidi_component" and el.bidi_component.json:
                bc = el.bidi_component
                self.components[bc.component_name] = (bc.id, json.loads(bc.json))
