"""Drives xennet's xenstored with Debian's python3-pyxs; prints one line per check for XenStoreRealClientsTest."""
import sys
import threading

import pyxs

socket_path = sys.argv[1]

with pyxs.Client(unix_socket_path=socket_path) as c:
    c.write(b"/py/a", b"alpha")
    print("read", c.read(b"/py/a").decode())
    c.mkdir(b"/py/dir")
    print("list", ",".join(sorted(x.decode() for x in c.list(b"/py"))))
    print("exists", c.exists(b"/py/a"), c.exists(b"/py/zz"))
    c.set_perms(b"/py/a", [b"b0", b"r5"])
    print("perms", ",".join(p.decode() for p in c.get_perms(b"/py/a")))
    print("domainpath", c.get_domain_path(7).decode())
    try:
        c.read(b"/py/missing")
        print("error none")
    except pyxs.PyXSError as e:
        print("error", e.args[0])
    c.transaction()
    c.write(b"/py/tx", b"committed")
    c.commit()
    print("tx", c.read(b"/py/tx").decode())
    c.delete(b"/py/dir")
    print("deleted", c.exists(b"/py/dir"))

    m = c.monitor()
    m.watch(b"/py/watched", b"pytoken")
    events = m.wait()
    first = next(events)
    print("event", first.path.decode(), first.token.decode())
    with pyxs.Client(unix_socket_path=socket_path) as other:
        other.write(b"/py/watched/child", b"1")
    second = next(events)
    print("event", second.path.decode(), second.token.decode())
    m.unwatch(b"/py/watched", b"pytoken")
    m.close()
print("done")
