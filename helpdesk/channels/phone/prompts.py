"""The IVR scripts' prompts as sound files a PBX can play: `helpdesk ivr prompts DIR` speaks each
prompt's text with espeak-ng (Mandarin voice for zh) and converts it with sox to 8 kHz mono
16-bit WAV and GSM, as DIR/<lang>/<file>.wav|.gsm: point Asterisk's sounds folder at DIR and
STREAM FILE / GET DATA <file> plays it in the channel's language. `ivr check --prompts DIR`
lists the ones missing there.

Placeholders such as {ticket} are dropped from the recorded text: the number is only known
during the call (the adapters say it with text-to-speech or digits).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpdesk.channels.phone.ivr.loader import Script

VOICES = {"zh": "cmn", "en": "en"}  # espeak-ng voices: Mandarin, English
FORMATS = ("wav", "gsm")
TOOLS = ("espeak-ng", "sox")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


class SpeechToolsMissing(RuntimeError):
    """espeak-ng or sox is not installed (Debian packages of the same names)."""


@dataclass(frozen=True)
class PromptFile:
    script: str
    node: str
    lang: str
    file: str  # as the script plays it, e.g. hotline/welcome-prompt
    text: str

    def path(self, folder: Path, fmt: str) -> Path:
        return folder / self.lang / f"{self.file}.{fmt}"


def prompt_files(scripts: list[Script]) -> list[PromptFile]:
    """Every recorded prompt of the scripts, once per language it has text in."""
    found: dict[tuple[str, str], PromptFile] = {}
    for script in scripts:
        for node in script.nodes.values():
            for prompt in node.prompts().values():
                if prompt is None or not prompt.file:
                    continue
                for lang, text in prompt.text.items():
                    spoken = PLACEHOLDER.sub("", text).strip()
                    if spoken and lang in VOICES:
                        key = (lang, prompt.file)
                        found.setdefault(
                            key, PromptFile(script.name, node.id, lang, prompt.file, spoken)
                        )
    if scripts:  # the queue's announcement, said between the numbers (phone/queue.py)
        from helpdesk.channels.phone.queue import SPOKEN

        for file, text in SPOKEN.items():
            found.setdefault(("zh", file), PromptFile("queue", "queue", "zh", file, text))
    return sorted(found.values(), key=lambda p: (p.file, p.lang))


def missing(prompts: list[PromptFile], folder: Path) -> list[PromptFile]:
    """Prompts with no playable file (WAV or GSM) in the folder."""
    return [p for p in prompts if not any(p.path(folder, fmt).is_file() for fmt in FORMATS)]


def render(prompts: list[PromptFile], folder: Path) -> list[Path]:
    """Speak and convert each prompt; the files written."""
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if absent:
        raise SpeechToolsMissing(
            f"需要 {' 和 '.join(absent)}：apt-get install -y --no-install-recommends espeak-ng sox"
        )
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="helpdesk-prompts-") as scratch:
        raw = Path(scratch) / "spoken.wav"
        for prompt in prompts:
            subprocess.run(
                ["espeak-ng", "-v", VOICES[prompt.lang], "-w", str(raw), prompt.text],
                check=True,
                capture_output=True,
            )
            for fmt in FORMATS:
                out = prompt.path(folder, fmt)
                out.parent.mkdir(parents=True, exist_ok=True)
                bits = ["-b", "16"] if fmt == "wav" else []
                subprocess.run(
                    ["sox", str(raw), "-r", "8000", "-c", "1", *bits, str(out)],
                    check=True,
                    capture_output=True,
                )
                written.append(out)
    return written
