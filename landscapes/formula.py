"""Typed formulas: a small grammar of our own, parsed with lark, compiled to a JAX function.

    >>> f = parse("x^2 + 10*y^2 + sin(3*x)")
    >>> f.structure
    'x # ^ y # ^ # * + # x * sin +'
    >>> f.numbers
    (2.0, 2.0, 10.0, 3.0)

Nothing a user types is ever evaluated as Python: the text goes through lark's LALR parser for
the grammar below and nothing else, and the result is a postfix program over a fixed
vocabulary (numbers, x, y, pi, e, + - * / ^, negation and twelve named functions).

Grammar (`^` and `**` are the same operator, right-associative and binding tighter than unary
minus, so `-x^2` is −(x²) and `2^3^2` is 2⁹, as in mathematics and Python):

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom (("^" | "**") unary)?
    atom    := NUMBER | x | y | pi | e | f1 "(" sum ")" | f2 "(" sum "," sum ")" | "(" sum ")"

The compile key: a formula's `structure` is its postfix program with every number replaced by
a slot `#`; its `numbers` fill the slots in order. The engine compiles per structure and passes
the numbers as values (landscape parameters c0, c1, ...), so `x^2 + 3*y^2` and
`x^2 + 4.5*y^2` share one compilation.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import jax.numpy as jnp
import lark

MAX_LENGTH = 500
MAX_NESTING = 50
PREFIX = "formula:"
FLOAT32_MAX = float(3.4028234663852886e38)

# One-argument functions and their JAX implementation; LaTeX names below.
FUNCTIONS_1 = {
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tan": jnp.tan,
    "exp": jnp.exp,
    "log": jnp.log,
    "sqrt": jnp.sqrt,
    "abs": jnp.abs,
    "tanh": jnp.tanh,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "arctan": jnp.arctan,
}
FUNCTIONS_2 = {"min": jnp.minimum, "max": jnp.maximum}
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY = ("+", "-", "*", "/", "^")
# Every token a structure may hold; a structure string is decoded against this set only.
VOCABULARY = frozenset({"#", "neg", *VARIABLES, *CONSTANTS, *BINARY, *FUNCTIONS_1, *FUNCTIONS_2})

_GRAMMAR = r"""
?sum: product
    | sum PLUS product   -> binary
    | sum MINUS product  -> binary
?product: unary
    | product STAR unary  -> binary
    | product SLASH unary -> binary
?unary: power
    | MINUS unary -> negate
    | PLUS unary  -> plus
?power: atom
    | atom POW unary -> power
?atom: NUMBER                          -> number
    | NAME                             -> name
    | NAME LPAR sum RPAR               -> call1
    | NAME LPAR sum COMMA sum RPAR     -> call2
    | LPAR sum RPAR                    -> group

PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
POW: "**" | "^"
LPAR: "("
RPAR: ")"
COMMA: ","
NUMBER: /([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
%ignore /[ \t]+/
"""

_EXPECTED_NAMES = {
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "$END": "the end",
}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "POW"}
_NAME = re.compile(r"(?<![0-9.A-Za-z_])[A-Za-z_][A-Za-z0-9_]*")
_LAST_TOKEN = re.compile(r"(\*\*|[0-9.]+(?:[eE][+-]?[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*|\S)$")


class FormulaError(ValueError):
    """A formula that cannot be read: `position 7: expected a number, a name or '(' after '*'`.

    `position` counts characters from 1 (0 when the error is about the whole text).
    """

    def __init__(self, position: int, message: str):
        self.position = position
        self.message = message
        super().__init__(f"position {position}: {message}" if position else message)


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, its postfix program's shape and the numbers in it."""

    text: str
    structure: str  # space-separated postfix tokens, numbers as '#'
    numbers: tuple[float, ...]

    @property
    def key(self) -> str:
        """The landscape id the engine compiles for: the same for every choice of numbers."""
        return PREFIX + self.structure


class _Build(lark.Transformer):
    """Runs inside the LALR parser (no recursion): each rule returns a postfix token list,
    numbers as floats."""

    def number(self, children):
        (token,) = children
        value = float(token)
        if not abs(value) <= FLOAT32_MAX:
            raise FormulaError(token.start_pos + 1, f"the number {token} does not fit in float32 (at most 3.4e38)")
        return [value]

    def name(self, children):
        (token,) = children
        if token in VARIABLES or token in CONSTANTS:
            return [str(token)]
        if token in FUNCTIONS_1 or token in FUNCTIONS_2:
            raise FormulaError(token.start_pos + 1, f"expected '(' after the function {token}")
        raise FormulaError(token.start_pos + 1, f"unknown name {str(token)!r}; expected x, y, pi, e or a function")

    def _function(self, token, arity: int):
        if token in FUNCTIONS_1 and arity != 1:
            raise FormulaError(token.start_pos + 1, f"{token} takes one argument")
        if token in FUNCTIONS_2 and arity != 2:
            raise FormulaError(token.start_pos + 1, f"{token} takes two arguments")
        if token not in FUNCTIONS_1 and token not in FUNCTIONS_2:
            known = ", ".join([*FUNCTIONS_1, *FUNCTIONS_2])
            raise FormulaError(token.start_pos + 1, f"unknown function {str(token)!r}; one of {known}")
        return str(token)

    def call1(self, children):
        name, _, arg, _ = children
        return arg + [self._function(name, 1)]

    def call2(self, children):
        name, _, a, _, b, _ = children
        return a + b + [self._function(name, 2)]

    def group(self, children):
        return children[1]

    def binary(self, children):
        a, op, b = children
        return a + b + [str(op)]

    def power(self, children):
        a, _, b = children
        return a + b + ["^"]

    def negate(self, children):
        return children[1] + ["neg"]

    def plus(self, children):
        return children[1]


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    return lark.Lark(_GRAMMAR, start="sum", parser="lalr", transformer=_Build(), maybe_placeholders=False)


def _describe_expected(expected: set[str]) -> str:
    names = set(expected)
    parts: list[str] = []
    if "NUMBER" in names or "NAME" in names:
        parts = ["a number", "a name", "'('"]  # the start of an operand (signs included)
    else:
        if names & _OPERATORS:  # then '(' is only a syntactic possibility after a name
            parts.append("an operator")
        parts += [_EXPECTED_NAMES[n] for n in ("RPAR", "COMMA", "$END") if n in names]
    if not parts:
        parts = sorted(names)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _after(text: str, index: int) -> str:
    before = text[:index].rstrip()
    if not before:
        return " at the start"
    return f" after {_LAST_TOKEN.search(before).group(1)!r}"


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise FormulaError(0, f"a formula is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(0, f"at most {MAX_LENGTH} characters, got {len(text)}")
    if not text.strip():
        raise FormulaError(0, "empty; type a function of x and y, e.g. x^2 + 10*y^2")
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise FormulaError(i + 1, f"parentheses nested deeper than {MAX_NESTING}")
        elif char == ")":
            depth -= 1
    for match in _NAME.finditer(text):
        word = match.group(0)
        if word not in VARIABLES and word not in CONSTANTS and word not in FUNCTIONS_1 and word not in FUNCTIONS_2:
            raise FormulaError(match.start() + 1, f"unknown name {word!r}; expected x, y, pi, e or a function ({', '.join([*FUNCTIONS_1, *FUNCTIONS_2])})")
    return text


def parse(text: str) -> Formula:
    """The formula `text` means; FormulaError (position and what was expected) otherwise."""
    text = _check_text(text)
    try:
        program = _parser().parse(text)
    except lark.exceptions.VisitError as e:  # a FormulaError raised by _Build
        if isinstance(e.orig_exc, FormulaError):
            raise e.orig_exc from None
        raise
    except lark.UnexpectedCharacters as e:
        char = text[e.pos_in_stream]
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
        raise FormulaError(e.pos_in_stream + 1, f"unexpected character {shown}") from None
    except lark.UnexpectedEOF as e:
        raise FormulaError(len(text) + 1, f"expected {_describe_expected(e.expected)}{_after(text, len(text))}") from None
    except lark.UnexpectedToken as e:
        if e.token.type == "$END":
            index = len(text)
            raise FormulaError(index + 1, f"expected {_describe_expected(e.interactive_parser.accepts())}{_after(text, index)}") from None
        index = e.token.start_pos
        if e.token.type == "RPAR" and text[:index].count("(") <= text[:index].count(")"):
            raise FormulaError(index + 1, "unmatched ')'") from None
        raise FormulaError(index + 1, f"expected {_describe_expected(e.interactive_parser.accepts())}{_after(text, index)}, got {str(e.token)!r}") from None
    numbers = tuple(t for t in program if isinstance(t, float))
    structure = " ".join("#" if isinstance(t, float) else t for t in program)
    return Formula(text, structure, numbers)


def tokens(structure: str) -> tuple[str, ...]:
    """The postfix tokens of a structure string, checked against the fixed vocabulary."""
    out = tuple(structure.split(" "))
    bad = [t for t in out if t not in VOCABULARY]
    if bad or not structure:
        raise FormulaError(0, f"not a formula structure: {structure[:40]!r}")
    return out


def _arity(token: str) -> int:
    if token in BINARY or token in FUNCTIONS_2:
        return 2
    if token == "neg" or token in FUNCTIONS_1:
        return 1
    return 0


def evaluate_program(structure: str, numbers, x, y, ops):
    """Evaluate a postfix program with the given operations (JAX or NumPy): one stack, no
    recursion, so nothing about the depth of a formula can overflow Python's stack."""
    stack: list = []
    slot = 0
    for t in tokens(structure):
        if t == "#":
            stack.append(numbers[slot])
            slot += 1
        elif t == "x":
            stack.append(x)
        elif t == "y":
            stack.append(y)
        elif t in CONSTANTS:
            stack.append(ops["const"](CONSTANTS[t]))
        elif t == "neg":
            stack.append(-stack.pop())
        elif _arity(t) == 2:
            b, a = stack.pop(), stack.pop()
            stack.append(ops[t](a, b))
        else:
            stack.append(ops[t](stack.pop()))
    (result,) = stack
    return result


JAX_OPS = {
    "const": jnp.float32,
    "+": jnp.add,
    "-": jnp.subtract,
    "*": jnp.multiply,
    "/": jnp.divide,
    "^": jnp.power,
    **FUNCTIONS_1,
    **FUNCTIONS_2,
}


def slot_names(count: int) -> tuple[str, ...]:
    return tuple(f"c{i}" for i in range(count))


def jax_function(structure: str):
    """f(xy, params) for a structure, the numbers read from params c0, c1, ... (traced values)."""
    n = tokens(structure).count("#")
    names = slot_names(n)

    def fn(xy, params):
        x, y = xy[0], xy[1]
        numbers = [jnp.asarray(params[name], jnp.float32) for name in names]
        return jnp.asarray(evaluate_program(structure, numbers, x, y, JAX_OPS), jnp.float32) + 0.0 * x

    return fn


# -- LaTeX ----------------------------------------------------------------------------------------

_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "exp": r"\exp",
    "log": r"\log",
    "tanh": r"\tanh",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "arctan": r"\arctan",
    "min": r"\min",
    "max": r"\max",
}
# Precedence of what a LaTeX fragment is, to know when it needs parentheses.
_ATOM, _POW, _NEG, _MUL, _ADD = 5, 4, 3, 2, 1


def _number_latex(value: float) -> str:
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text


def latex(formula: Formula) -> str:
    """The formula in LaTeX, with the fewest parentheses that keep its meaning."""
    stack: list[tuple[str, int]] = []
    numbers = iter(formula.numbers)

    def paren(item, below):
        text, prec = item
        return rf"\left({text}\right)" if prec < below else text

    for t in tokens(formula.structure):
        if t == "#":
            value = next(numbers)
            stack.append((_number_latex(value), _POW if "cdot" in _number_latex(value) else _ATOM))
        elif t in VARIABLES:
            stack.append((t, _ATOM))
        elif t == "pi":
            stack.append((r"\pi", _ATOM))
        elif t == "e":
            stack.append(("e", _ATOM))
        elif t == "neg":
            stack.append((f"-{paren(stack.pop(), _POW)}", _NEG))
        elif t in ("+", "-"):
            b, a = stack.pop(), stack.pop()
            stack.append((f"{a[0]} {t} {paren(b, _MUL if t == '+' else _MUL)}", _ADD))
        elif t == "*":
            b, a = stack.pop(), stack.pop()
            stack.append((rf"{paren(a, _MUL)} \cdot {paren(b, _POW)}", _MUL))
        elif t == "/":
            b, a = stack.pop(), stack.pop()
            stack.append((rf"\frac{{{a[0]}}}{{{b[0]}}}", _ATOM))
        elif t == "^":
            b, a = stack.pop(), stack.pop()
            stack.append((f"{{{paren(a, _ATOM)}}}^{{{b[0]}}}", _POW))
        elif t == "sqrt":
            stack.append((rf"\sqrt{{{stack.pop()[0]}}}", _ATOM))
        elif t == "abs":
            stack.append((rf"\left|{stack.pop()[0]}\right|", _ATOM))
        elif t in FUNCTIONS_2:
            b, a = stack.pop(), stack.pop()
            stack.append((rf"{_LATEX_FUNCTIONS[t]}\left({a[0]}, {b[0]}\right)", _ATOM))
        else:
            stack.append((rf"{_LATEX_FUNCTIONS[t]}\left({stack.pop()[0]}\right)", _ATOM))
    return stack[0][0]
