//! ## What it does
//! Reports an `except` clause in an `async def` that catches `asyncio.CancelledError` (by
//! name, under any import form, alone or in a tuple), `BaseException`, or everything (bare
//! `except:`) around code that awaits (`await`, `async for`, `async with`), and that does not
//! re-raise the cancellation on every path: it returns, breaks out of or continues a loop,
//! raises a different exception, or simply lets execution continue after the `try`.
//!
//! A path re-raises when it ends in a bare `raise`, in `raise exc` (with `exc` the caught
//! exception), or in `raise asyncio.CancelledError(...)`; `raise Other(...) from exc` does not
//! count. Branches are followed: a handler whose `if` and `else` both re-raise is fine, and so
//! is `except BaseException as exc: if isinstance(exc, asyncio.CancelledError): raise`.
//! `anyio.get_cancelled_exc_class()` counts as `asyncio.CancelledError`.
//!
//! ## Why is this bad?
//! `task.cancel()` does not stop a task: it throws `CancelledError` into the coroutine at its
//! current `await`, and relies on the exception travelling all the way up so that the task
//! ends in the *cancelled* state. A handler that swallows it turns the request into a no-op:
//! the task carries on (a `while True` worker loops forever, a `break` leaves it "finished"
//! instead of cancelled), `asyncio.timeout()` and `asyncio.wait_for()` can no longer turn the
//! cancellation into `TimeoutError`, `TaskGroup` shutdown and `asyncio.run()`'s Ctrl-C
//! handling wait on a task that does not go away, and the code that cancelled it believes it
//! has stopped. Since Python 3.8 `CancelledError` derives from `BaseException`, so
//! `except Exception` lets it through; `except BaseException` and bare `except:` do not.
//!
//! ## Example
//! ```python
//! async def consume(queue):
//!     while True:
//!         try:
//!             item = await queue.get()
//!         except asyncio.CancelledError:
//!             break  # the task now ends "successfully" instead of cancelled
//!         await handle(item)
//!
//! async def fetch(client, url):
//!     try:
//!         return await client.get(url)
//!     except BaseException:
//!         logger.warning("fetch failed")
//! ```
//!
//! Use instead:
//! ```python
//! async def consume(queue):
//!     while True:
//!         try:
//!             item = await queue.get()
//!         except asyncio.CancelledError:
//!             await flush()
//!             raise
//!         await handle(item)
//!
//! async def fetch(client, url):
//!     try:
//!         return await client.get(url)
//!     except Exception:
//!         logger.warning("fetch failed")
//! ```
//!
//! Not reported:
//! - the cancel-then-await idiom: `task.cancel()` earlier in the function, then
//!   `try: await task` (or `await asyncio.gather(*tasks)`, `await asyncio.wait(tasks)`, ...)
//!   with `except asyncio.CancelledError: pass` — the error comes from the task that was
//!   just cancelled; likewise a function that cancels its own task
//!   (`asyncio.current_task().cancel()`) to test its cancellation handling;
//! - a `try` that only awaits existing objects (`await self._task`, `await fut`): a
//!   `CancelledError` there usually means that task or future was cancelled elsewhere (by a
//!   `stop()` method, a callback), which the handler absorbs on purpose;
//! - handlers that call `.uncancel()` or check `.cancelling()` (Python 3.11 API for code that
//!   deliberately absorbs a cancellation);
//! - handlers that hand the caught exception on — to a call that is not logging
//!   (`future.set_exception(exc)`, `errors.append(exc)`, `self._convert_error(exc)`), into a
//!   variable that is re-raised later (`cancelled = exc`), or as a return value: what happens
//!   to the cancellation is decided elsewhere;
//! - an `except asyncio.CancelledError` clause that raises another exception
//!   (`raise ClosedResourceError from None`): a deliberate translation that still stops the
//!   task with an error (a `BaseException` or bare clause that does the same is reported: it
//!   converts cancellation by accident);
//! - `raise concurrent.futures.CancelledError(...)`, which passes the cancellation on to a
//!   thread;
//! - `__aexit__` methods: the `async with` statement decides what happens to the exception of
//!   its body (AIO605 reports exits that swallow everything);
//! - top-level shutdown code: a clause that also names `KeyboardInterrupt`, and the entry
//!   coroutine of the module (`asyncio.run(main())`), whose cancellation ends the program
//!   anyway;
//! - a `BaseException` or bare handler that follows an `except asyncio.CancelledError` clause
//!   (or anyio's `except get_cancelled_exc_class()`) of the same `try`: it never sees the
//!   cancellation;
//! - `except concurrent.futures.CancelledError`: since Python 3.8 this is a different class,
//!   which task cancellation never raises.
//!
//! ## References
//! - [`asyncio.Task.cancel`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.cancel):
//!   "the coroutine can catch the exception and use it to perform clean-up actions ... it is
//!   recommended that coroutines propagate it"
//! - [Task cancellation](https://docs.python.org/3/library/asyncio-task.html#task-cancellation)
//! - [`asyncio.Task.uncancel`](https://docs.python.org/3/library/asyncio-task.html#asyncio.Task.uncancel)
//! - [`asyncio.CancelledError`](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.CancelledError)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use super::helpers::{self, Awaits};
use crate::checker::Checker;
use crate::registry::Rule;
use crate::semantic::{BindingKind, Lookup, SemanticModel};

pub(crate) fn cancelled_error_swallowed(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if !checker.semantic.in_async_context() {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let awaits = Awaits::of(&try_stmt.body);
    let Some(first_await) = awaits.first else {
        return;
    };
    // `__aexit__` decides what happens to the exception of the `async with` body (AIO605
    // reports exits that swallow everything).
    if function.def.name.as_str() == "__aexit__" || awaits.only_awaits_objects() {
        return;
    }
    // Only the first clause that catches the cancellation ever sees it.
    let Some((handler, caught)) = try_stmt.handlers.iter().find_map(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let caught = helpers::caught(&checker.semantic, handler);
        caught.catches_cancellation().then_some((handler, caught))
    }) else {
        return;
    };
    if caught.keyboard_interrupt || mentions_uncancel(&handler.body) {
        return;
    }
    let caught_name = handler.name.as_ref().map(ast::Identifier::as_str);
    if let Some(name) = caught_name
        && hands_off(&checker.semantic, &handler.body, name)
    {
        return;
    }
    let ctx = Ctx {
        semantic: &checker.semantic,
        caught_name,
        explicit: caught.cancelled,
        in_loop: false,
        in_nested_handler: false,
    };
    let escape = match block(&handler.body, &ctx) {
        Flow::Reraises => return,
        Flow::FallsThrough => Escape::FallsThrough,
        Flow::Escapes(escape) => escape,
    };
    if is_entry_point(checker, function.def)
        || awaits_cancelled_task(checker.source, &function.def.body, try_stmt, &awaits)
    {
        return;
    }
    let clause = helpers::handler_display(checker.source, handler);
    let awaited = helpers::snippet(checker.source, first_await);
    let what = if caught.cancelled {
        format!("`{clause}` around `{awaited}` does not re-raise the cancellation")
    } else if caught.bare {
        format!(
            "Bare `except` around `{awaited}` also catches `asyncio.CancelledError` and does not re-raise it"
        )
    } else {
        format!(
            "`{clause}` around `{awaited}` also catches `asyncio.CancelledError` and does not re-raise it"
        )
    };
    let line = escape.position().map(|at| checker.file().location(at).row);
    let how = escape.describe(line);
    let effect = match escape {
        Escape::RaisesOther(_) => {
            "the cancellation turns into another error, so `asyncio.timeout()`, `TaskGroup` and the code that cancelled the task no longer recognise it"
        }
        _ => {
            "the task carries on, or ends as if it had succeeded, so `task.cancel()`, `asyncio.timeout()` and `TaskGroup` cannot stop it"
        }
    };
    let help = if caught.cancelled {
        "Clean up, then re-raise with a bare `raise`; if this cancellation is really expected, check `asyncio.current_task().cancelling()` first"
    } else {
        "Catch `Exception` instead, or re-raise `asyncio.CancelledError` (`except asyncio.CancelledError: raise` before this clause)"
    };
    checker.report(
        Rule::CancelledErrorSwallowed,
        format!("{what} ({how}): {effect}"),
        help,
        helpers::handler_header(handler),
        None,
    );
}

/// How a handler leaves without re-raising, for the message.
#[derive(Debug, Clone, Copy)]
enum Escape {
    Return(TextSize),
    Break(TextSize),
    Continue(TextSize),
    RaisesOther(TextSize),
    FallsThrough,
}

impl Escape {
    fn position(self) -> Option<TextSize> {
        match self {
            Escape::Return(at)
            | Escape::Break(at)
            | Escape::Continue(at)
            | Escape::RaisesOther(at) => Some(at),
            Escape::FallsThrough => None,
        }
    }

    fn describe(self, line: Option<usize>) -> String {
        let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
        match self {
            Escape::Return(_) => format!("it returns{at}"),
            Escape::Break(_) => format!("it breaks out of the loop{at}"),
            Escape::Continue(_) => format!("it continues the loop{at}"),
            Escape::RaisesOther(_) => format!("it raises a different exception{at}"),
            Escape::FallsThrough => "execution continues after the `try`".to_string(),
        }
    }
}

/// Where control goes when a statement (list) finishes, for the cancellation path.
#[derive(Debug, Clone, Copy)]
enum Flow {
    /// Every path re-raises (or leaves with an exception anyway).
    Reraises,
    /// Some path reaches the end; none escapes otherwise.
    FallsThrough,
    /// Some path leaves without re-raising.
    Escapes(Escape),
}

fn join(a: Flow, b: Flow) -> Flow {
    match (a, b) {
        (Flow::Escapes(e), _) | (_, Flow::Escapes(e)) => Flow::Escapes(e),
        (Flow::FallsThrough, _) | (_, Flow::FallsThrough) => Flow::FallsThrough,
        _ => Flow::Reraises,
    }
}

#[derive(Clone, Copy)]
struct Ctx<'s, 'a> {
    semantic: &'s SemanticModel<'a>,
    /// `except ... as name`.
    caught_name: Option<&'s str>,
    /// The clause names `CancelledError` itself: raising another exception there is a
    /// deliberate translation, not an accident of a catch-all.
    explicit: bool,
    /// Inside a loop that is itself inside the handler (`break` stays in the handler).
    in_loop: bool,
    /// Inside the handler of a nested `try`: a bare `raise` there re-raises *that* error.
    in_nested_handler: bool,
}

impl<'s, 'a> Ctx<'s, 'a> {
    fn with_loop(&self) -> Ctx<'s, 'a> {
        Ctx {
            in_loop: true,
            ..*self
        }
    }

    fn with_nested_handler(&self) -> Ctx<'s, 'a> {
        Ctx {
            in_nested_handler: true,
            ..*self
        }
    }
}

fn block(body: &[Stmt], ctx: &Ctx) -> Flow {
    for stmt in body {
        match statement(stmt, ctx) {
            Flow::FallsThrough => {}
            other => return other,
        }
    }
    Flow::FallsThrough
}

fn statement(stmt: &Stmt, ctx: &Ctx) -> Flow {
    match stmt {
        Stmt::Raise(raise) => {
            // Leaving with the error of a nested handler (cleanup failed) is not swallowing.
            if ctx.in_nested_handler {
                return Flow::Reraises;
            }
            match raise.exc.as_deref() {
                None => Flow::Reraises,
                Some(exc)
                    if ctx.explicit || is_caught(exc, ctx) || raises_cancelled_error(exc, ctx) =>
                {
                    Flow::Reraises
                }
                Some(_) => Flow::Escapes(Escape::RaisesOther(raise.range.start())),
            }
        }
        Stmt::Return(ret) => Flow::Escapes(Escape::Return(ret.range.start())),
        Stmt::Break(brk) if !ctx.in_loop => Flow::Escapes(Escape::Break(brk.range.start())),
        Stmt::Continue(cont) if !ctx.in_loop => Flow::Escapes(Escape::Continue(cont.range.start())),
        Stmt::If(if_stmt) => {
            let mut clauses: Vec<(Option<&Expr>, &[Stmt])> =
                vec![(Some(&*if_stmt.test), &if_stmt.body[..])];
            for clause in &if_stmt.elif_else_clauses {
                clauses.push((clause.test.as_ref(), &clause.body[..]));
            }
            if_chain(&clauses, ctx)
        }
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            let looped = block(body, &ctx.with_loop());
            let after = block(orelse, ctx);
            match (looped, after) {
                (Flow::Escapes(e), _) | (_, Flow::Escapes(e)) => Flow::Escapes(e),
                // The body may not run at all.
                _ => Flow::FallsThrough,
            }
        }
        Stmt::With(with) => block(&with.body, ctx),
        Stmt::Try(inner) => {
            let finally = block(&inner.finalbody, ctx);
            if !matches!(finally, Flow::FallsThrough) {
                return finally;
            }
            let mut flow = match block(&inner.body, ctx) {
                Flow::FallsThrough => block(&inner.orelse, ctx),
                other => other,
            };
            let nested = ctx.with_nested_handler();
            for handler in &inner.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                flow = join(flow, block(&handler.body, &nested));
            }
            flow
        }
        Stmt::Match(match_stmt) => match_stmt
            .cases
            .iter()
            .map(|case| block(&case.body, ctx))
            .fold(Flow::FallsThrough, join),
        Stmt::Expr(expr) if ends_execution(expr.value.as_ref(), ctx) => Flow::Reraises,
        _ => Flow::FallsThrough,
    }
}

/// `if`/`elif`/`else` clauses; `isinstance(exc, asyncio.CancelledError)` tests pick the branch
/// the cancellation takes.
fn if_chain(clauses: &[(Option<&Expr>, &[Stmt])], ctx: &Ctx) -> Flow {
    let Some(((test, body), rest)) = clauses.split_first() else {
        return Flow::FallsThrough;
    };
    let Some(test) = test else {
        return block(body, ctx);
    };
    match cancellation_branch(test, ctx) {
        Some(true) => block(body, ctx),
        Some(false) => if_chain(rest, ctx),
        None => join(block(body, ctx), if_chain(rest, ctx)),
    }
}

/// For a test on the caught exception, whether a cancellation makes it true.
fn cancellation_branch(test: &Expr, ctx: &Ctx) -> Option<bool> {
    if let Expr::UnaryOp(unary) = test
        && unary.op == ast::UnaryOp::Not
    {
        return cancellation_branch(&unary.operand, ctx).map(|b| !b);
    }
    let Expr::Call(call) = test else {
        return None;
    };
    if ctx.semantic.resolve_qualified_name(&call.func).as_deref() != Some("builtins.isinstance")
        || call.arguments.args.len() != 2
        || !call.arguments.keywords.is_empty()
        || !is_caught(&call.arguments.args[0], ctx)
    {
        return None;
    }
    let mut all_known = true;
    for class in helpers::flatten_tuple(&call.arguments.args[1]) {
        if helpers::is_cancellation_class(ctx.semantic, class) {
            return Some(true);
        }
        // A class imported or defined at module level that is not a cancellation class
        // (`Exception`, `FormParserError`) never matches a `CancelledError`.
        if !is_imported_or_defined(ctx.semantic, class) {
            all_known = false;
        }
    }
    all_known.then_some(false)
}

/// A class name that resolves through imports or module definitions, including a name
/// imported in several places (`try: from a import E` / `except ImportError: from b import E`).
fn is_imported_or_defined(semantic: &SemanticModel, class: &Expr) -> bool {
    if semantic.resolve_qualified_name(class).is_some() {
        return true;
    }
    let Expr::Name(name) = class else {
        return false;
    };
    match semantic.lookup(name.id.as_str()) {
        Lookup::Found(bindings) => bindings.iter().all(|binding| {
            matches!(
                binding.kind,
                BindingKind::Import { .. }
                    | BindingKind::FromImport { .. }
                    | BindingKind::ClassDef(_)
            )
        }),
        _ => false,
    }
}

/// `exc` where the clause is `except ... as exc`.
fn is_caught(expr: &Expr, ctx: &Ctx) -> bool {
    matches!((expr, ctx.caught_name), (Expr::Name(name), Some(caught)) if name.id.as_str() == caught)
}

/// `raise asyncio.CancelledError` / `raise CancelledError(...)`: the task still ends cancelled
/// (`concurrent.futures.CancelledError`: the cancellation is passed on to a thread).
fn raises_cancelled_error(exc: &Expr, ctx: &Ctx) -> bool {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    helpers::is_cancellation_class(ctx.semantic, class)
        || ctx.semantic.resolve_qualified_name(class).is_some_and(|q| {
            matches!(
                q.as_str(),
                "concurrent.futures.CancelledError" | "concurrent.futures._base.CancelledError"
            )
        })
}

/// The handler passes the caught exception on: to a call that is not logging or formatting
/// (`future.set_exception(exc)`, `errors.append(exc)`, `self._convert_error(exc)`), into a
/// variable or collection (`cancelled = exc`, later re-raised), or as a return value. What
/// happens to the cancellation is decided elsewhere.
fn hands_off(semantic: &SemanticModel, body: &[Stmt], name: &str) -> bool {
    struct Finder<'s, 'm> {
        semantic: &'s SemanticModel<'m>,
        name: &'s str,
        found: bool,
    }
    impl Finder<'_, '_> {
        fn is_name(&self, expr: &Expr) -> bool {
            match expr {
                Expr::Name(n) => n.id.as_str() == self.name,
                Expr::Starred(starred) => self.is_name(&starred.value),
                _ => false,
            }
        }

        fn holds_name(&self, expr: &Expr) -> bool {
            match expr {
                Expr::List(ast::ExprList { elts, .. })
                | Expr::Tuple(ast::ExprTuple { elts, .. })
                | Expr::Set(ast::ExprSet { elts, .. }) => elts.iter().any(|e| self.holds_name(e)),
                Expr::Dict(dict) => dict.iter_values().any(|v| self.holds_name(v)),
                other => self.is_name(other),
            }
        }

        fn is_reporting_call(&self, func: &Expr) -> bool {
            if let Expr::Attribute(attr) = func
                && matches!(
                    attr.attr.as_str(),
                    "debug"
                        | "info"
                        | "warning"
                        | "warn"
                        | "error"
                        | "exception"
                        | "critical"
                        | "log"
                        | "print"
                        | "format"
                )
            {
                return true;
            }
            self.semantic.resolve_qualified_name(func).is_some_and(|q| {
                q.starts_with("traceback.")
                    || q.starts_with("logging.")
                    || q.starts_with("warnings.")
                    || matches!(
                        q.as_str(),
                        "builtins.print"
                            | "builtins.str"
                            | "builtins.repr"
                            | "builtins.format"
                            | "builtins.type"
                            | "builtins.id"
                            | "builtins.isinstance"
                            | "builtins.getattr"
                            | "builtins.hasattr"
                    )
            })
        }
    }
    impl<'a> Visitor<'a> for Finder<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            match stmt {
                // What a `raise` does is the flow analysis' business.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) | Stmt::Raise(_) => {}
                Stmt::Assign(ast::StmtAssign { value, .. })
                | Stmt::AnnAssign(ast::StmtAnnAssign {
                    value: Some(value), ..
                }) if self.holds_name(value) => self.found = true,
                Stmt::Return(ast::StmtReturn {
                    value: Some(value), ..
                }) if self.holds_name(value) => self.found = true,
                _ => visitor::walk_stmt(self, stmt),
            }
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            if let Expr::Call(call) = expr
                && !self.is_reporting_call(&call.func)
                && (call.arguments.args.iter().any(|a| self.holds_name(a))
                    || call
                        .arguments
                        .keywords
                        .iter()
                        .any(|k| self.holds_name(&k.value)))
            {
                self.found = true;
                return;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        semantic,
        name,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

/// `sys.exit(...)`, `os._exit(...)`, `pytest.fail(...)`, `self.fail(...)`: the program or the
/// test ends here; nothing is swallowed.
fn ends_execution(expr: &Expr, ctx: &Ctx) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    if let Expr::Attribute(attr) = &*call.func
        && attr.attr.as_str() == "fail"
        && matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "self")
    {
        return true;
    }
    matches!(
        ctx.semantic.resolve_qualified_name(&call.func).as_deref(),
        Some(
            "sys.exit"
                | "os._exit"
                | "os.abort"
                | "builtins.exit"
                | "pytest.fail"
                | "pytest.skip"
                | "pytest.exit"
        )
    )
}

/// `.uncancel()` or `.cancelling()` anywhere in the handler.
fn mentions_uncancel(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(attr) = expr
                && matches!(attr.attr.as_str(), "uncancel" | "cancelling")
            {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}

/// A module-level `async def` that this module runs as its entry point
/// (`asyncio.run(main())`, `uvloop.run(main())`, `loop.run_until_complete(main())`): its
/// cancellation means the program is shutting down.
fn is_entry_point(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    let is_module_level = checker
        .module_body()
        .iter()
        .any(|stmt| matches!(stmt, Stmt::FunctionDef(d) if std::ptr::eq(d, def)));
    if !is_module_level {
        return false;
    }
    struct Runs<'s, 'm> {
        semantic: &'s SemanticModel<'m>,
        name: &'s str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Runs<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr
                && let Some(first) = call.arguments.args.first()
                && let Expr::Call(inner) = first
                && matches!(&*inner.func, Expr::Name(n) if n.id.as_str() == self.name)
            {
                let runner = match &*call.func {
                    Expr::Attribute(attr) if attr.attr.as_str() == "run_until_complete" => true,
                    func => matches!(
                        self.semantic.resolve_qualified_name(func).as_deref(),
                        Some("asyncio.run" | "uvloop.run" | "asyncio.Runner.run")
                    ),
                };
                if runner {
                    self.found = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut runs = Runs {
        semantic: &checker.semantic,
        name: def.name.as_str(),
        found: false,
    };
    runs.visit_body(checker.module_body());
    runs.found
}

/// The cancel-then-await idiom: something cancelled earlier in the function (`task.cancel()`,
/// `for t in tasks: t.cancel()`) is what the `try` body awaits.
fn awaits_cancelled_task(
    source: &str,
    function_body: &[Stmt],
    try_stmt: &ast::StmtTry,
    awaits: &Awaits,
) -> bool {
    let before = try_stmt
        .handlers
        .first()
        .map_or(try_stmt.range.end(), Ranged::start);
    let mut cancelled = CancelledTasks {
        source,
        before,
        loops: Vec::new(),
        current_task_names: Vec::new(),
        cancels_itself: false,
        texts: Vec::new(),
    };
    cancelled.visit_body(function_body);
    if cancelled.cancels_itself {
        return true;
    }
    if cancelled.texts.is_empty() {
        return false;
    }
    awaits
        .operands
        .iter()
        .any(|operand| mentions_any(source, operand, &cancelled.texts))
}

struct CancelledTasks<'s, 'a> {
    source: &'s str,
    before: TextSize,
    /// Enclosing `for` loops and comprehensions: (target, iterable).
    loops: Vec<(&'a Expr, &'a Expr)>,
    /// Names assigned from `asyncio.current_task()`.
    current_task_names: Vec<&'a str>,
    /// The function cancels its own task (tests do this to check cancellation handling).
    cancels_itself: bool,
    /// Source texts of what was cancelled: `task`, `self._task`, `tasks`, `pending`.
    texts: Vec<&'s str>,
}

impl<'a> Visitor<'a> for CancelledTasks<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                if let [Expr::Name(target)] = &assign.targets[..]
                    && self.source[assign.value.range()].contains("current_task(")
                {
                    self.current_task_names.push(target.id.as_str());
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.loops.push((&for_stmt.target, &for_stmt.iter));
                self.visit_body(&for_stmt.body);
                self.loops.pop();
                self.visit_body(&for_stmt.orelse);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                let depth = self.loops.len();
                for generator in generators {
                    self.visit_expr(&generator.iter);
                    self.loops.push((&generator.target, &generator.iter));
                }
                self.visit_expr(elt);
                self.loops.truncate(depth);
            }
            Expr::Call(call) => {
                if call.range().start() < self.before
                    && let Expr::Attribute(attr) = &*call.func
                    && attr.attr.as_str() == "cancel"
                {
                    self.record(&attr.value);
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl<'a> CancelledTasks<'_, 'a> {
    fn record(&mut self, receiver: &'a Expr) {
        let text = &self.source[receiver.range()];
        let is_current_task = match receiver {
            Expr::Call(_) => text.ends_with("current_task()"),
            Expr::Name(name) => self.current_task_names.contains(&name.id.as_str()),
            _ => false,
        };
        if is_current_task {
            self.cancels_itself = true;
        }
        self.texts.push(text);
        // `for t in tasks: t.cancel()` cancelled `tasks` (also `tasks.values()`, `list(tasks)`).
        let Expr::Name(name) = receiver else {
            return;
        };
        let Some((_, iter)) = self
            .loops
            .iter()
            .rev()
            .find(|(target, _)| matches!(target, Expr::Name(t) if t.id == name.id))
        else {
            return;
        };
        self.texts.push(&self.source[iter.range()]);
        if let Expr::Call(call) = iter {
            match &*call.func {
                Expr::Attribute(attr) => self.texts.push(&self.source[attr.value.range()]),
                Expr::Name(_) => {
                    if let Some(arg) = call.arguments.args.first() {
                        self.texts.push(&self.source[arg.range()]);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Does `expr` contain a name, attribute or call whose source text is one of `texts`?
fn mentions_any(source: &str, expr: &Expr, texts: &[&str]) -> bool {
    struct Finder<'s> {
        source: &'s str,
        texts: &'s [&'s str],
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_))
                && self.texts.contains(&&self.source[expr.range()])
            {
                self.found = true;
                return;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        source,
        texts,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}
