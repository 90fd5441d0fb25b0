#!/usr/bin/env python3
"""A 'staircase' server: each step is answered just before a per-step
timeout would fire (SSL answer, handshake, startup reply), so only a
deadline over the whole exchange bounds the probe.
usage: staircase_server.py PORT CERT KEY DELAY
"""
import socket, ssl, sys, threading, time

port, cert, key, delay = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)


def client(c):
    try:
        hdr = c.recv(8)
        time.sleep(delay)
        if hdr[4:8] == b"\x04\xd2\x16\x2f":
            c.send(b"S")
            time.sleep(delay)
            c = ctx.wrap_socket(c, server_side=True)
            c.recv(4096)
        time.sleep(delay)
        c.sendall(b"E\x00\x00\x00\x1eSFATAL\x00C28000\x00Mslow\x00\x00")
        time.sleep(delay)
    except Exception:
        pass
    finally:
        c.close()


l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(8)
while True:
    c, _ = l.accept()
    threading.Thread(target=client, args=(c,), daemon=True).start()
