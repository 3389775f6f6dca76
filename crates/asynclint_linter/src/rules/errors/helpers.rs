//! What an `except` clause catches, and what a `try` body awaits: shared by the AIO4xx rules
//! (and AIO504).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::semantic::SemanticModel;

/// The exception classes one `except` clause names, as far as they matter to asyncio.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Caught {
    /// Bare `except:`.
    pub(crate) bare: bool,
    /// `asyncio.CancelledError` under any import form.
    pub(crate) cancelled: bool,
    pub(crate) base_exception: bool,
    pub(crate) exception: bool,
    pub(crate) keyboard_interrupt: bool,
    /// The builtin `TimeoutError`.
    pub(crate) builtin_timeout: bool,
    /// `asyncio.TimeoutError` / `asyncio.exceptions.TimeoutError` (a distinct class before 3.11).
    pub(crate) asyncio_timeout: bool,
}

impl Caught {
    /// Does the clause catch `asyncio.CancelledError` (Python 3.8+: a `BaseException`)?
    pub(crate) fn catches_cancellation(self) -> bool {
        self.bare || self.cancelled || self.base_exception
    }

    /// Does the clause catch every `Exception`?
    pub(crate) fn catches_everything(self) -> bool {
        self.bare || self.base_exception || self.exception
    }
}

pub(crate) fn caught(
    semantic: &SemanticModel,
    handler: &ast::ExceptHandlerExceptHandler,
) -> Caught {
    let mut caught = Caught::default();
    let Some(type_) = handler.type_.as_deref() else {
        caught.bare = true;
        return caught;
    };
    for class in flatten_tuple(type_) {
        if is_cancellation_class(semantic, class) {
            caught.cancelled = true;
            continue;
        }
        match semantic.resolve_qualified_name(class).as_deref() {
            Some("builtins.BaseException") => caught.base_exception = true,
            Some("builtins.Exception") => caught.exception = true,
            Some("builtins.KeyboardInterrupt") => caught.keyboard_interrupt = true,
            Some("builtins.TimeoutError") => caught.builtin_timeout = true,
            Some(name) if is_asyncio_timeout_error(name) => caught.asyncio_timeout = true,
            _ => {}
        }
    }
    caught
}

/// `(A, B)` -> `[A, B]`; anything else -> `[it]`.
pub(crate) fn flatten_tuple(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Tuple(tuple) => tuple.elts.iter().flat_map(flatten_tuple).collect(),
        _ => vec![expr],
    }
}

/// `asyncio.CancelledError` and its module path. `concurrent.futures.CancelledError` is *not*
/// an alias: since Python 3.8 it is a separate `Exception` subclass that task cancellation
/// never raises.
pub(crate) fn is_cancelled_error(qualified: &str) -> bool {
    matches!(
        qualified,
        "asyncio.CancelledError" | "asyncio.exceptions.CancelledError"
    )
}

/// `asyncio.CancelledError` (any import form), or anyio's `get_cancelled_exc_class()`, which is
/// that class under the asyncio backend.
pub(crate) fn is_cancellation_class(semantic: &SemanticModel, class: &Expr) -> bool {
    if let Expr::Call(call) = class {
        return call.arguments.is_empty()
            && semantic
                .resolve_qualified_name(&call.func)
                .is_some_and(|q| q.ends_with("get_cancelled_exc_class"));
    }
    semantic
        .resolve_qualified_name(class)
        .is_some_and(|q| is_cancelled_error(&q))
}

pub(crate) fn is_asyncio_timeout_error(qualified: &str) -> bool {
    matches!(
        qualified,
        "asyncio.TimeoutError" | "asyncio.exceptions.TimeoutError"
    )
}

/// The `except ... as name:` header of a handler, for anchoring findings on the clause.
pub(crate) fn handler_header(handler: &ast::ExceptHandlerExceptHandler) -> TextRange {
    let start = handler.range.start();
    let end = handler
        .name
        .as_ref()
        .map(Ranged::end)
        .or_else(|| handler.type_.as_deref().map(Ranged::end))
        .unwrap_or_else(|| start + TextSize::from(6));
    TextRange::new(start, end)
}

/// How the clause reads in a message: `except asyncio.CancelledError`, bare `except`.
pub(crate) fn handler_display(source: &str, handler: &ast::ExceptHandlerExceptHandler) -> String {
    match handler.type_.as_deref() {
        Some(type_) => {
            let text = &source[type_.range()];
            if text.len() > 60 || text.contains('\n') {
                "except (...)".to_string()
            } else {
                format!("except {text}")
            }
        }
        None => "except".to_string(),
    }
}

/// Show a piece of source in a message: on one line, at most 50 characters.
pub(crate) fn snippet(source: &str, range: TextRange) -> String {
    let text = &source[range];
    let first = text.lines().next().unwrap_or("").trim_end();
    if first.len() > 50 || first.len() != text.len() {
        let cut = first
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|i| *i <= 45)
            .last()
            .unwrap_or(0);
        format!("{}...", &first[..cut])
    } else {
        first.to_string()
    }
}

/// The suspension points of a statement list: `await` operands, `async for` iterables and
/// `async with` items, not looking into nested functions, lambdas, classes or generator
/// expressions (whose code does not run there).
#[derive(Default)]
pub(crate) struct Awaits<'a> {
    /// The awaited expressions (the operand of `await`, the iterable of `async for`, the
    /// context manager of `async with`), in source order.
    pub(crate) operands: Vec<&'a Expr>,
    /// The first suspension point (for messages): the whole `await ...` expression, or the
    /// `async for`/`async with` header.
    pub(crate) first: Option<TextRange>,
    /// Suspension points other than `await <name>` / `await <obj.attr>`.
    not_object_awaits: usize,
}

impl<'a> Awaits<'a> {
    pub(crate) fn of(body: &'a [Stmt]) -> Self {
        let mut awaits = Awaits::default();
        awaits.visit_body(body);
        awaits
    }

    /// Every suspension point awaits an existing object (`await self._task`, `await fut`):
    /// a task or future, not a coroutine call.
    pub(crate) fn only_awaits_objects(&self) -> bool {
        !self.operands.is_empty() && self.not_object_awaits == 0
    }

    fn record(&mut self, operand: &'a Expr, shown: TextRange, is_await: bool) {
        if !is_await
            || !matches!(
                operand,
                Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_)
            )
        {
            self.not_object_awaits += 1;
        }
        self.operands.push(operand);
        if self.first.is_none() {
            self.first = Some(shown);
        }
    }
}

impl<'a> Visitor<'a> for Awaits<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::For(for_stmt) if for_stmt.is_async => {
                let shown = TextRange::new(for_stmt.range.start(), for_stmt.iter.end());
                self.record(&for_stmt.iter, shown, false);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(with) if with.is_async => {
                for item in &with.items {
                    let shown = TextRange::new(with.range.start(), item.context_expr.end());
                    self.record(&item.context_expr, shown, false);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) | Expr::Generator(_) => {}
            Expr::Await(await_expr) => {
                self.record(&await_expr.value, await_expr.range, true);
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if comprehension.is_async {
            self.record(&comprehension.iter, comprehension.iter.range(), false);
        }
        visitor::walk_comprehension(self, comprehension);
    }
}

/// Visit every call of a statement list, not looking into nested functions, lambdas or
/// classes.
pub(crate) fn for_each_call<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a ast::ExprCall)) {
    struct Calls<'f, 'a> {
        f: &'f mut dyn FnMut(&'a ast::ExprCall),
    }
    impl<'a> Visitor<'a> for Calls<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Lambda(_) => {}
                Expr::Call(call) => {
                    (self.f)(call);
                    visitor::walk_expr(self, expr);
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    Calls { f }.visit_body(body);
}
