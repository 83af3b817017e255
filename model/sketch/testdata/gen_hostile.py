# Generates hostile .npy/.npz fixtures for the sketch readers' tests: pickles that would run a
# shell command if a Python unpickler loaded them. Run with python3 from this folder; it never
# unpickles anything itself.
import builtins
import io
import os
import pickle
import zipfile


class Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


def npy(payload):
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + payload


cmd = "touch /tmp/sketch-hostile-pickle-ran"
with open("hostile_system.npy", "wb") as f:  # protocol 2: GLOBAL 'posix system'
    f.write(npy(pickle.dumps(Evil(os.system, cmd), protocol=2)))
with open("hostile_eval.npy", "wb") as f:  # protocol 4: STACK_GLOBAL 'builtins eval'
    f.write(npy(pickle.dumps(Evil(builtins.eval, "__import__('os').system(%r)" % cmd), protocol=4)))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("train.npy", npy(pickle.dumps(Evil(os.system, cmd), protocol=2)))
with open("hostile.npz", "wb") as f:
    f.write(buf.getvalue())
