"""IVR prompts that exist (issue 12 item 11): `ivr prompts DIR` speaks every prompt of a script
into 8 kHz mono WAV and GSM files a PBX plays, and `ivr check --prompts DIR` names the missing."""

from __future__ import annotations

import wave
from pathlib import Path

from click.testing import CliRunner
from system_packages import SPEECH, require

from helpdesk.channels.phone.cli import ivr

SCRIPT = """\
name: tiny
description: 测试脚本 / a test script
start: welcome
nodes:
  welcome:
    type: say
    prompt:
      zh: 您好，欢迎致电。
      en: Welcome.
    next: bye
  bye:
    type: hangup
    prompt:
      zh: 工单号{ticket}，再见。
      en: Goodbye.
"""


def test_every_prompt_becomes_a_sound_file_and_check_names_the_missing(tmp_path: Path) -> None:
    require(SPEECH)
    script = tmp_path / "tiny.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    sounds = tmp_path / "sounds"
    runner = CliRunner()

    before = runner.invoke(ivr, ["check", str(script), "--prompts", str(sounds)])
    assert before.exit_code == 1
    assert "no sound file for tiny/welcome-prompt (zh)" in before.output

    made = runner.invoke(ivr, ["prompts", str(sounds), str(script)])
    assert made.exit_code == 0, made.output
    # the script's four, and the three pieces of the queue's announcement (said around numbers)
    assert "7 prompt(s), 14 file(s)" in made.output
    for piece in ("place", "wait", "minutes"):
        with wave.open(str(sounds / "zh" / "queue" / f"{piece}.wav")) as played:
            assert played.getframerate() == 8000 and played.getnframes() > 8000 * 0.3
    for lang in ("zh", "en"):
        for name in ("welcome-prompt", "bye-prompt"):
            with wave.open(str(sounds / lang / "tiny" / f"{name}.wav")) as played:
                assert (played.getframerate(), played.getnchannels(), played.getsampwidth()) == (
                    8000, 1, 2,
                )  # fmt: skip
                assert played.getnframes() > 8000 * 0.5  # at least half a second of speech
            gsm = sounds / lang / "tiny" / f"{name}.gsm"
            assert gsm.stat().st_size > 0 and gsm.stat().st_size % 33 == 0  # whole GSM frames

    after = runner.invoke(ivr, ["check", str(script), "--prompts", str(sounds)])
    assert after.exit_code == 0 and "0 problem(s)" in after.output, after.output
    for stale in (sounds / "en" / "tiny").glob("bye-prompt.*"):
        stale.unlink()
    gone = runner.invoke(ivr, ["check", str(script), "--prompts", str(sounds)])
    assert gone.exit_code == 1
    assert "node bye: no sound file for tiny/bye-prompt (en)" in gone.output
