#!/usr/bin/env python3
"""A scripted PostgreSQL server for hostile-input tests (127.0.0.1 only).
usage: fake_server.py PORT CERT KEY MESSAGE_HEX
Answers 'S' to SSLRequest, completes TLS with CERT/KEY, reads the
StartupMessage and answers an ErrorResponse whose message is the bytes of
MESSAGE_HEX; a plaintext startup gets the same error.  Runs until killed.
"""
import socket, ssl, struct, sys
port, cert, key, msg = int(sys.argv[1]), sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
body = b"SFATAL\0C28000\0M" + msg + b"\0\0"
err = b"E" + struct.pack("!I", len(body) + 4) + body
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(8)
while True:
    c, _ = l.accept()
    try:
        hdr = c.recv(8)
        if hdr[4:8] == b"\x04\xd2\x16\x2f":
            c.send(b"S")
            c = ctx.wrap_socket(c, server_side=True)
        c.recv(4096)
        c.sendall(err)
    except Exception:
        pass
    finally:
        c.close()
