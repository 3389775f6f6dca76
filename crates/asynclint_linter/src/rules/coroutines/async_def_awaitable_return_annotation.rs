//! ## What it does
//! Reports an `async def` whose return annotation is an awaitable type (`Awaitable[...]`,
//! `Coroutine[...]`, `asyncio.Task[...]`, `asyncio.Future[...]`, alone or in
//! `Optional[...]`/`... | None`) while the function only returns plain values: the results of
//! `await` expressions, literals, containers, or nothing at all.
//!
//! ## Why is this bad?
//! The return annotation of an `async def` describes the value the caller gets *after*
//! `await`; the call itself already has the type `Coroutine[Any, Any, <annotation>]`.
//! `async def fetch() -> Awaitable[int]` therefore claims that `await fetch()` produces yet
//! another awaitable. Type checkers believe it: callers are pushed to write `await await
//! fetch()` (which fails at run time, an `int` is not awaitable), or silence the checker,
//! and real mistakes around these calls (a missing `await`) go unnoticed. The wrapper
//! belongs to the type of the *call*, which Python adds on its own.
//!
//! An `async def` that really returns an awaitable object (`return asyncio.create_task(...)`,
//! `return loop.create_future()`, a task kept in a variable) is annotated correctly, so the
//! rule only reports when every `return` is evidently a plain value. Interface stubs (a body
//! of only a docstring, `pass`, `...` or `raise`) and async generators are not reported.
//!
//! ## Example
//! ```python
//! async def fetch_count(session) -> Awaitable[int]:
//!     response = await session.get("/count")
//!     return int(await response.text())
//! ```
//!
//! Use instead:
//! ```python
//! async def fetch_count(session) -> int:
//!     response = await session.get("/count")
//!     return int(await response.text())
//! ```
//!
//! ## References
//! - [Annotating coroutines (typing documentation)](https://docs.python.org/3/library/typing.html#annotating-generators-and-coroutines)
//! - [PEP 484: coroutines](https://peps.python.org/pep-0484/#coroutines)
//! - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::function_facts::{body_facts, is_trivial_body};

/// Awaitable types and how the message names them.
const AWAITABLE_TYPES: &[(&str, &str)] = &[
    ("typing.Awaitable", "Awaitable"),
    ("typing.Coroutine", "Coroutine"),
    ("typing_extensions.Awaitable", "Awaitable"),
    ("typing_extensions.Coroutine", "Coroutine"),
    ("collections.abc.Awaitable", "Awaitable"),
    ("collections.abc.Coroutine", "Coroutine"),
    ("asyncio.Task", "Task"),
    ("asyncio.tasks.Task", "Task"),
    ("asyncio.Future", "Future"),
    ("asyncio.futures.Future", "Future"),
];

/// Builtins whose result is never awaitable.
const PLAIN_BUILTINS: &[&str] = &[
    "dict",
    "list",
    "tuple",
    "set",
    "frozenset",
    "str",
    "bytes",
    "bytearray",
    "int",
    "float",
    "bool",
    "len",
    "sorted",
    "isinstance",
    "issubclass",
    "repr",
    "sum",
    "any",
    "all",
    "hash",
    "id",
];

pub(crate) fn async_def_awaitable_return_annotation(
    checker: &mut Checker,
    def: &ast::StmtFunctionDef,
) {
    if !def.is_async {
        return;
    }
    let Some(returns) = def.returns.as_deref() else {
        return;
    };
    let found = match returns {
        Expr::StringLiteral(string) => {
            let Ok(parsed) = ruff_python_parser::parse_expression(string.value.to_str()) else {
                return;
            };
            awaitable_annotation(checker, parsed.expr()).map(|found| {
                // Ranges inside the parsed string do not point into this file: show the
                // inner type by its own text.
                let inner = found.inner.and_then(|e| {
                    let text = string.value.to_str().get(e.range().to_std_range())?;
                    Some(text.to_string())
                });
                (found.kind, inner, found.optional)
            })
        }
        annotation => awaitable_annotation(checker, annotation).map(|found| {
            let inner = found
                .inner
                .map(|e| checker.source_of(e.range()).to_string());
            (found.kind, inner, found.optional)
        }),
    };
    let Some((kind, inner, optional)) = found else {
        return;
    };
    if is_trivial_body(&def.body) || body_facts(def).is_generator {
        return;
    }
    if !returns_only_plain_values(checker, def) {
        return;
    }
    let name = def.name.as_str();
    let annotation = checker.source_of(returns.range());
    let annotation = if annotation.len() <= 50 && !annotation.contains('\n') {
        format!("`{annotation}`")
    } else {
        format!("`{kind}[...]`")
    };
    let help = match inner.filter(|t| t.len() <= 40 && !t.contains('\n')) {
        Some(inner) if optional => format!(
            "Annotate the awaited value: `-> {inner} | None` (the call `{name}()` is already a coroutine)"
        ),
        Some(inner) => format!(
            "Annotate the awaited value: `-> {inner}` (the call `{name}()` is already a `Coroutine[Any, Any, {inner}]`)"
        ),
        None => format!(
            "Annotate the awaited value instead; the call `{name}()` is already a coroutine"
        ),
    };
    checker.report(
        Rule::AsyncDefAwaitableReturnAnnotation,
        format!(
            "`async def {name}` is annotated {annotation}, but an `async def`'s annotation is the value after `await`: it claims `await {name}()` gives another awaitable, while it only returns plain values"
        ),
        help,
        returns.range(),
        None,
    );
}

/// An awaitable type found in a return annotation.
struct Found<'e> {
    /// `Awaitable`, `Coroutine`, `Task`, `Future`.
    kind: &'static str,
    /// The awaited type: `int` in `Awaitable[int]` and `Coroutine[Any, Any, int]`.
    inner: Option<&'e Expr>,
    /// Wrapped in `Optional[...]`/`Union[..., None]`/`... | None`.
    optional: bool,
}

/// `Awaitable[int]`, `Coroutine[Any, Any, int]`, `asyncio.Task`..., also through
/// `Optional[...]`, `Union[..., None]` and `... | None`.
fn awaitable_annotation<'e>(checker: &Checker, annotation: &'e Expr) -> Option<Found<'e>> {
    let optional = |found: Found<'e>| Found {
        optional: true,
        ..found
    };
    match annotation {
        Expr::Name(_) | Expr::Attribute(_) => Some(Found {
            kind: awaitable_kind(checker, annotation)?,
            inner: None,
            optional: false,
        }),
        Expr::Subscript(sub) => {
            let q = checker.semantic.resolve_qualified_name(&sub.value)?;
            match q.as_str() {
                "typing.Optional" | "typing_extensions.Optional" => {
                    awaitable_annotation(checker, &sub.slice).map(optional)
                }
                "typing.Union" | "typing_extensions.Union" => {
                    let Expr::Tuple(tuple) = &*sub.slice else {
                        return None;
                    };
                    let mut members = tuple.elts.iter().filter(|e| !is_none(e));
                    let (Some(only), None) = (members.next(), members.next()) else {
                        return None;
                    };
                    awaitable_annotation(checker, only).map(optional)
                }
                _ => {
                    let kind = AWAITABLE_TYPES
                        .iter()
                        .find(|(path, _)| *path == q)
                        .map(|(_, kind)| *kind)?;
                    let inner = match &*sub.slice {
                        Expr::Tuple(tuple) if kind == "Coroutine" => tuple.elts.get(2),
                        Expr::Tuple(_) => None,
                        inner => Some(inner),
                    };
                    Some(Found {
                        kind,
                        inner,
                        optional: false,
                    })
                }
            }
        }
        Expr::BinOp(binop) if binop.op == ast::Operator::BitOr => {
            match (&*binop.left, &*binop.right) {
                (other, none) | (none, other) if is_none(none) => {
                    awaitable_annotation(checker, other).map(optional)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn awaitable_kind(checker: &Checker, expr: &Expr) -> Option<&'static str> {
    let q = checker.semantic.resolve_qualified_name(expr)?;
    AWAITABLE_TYPES
        .iter()
        .find(|(path, _)| *path == q)
        .map(|(_, kind)| *kind)
}

fn is_none(expr: &Expr) -> bool {
    matches!(expr, Expr::NoneLiteral(_))
        || matches!(expr, Expr::StringLiteral(s) if s.value.to_str() == "None")
}

/// Does every `return` of the function (nested scopes excluded) give a value that cannot be an
/// awaitable? A function without `return <value>` returns `None`.
fn returns_only_plain_values(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    let mut collector = ReturnCollector::default();
    collector.visit_body(&def.body);
    let parameters: Vec<&str> = def.parameters.iter().map(|p| p.name().as_str()).collect();
    let env = Env {
        checker,
        assignments: &collector.assignments,
        parameters: &parameters,
    };
    collector
        .returns
        .iter()
        .all(|value| value.is_none_or(|v| env.is_plain(v, 3)))
}

struct Env<'c, 'a, 'b> {
    checker: &'c Checker<'a>,
    /// Every binding of a local name: `Some(value)` for `name = value`, `None` for anything
    /// whose value is not known (loop variables, `with ... as`, augmented assignments...).
    assignments: &'b FxHashMap<&'b str, Vec<Option<&'b Expr>>>,
    parameters: &'b [&'b str],
}

impl Env<'_, '_, '_> {
    fn is_plain(&self, expr: &Expr, depth: u8) -> bool {
        match expr {
            Expr::Await(_)
            | Expr::NoneLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::FString(_)
            | Expr::List(_)
            | Expr::ListComp(_)
            | Expr::Set(_)
            | Expr::SetComp(_)
            | Expr::Dict(_)
            | Expr::DictComp(_)
            | Expr::Tuple(_)
            | Expr::Compare(_) => true,
            Expr::UnaryOp(unary) => unary.op == ast::UnaryOp::Not,
            Expr::Call(call) => self
                .checker
                .semantic
                .resolve_qualified_name(&call.func)
                .and_then(|q| q.strip_prefix("builtins.").map(str::to_string))
                .is_some_and(|name| PLAIN_BUILTINS.contains(&name.as_str())),
            Expr::Name(name) => {
                let id = name.id.as_str();
                if depth == 0 || self.parameters.contains(&id) {
                    return false;
                }
                let Some(values) = self.assignments.get(id) else {
                    // Not bound in the function: a global or closure variable, unknown.
                    return false;
                };
                values
                    .iter()
                    .all(|v| v.is_some_and(|v| self.is_plain(v, depth - 1)))
            }
            _ => false,
        }
    }
}

#[derive(Default)]
struct ReturnCollector<'a> {
    returns: Vec<Option<&'a Expr>>,
    assignments: FxHashMap<&'a str, Vec<Option<&'a Expr>>>,
}

impl<'a> ReturnCollector<'a> {
    fn bind(&mut self, target: &'a Expr, value: Option<&'a Expr>) {
        match target {
            Expr::Name(name) => self
                .assignments
                .entry(name.id.as_str())
                .or_default()
                .push(value),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.bind(elt, None);
                }
            }
            Expr::Starred(starred) => self.bind(&starred.value, None),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for ReturnCollector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.bind_name(def.name.as_str());
                return;
            }
            Stmt::ClassDef(class) => {
                self.bind_name(class.name.as_str());
                return;
            }
            Stmt::Return(ret) => self.returns.push(ret.value.as_deref()),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind(target, Some(&assign.value));
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = assign.value.as_deref() {
                    self.bind(&assign.target, Some(value));
                }
            }
            Stmt::AugAssign(assign) => self.bind(&assign.target, None),
            Stmt::For(for_stmt) => self.bind(&for_stmt.target, None),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(var) = &item.optional_vars {
                        self.bind(var, None);
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind_name(bound.as_str().split('.').next().unwrap_or_default());
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind_name(bound.as_str());
                }
            }
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                for name in names {
                    self.bind_name(name.as_str());
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Named(named) => self.bind(&named.target, None),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if let Some(name) = &h.name {
            self.bind_name(name.as_str());
        }
        visitor::walk_except_handler(self, handler);
    }
}

impl<'a> ReturnCollector<'a> {
    /// A binding whose value is unknown.
    fn bind_name(&mut self, name: &'a str) {
        self.assignments.entry(name).or_default().push(None);
    }
}
