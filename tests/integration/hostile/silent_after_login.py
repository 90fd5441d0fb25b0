#!/usr/bin/env python3
"""A fake PostgreSQL server that lets every client in (trust) and then never
answers a query: pgtls server/connections must give up at --timeout.
usage: silent_after_login.py PORT
"""
import socket, struct, sys, threading

port = int(sys.argv[1])


def msg(t, body):
    return t + struct.pack("!I", len(body) + 4) + body


def client(c):
    try:
        while True:
            n = struct.unpack("!I", c.recv(4))[0]
            rest = c.recv(n - 4)
            code = struct.unpack("!I", rest[:4])[0]
            if code in (80877103, 80877104):        # SSLRequest, GSSENCRequest: no
                c.send(b"N")
                continue
            break
        c.sendall(msg(b"R", struct.pack("!I", 0)) +
                  msg(b"S", b"server_version\x0015.0\x00") +
                  msg(b"S", b"server_encoding\x00UTF8\x00") +
                  msg(b"S", b"client_encoding\x00UTF8\x00") +
                  msg(b"S", b"standard_conforming_strings\x00on\x00") +
                  msg(b"K", struct.pack("!II", 1, 2)) +
                  msg(b"Z", b"I"))
        while c.recv(4096):                          # queries: read, never answered
            pass
    except Exception:
        pass
    finally:
        c.close()


l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(16)
while True:
    c, _ = l.accept()
    threading.Thread(target=client, args=(c,), daemon=True).start()
