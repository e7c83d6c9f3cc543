"""`helpdesk ivr check|simulate|graph` and `helpdesk agi` (registered in helpdesk/cli.py)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from helpdesk.channels.phone.ivr import checks, interpreter, loader
from helpdesk.channels.phone.ivr.actions import Dial, Enqueue, Gather, Hangup, Say, SetVar
from helpdesk.channels.phone.ivr.schema import ScriptError
from helpdesk.channels.phone.ivr.state import Facts
from helpdesk.channels.phone.prompts import SpeechToolsMissing, missing, prompt_files, render


@click.group("ivr")
def ivr() -> None:
    """IVR scripts in ivr_scripts/: check, simulate a call, draw the menu."""


def _resolve(script: str) -> Path:
    path = Path(script)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    found = loader.script_path(script)
    if found is None:
        raise click.ClickException(f"no script {script!r} in {loader.folder()}")
    return found


def _load(script: str) -> loader.Script:
    try:
        return loader.load_path(_resolve(script))
    except ScriptError as exc:
        raise click.ClickException(str(exc)) from exc


@ivr.command("check")
@click.argument("scripts", nargs=-1)
@click.option(
    "--prompts",
    "prompt_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also list the prompts with no sound file in this folder (see `ivr prompts`).",
)
def check(scripts: tuple[str, ...], prompt_folder: Path | None) -> None:
    """Unreachable nodes, dangling targets, silent loops, prompts missing a language, unknown
    categories or districts. Every script in the folder when none is named."""
    paths = [_resolve(s) for s in scripts] or loader.all_paths()
    categories, districts = checks.reference_codes()
    problems = [str(p) for path in paths for p in checks.check_file(path, categories, districts)]
    if prompt_folder is not None:
        wanted = prompt_files([_load(str(path)) for path in paths])
        problems += [
            f"{p.script}: node {p.node}: no sound file for {p.file} ({p.lang}) in {prompt_folder}"
            for p in missing(wanted, prompt_folder)
        ]
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(paths)} script(s), {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@ivr.command("prompts")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("scripts", nargs=-1)
def prompts(folder: Path, scripts: tuple[str, ...]) -> None:
    """Speak every prompt of the scripts into FOLDER/<lang>/<file>.wav and .gsm (8 kHz mono),
    with espeak-ng and sox, for a PBX's sounds folder. Every script when none is named."""
    paths = [_resolve(s) for s in scripts] or loader.all_paths()
    wanted = prompt_files([_load(str(path)) for path in paths])
    try:
        written = render(wanted, folder)
    except SpeechToolsMissing as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(wanted)} prompt(s), {len(written)} file(s) in {folder}")


def _describe(action: object, lang_prefix: str = "  ") -> list[str]:
    if isinstance(action, Say):
        return [f"{lang_prefix}🔊 {action.text}"]
    if isinstance(action, Gather):
        lines = [line for p in action.prompts for line in _describe(p, lang_prefix)]
        key = f", ends with {action.finish_key}" if action.finish_key else ""
        return [
            *lines,
            f"{lang_prefix}⌨  up to {action.max_digits} key(s), {action.timeout:g}s{key}",
        ]
    if isinstance(action, SetVar):
        return [f"{lang_prefix}= {action.name}={action.value}"]
    if isinstance(action, Dial):
        return [f"{lang_prefix}☎ transfer to {action.kind} {action.target}"]
    if isinstance(action, Enqueue):
        return [f"{lang_prefix}⏳ queue {action.queue}"]
    if isinstance(action, Hangup):
        return [f"{lang_prefix}✆ hang up"]
    return [f"{lang_prefix}{action!r}"]


@ivr.command("simulate")
@click.argument("script")
@click.option("--from", "caller", default="057187001234", show_default=True)
@click.option("--digits", default="", help="Keys per prompt, comma-separated; '-' is silence.")
@click.option("--closed", is_flag=True, help="Outside business hours.")
@click.option(
    "--enterprise-district", default=None, help="Pretend the caller is a known enterprise."
)
def simulate(
    script: str, caller: str, digits: str, closed: bool, enterprise_district: str | None
) -> None:
    """Print the dialogue for a caller pressing DIGITS, and the ticket it would make."""
    from helpdesk.channels.phone.callers import identify_number

    loaded = _load(script)
    info = identify_number(caller)
    facts = Facts(
        caller=info.e164 or caller,
        business_hours=not closed,
        enterprise_id=1 if enterprise_district else None,
        enterprise_district=enterprise_district,
    )
    presses = (
        [None if d.strip() in ("", "-") else d.strip() for d in digits.split(",")] if digits else []
    )
    click.echo(f"call from {info.e164 or caller}" + (f" ({info.city})" if info.city else ""))
    steps = interpreter.run_through(loaded, facts, presses)
    for index, step in enumerate(steps):
        if index:
            pressed = presses[index - 1]
            click.echo(f"caller presses: {pressed if pressed is not None else '(nothing)'}")
        for line in _describe_all(step.actions):
            click.echo(line)
    state = steps[-1].state
    click.echo("path: " + " → ".join(_step_text(p) for p in state.path))
    click.echo(f"status: {state.status} {state.outcome}")
    if state.done and state.outcome.get("ticket"):
        fields = state.fields
        district = fields.get("district") or info.district_hint or "330100"
        click.echo(
            "ticket: channel=phone category={} type={} district={} priority={} contact={}".format(
                fields.get("category") or "info",
                fields.get("type")
                or (
                    "complaint"
                    if str(fields.get("category", "")).startswith("complaint")
                    else "request"
                ),
                district,
                fields.get("priority") or "normal",
                info.e164 or "-",
            )
        )
    else:
        click.echo("ticket: none")


def _step_text(entry: dict[str, str]) -> str:
    return f"{entry['node']}[{entry['input']}]" if "input" in entry else entry["node"]


def _describe_all(actions: tuple[object, ...]) -> list[str]:
    return [line for action in actions for line in _describe(action)]


@ivr.command("graph")
@click.argument("script")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid")
def graph(script: str, fmt: str) -> None:
    """The menu as a Mermaid or Graphviz diagram: the service navigation map."""
    loaded = _load(script)
    click.echo(checks.mermaid(loaded) if fmt == "mermaid" else checks.graphviz(loaded), nl=False)


@click.command("agi")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=4573, show_default=True)
def agi(host: str, port: int) -> None:
    """A FastAGI server for Asterisk: AGI(agi://HOST:PORT/<script>)."""
    from helpdesk.channels.phone.agi_server import AgiServer
    from helpdesk.cli import app_context

    with app_context() as app:
        server = AgiServer(app, (host, port))  # type: ignore[arg-type]
        click.echo(f"FastAGI listening on {host}:{server.server_address[1]}")
        try:
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
        finally:
            server.server_close()
