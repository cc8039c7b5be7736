"""`gdtui serve ssh|web`: the command line for teaching a class.

Bad flags are one line on stderr and exit status 2, as everywhere in gdtui.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from gdtui.cli import BAD_INPUT, Parser, UsageError, build_parser, positive_int
from gdtui.exports import DEFAULT_MAX_EXPORT_MB, DEFAULT_MAX_EXPORTS, ExportQuota
from gdtui.scenario import ScenarioError, load_scenario

#: Apps `gdtui serve ssh` keeps started ahead of logins (`--pool`).
DEFAULT_POOL = 8

if TYPE_CHECKING:
    from gdtui.serve.ssh import AppServer, SSHConfig


def port_number(text: str) -> int:
    """An argparse type: a TCP port, or 0 for any free one."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}")
    return value


def how_many(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def seconds(text: str) -> int:
    """An argparse type: whole seconds >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected whole seconds >= 0, got {text!r}")
    return value


def add_serve_parser(top: argparse._SubParsersAction) -> None:
    """`gdtui serve` and its two commands, in the command line's one tree."""
    parser = top.add_parser(
        "serve",
        help="teach a class: `serve ssh` (students type ssh) or `serve web` (a browser tab)",
        description="Serve gdtui to a class: over SSH (each login gets its own app) or to "
        "browsers. Both bind 127.0.0.1 unless --host says otherwise.",
    )
    parser.set_defaults(handler="gdtui.serve.cli:run_serve")
    commands = parser.add_subparsers(dest="serve_command", metavar="COMMAND", parser_class=Parser)
    ssh = commands.add_parser(
        "ssh",
        help="one gdtui per SSH login (students type: ssh -p PORT HOST)",
        description="Each SSH login gets its own gdtui on its own terminal; only the app "
        "runs (no shell, commands, sftp or forwarding). With --teacher-password, user "
        "`teacher` drives and every other session follows the teacher's screen (x to "
        "explore alone, f to follow again). Behind a NAT the whole class shares one "
        "address: raise --max-per-ip. Passwords given as flags are visible to other users "
        "of this machine in its process list.",
    )
    ssh.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; 0.0.0.0 for every network)",
    )
    ssh.add_argument("--port", type=port_number, default=2222, help="port (default 2222)")
    ssh.add_argument(
        "--host-key",
        type=Path,
        metavar="PATH",
        help="host key file, made on first start (default: "
        "$XDG_DATA_HOME/gdtui/ssh_host_ed25519_key)",
    )
    auth = ssh.add_mutually_exclusive_group()
    auth.add_argument(
        "--password",
        metavar="CODE",
        help="a class code every student must type (default: no login needed)",
    )
    auth.add_argument(
        "--authorized-keys",
        type=Path,
        metavar="FILE",
        help="log in only with these public keys (OpenSSH authorized_keys)",
    )
    ssh.add_argument(
        "--teacher-password",
        metavar="CODE",
        help="follow mode: `ssh teacher@HOST` with this code drives the class",
    )
    ssh.add_argument(
        "--scenario",
        metavar="NAME",
        help="the preset or file every session opens (default: the lesson's own)",
    )
    ssh.add_argument(
        "--max-sessions",
        type=positive_int,
        default=60,
        metavar="N",
        help="concurrent sessions in all (default 60)",
    )
    ssh.add_argument(
        "--max-per-ip",
        type=positive_int,
        default=10,
        metavar="N",
        help="concurrent sessions from one address (default 10)",
    )
    ssh.add_argument(
        "--max-logins",
        type=positive_int,
        default=None,
        metavar="N",
        help="connections logging in at once, in all (default: --max-sessions); from one "
        "address at most --max-per-ip. They do not count as sessions, and one that has "
        "not started to log in makes way for a newcomer",
    )
    ssh.add_argument(
        "--login-timeout",
        type=positive_int,
        default=10,
        metavar="SECONDS",
        help="time a connection has to log in (default 10)",
    )
    ssh.add_argument(
        "--spawn",
        choices=("fork", "exec"),
        default=None,
        help="how each login's app starts: fork (from a warm copy: fast logins, "
        "shared memory; the default on Linux) or exec (a fresh python -m gdtui)",
    )
    ssh.add_argument("--pool", type=how_many, default=DEFAULT_POOL, metavar="N",
                     help="apps to keep started ahead of logins, so that a class logging in "
                     "at once is not kept waiting; they count against --max-sessions "
                     f"(default {DEFAULT_POOL}; 0: none; with --spawn fork only, and not "
                     "with --teacher-password)")  # fmt: skip
    ssh.add_argument("--idle-timeout", type=seconds, default=900, metavar="SECONDS",
                     help="close a session after this long without a key press; students "
                     "following the teacher are never idle (default 900; 0: never)")  # fmt: skip
    ssh.add_argument("--record", type=Path, metavar="DIR",
                     help="save the teacher's lessons in DIR, one .lesson.jsonl file per "
                     "scenario loaded (replay one with `gdtui replay FILE`)")  # fmt: skip
    web = commands.add_parser(
        "web",
        help="gdtui in a browser tab, via textual-serve (no authentication)",
        description="Serve gdtui to browsers: each tab gets its own app process. This has "
        "NO AUTHENTICATION of its own: anyone who can reach the port gets an app. Keep it "
        "on 127.0.0.1, or put it behind a proxy that logs people in.",
    )
    web.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    web.add_argument("--port", type=port_number, default=8000, help="port (default 8000)")
    web.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, e.g. https://gd.example.org (required "
        "beyond 127.0.0.1, so the page's websocket finds its way back)",
    )
    web.add_argument(
        "--scenario",
        metavar="NAME",
        help="the preset or file every tab opens (default: the lesson's own)",
    )
    web.add_argument(
        "--max-sessions",
        type=positive_int,
        default=60,
        metavar="N",
        help="tabs (apps) open at once, in all (default 60)",
    )
    for command in (ssh, web):
        command.add_argument("--max-exports", type=positive_int, default=DEFAULT_MAX_EXPORTS,
                             metavar="N", help="exports (e) a session may write "
                             f"(default {DEFAULT_MAX_EXPORTS})")  # fmt: skip
        command.add_argument("--max-export-mb", type=positive_int, default=DEFAULT_MAX_EXPORT_MB,
                             metavar="MB", help="megabytes of exports a session may write "
                             f"(default {DEFAULT_MAX_EXPORT_MB})")  # fmt: skip


def serve(argv: list[str], out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Run `gdtui serve ...` (`argv` after `serve`); returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(["serve", *argv])
    except UsageError as error:
        err.write(f"{error}\n")
        return BAD_INPUT
    return run_serve(args, out, err)


def run_serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """The `gdtui serve` handler, on the parsed command line; returns the exit status."""
    try:
        if args.serve_command is None:
            build_parser().parse_args(["serve", "--help"])
        if args.scenario is not None:
            load_scenario(args.scenario)  # a bad scenario stops the server, not each login
            if os.path.exists(args.scenario):
                # Each session runs in a folder of its own: a relative path would not resolve.
                args.scenario = os.path.abspath(args.scenario)
        if args.serve_command == "web":
            return _web(args, out, err)
        return _ssh(args, out, err)
    except (UsageError, ScenarioError) as error:
        err.write(f"{error}\n")
        return BAD_INPUT


# Every command builds this parser, so the servers' imports wait in the handlers below:
# asyncio alone was a fifth of `gdtui check`'s start-up.


def _web(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from gdtui.serve.limits import is_loopback
    from gdtui.serve.web import APP_VARIABLES, WebConfig, app_argv, public_url_for, serve_web

    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError(
            "gdtui serve web needs textual-serve: pip install 'gdtui[serve]'"
        ) from None
    if not is_loopback(args.host) and not args.public_url:
        raise UsageError(f"gdtui serve web: --public-url is required with --host {args.host} "
                         "(the address browsers use)")  # fmt: skip
    if not is_loopback(args.host):
        err.write(f"warning: serving {args.host}:{args.port} with no authentication: anyone "
                  "who can reach it gets an app\n")  # fmt: skip
    try:
        serve_web(
            WebConfig(
                host=args.host,
                port=args.port,
                public_url=public_url_for(args.host, args.port, args.public_url),
                argv=app_argv(args.scenario),
                max_sessions=args.max_sessions,
                app_env={
                    **APP_VARIABLES,
                    **ExportQuota.environment(args.max_exports, args.max_export_mb),
                },
            )
        )
    except OSError as error:
        err.write(f"gdtui serve web: cannot listen on {args.host}:{args.port}: "
                  f"{error.strerror or error}\n")  # fmt: skip
        return 1
    return 0


def _ssh(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    try:
        import asyncssh
    except ImportError:
        raise UsageError("gdtui serve ssh needs asyncssh: pip install 'gdtui[serve]'") from None

    from gdtui.serve import hostkey
    from gdtui.serve.ssh import SSHConfig

    path = args.host_key or hostkey.default_path()
    try:
        key = hostkey.load_or_create(path)
    except hostkey.HostKeyError as error:
        raise UsageError(f"gdtui serve ssh: {error}") from None
    authorized = None
    if args.authorized_keys is not None:
        try:
            authorized = asyncssh.read_authorized_keys(str(args.authorized_keys))
        except (OSError, ValueError) as error:
            raise UsageError(f"gdtui serve ssh: {args.authorized_keys}: not a readable "
                             f"authorized_keys file ({error})") from None  # fmt: skip
    for flag, value in (("--password", args.password),
                        ("--teacher-password", args.teacher_password)):  # fmt: skip
        if value is not None and not value:
            raise UsageError(f"gdtui serve ssh: {flag} must not be empty")
    if args.record is not None:
        if args.teacher_password is None:
            raise UsageError("gdtui serve ssh: --record saves the teacher's lessons: it needs "
                             "--teacher-password")  # fmt: skip
        try:
            args.record.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"gdtui serve ssh: --record {args.record}: cannot make that "
                             f"folder ({error.strerror or error})") from None  # fmt: skip
    from gdtui.serve import forkserver

    app_args = [args.scenario] if args.scenario else []
    spawn = args.spawn or ("fork" if forkserver.available() else "exec")
    if spawn == "fork" and not forkserver.available():
        raise UsageError("gdtui serve ssh: --spawn fork needs Linux 5.3 or later")
    config = SSHConfig(
        command=[sys.executable, "-m", "gdtui", *app_args],
        fork_args=app_args if spawn == "fork" else None,
        host_key=key,
        host=args.host,
        port=args.port,
        password=args.password,
        authorized_keys=authorized,
        teacher_password=args.teacher_password,
        max_sessions=args.max_sessions,
        max_per_ip=args.max_per_ip,
        max_logins=args.max_logins,
        login_timeout=args.login_timeout,
        idle_timeout=args.idle_timeout,
        child_env=ExportQuota.environment(args.max_exports, args.max_export_mb),
        record_dir=args.record,
        pool=args.pool,
    )
    import asyncio

    return asyncio.run(_run_ssh(config, path, out, err))


async def _run_ssh(config: SSHConfig, key_path: Path, out: IO[str], err: IO[str]) -> int:
    import asyncio
    import signal

    from gdtui.serve.ssh import AppServer

    server = AppServer(config, log=out)
    # Handlers first: a Ctrl-C or SIGTERM from the moment the banner shows must end the
    # sessions cleanly, not kill the server mid-way.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        try:
            await server.start()
        except OSError as error:
            err.write(f"gdtui serve ssh: cannot listen on {config.host}:{config.port}: "
                      f"{error.strerror or error}\n")  # fmt: skip
            return 1
        _banner(server, key_path, out, err)
        await stop.wait()
        server.record(f"stopping: ending {len(server.sessions)} session(s)")
    finally:
        await server.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return 0


def _banner(server: AppServer, key_path: Path, out: IO[str], err: IO[str]) -> None:
    """How to connect, the key's fingerprint, and a warning if anyone can log in."""
    import socket

    from gdtui.serve.hostkey import fingerprint
    from gdtui.serve.limits import is_loopback

    config, port = server.config, server.port
    # Students type the machine's name; a wildcard address is not one they can reach.
    host = socket.gethostname() if config.host in ("0.0.0.0", "::") else config.host
    login = "no login needed"
    if config.password is not None:
        login = "class code required"
    elif config.authorized_keys is not None:
        login = "public keys only"
    out.write(f"gdtui serve ssh: listening on {config.host}:{port} ({login})\n"
              f"host key {fingerprint(config.host_key)} ({key_path})\n"
              # -C: compressed, a step's redraw is about a tenth of the traffic.
              f"students: ssh -C -p {port} {host}\n")  # fmt: skip
    if config.teacher_password is not None:
        out.write(f"teacher:  ssh -C -p {port} teacher@{host}\n")
    if not is_loopback(config.host) and config.password is None and config.authorized_keys is None:
        err.write(
            f"warning: listening on {config.host} with no authentication: anyone who "
            "can reach this port gets a session (see --password, --authorized-keys)\n"
        )
    out.flush()
