"""A client of GIMP's Script-Fu server (run with /usr/bin/python3).

usage: script_fu.py PORT wait SECONDS    wait until the server accepts connections
       script_fu.py PORT EXPRESSION      evaluate EXPRESSION, print the reply
Exit code: 0 ok, 1 the expression failed (the reply says why), 2 no answer
(GIMP quit or never started). One connection per request, as the server wants:
'G', a 2-byte big-endian length, the text; the reply is 'G', an error byte,
a 2-byte big-endian length, the text.
"""
import socket
import struct
import sys
import time

HOST = "127.0.0.1"


def wait_for_server(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return 0
        except OSError:
            time.sleep(0.2)
    print(f"no Script-Fu server on port {port} after {seconds} s")
    return 2


def receive(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def evaluate(port, expression):
    text = expression.encode()
    # A plug-in call answers only when it is done: minutes with the engine on a CPU.
    with socket.create_connection((HOST, port), timeout=1500) as connection:
        connection.sendall(b"G" + struct.pack(">H", len(text)) + text)
        try:
            _, failed, length = struct.unpack(">cBH", receive(connection, 4))
            reply = receive(connection, length).decode(errors="replace")
        except EOFError:
            print("no reply (GIMP closed the connection)")
            return 2
    print(reply)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "wait":
        sys.exit(wait_for_server(int(sys.argv[1]), float(sys.argv[3])))
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(evaluate(int(sys.argv[1]), sys.argv[2]))
