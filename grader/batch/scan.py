"""Static scan of a submission's own cells for code that tampers with grading.

The verdict does not depend on this scan (it is decided from seals and evidence, see
:mod:`grader.batch.verdicts`); the scan's findings mark a submission **needs review** so that a TA
looks at the code: replacing the checks or the functions they use, reaching into the kernel
(``get_ipython``, cell history, input or AST transformers, event hooks, display hooks), swapping
modules in ``sys.modules``, trace hooks and frame access, dynamic code (``exec`` of computed
strings, ``__import__``), processes, signals, sockets, files outside the notebook's folder,
shell escapes and the magics that run other code. Disguises of these are findings too:
``getattr`` with a name built from strings (or a literal name, read as the attribute itself),
built-ins reached through ``__self__``, ``__builtins__`` or ``vars()``, and text decoded at run
time (base64, hex, rot13, zlib and the like), the usual carrier of a payload the scan cannot read.

A locked name that a graded test cell reads is protected (rebinding it is a finding) unless the
test cell binds it itself before reading it.

Only the student's cells are read: solution cells and cells without nbgrader metadata. Locked
cells (and graded test cells) are skipped because nbgrader restores them from the gradebook;
the imports and names they define are still taken into account (``np`` stays ``numpy`` and
rebinding it is a finding). Cells are parsed with :mod:`ast` after IPython's own input
transformations (magics, ``!`` escapes), exactly as the kernel would run them; a cell that does
not parse even then is reported only when its text mentions something suspicious.

The scan is a heuristic for a TA, tuned to stay quiet on ordinary course code (NumPy, Keras,
matplotlib, math, printing, functions, loops): code that is dynamic enough can evade it, which
is why it never decides a score.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from nbformat import NotebookNode

from grader import cells
from grader.batch.integrity_rules import (
    CELL_MAGICS_OK,
    CELL_MAGICS_PYTHON,
    DECODED,
    DYNAMIC_CODE,
    EVENT_NAMES,
    FAKE_METHODS,
    FLAGGED_DOTTED,
    FLAGGED_MODULES,
    FRAME_ATTRS,
    HISTORY_NAMES,
    INDIRECT,
    INTERNAL_ATTRS,
    IPYTHON_ATTRS,
    IPYTHON_DISPLAY_OK,
    KERNEL,
    LINE_MAGICS_OK,
    LINE_MAGICS_PYTHON,
    MAGIC_REASONS,
    OS_PROCESS,
    PATH_FUNCTIONS,
    PROTOCOL_TEXT,
    PY_FILE,
    SUSPICIOUS_TEXT,
)
from grader.cells import grade_id, is_graded_test

_MAX_NESTING = 3  # exec("...") inside exec("...") inside a %%time cell ...


@dataclass(frozen=True)
class Finding:
    """One suspicious construct in a student's cell.

    Attributes:
        cell_index: index of the cell in ``nb.cells`` (0-based).
        grade_id: the cell's nbgrader grade id, or ``None`` for a cell without one.
        line: line of the cell's source (1-based).
        reason: one short line for a TA, e.g. ``"replaces math.isclose"``.
    """

    cell_index: int
    grade_id: str | None
    line: int
    reason: str

    def __str__(self) -> str:
        """``"cell 8 (l1l2-build-l1), line 3: replaces math.isclose"`` (cells counted from 1)."""
        where = f"cell {self.cell_index + 1}"
        if self.grade_id:
            where += f" ({self.grade_id})"
        return f"{where}, line {self.line}: {self.reason}"


# --------------------------------------------------------------------------- cells


def is_locked(cell: NotebookNode, restored_ids: Collection[str] | None = None) -> bool:
    """Whether nbgrader restores the cell's source (:func:`grader.cells.is_locked`).

    A solution cell is never locked; a graded cell or a cell marked ``locked`` is. With
    ``restored_ids`` (the grade ids of the assignment's locked cells, e.g. from the release
    notebook), a cell counts as locked only when its grade id is one of them, so that a
    student cannot hide a new cell from the scan by marking it locked.
    """
    if not cells.is_locked(cell):
        return False
    return restored_ids is None or grade_id(cell) in restored_ids


def _parse(source: str) -> tuple[ast.Module | None, bool]:
    """(tree, transformed): the cell as the kernel runs it, or ``None`` when it cannot parse."""
    try:
        return ast.parse(source), False
    except (SyntaxError, ValueError):
        pass
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        manager = TransformerManager()  # type: ignore[no-untyped-call]  # IPython: unannotated
        return ast.parse(manager.transform_cell(source)), True
    except (SyntaxError, ValueError):
        return None, True
    except Exception:  # IPython's transformers raise on some broken input
        return None, True


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, descending into if/try/with/loops but not functions/classes."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for name in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, name, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _top_level(handler.body)


def _stored_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _stored_names(item)
    elif isinstance(target, ast.Starred):
        yield from _stored_names(target.value)


def _import_bindings(node: ast.stmt) -> Iterator[tuple[str, str]]:
    """(bound name, dotted origin) of an import statement."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                top = alias.name.split(".")[0]
                yield top, top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{node.module}.{alias.name}"


@dataclass
class _Context:
    """What the notebook's cells define, as the scanned cell sees it."""

    aliases: dict[str, str] = field(default_factory=dict)  # name -> dotted origin
    protected: dict[str, str] = field(default_factory=dict)  # name -> why it matters


def _collect_imports(trees: list[ast.Module | None]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for tree in trees:
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                aliases.update(_import_bindings(node))
    return aliases


def _locked_definitions(tree: ast.Module) -> Iterator[str]:
    """Names a locked cell binds at module level (assignments, functions, classes)."""
    for node in _top_level(tree.body):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _stored_names(target)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            yield from _stored_names(node.target)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name


# --------------------------------------------------------------------------- the visitor


def _literal_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:  # an f-string's literal start
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _builds_string(node: ast.AST) -> bool:
    """Whether an expression builds a string at run time: concatenation or ``%`` with a
    literal string, an f-string with a value, ``str.join``, ``format``, ``decode``, ``chr``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(
            _literal_str(side) is not None or _builds_string(side)
            for side in (node.left, node.right)
        )
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(value, ast.FormattedValue) for value in node.values)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("join", "format", "decode"):
            return True
        return isinstance(func, ast.Name) and func.id == "chr"
    return False


def _outside_path(text: str) -> bool:
    """An absolute path, a home-relative one, or one that climbs with ``..``."""
    if text.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text):
        return True
    return ".." in re.split(r"[\\/]", text)


class _Scanner(ast.NodeVisitor):
    """Collects (line, reason) pairs for one cell (or one string of code inside it)."""

    def __init__(
        self,
        context: _Context,
        raw_lines: list[str],
        *,
        transformed: bool,
        offset: int = 0,
        nesting: int = 0,
    ) -> None:
        self.context = context
        self.aliases = dict(context.aliases)
        self.raw_lines = raw_lines
        self.transformed = transformed
        self.offset = offset
        self.nesting = nesting
        self.found: list[tuple[int, str]] = []
        self.scopes: list[set[str]] = []  # names declared global, per enclosing function
        self.class_depth = 0
        self.called: set[int] = set()  # ids of Name nodes that are the function of a call
        self.built_strings: set[str] = set()  # names assigned a string built at run time

    # ----------------------------------------------------------------- helpers

    def report(self, node: ast.AST | int, reason: str) -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", 1)
        self.found.append((line + self.offset, reason))

    def nested(self, code: str, line: int) -> None:
        """Scan a string of Python code found at ``line`` (exec literal, %%time body ...)."""
        if self.nesting >= _MAX_NESTING:
            return
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            return
        inner = _Scanner(
            self.context,
            code.splitlines(),
            transformed=False,
            offset=self.offset + line - 1,
            nesting=self.nesting + 1,
        )
        inner.aliases = dict(self.aliases)
        inner.visit(tree)
        self.found.extend(inner.found)

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted origin of an expression rooted in an imported module or object.

        ``np.random.seed`` -> ``"numpy.random.seed"``, ``__import__("math").isclose`` ->
        ``"math.isclose"``, ``__builtins__.print`` -> ``"builtins.print"``; ``None`` for
        anything else (local variables, call results, literals).
        """
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            if node.id == "__builtins__":
                origin = "builtins"
            elif node.id in self.aliases:
                origin = self.aliases[node.id]
            else:
                return None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "__import__"
            and node.args
            and _literal_str(node.args[0])
        ):
            origin = str(_literal_str(node.args[0]))
        else:
            return None
        return ".".join([origin, *parts[::-1]])

    def module_level(self) -> bool:
        return not self.scopes

    def binds_global(self, name: str) -> bool:
        return self.module_level() or name in self.scopes[-1]

    def check_rebinding(self, node: ast.AST, name: str, origin: str | None = None) -> None:
        why = self.context.protected.get(name)
        if why is None or not self.binds_global(name):
            return
        if origin is not None and self.context.aliases.get(name) == origin:
            return  # the same import again
        self.report(node, f"rebinds {name} ({why})")

    # ----------------------------------------------------------------- imports

    def flag_module(self, node: ast.AST, module: str, imported: str | None = None) -> None:
        full = f"{module}.{imported}" if imported else module
        for candidate in (full, module, module.split(".")[0]):
            if candidate in FLAGGED_MODULES:
                self.report(node, f"imports {full} ({FLAGGED_MODULES[candidate]})")
                return
        if module.split(".")[0] == "IPython":
            ok = (
                module in ("IPython.display", "IPython.core.display")
                and (imported is None or imported in IPYTHON_DISPLAY_OK)
            ) or (module == "IPython" and imported in (None, "display"))
            if not ok:
                self.report(node, f"imports {full} ({KERNEL})")
        dotted = full if imported else None
        if dotted and (dotted in FLAGGED_DOTTED or self._os_process(dotted)):
            self.flag_dotted(node, dotted)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.flag_module(node, alias.name)
        for name, origin in _import_bindings(node):
            self.check_rebinding(node, name, origin)
            if self.module_level():
                self.aliases[name] = origin

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            for alias in node.names:
                self.flag_module(node, node.module, alias.name)
        for name, origin in _import_bindings(node):
            self.check_rebinding(node, name, origin)
            if self.module_level():
                self.aliases[name] = origin

    # ----------------------------------------------------------------- names and attributes

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if name == "get_ipython":
            self.report(node, f"uses get_ipython ({KERNEL})")
        elif name == "__builtins__":
            self.report(node, "uses __builtins__ (can replace built-in functions)")
        elif name == "__import__":
            self.report(node, "uses __import__ (an import the reader does not see)")
        elif name in DYNAMIC_CODE and isinstance(node.ctx, ast.Load):
            self.report(node, f"uses {name} (runs code the scan cannot see)")
        elif HISTORY_NAMES.match(name) and isinstance(node.ctx, ast.Load):
            self.report(node, f"reads the kernel's cell history ({name})")
        elif name in INDIRECT and isinstance(node.ctx, ast.Load) and id(node) not in self.called:
            self.report(node, f"passes {name} around (an indirect {INDIRECT[name]})")
        if isinstance(node.ctx, ast.Store):
            self.check_rebinding(node, name)
        elif isinstance(node.ctx, ast.Del):
            why = self.context.protected.get(name)
            if why and self.binds_global(name):
                self.report(node, f"deletes {name} ({why})")

    @staticmethod
    def _os_process(dotted: str) -> bool:
        parts = dotted.split(".")
        return (
            len(parts) == 2
            and parts[0] in ("os", "posix")
            and (parts[1] in OS_PROCESS or parts[1].startswith(("exec", "spawn")))
        )

    def flag_dotted(self, node: ast.AST, dotted: str) -> None:
        """Findings for the use of a resolved dotted name (e.g. ``sys.modules.pop``)."""
        for key, why in FLAGGED_DOTTED.items():
            if dotted == key or dotted.startswith(key + "."):
                self.report(node, f"uses {key} ({why})")
                return
        if self._os_process(dotted):
            self.report(node, f"uses {dotted} (processes, signals or file descriptors)")
            return
        parts = dotted.split(".")
        if parts[0] == "IPython" and len(parts) > 1:
            in_display = parts[1] == "display" or parts[1:3] == ["core", "display"]
            last = parts[3] if parts[1] == "core" and len(parts) > 3 else parts[-1]
            if not in_display or (len(parts) > 2 and last not in IPYTHON_DISPLAY_OK):
                self.report(node, f"uses {dotted} ({KERNEL})")
        if dotted in ("sys.path.insert", "sys.path.append", "sys.path.extend"):
            self.report(node, "changes sys.path (where imports are found)")

    def flag_attribute(self, node: ast.AST, attr: str) -> None:
        """Findings for reading the attribute ``attr`` of whatever object."""
        if attr in IPYTHON_ATTRS:
            self.report(node, f"uses {attr} ({KERNEL})")
        elif attr in FRAME_ATTRS:
            self.report(node, f"uses {attr} (stack frames or tracing)")
        elif attr in INTERNAL_ATTRS:
            self.report(node, f"uses {attr} ({INTERNAL_ATTRS[attr]})")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        self.flag_attribute(node, attr)
        if attr == "register" and isinstance(node.value, ast.Attribute):
            if node.value.attr == "events":
                self.report(node, f"registers a kernel event hook ({KERNEL})")
        if attr == "fromhex" and isinstance(node.value, ast.Name) and node.value.id == "bytes":
            self.report(node, f"uses bytes.fromhex ({DECODED})")
        dotted = self.resolve(node)
        if dotted is not None:
            self.flag_dotted(node, dotted)
            if attr == "__dict__":
                self.report(node, f"uses {dotted} (changes a module in place)")
        if isinstance(node.ctx, ast.Store | ast.Del):
            verb = "replaces" if isinstance(node.ctx, ast.Store) else "deletes"
            if dotted is not None:
                self.report(node, f"{verb} {dotted}")
            elif attr.startswith("__") and attr.endswith("__"):
                self.report(node, f"{verb} {attr} of an object (changes its behaviour)")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            container = node.value
            dotted = None
            if isinstance(container, ast.Call) and isinstance(container.func, ast.Name):
                if container.func.id == "vars" and container.args:
                    dotted = self.resolve(container.args[0])
            elif isinstance(container, ast.Attribute) and container.attr == "__dict__":
                dotted = self.resolve(container.value)
            key = _literal_str(node.slice)
            if dotted is not None:
                verb = "replaces" if isinstance(node.ctx, ast.Store) else "deletes"
                self.report(node, f"{verb} {dotted}.{key or '...'}")
        self.generic_visit(node)

    # ----------------------------------------------------------------- assignments

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        origin = self.resolve(node.value)
        if _builds_string(node.value):
            for target in node.targets:
                self.built_strings.update(_stored_names(target))
        for target in node.targets:
            if isinstance(target, ast.Name) and self.module_level():
                if origin is not None:
                    self.aliases[target.id] = origin  # g = grading
                elif target.id in self.aliases and target.id not in self.context.aliases:
                    del self.aliases[target.id]

    # ----------------------------------------------------------------- calls

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.called.add(id(func))
        if self.transformed and self._magic_call(node):
            return
        name = func.id if isinstance(func, ast.Name) else None
        last = func.attr if isinstance(func, ast.Attribute) else name
        if name in DYNAMIC_CODE:
            self._dynamic_code(node, name)
            for item in [*node.args[1:], *node.keywords]:
                self.visit(item)
            return
        if name == "getattr" and len(node.args) >= 2:
            self._getattr(node)
        if name in ("setattr", "delattr") and len(node.args) >= 2:
            self._setattr(node, name)
        elif name == "globals" or (name == "vars" and not node.args):
            self.report(node, "uses globals() (can rebind any name the tests use)")
        elif name == "vars" and node.args and self.resolve(node.args[0]):
            self.report(
                node, f"uses vars({self.resolve(node.args[0])}) (changes a module in place)"
            )
        elif name == "vars" and node.args:
            self.report(node, "uses vars() of an object (reaches any of its names, builtins too)")
        if last == "display" and any(
            k.arg == "raw" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in node.keywords
        ):
            self.report(node, "display(..., raw=True) (raw outputs are what the grader reads)")
        if last in PATH_FUNCTIONS:
            self._paths(node, last)
        if last in ("write_text", "write_bytes") and isinstance(func, ast.Attribute):
            inner = func.value
            if isinstance(inner, ast.Call) and inner.args:
                path = _literal_str(inner.args[0])
                if path and PY_FILE.search(path):
                    self.report(node, f"writes the Python file {path!r} (code to import later)")
        self.generic_visit(node)

    def _dynamic_code(self, node: ast.Call, name: str) -> None:
        source = _literal_str(node.args[0]) if node.args else None
        if source is not None and isinstance(node.args[0], ast.Constant):
            self.nested(source, node.lineno)
        else:
            self.report(node, f"calls {name} on a computed string (code the scan cannot see)")

    def _getattr(self, node: ast.Call) -> None:
        """``getattr(obj, name)``: a literal name is read as ``obj.name`` would be; a name
        built at run time (``"ex" + "ec"``) is a finding of its own."""
        name = node.args[1]
        target = self.resolve(node.args[0])
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            built = not isinstance(name, ast.Name) or name.id in self.built_strings
            if built:
                self.report(node, "reads an attribute whose name is built at run time (getattr)")
            elif target == "builtins":
                self.report(node, "reaches a built-in chosen at run time through getattr")
            return
        attr = name.value
        self.flag_attribute(node, attr)
        if target is not None:
            self.flag_dotted(node, f"{target}.{attr}")
            if target == "builtins" and (attr in DYNAMIC_CODE or attr in INDIRECT):
                self.report(node, f"reaches builtins.{attr} through getattr")
        elif attr in DYNAMIC_CODE or attr == "__import__":
            self.report(node, f"reaches {attr} through getattr (code the scan cannot see)")

    def _setattr(self, node: ast.Call, name: str) -> None:
        target = self.resolve(node.args[0])
        attr = _literal_str(node.args[1])
        verb = "replaces" if name == "setattr" else "deletes"
        if target is not None:
            self.report(node, f"{verb} {target}.{attr or '...'} ({name})")
        elif attr is not None and (
            (attr.startswith("__") and attr.endswith("__"))
            or attr.startswith("check")
            or attr in {"isclose", "allclose", "array_equal", "record", "display"}
        ):
            self.report(node, f"{verb} {attr} of an object ({name})")

    def _paths(self, node: ast.Call, function: str) -> None:
        arguments = node.args if function == "join" else node.args[:1]
        arguments = [*arguments, *(k.value for k in node.keywords if k.arg in ("file", "path"))]
        for argument in arguments:
            text = _literal_str(argument)
            if text is not None and _outside_path(text):
                self.report(node, f"uses the path {text!r} (outside the notebook's folder)")
        if function == "open" and node.args:
            path = _literal_str(node.args[0])
            mode = _literal_str(node.args[1]) if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "mode":
                    mode = _literal_str(keyword.value)
            if path and PY_FILE.search(path) and mode and set(mode) & set("wax+"):
                self.report(node, f"writes the Python file {path!r} (code to import later)")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Div):  # Path("data") / ".." / "secret"
            for side in (node.left, node.right):
                text = _literal_str(side)
                if text is not None and (text == ".." or text.startswith(("../", "/"))):
                    self.report(node, f"uses the path {text!r} (outside the notebook's folder)")
        self.generic_visit(node)

    # ----------------------------------------------------------------- magics

    def _magic_call(self, node: ast.Call) -> bool:
        """Handle ``get_ipython().<method>(...)`` that IPython made of a magic or ``!``."""
        func = node.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "get_ipython"
        ):
            return False
        index = node.lineno - 1
        raw = self.raw_lines[index] if 0 <= index < len(self.raw_lines) else ""
        if "get_ipython" in raw:
            return False  # written by the student, not by IPython's transformer
        args = [_literal_str(a) if isinstance(a, ast.Constant) else None for a in node.args]
        method = func.attr
        if method in ("system", "getoutput"):
            command = (args[0] or "").strip() if args else ""
            self.report(node, f"runs the shell command !{command[:40]}")
        elif method == "run_line_magic" and args and args[0] is not None:
            magic, rest = args[0], args[1] if len(args) > 1 else None
            if magic in LINE_MAGICS_PYTHON and rest is not None:
                self.nested(rest, node.lineno)
            elif magic not in LINE_MAGICS_OK:
                self.report(node, MAGIC_REASONS.get(magic, f"uses the magic %{magic}"))
        elif method == "run_cell_magic" and args and args[0] is not None:
            magic, body = args[0], args[2] if len(args) > 2 else None
            if magic in CELL_MAGICS_PYTHON and body is not None:
                self.nested(body, node.lineno + 1)
            elif magic not in CELL_MAGICS_OK:
                self.report(node, MAGIC_REASONS.get(magic, f"uses the cell magic %%{magic}"))
        else:
            return False
        return True

    # ----------------------------------------------------------------- scopes

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda):
            if self.class_depth and node.name in FAKE_METHODS:
                self.report(node, f"defines {node.name} ({FAKE_METHODS[node.name]})")
            if self.class_depth == 0:
                self.check_rebinding(node, node.name)
            for decorator in node.decorator_list:
                self.visit(decorator)
        self.visit(node.args)
        if not isinstance(node, ast.Lambda) and node.returns is not None:
            self.visit(node.returns)
        self.scopes.append(set())
        saved, self.class_depth = self.class_depth, 0
        for child in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(child)
        self.class_depth = saved
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.class_depth == 0:
            self.check_rebinding(node, node.name)
        for item in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(item)
        self.class_depth += 1
        self.scopes.append(set())  # a class body is its own namespace
        for child in node.body:
            self.visit(child)
        self.scopes.pop()
        self.class_depth -= 1

    def _comprehension(self, node: ast.AST) -> None:
        self.scopes.append(set())
        self.generic_visit(node)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def visit_Global(self, node: ast.Global) -> None:
        if self.scopes:
            self.scopes[-1].update(node.names)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            if PROTOCOL_TEXT.search(node.value):
                self.report(node, "mentions the grading protocol (seal or evidence)")
            elif node.value in EVENT_NAMES:
                self.report(node, f"names the kernel event {node.value!r} ({KERNEL})")


# --------------------------------------------------------------------------- the scan


def _names_read_by_tests(
    parsed: list[tuple[int, NotebookNode, ast.Module | None, bool]],
) -> list[set[str]]:
    """Per parsed code cell: the names it reads if it is a graded test cell, else nothing.

    A name the test cell itself binds (a top-level assignment, ``for``, ``with``, import,
    function or class) before it first reads it is not read from above.
    """
    result: list[set[str]] = []
    for _, cell, tree, _ in parsed:
        names: set[str] = set()
        if is_graded_test(cell) and tree is not None:
            bound: set[str] = set()
            for statement in tree.body:
                names |= {
                    node.id
                    for node in ast.walk(statement)
                    if isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Load)
                    and node.id not in bound
                }
                bound |= set(_bound_by(statement))
        result.append(names)
    return result


def _bound_by(statement: ast.stmt) -> Iterator[str]:
    """Names a top-level statement binds for the statements after it (not inside branches)."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield from _stored_names(target)
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        yield from _stored_names(statement.target)
    elif isinstance(statement, ast.For | ast.AsyncFor):
        yield from _stored_names(statement.target)
    elif isinstance(statement, ast.With | ast.AsyncWith):
        for item in statement.items:
            if item.optional_vars is not None:
                yield from _stored_names(item.optional_vars)
    elif isinstance(statement, ast.Import | ast.ImportFrom):
        yield from (name for name, _ in _import_bindings(statement))
    elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield statement.name


def _text_findings(source: str) -> Iterator[tuple[int, str]]:
    """For a cell that does not parse: every suspicious token, with its line."""
    for pattern, label in SUSPICIOUS_TEXT:
        match = pattern.search(source)
        if match:
            line = source.count("\n", 0, match.start()) + 1
            yield line, f"does not parse as Python; it mentions {label}"


def scan(
    nb: NotebookNode,
    *,
    editable_only: bool = True,
    restored_ids: Collection[str] | None = None,
) -> list[Finding]:
    """Static findings in the student's cells of ``nb``, in cell and line order.

    Args:
        nb: a submitted notebook (nbformat 4), as staged, before or after nbgrader restored
            the locked cells.
        editable_only: scan only the student's cells (solution cells and cells without
            nbgrader metadata), skipping the locked cells nbgrader restores (the default).
            ``False`` scans every code cell (the course's own locked cells then produce
            findings: ``sys.modules`` in the setup cell, for one).
        restored_ids: optional grade ids of the assignment's locked cells; when given, a
            cell marked locked with another grade id is scanned too (see :func:`is_locked`).

    Returns:
        One :class:`Finding` per suspicious construct (duplicates on the same line merged).
    """
    parsed: list[tuple[int, NotebookNode, ast.Module | None, bool]] = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            tree, transformed = _parse(cell.get("source", ""))
            parsed.append((index, cell, tree, transformed))
    imports = _collect_imports([tree for _, _, tree, _ in parsed])
    imported = {
        name: f"imported from {origin.rsplit('.', 1)[0]}"
        if "." in origin
        else f"the module {origin}"
        for name, origin in imports.items()
    }
    tests_read = _names_read_by_tests(parsed)
    defined_above: set[str] = set()
    findings: list[Finding] = []
    for position, (index, cell, tree, transformed) in enumerate(parsed):
        locked = is_locked(cell, restored_ids)
        if locked and not is_graded_test(cell) and tree is not None:
            defined_here = set(_locked_definitions(tree))
        else:
            defined_here = set()
        if editable_only and locked:
            defined_above |= defined_here
            continue
        read_below = set().union(*tests_read[position + 1 :]) if tests_read else set()
        protected = {
            name: "set by a locked cell above; a test reads it"
            for name in defined_above & read_below
        }
        protected.update(imported)
        gid = grade_id(cell)
        source = cell.get("source", "")
        if tree is None:
            found = list(_text_findings(source))
        else:
            context = _Context(aliases=imports, protected=protected)
            scanner = _Scanner(context, source.splitlines(), transformed=transformed)
            scanner.visit(tree)
            found = scanner.found
        for line, reason in sorted(set(found)):
            findings.append(Finding(index, gid, line, reason))
        defined_above |= defined_here
    return findings
