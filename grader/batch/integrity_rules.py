"""The rule tables of the static integrity scan (:mod:`grader.batch.scan`): what is flagged.

Each table names constructs in a student's cell that a TA should look at, most of them with the
one-line reason the finding shows. The scanner (:mod:`grader.batch.scan`) decides where a
table applies (imports, attribute reads, resolved dotted names, calls, class bodies, string
literals, magics, unparsable text); this module holds only the data. Tables are read-only:
mappings are :class:`types.MappingProxyType`, sets are ``frozenset``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

#: The reason shown for anything that reaches IPython's shell or the kernel.
KERNEL: Final = "the kernel's internals"

# --------------------------------------------------------------------------- imports

#: Modules whose import alone is a finding -> the reason shown to the TA. A name matches the
#: imported module, the module and name of a ``from`` import, or the top-level package.
FLAGGED_MODULES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "importlib": "can reload or replace modules",
        "imp": "can reload or replace modules",
        "ctypes": "raw memory access",
        "cffi": "raw memory access",
        "signal": "signals can interrupt later cells",
        "subprocess": "runs other programs",
        "pty": "runs other programs",
        "posix": "processes and file descriptors",
        "multiprocessing": "runs code in the background, alongside the tests",
        "threading": "runs code in the background, alongside the tests",
        "_thread": "runs code in the background, alongside the tests",
        "concurrent": "runs code in the background, alongside the tests",
        "socket": "network access",
        "ssl": "network access",
        "http": "network access",
        "urllib": "network access",
        "requests": "network access",
        "builtins": "can replace built-in functions",
        "__builtin__": "can replace built-in functions",
        "pickle": "loading a pickle can run hidden code",
        "marshal": "loads raw code objects",
        "dill": "loading a pickle can run hidden code",
        "cloudpickle": "loading a pickle can run hidden code",
        "shelve": "loading a pickle can run hidden code",
        "atexit": "runs code when the kernel exits",
        "unittest.mock": "replaces functions",
        "mock": "replaces functions",
        "code": "compiles and runs code",
        "codeop": "compiles and runs code",
        "resource": "changes the sandbox's limits",
        "ipykernel": KERNEL,
        "jupyter_client": KERNEL,
        "traitlets": KERNEL,
        "zmq": KERNEL,
        "comm": KERNEL,
        "grader": "the grading tools",
        "nbformat": "the grading tools",
        "nbclient": "the grading tools",
        "nbgrader": "the grading tools",
    }
)
#: Names a student may take from ``IPython.display`` (or ``IPython.core.display``). Any other
#: name of IPython is a finding (:data:`KERNEL`); ``import IPython`` and
#: ``from IPython import display`` pass.
IPYTHON_DISPLAY_OK: Final = frozenset(
    "display clear_output HTML Markdown Image Math Latex SVG Audio Video JSON Javascript "
    "IFrame YouTubeVideo FileLink FileLinks Pretty DisplayHandle update_display "
    "set_matplotlib_formats".split()
)

# --------------------------------------------------------------------------- attributes

#: Attribute names that belong to IPython's shell or kernel: reading one, on whatever object,
#: is a finding (:data:`KERNEL`).
IPYTHON_ATTRS: Final = frozenset(
    "run_code run_cell run_cell_async run_ast_nodes input_transformers_post "
    "input_transformers_cleanup input_transformer_manager input_splitter ast_transformers "
    "set_custom_exc showtraceback _showtraceback showsyntaxerror display_pub displayhook "
    "display_formatter user_ns user_global_ns run_line_magic run_cell_magic "
    "register_magic_function register_magics magics_manager history_manager payload_manager "
    "excepthook custom_exceptions".split()
)
#: Attribute names that reach into stack frames or trace execution: reading one is a finding.
FRAME_ATTRS: Final = frozenset(
    "_getframe f_back f_globals f_locals f_builtins f_code f_trace tb_frame tb_next gi_frame "
    "cr_frame ag_frame settrace setprofile gettrace".split()
)
#: Special attributes that reach into functions, classes and modules -> the reason shown;
#: reading one, on whatever object, is a finding.
INTERNAL_ATTRS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "__globals__": "reaches a function's module globals",
        "__code__": "reaches a function's code",
        "__closure__": "reaches a function's hidden variables",
        "__subclasses__": "walks the class hierarchy",
        "__builtins__": "reaches the built-in functions",
        "__setattr__": "changes attributes behind the reader's back",
        "__delattr__": "deletes attributes behind the reader's back",
        "__path__": "changes where a package's modules are found",
        "__loader__": "reaches the import machinery",
        "__spec__": "reaches the import machinery",
        "__self__": "reaches the object a built-in belongs to: builtins, for print",
    }
)

# --------------------------------------------------------------------------- dotted names

#: The reason shown for decoding text at run time: a payload the scan cannot read.
DECODED: Final = "decodes text at run time: code the scan cannot read"
#: Functions that turn encoded or compressed text back into text or code (base64, hex, rot13,
#: zlib, bz2, lzma, gzip); their use is a finding (:data:`DECODED`).
DECODERS: Final = frozenset(
    "base64.b64decode base64.b32decode base64.b32hexdecode base64.b16decode base64.a85decode "
    "base64.b85decode base64.urlsafe_b64decode base64.standard_b64decode base64.decodebytes "
    "codecs.decode codecs.encode codecs.getdecoder codecs.getencoder codecs.lookup "
    "codecs.iterdecode zlib.decompress zlib.decompressobj bz2.decompress lzma.decompress "
    "gzip.decompress binascii.a2b_base64 binascii.a2b_hex binascii.unhexlify "
    "binascii.a2b_uu binascii.a2b_qp".split()
)

#: Dotted names whose use is a finding -> the reason shown. Names are resolved through the
#: notebook's imports first (``import sys as s; s.modules`` is ``sys.modules``), and a name
#: also matches everything under it (``sys.modules.pop``).
FLAGGED_DOTTED: Final[Mapping[str, str]] = MappingProxyType(
    {
        "sys.modules": "can swap the modules the tests import",
        "sys.meta_path": "changes how modules are imported",
        "sys.path_hooks": "changes how modules are imported",
        "sys.path_importer_cache": "changes how modules are imported",
        "sys.excepthook": "changes how errors are reported",
        "sys.displayhook": "changes how results are shown",
        "sys.addaudithook": "installs an audit hook",
        "sys.breakpointhook": "installs a hook",
        "sys.unraisablehook": "installs a hook",
        "sys.monitoring": "traces execution",
        "gc.get_referrers": "reaches any live object",
        "gc.get_referents": "reaches any live object",
        "gc.get_objects": "reaches any live object",
        "inspect.currentframe": "stack-frame access",
        "inspect.stack": "stack-frame access",
        "inspect.trace": "stack-frame access",
        "inspect.getouterframes": "stack-frame access",
        "inspect.getinnerframes": "stack-frame access",
        "inspect.getframeinfo": "stack-frame access",
        "types.FunctionType": "builds functions from raw code",
        "types.CodeType": "builds raw code",
        "types.ModuleType": "builds a stand-in module",
        "helpers.grading.record": "only the tests record evidence",
        **{name: DECODED for name in DECODERS},
    }
)
#: Functions of ``os`` (or ``posix``) that act on processes, signals, file descriptors or the
#: environment: using ``os.<name>`` is a finding, as is any ``os.exec*`` and ``os.spawn*``.
OS_PROCESS: Final = frozenset(
    "kill killpg fork forkpty setsid setpgid system popen _exit abort dup dup2 fdopen pipe "
    "write putenv unsetenv posix_spawn posix_spawnp".split()
)

# --------------------------------------------------------------------------- definitions

#: Methods that let a returned object pose as the right answer in a check -> the reason
#: shown; defining one in a class is a finding.
FAKE_METHODS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "__eq__": "an object that can compare equal to anything",
        "__ne__": "an object that can compare equal to anything",
        "__bool__": "an object that decides its own truth",
        "__float__": "an object that can pose as any number",
        "__int__": "an object that can pose as any number",
        "__index__": "an object that can pose as any number",
        "__array__": "an object that can pose as any array",
        "__array_ufunc__": "an object that can pose as any array",
        "__array_function__": "an object that can pose as any array",
        "__instancecheck__": "a class that passes any isinstance check",
        "__subclasscheck__": "a class that passes any isinstance check",
        "__getattribute__": "an object that can answer any attribute",
        "count_params": "a model that can report any parameter count",
    }
)

# --------------------------------------------------------------------------- names and text

#: IPython's cell-history variables (``In``, ``Out``, ``_i3`` ...): reading one is a finding.
HISTORY_NAMES: Final = re.compile(r"^(In|Out|_ih|_oh|_dh|_i|_ii|_iii|_i\d+)$")
#: Text of the grading protocol (seal MIME type, evidence variable): a string literal that
#: contains it is a finding.
PROTOCOL_TEXT: Final = re.compile(r"vnd\.nn-tricks|NN_TRICKS_GRADING")
#: IPython's kernel event names: a string literal equal to one is a finding (event hooks).
EVENT_NAMES: Final = frozenset({"pre_run_cell", "post_run_cell", "pre_execute", "post_execute"})
#: Built-ins that run code from a string: a call on a literal string has that string scanned
#: like a cell; a call on anything else, or any other use of the name, is a finding.
DYNAMIC_CODE: Final = frozenset({"exec", "eval", "compile"})
#: Built-ins that are findings when used as values, not called (``f = setattr;
#: f(grading, ...)``) -> what the indirect use amounts to, shown in the reason.
INDIRECT: Final[Mapping[str, str]] = MappingProxyType(
    {
        "setattr": "attribute change",
        "delattr": "attribute deletion",
        "globals": "rebinding of any name",
    }
)

# --------------------------------------------------------------------------- files

#: Functions and methods (by their last name) that take a path: a literal absolute, home or
#: ``..`` path as their first argument (every argument of ``join``; ``file=`` / ``path=``) is a
#: finding.
PATH_FUNCTIONS: Final = frozenset(
    "open Path PurePath PosixPath listdir scandir walk stat lstat readlink chdir glob iglob "
    "load loadtxt genfromtxt fromfile memmap read_csv read_text read_bytes copy copyfile copy2 "
    "copytree rmtree move remove unlink rmdir makedirs mkdir rename join exists isfile isdir "
    "imread load_img load_model load_weights".split()
)
#: File names of Python code: writing such a file (``open(..., "w")``, ``write_text``) is a
#: finding, since a later import would run it.
PY_FILE: Final = re.compile(r"\.(py|pyc|pth)$")


# --------------------------------------------------------------------------- magics
#
# A magic is recognised after IPython's input transformation. A harmless one passes, one
# that runs Python code has that code scanned like a cell, and any other is a finding with
# the reason in MAGIC_REASONS (or a generic "uses the magic").

#: Line magics (``%name``) that pass.
LINE_MAGICS_OK: Final = frozenset(
    "matplotlib pip conda who whos who_ls pprint precision pinfo pinfo2 pdoc pdef psource "
    "psearch lsmagic magic xmode".split()
)
#: Line magics whose argument is Python code, scanned like a cell (``%time f()``).
LINE_MAGICS_PYTHON: Final = frozenset({"time", "timeit"})
#: Cell magics (``%%name``) whose body is Python code, scanned like a cell.
CELL_MAGICS_PYTHON: Final = frozenset({"time", "timeit", "capture", "prun"})
#: Cell magics whose body is shown, not run: they pass.
CELL_MAGICS_OK: Final = frozenset({"html", "markdown", "latex", "svg"})
#: Magics (line or cell) that are findings -> the reason shown to the TA.
MAGIC_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "run": "runs another file with %run",
        "load": "loads code with %load",
        "loadpy": "loads code with %loadpy",
        "sx": "runs a shell command (%sx)",
        "system": "runs a shell command (%system)",
        "env": "changes the environment with %env",
        "set_env": "changes the environment with %set_env",
        "config": "changes the kernel's configuration with %config",
        "load_ext": "loads an IPython extension with %load_ext",
        "reload_ext": "loads an IPython extension with %reload_ext",
        "history": "reads the cell history with %history",
        "bash": "runs a shell (%%bash)",
        "sh": "runs a shell (%%sh)",
        "script": "runs another program (%%script)",
        "python": "runs another Python process (%%python)",
        "python3": "runs another Python process (%%python3)",
        "writefile": "writes a file with %%writefile",
        "file": "writes a file with %%file",
    }
)


# --------------------------------------------------------------------------- unparsable cells

#: For a cell that does not parse even after IPython's transformations: (pattern, what it
#: mentions); each pattern found in the cell's text is a finding on its own.
SUSPICIOUS_TEXT: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.MULTILINE), label)
    for pattern, label in (
        (r"\bget_ipython\b", "get_ipython"),
        (r"\bsys\s*\.\s*modules\b", "sys.modules"),
        (r"\b__builtins__\b|\bbuiltins\b", "builtins"),
        (r"\b__import__\b", "__import__"),
        (r"\bimportlib\b", "importlib"),
        (r"\bctypes\b", "ctypes"),
        (r"\bsubprocess\b", "subprocess"),
        (r"\bsocket\b", "socket"),
        (r"\bsignal\b", "signal"),
        (r"\bsettrace\b|\bsetprofile\b|\bmeta_path\b|\bpath_hooks\b", "an interpreter hook"),
        (r"\b_getframe\b|\bf_back\b|\bf_globals\b|\bf_locals\b", "stack frames"),
        (r"\brun_cell\b|\brun_code\b|\binput_transformers\w*|\bast_transformers\b", KERNEL),
        (r"\bset_custom_exc\b|\bshowtraceback\b|\bdisplayhook\b|\bexcepthook\b", KERNEL),
        (r"\bevents\s*\.\s*register\b|\bdisplay_pub\b", KERNEL),
        (r"\b(exec|eval|compile)\s*\(", "exec/eval/compile"),
        (r"\b(setattr|delattr)\s*\(", "setattr/delattr"),
        (r"\bgc\s*\.\s*get_\w+", "gc"),
        (r"\bos\s*\.\s*(kill|killpg|fork|setsid|system|popen|exec\w*|spawn\w*|_exit)\b", "os"),
        (r"vnd\.nn-tricks|NN_TRICKS_GRADING", "the grading protocol"),
        (
            r"\b(np|numpy|math|grading|helpers|keras|tf|sys|os|builtins)\s*\.[\w.]+\s*=(?!=)",
            "an assignment to a module attribute",
        ),
        (r"^\s*!", "a shell escape (!)"),
        (r"^\s*%%?(bash|sh|script|system|sx|run|load|writefile|env|config|load_ext)\b", "a magic"),
    )
)
