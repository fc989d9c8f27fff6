"""
irctest controller for chatd's IRC gateway (docs/irc.md, "irctest results").

chatd's own code, written for this project (issue 21 asks for it here): it
uses irctest's controller API, imported at run time from the checkout in
IRCTEST_DIR, and copies none of irctest's code. Modelled on the shape of
irctest's controllers/ngircd.py and ergo.py: for every test it
writes a config into a fresh directory, starts a fresh daemon
(`node dist/src/main.js`, built by `npm run build`) with its IRC listener on the
port irctest picked, and kills it afterwards. `npm run irctest` (scripts/irctest.mjs)
puts this folder on PYTHONPATH and passes `--controller chatd_controller`.

The tests run with a server password get it as `irc.password` (set by
CHAT_IRC_PASSWORD): every client must then send it with PASS (without one,
`PASS` is the account password of old clients, the fallback to SASL PLAIN).
Accounts are chatd's own: the first
sign-in of a name creates its account (registration is open), which is what
`registerUser` does with SASL.

irctest's tests that OPER send `OPER operuser operpassword` (the oper block every
controller writes): the config has it as an `irc.operators` block (docs/irc.md,
"Operators"), its password as a bcrypt hash made once with `npx bcrypt operpassword 4`.

irctest's clients register with NICK and USER alone, which chatd refuses
(464) unless `irc.guests` is on: the config turns it on, so each such nick
signs in as a guest account (docs/irc.md, "Signing in").
"""

import base64
import json
import os
from pathlib import Path
import shutil
from typing import Optional, Set, Type

from irctest import patma
from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities

ROOT = Path(os.environ.get("CHATD_ROOT", Path(__file__).resolve().parents[2]))
NODE = os.environ.get("CHATD_NODE", shutil.which("node") or "node")

# Every irctest client comes from 127.0.0.1: the per-address limits are lifted
# (as bench/servers/chatd.mjs does, and as irctest's Ergo config exempts localhost).
LIMITS = {
    "messagesPerSecond": 1000,
    "messageBurst": 1000,
    "maxConnectionsPerIp": 10000,
    "ipMessagesPerSecond": 100000,
    "ipMessageBurst": 100000,
    "joinsPerSecond": 1000,
    "joinBurst": 1000,
    "ipJoinsPerSecond": 100000,
    "ipJoinBurst": 100000,
    "signInsPerMinute": 100000,
    "signInBurst": 100000,
    "ipSignInsPerMinute": 100000,
    "ipSignInBurst": 100000,
    "ipAccountsPerHour": 100000,
    "ipAccountBurst": 100000,
    "signInFailureDelayMs": 0,
    "signInFailureDelayMaxMs": 0,
    # irctest's services tests register accounts with 7-character passwords ("sesame1").
    "passwordMinLength": 1,
}


# `OPER operuser operpassword`, as irctest's tests send it.
OPERATORS = [
    {
        "name": "operuser",
        "passwordHash": "$2b$04$g52Eck8KjgBsWZ7VRcJpVuMO6TSSOPqQrGGr/6D0.ACxw7x4bt1Zm",
        "role": "admin",
    }
]


class ChatdController(BaseServerController, DirectoryBasedController):
    software_name = "chatd"
    supported_sasl_mechanisms: Set[str] = {"PLAIN"}
    supports_sts = False
    _port_wait_interval = 0.05
    # irctest synchronises with a PING. chatd answers a connection's commands in
    # order (a PONG comes after the echo or the JOIN burst of the commands sent
    # before it), and a PING sends the presence batch (JOIN, PART, QUIT of others)
    # of the client's channels first: no wait is needed (docs/irc.md, "Order").
    sync_sleep_time = 0

    # What chatd's 005 says (docs/irc.md, "ISUPPORT"), checked by isupport.py.
    isupport = {
        "CASEMAPPING": "rfc8265",
        "CHANMODES": "bq,,,nst",
        "CHANNELLEN": "33",
        "CHANTYPES": "#",
        "MSGREFTYPES": "msgid,timestamp",
        "NICKLEN": "32",
        "PREFIX": "(ov)@+",
        "TARGMAX": patma.ANYSTR,
        "TOPICLEN": "300",
        "UTF8ONLY": None,
    }

    capabilities = frozenset(
        (
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_TAGS,
            Capabilities.SERVER_TIME,
        )
    )

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str] = None,
        websocket_port: Optional[int] = None,
    ) -> None:
        if ssl:
            raise NotImplementedByController("TLS listener in irctest (see test/integration/irc)")
        if websocket_hostname is not None or websocket_port is not None:
            raise NotImplementedByController("IRC over WebSocket")
        assert self.proc is None
        self.port = port
        self.hostname = hostname
        self.password = password
        self.create_config()
        assert self.directory

        config = {
            "host": "127.0.0.1",
            "port": 0,
            "name": "My.Little.Server",
            "dataDir": str(self.directory / "data"),
            "registration": "open",
            "bcryptCost": 4,
            "rooms": [],
            "limits": LIMITS,
            "irc": {"guests": True, "serverName": "My.Little.Server", "operators": OPERATORS},
        }
        with self.open_file("config.json", "w") as fd:
            json.dump(config, fd)
        env = {
            **os.environ,
            "CHAT_CONFIG": str(self.directory / "config.json"),
            "CHAT_HOST": "127.0.0.1",
            "CHAT_PORT": "0",
            "CHAT_IRC_PORT": str(port),
            "CHAT_DATA_DIR": str(self.directory / "data"),
            "CHAT_CONSOLE": "off",
            "CHAT_ADMIN_TOKEN": "",
            "CHAT_LOG_LEVEL": "debug" if self.debug_mode else "warn",
            # The server password (irc.password): empty turns it off.
            "CHAT_IRC_PASSWORD": password or "",
        }
        self.proc = self.execute(
            [NODE, str(ROOT / "dist" / "src" / "main.js")], proc_name="chatd", env=env, cwd=str(ROOT)
        )

    def wait_for_services(self) -> None:
        # Accounts are chatd's own (as Ergo's are Ergo's): no services process to wait for.
        pass

    def registerUser(self, case, username: str, password: Optional[str] = None) -> None:  # type: ignore[no-untyped-def]
        """The first SASL PLAIN sign-in of a name creates its account."""
        assert password
        client = case.addClient(show_io=False)
        if getattr(self, "password", None):
            case.sendLine(client, "PASS " + self.password)
        case.sendLine(client, "CAP LS 302")
        case.sendLine(client, "CAP REQ :sasl")
        case.sendLine(client, "NICK " + username)
        case.sendLine(client, "USER r e g :user")
        case.sendLine(client, "AUTHENTICATE PLAIN")
        creds = f"{username}\0{username}\0{password}".encode()
        case.sendLine(client, "AUTHENTICATE " + base64.b64encode(creds).decode())
        case.sendLine(client, "CAP END")
        while True:
            m = case.getRegistrationMessage(client)
            if m.command in ("904", "905", "906", "ERROR"):
                raise AssertionError(f"chatd refused to create account {username}: {m}")
            if m.command == "001":
                break
        case.getMessages(client)
        case.sendLine(client, "QUIT")
        case.assertDisconnected(client)


def get_irctest_controller_class() -> Type[ChatdController]:
    return ChatdController
