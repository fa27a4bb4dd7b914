"""Slack payloads → neutral Requests, reply wording, and request signatures (no network)."""

from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import help_text
from bot.models import Reply, Request
from handlers.slack.manifest import manifest
from handlers.slack.requests import (
    action_request,
    chat_kind,
    command_request,
    is_private,
    sign,
    slack_user,
    slash_names,
    verify_signature,
    with_prefix,
)
from tests.paths import ROOT

SECRET = "signing-secret"


def slash(command: str = "/top", text: str = "", channel: str = "C1", **extra: str) -> dict[str, str]:
    return {"command": command, "text": text, "channel_id": channel, "user_id": "U1", "team_id": "T1"} | extra


def test_slash_command_becomes_a_request() -> None:
    request = command_request(slash("/field", " 자연어  처리 3 ", channel_name="general"))
    assert request == Request(
        platform="slack",
        chat_id="C1",
        user_id="T1:U1",
        command="field",
        args=("자연어", "처리", "3"),
        chat_kind="channel",
        chat_title="general",
    )
    assert slack_user(request) == "U1"


def test_direct_messages_are_private_chats() -> None:
    assert command_request(slash(channel="D42")).chat_kind == "private"
    assert [chat_kind(c) for c in ("C1", "G1", "D1")] == ["channel", "channel", "private"]


def test_the_prefix_names_the_installed_commands() -> None:
    assert slash_names("paper-")["/paper-top"] == "top"
    assert command_request(slash("/paper-stats"), "paper-").command == "stats"
    assert command_request(slash("/top"), "paper-") is None
    assert command_request(slash("/weather")) is None


def test_slack_escapes_in_the_text_are_undone() -> None:
    assert command_request(slash(text="a&amp;b &lt;x&gt;")).args == ("a&b", "<x>")


def test_button_press_becomes_the_request_it_names() -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U2", "team_id": "T9"},
        "channel": {"id": "C5", "name": "ml"},
        "actions": [{"action_id": "run_command_12", "value": "field nlp"}],
    }
    request = action_request(payload)
    assert (request.command, request.args, request.chat_id, request.user_id) == (
        "field",
        ("nlp",),
        "C5",
        "T1:U2",
    )
    assert action_request(payload | {"actions": [{"action_id": "other_1", "value": "top"}]}) is None
    assert action_request(payload | {"actions": [{"action_id": "run_command_1x", "value": "top"}]}) is None
    assert action_request({k: v for k, v in payload.items() if k != "channel"}) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@given(payload=st.dictionaries(st.sampled_from(["actions", "channel", "user", "team", "x"]), json_values))
def test_odd_action_payloads_never_raise(payload: dict) -> None:
    request = action_request(payload)
    assert request is None or request.platform == "slack"


@given(
    payload=st.dictionaries(
        st.sampled_from(["command", "text", "channel_id", "team_id", "user_id"]), json_values
    )
)
def test_odd_command_payloads_never_raise(payload: dict) -> None:
    command_request(payload)


def test_reply_mentions_of_commands_get_the_prefix() -> None:
    reply = with_prefix(Reply(text=help_text() + "\nhttps://x.org/top /topic a/top /fields"), "paper-")
    assert "/paper-top 3" in reply.text and "/paper-field 자연어 처리" in reply.text
    assert "/paper-subscribe" in reply.text and "/paper-unsubscribe" in reply.text
    assert "https://x.org/top" in reply.text and " /topic " in reply.text and " a/top " in reply.text
    assert "/paper-fields" in reply.text
    assert with_prefix(Reply(text="/top"), "") == Reply(text="/top")


@pytest.mark.parametrize(
    ("command", "reply", "private"),
    [
        ("top", Reply(text="x"), False),
        ("subscribe", Reply(text="ok"), False),
        ("subscribe", Reply(text="no", error=True, ephemeral=True), True),
        ("settings", Reply(text="x"), True),
        ("help", Reply(text="x"), True),
        ("field", Reply(text="unknown", error=True), True),
    ],
)
def test_which_replies_are_ephemeral(command: str, reply: Reply, private: bool) -> None:
    request = Request(platform="slack", chat_id="C1", user_id="T1:U1", command=command)
    assert is_private(request, reply) is private


def test_signature_accepts_slack_requests_within_five_minutes() -> None:
    body = b"command=%2Ftop&text="
    now = 1_700_000_000.0
    for ts in ("1700000000", "1699999700", "1700000300"):
        assert verify_signature(SECRET, ts, sign(SECRET, ts, body), body, now)
    for ts in ("1699999699", "1700000301"):
        assert not verify_signature(SECRET, ts, sign(SECRET, ts, body), body, now)
    assert not verify_signature("", "1700000000", sign("", "1700000000", body), body, now)


def test_known_signature_vector() -> None:
    # The example from Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) == expected
    assert verify_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", expected, body, 1531420618)


@given(
    ts=st.one_of(st.none(), st.text(max_size=30)), signature=st.one_of(st.none(), st.text()), body=st.binary()
)
def test_random_headers_are_refused_without_raising(
    ts: str | None, signature: str | None, body: bytes
) -> None:
    assert not verify_signature(SECRET, ts, signature, body, time.time())


@given(body=st.binary(max_size=2000), flip=st.integers(0, 63))
def test_a_changed_body_or_signature_is_refused(body: bytes, flip: int) -> None:
    ts = str(int(time.time()))
    good = sign(SECRET, ts, body)
    assert verify_signature(SECRET, ts, good, body, time.time())
    assert not verify_signature(SECRET, ts, good, body + b"x", time.time())
    digit = good[3 + flip]
    tampered = good[: 3 + flip] + ("0" if digit != "0" else "1") + good[4 + flip :]
    assert not verify_signature(SECRET, ts, tampered, body, time.time())
    assert json.dumps(good).isascii()


def test_the_manifest_installs_every_command_and_the_scopes_used() -> None:
    manifest = (ROOT / "handlers" / "slack" / "manifest.yml").read_text(encoding="utf-8")
    commands = set(re.findall(r"^\s+- command: (/\S+)$", manifest, re.MULTILINE))
    assert commands == set(slash_names("")) - {"/start"}
    scopes = set(re.findall(r"^\s+- ([a-z.:]+)(?:\s+#.*)?$", manifest, re.MULTILINE))
    assert {"commands", "chat:write", "channels:read", "groups:read", "users:read"} <= scopes
    assert "chat:write.public" not in scopes
    assert re.search(r"interactivity:\n\s+is_enabled: true", manifest)
    assert re.search(r"^\s+socket_mode_enabled: true$", manifest, re.MULTILINE)


def test_the_manifest_is_generated_from_the_command_table() -> None:
    committed = (ROOT / "handlers" / "slack" / "manifest.yml").read_text(encoding="utf-8")
    assert committed == manifest(), "run: python -m handlers.slack.manifest > handlers/slack/manifest.yml"
    assert "/rebroadcast" in committed and "/start" not in committed
