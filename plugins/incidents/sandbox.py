"""The sandbox that renders an organisation's email templates, bounded in time and size.

Jinja's ``SandboxedEnvironment`` stops a template from reaching Python's
internals, not from running for ever or filling the memory: nested loops of
10¹⁰ iterations or ``"x" * 100000000`` are valid templates. Here every
``{% for %}`` iterates through a counter that checks a deadline, the operators
and filters that can grow a string refuse a result past the output limit before
building it, and the output is gathered chunk by chunk from ``generate()``,
stopping at the limit. Nothing runs in a thread: the checks are in the
rendering itself, so a refused render has stopped.
"""

from __future__ import annotations

import contextvars
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import _PassArg

MAX_OUTPUT = 100_000  # characters of one rendered subject or body
MAX_ITERATIONS = 1_000_000  # loop iterations of one render, all loops together
TIME_LIMIT = 1.0  # seconds for one render
_GUARD = "__accord_loop_guard"
_CHECK = "__accord_size_check"
# A number this long in a format string is a width meant to fill the memory.
_HUGE_WIDTH = re.compile(r"\d{6,}")


class TooCostly(Exception):
    """The template asks for more than a render may take; the message says which limit."""


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.iterations = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooCostly(f"it takes longer than {TIME_LIMIT:g} s to render")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "accord_template_budget", default=None
)


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _budget.get()
    for item in iterable:
        if budget is not None:
            budget.iterations += 1
            if budget.iterations > MAX_ITERATIONS:
                raise TooCostly(f"its loops run more than {MAX_ITERATIONS:,} times")
            if budget.iterations % 1000 == 0:
                budget.check_time()
        yield item


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def _refuse_past_limit(size: float) -> None:
    if size > MAX_OUTPUT:
        raise TooCostly(f"it makes a text longer than {MAX_OUTPUT:,} characters")


def _multiply(left: Any, right: Any) -> Any:
    if isinstance(right, int) and _size(left):
        _refuse_past_limit(_size(left) * right)
    if isinstance(left, int) and _size(right):
        _refuse_past_limit(_size(right) * left)
    return left * right


def _power(left: Any, right: Any) -> Any:
    # A number of more than a thousand digits is no email's business.
    whole = isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0
    if whole and right * math.log10(abs(left)) > 1000:
        raise TooCostly("it computes a number of more than a thousand digits")
    return left**right


def _add(left: Any, right: Any) -> Any:
    if _size(left) and _size(right):
        _refuse_past_limit(_size(left) + _size(right))
    return left + right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str) and _HUGE_WIDTH.search(left):
        raise TooCostly("its format asks for a width of a million characters or more")
    return _bounded_result(left % right)


def _bounded_result(value: Any) -> Any:
    _refuse_past_limit(_size(value))
    return value


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _multiply,
    "**": _power,
    "+": _add,
    "%": _modulo,
}


def _precheck_filter(name: str, values: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a filter call whose result would pass the limit, before it is built."""
    subject = values[0] if values else None
    rest = values[1:]
    if name == "replace" and isinstance(subject, str) and len(rest) >= 2:
        old, new = str(rest[0]), str(rest[1])
        count = subject.count(old) if old else len(subject) + 1
        _refuse_past_limit(len(subject) + count * max(0, len(new) - len(old)))
    elif name == "center":
        width = rest[0] if rest else kwargs.get("width", 80)
        if isinstance(width, int):
            _refuse_past_limit(width)
    elif name == "indent" and isinstance(subject, str):
        width = rest[0] if rest else kwargs.get("width", 4)
        lines = subject.count("\n") + 1
        _refuse_past_limit(len(subject) + lines * (width if isinstance(width, int) else len(width)))
    elif name == "join" and isinstance(subject, list | tuple | range):
        separator = rest[0] if rest else kwargs.get("d", "")
        items = sum(len(str(item)) for item in subject)
        _refuse_past_limit(items + len(str(separator)) * max(0, len(subject) - 1))
    elif name == "format" and isinstance(subject, str) and _HUGE_WIDTH.search(subject):
        raise TooCostly("its format asks for a width of a million characters or more")


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # A filter that takes the context first gets it before its value.
    skip = 0 if _PassArg.from_obj(function) is None else 1

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _precheck_filter(name, args[skip:], kwargs)
        return _bounded_result(function(*args, **kwargs))

    # Keep what Jinja reads off a filter (pass_context, pass_eval_context …).
    bounded.__dict__.update(getattr(function, "__dict__", {}))
    return bounded


class BoundedEnvironment(SandboxedEnvironment):
    """A sandbox whose loops, string-growing operators and filters respect a render budget."""

    intercepted_binops = frozenset(_BINOPS)  # also keeps them from being folded at compile time

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals[_GUARD] = _counted
        self.globals[_CHECK] = _bounded_result

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        return _BINOPS[operator_name](left, right)

    def format_string(self, s: str, args: Any, kwargs: Any, format_func: Any = None) -> str:
        if _HUGE_WIDTH.search(s):
            raise TooCostly("its format asks for a width of a million characters or more")
        return _bounded_result(super().format_string(s, args, kwargs, format_func))  # type: ignore[no-any-return]

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget.get()
        if budget is not None:
            budget.check_time()
        return _bounded_result(super().call(__context, __obj, *args, **kwargs))

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every loop iterates through the counter: ``{% for x in y %}`` becomes
        # ``{% for x in __accord_loop_guard(y) %}``.
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            guard = nodes.Name(_GUARD, "load", lineno=loop.lineno)
            loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
            loop.iter.set_environment(self)
        # ``a ~ b`` is no operator the sandbox intercepts: check what it built.
        for parent in [tree, *tree.find_all(nodes.Node)]:
            for field in parent.fields:
                child = getattr(parent, field, None)
                if isinstance(child, nodes.Concat):
                    setattr(parent, field, self._size_checked(child))
                elif isinstance(child, list):
                    child[:] = [
                        self._size_checked(item) if isinstance(item, nodes.Concat) else item
                        for item in child
                    ]
        return tree

    def _size_checked(self, expression: nodes.Expr) -> nodes.Expr:
        check = nodes.Name(_CHECK, "load", lineno=expression.lineno)
        call = nodes.Call(check, [expression], [], None, None, lineno=expression.lineno)
        call.set_environment(self)
        return call


def render(environment: BoundedEnvironment, text: str, values: dict[str, Any]) -> str:
    """``text`` rendered with ``values`` within the limits; ``TooCostly`` says which it passed."""
    token = _budget.set(_Budget(TIME_LIMIT))
    try:
        budget = _budget.get()
        assert budget is not None
        chunks: list[str] = []
        size = 0
        for chunk in environment.from_string(text).generate(**values):
            size += len(chunk)
            _refuse_past_limit(size)
            budget.check_time()
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _budget.reset(token)
