"""The web process's listening socket: no Nagle delay, and a port several processes can share."""

from __future__ import annotations

import socket

import pytest

from helpdesk.runner.listener import tcp_listener


def test_accepted_connections_send_without_nagle_delay() -> None:
    # Without TCP_NODELAY a response's body waits ~40 ms for the client's delayed ACK.
    with tcp_listener("127.0.0.1", 0) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_reuse_port_lets_two_processes_share_the_port() -> None:
    with tcp_listener("127.0.0.1", 0, reuse_port=True) as first:
        port = first.getsockname()[1]
        with tcp_listener("127.0.0.1", port, reuse_port=True) as second:
            assert second.getsockname()[1] == port


def test_a_taken_port_is_refused_without_reuse_port() -> None:
    with tcp_listener("127.0.0.1", 0) as first:
        port = first.getsockname()[1]
        with pytest.raises(OSError):
            tcp_listener("127.0.0.1", port)
