//! Shared by AIO602-AIO605, AIO609, AIO610, AIO612, AIO613: walks over a function's own scope
//! (nested `def`/`lambda`/`class` bodies excluded), decorator resolution, and what a function
//! does with a local name that holds a resource.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::semantic::SemanticModel;

/// The qualified names of a definition's decorators (`@x.y(...)` resolves to `x.y`); `None`
/// for a decorator that does not resolve.
pub(crate) fn decorator_names(
    semantic: &SemanticModel,
    decorators: &[ast::Decorator],
) -> Vec<Option<String>> {
    decorators
        .iter()
        .map(|d| {
            let expr = match &d.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            semantic.resolve_qualified_name(expr)
        })
        .collect()
}

/// Which `contextlib` decorator turns a generator function into a context manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmDecorator {
    Sync,
    Async,
}

pub(crate) fn cm_decorator(qualified: &str) -> Option<CmDecorator> {
    match qualified {
        "contextlib.contextmanager" | "contextlib2.contextmanager" => Some(CmDecorator::Sync),
        "contextlib.asynccontextmanager" | "contextlib2.asynccontextmanager" => {
            Some(CmDecorator::Async)
        }
        _ => None,
    }
}

/// The context-manager decorator of a `def`, when it has exactly one.
pub(crate) fn context_manager_decorator(
    semantic: &SemanticModel,
    def: &ast::StmtFunctionDef,
) -> Option<CmDecorator> {
    let mut found = None;
    for decorator in &def.decorator_list {
        // `@contextmanager()` is a different (broken) thing: only the bare decorator counts.
        if matches!(decorator.expression, Expr::Call(_)) {
            continue;
        }
        if let Some(kind) = semantic
            .resolve_qualified_name(&decorator.expression)
            .and_then(|q| cm_decorator(&q))
        {
            if found.is_some() {
                return None;
            }
            found = Some(kind);
        }
    }
    found
}

/// The first `await`, `async for` or `async with` of `body`, nested scopes excluded.
pub(crate) fn first_await(body: &[Stmt]) -> Option<TextRange> {
    let mut finder = AwaitFinder { found: None };
    finder.visit_body(body);
    finder.found
}

struct AwaitFinder {
    found: Option<TextRange>,
}

impl<'a> Visitor<'a> for AwaitFinder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::With(with) if with.is_async => self.found = Some(with.range()),
            Stmt::For(for_stmt) if for_stmt.is_async => self.found = Some(for_stmt.range()),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        match expr {
            Expr::Lambda(_) => {}
            Expr::Await(_) => self.found = Some(expr.range()),
            Expr::ListComp(ast::ExprListComp { generators, .. })
            | Expr::SetComp(ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ast::ExprDictComp { generators, .. })
            | Expr::Generator(ast::ExprGenerator { generators, .. })
                if generators.iter().any(|g| g.is_async) =>
            {
                self.found = Some(expr.range());
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Every `return` statement of a function's own scope.
pub(crate) fn own_returns(body: &[Stmt]) -> Vec<&ast::StmtReturn> {
    struct Returns<'a> {
        found: Vec<&'a ast::StmtReturn>,
    }
    impl<'a> Visitor<'a> for Returns<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Return(ret) => self.found.push(ret),
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _expr: &'a Expr) {}
    }
    let mut returns = Returns { found: Vec::new() };
    returns.visit_body(body);
    returns.found
}

/// What a function does with a local name bound to a resource (a client, a pool, an
/// executor), judged from every load of the name in the function body.
#[derive(Debug, Default)]
pub(crate) struct LocalUses {
    /// Returned, yielded, stored, aliased, passed to a call, compared, captured by a nested
    /// scope...: anything but `name.attribute` and `with name`.
    pub escapes: bool,
    /// `name.<closer>` (called or passed as a callback).
    pub closed: bool,
    /// `with name:` / `async with name:` (or `as` targets of it).
    pub used_as_context_manager: bool,
}

/// Collect the uses of `name` in `body` (the defining function's body).
/// `closers`: attribute names that end the resource's life (`close`, `aclose`);
/// `harmless_calls`: method names of *other* objects that may receive the name as an argument
/// without keeping it (`run_in_executor`).
pub(crate) fn local_uses(
    body: &[Stmt],
    name: &str,
    closers: &[&str],
    harmless_calls: &[&str],
) -> LocalUses {
    let mut visitor = UsesVisitor {
        name,
        closers,
        harmless_calls,
        uses: LocalUses::default(),
        nested: 0,
    };
    visitor.visit_body(body);
    visitor.uses
}

struct UsesVisitor<'n> {
    name: &'n str,
    closers: &'n [&'n str],
    harmless_calls: &'n [&'n str],
    uses: LocalUses,
    nested: u32,
}

impl UsesVisitor<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if n.id.as_str() == self.name && n.ctx.is_load())
    }
}

impl<'a> Visitor<'a> for UsesVisitor<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                self.nested += 1;
                self.visit_body(&def.body);
                self.nested -= 1;
            }
            Stmt::ClassDef(class) => {
                self.nested += 1;
                self.visit_body(&class.body);
                self.nested -= 1;
            }
            // `del name`: handed to the finaliser on purpose.
            Stmt::Delete(delete)
                if delete
                    .targets
                    .iter()
                    .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == self.name)) =>
            {
                self.uses.escapes = true;
            }
            Stmt::With(with) if self.nested == 0 => {
                for item in &with.items {
                    if self.is_name(&item.context_expr) {
                        self.uses.used_as_context_manager = true;
                    } else {
                        self.visit_expr(&item.context_expr);
                    }
                    if let Some(vars) = &item.optional_vars {
                        self.visit_expr(vars);
                    }
                }
                self.visit_body(&with.body);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nested > 0 {
            // A closure may keep, pass on or close the resource: anything goes.
            if self.is_name(expr) {
                self.uses.escapes = true;
                return;
            }
            visitor::walk_expr(self, expr);
            return;
        }
        match expr {
            Expr::Lambda(lambda) => {
                self.nested += 1;
                self.visit_expr(&lambda.body);
                self.nested -= 1;
            }
            Expr::Attribute(attr) if self.is_name(&attr.value) => {
                if self.closers.contains(&attr.attr.as_str()) {
                    self.uses.closed = true;
                }
            }
            Expr::Call(call)
                if matches!(&*call.func, Expr::Attribute(a)
                    if self.harmless_calls.contains(&a.attr.as_str())) =>
            {
                self.visit_expr(&call.func);
                for arg in &call.arguments.args {
                    if !self.is_name(arg) {
                        self.visit_expr(arg);
                    }
                }
                for keyword in &call.arguments.keywords {
                    if !self.is_name(&keyword.value) {
                        self.visit_expr(&keyword.value);
                    }
                }
            }
            _ if self.is_name(expr) => self.uses.escapes = true,
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Is `range` inside the body (not the header, not the `else:`) of a `for`/`while` loop of the
/// current function? `ancestors` are the enclosing statements, innermost first.
pub(crate) fn in_loop_body<'a>(
    ancestors: impl Iterator<Item = &'a Stmt>,
    range: TextRange,
) -> bool {
    for stmt in ancestors {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::For(ast::StmtFor { body, .. }) | Stmt::While(ast::StmtWhile { body, .. })
                if body.iter().any(|s| s.range().contains_range(range)) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Start-up code runs once: `main`, `run`, `serve`, `start*`, `setup*`, `init*`, and names
/// containing `startup`/`lifespan` (after leading underscores and an `async_` prefix).
pub(crate) fn is_startup_name(name: &str) -> bool {
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    let lower = lower.strip_prefix("async_").unwrap_or(&lower);
    matches!(lower, "main" | "run" | "serve")
        || ["start", "setup", "init"]
            .iter()
            .any(|p| lower.starts_with(p))
        || lower.contains("startup")
        || lower.contains("lifespan")
}
