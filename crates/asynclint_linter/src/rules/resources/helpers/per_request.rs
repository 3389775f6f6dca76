//! Shared by AIO607 (client-per-request) and AIO608 (connection-per-request): where a client
//! or connection is constructed, what happens to it, and which functions legitimately build
//! one (start-up code, factories, fixtures, script entry points).

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::{CallSite, Checker};
use crate::project::{DeferredCheck, DeferredKind, ProjectFacts, Target};
use crate::registry::Rule;
use crate::semantic::{BindingKind, ScopeKind};

/// A constructor of a pooled client or connection.
pub(crate) struct Constructor {
    /// Qualified name of the callee.
    pub qualified: &'static str,
    /// How the message names it.
    pub display: &'static str,
    /// Keywords that hand over a shared pool or an in-process transport (`connector=`,
    /// `transport=`, `app=`): then a per-call wrapper is cheap and not reported.
    pub shared_pool_keywords: &'static [&'static str],
    /// What to write instead.
    pub help: &'static str,
}

/// Methods that end a client's life rather than use it.
const LIFECYCLE_METHODS: &[&str] = &[
    "close",
    "aclose",
    "wait_closed",
    "terminate",
    "disconnect",
    "__aenter__",
    "__aexit__",
    "__enter__",
    "__exit__",
];

/// Why the construction is per request.
enum Condition {
    Loop,
    Comprehension,
    /// Inside `async def <name>(...)` with parameters.
    PerCall(String),
}

/// Phase 1: a call of a catalogued constructor.
pub(crate) fn check(checker: &mut Checker, site: &CallSite, rule: Rule, catalogue: &[Constructor]) {
    let Some(qualified) = site.qualified else {
        return;
    };
    let Some(constructor) = catalogue.iter().find(|c| c.qualified == qualified) else {
        return;
    };
    if shares_pool(checker, site, constructor) {
        return;
    }
    if !is_used_and_discarded(checker, site.call) || in_while_loop(checker, site.call.range()) {
        return;
    }
    let function = checker.semantic.current_function();
    let condition = if checker.semantic.current_scope_kind() == ScopeKind::Comprehension {
        Some(Condition::Comprehension)
    } else if in_for_loop(checker, site.call.range()) {
        Some(Condition::Loop)
    } else {
        function
            .filter(|f| f.def.is_async && has_parameters(checker, f.def, f.class.is_some()))
            .map(|f| match f.class {
                Some(class) => Condition::PerCall(format!("{}.{}", class.name, f.def.name)),
                None => Condition::PerCall(f.def.name.to_string()),
            })
    };
    let Some(condition) = condition else { return };
    // Inside a lambda or a class body there is no function to judge.
    if function.is_none()
        && !matches!(
            checker.semantic.current_scope_kind(),
            ScopeKind::Module | ScopeKind::Comprehension
        )
    {
        return;
    }
    if let Some(function) = function
        && (is_exempt(checker, function.def, function.class)
            || accepts_client(checker, function.def, constructor))
    {
        return;
    }
    let (message, help) = message(rule, constructor, &condition);
    let range = site.call.range();

    // Script entry points: a module-level function whose only call sites are under
    // `if __name__ == "__main__":` runs once.
    let Some(function) = function.filter(|f| f.class.is_none() && is_module_level(checker, f.def))
    else {
        checker.report(rule, message, help, range, None);
        return;
    };
    let references = references(checker.module_body(), function.def);
    if references.outside_main {
        checker.report(rule, message, help, range, None);
        return;
    }
    let module = checker.semantic.module_path().map(|m| m.join("."));
    if let (Some(builder), Some(module)) = (&mut checker.summary, module) {
        builder.summary.deferred.push(DeferredCheck {
            rule,
            range,
            target: Target::path(format!("{module}.{}", function.def.name)),
            kind: DeferredKind::PerRequest(Box::new(crate::project::texts::PerRequest {
                message,
                help: help.to_string(),
            })),
        });
        return;
    }
    if !references.under_main {
        checker.report(rule, message, help, range, None);
    }
}

/// Phase 2: report unless every call site is under a `__main__` guard.
pub(crate) fn settle(
    check: &DeferredCheck,
    file: &Arc<SourceFile>,
    facts: &dyn ProjectFacts,
) -> Option<Diagnostic> {
    let DeferredKind::PerRequest(texts) = &check.kind else {
        return None;
    };
    let crate::project::texts::PerRequest { message, help } = &**texts;
    if facts.only_called_under_main_guard(&check.target) {
        return None;
    }
    Some(
        Diagnostic::new(
            check.rule.code(),
            check.rule.name(),
            message.clone(),
            check.range,
            file.clone(),
        )
        .with_help(help.clone()),
    )
}

fn message(rule: Rule, constructor: &Constructor, condition: &Condition) -> (String, &'static str) {
    let display = constructor.display;
    let when = match condition {
        Condition::Loop => "on every iteration of the loop".to_string(),
        Condition::Comprehension => "for every element of the comprehension".to_string(),
        Condition::PerCall(name) => format!("on every call of `{name}()`"),
    };
    let message = if rule == Rule::ConnectionPerRequest {
        format!(
            "`{display}` opens a new connection {when} and drops it after use: every use pays the connect and authentication round trips, and concurrent calls can exhaust the server's connection limit"
        )
    } else {
        format!(
            "`{display}` is created {when} and dropped after use: each client has its own connection pool, so no connection is reused (a new TCP and TLS handshake per request)"
        )
    };
    (message, constructor.help)
}

/// Constructors of a fresh network pool: passing one inline still builds a pool per call.
const NEW_POOLS: &[&str] = &[
    "aiohttp.TCPConnector",
    "aiohttp.connector.TCPConnector",
    "httpx.AsyncHTTPTransport",
    "httpx.HTTPTransport",
    "redis.asyncio.ConnectionPool",
    "redis.asyncio.BlockingConnectionPool",
    "redis.asyncio.ConnectionPool.from_url",
    "redis.asyncio.connection.ConnectionPool",
];

/// A shared pool (`connector=self._connector`) or an in-process transport
/// (`transport=httpx.ASGITransport(app)`, `app=app`) makes a per-call wrapper cheap.
fn shares_pool(checker: &Checker, site: &CallSite, constructor: &Constructor) -> bool {
    constructor.shared_pool_keywords.iter().any(|name| {
        site.keyword(name).is_some_and(|k| match &k.value {
            Expr::NoneLiteral(_) => false,
            Expr::Call(call) => checker
                .semantic
                .resolve_qualified_name(&call.func)
                .is_none_or(|q| !NEW_POOLS.contains(&q.as_str())),
            _ => true,
        })
    })
}

/// Is the call inside the body of a `for`/`async for` loop of the same scope?
fn in_for_loop(checker: &Checker, range: TextRange) -> bool {
    in_loop_body(checker, range, |stmt| match stmt {
        Stmt::For(for_stmt) => Some(for_stmt.body.as_slice()),
        _ => None,
    })
}

/// Inside a `while` loop of the same scope: usually a reconnect or retry loop around a
/// long-lived client, in a function that runs for the life of the process.
fn in_while_loop(checker: &Checker, range: TextRange) -> bool {
    in_loop_body(checker, range, |stmt| match stmt {
        Stmt::While(while_stmt) => Some(while_stmt.body.as_slice()),
        _ => None,
    })
}

/// Is `range` in the body (as `body_of` gives it) of an enclosing statement of the same scope?
fn in_loop_body<'a>(
    checker: &Checker<'a>,
    range: TextRange,
    body_of: impl Fn(&'a Stmt) -> Option<&'a [Stmt]>,
) -> bool {
    for stmt in checker.statement_ancestors() {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return false;
        }
        if body_of(stmt).is_some_and(|body| body.iter().any(|s| s.range().contains_range(range))) {
            return true;
        }
    }
    false
}

/// At least one parameter besides the `self`/`cls` of a method.
fn has_parameters(checker: &Checker, def: &ast::StmtFunctionDef, is_method: bool) -> bool {
    let params = &def.parameters;
    let mut count = params.posonlyargs.len()
        + params.args.len()
        + params.kwonlyargs.len()
        + usize::from(params.vararg.is_some())
        + usize::from(params.kwarg.is_some());
    let is_static = def.decorator_list.iter().any(|d| {
        checker
            .semantic
            .resolve_qualified_name(&d.expression)
            .is_some_and(|q| q == "builtins.staticmethod")
    });
    if is_method && !is_static && !(params.posonlyargs.is_empty() && params.args.is_empty()) {
        count -= 1;
    }
    count > 0
}

/// Parameter names that hand in a shared client or connection.
const CLIENT_PARAMETERS: &[&str] = &["session", "client", "conn", "connection", "pool", "redis"];

/// `async def fetch(url, session=None)`: callers can pass a shared client; building one is the
/// fallback for one-off calls.
fn accepts_client(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    constructor: &Constructor,
) -> bool {
    let params = &def.parameters;
    let kind = format!("{}()", constructor.qualified);
    params
        .posonlyargs
        .iter()
        .chain(&params.args)
        .chain(&params.kwonlyargs)
        .any(|p| {
            let name = p.parameter.name.as_str().trim_start_matches('_');
            CLIENT_PARAMETERS
                .iter()
                .any(|c| name == *c || name.ends_with(&format!("_{c}")))
                || p.parameter
                    .annotation
                    .as_deref()
                    .and_then(|a| checker.semantic.annotation_kind(a))
                    .is_some_and(|k| k == kind)
        })
}

fn is_module_level(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    checker
        .module_body()
        .iter()
        .any(|s| matches!(s, Stmt::FunctionDef(d) if std::ptr::eq(d, def)))
}

// ---------------------------------------------------------------------------------------
// What happens to the object.

/// The constructed object is used to make calls and is neither returned, yielded, stored nor
/// passed on.
fn is_used_and_discarded(checker: &Checker, call: &ast::ExprCall) -> bool {
    let mut ancestors = checker.expression_ancestors();
    let mut holder = call.range();
    let mut parent = ancestors.next();
    if let Some(Expr::Await(await_expr)) = parent {
        holder = await_expr.range();
        parent = ancestors.next();
    }
    match parent {
        // `Client().get(...)`: one request, then the client is garbage.
        Some(Expr::Attribute(attr)) => {
            matches!(ancestors.next(), Some(Expr::Call(c)) if c.func.range() == attr.range())
                && !LIFECYCLE_METHODS.contains(&attr.attr.as_str())
        }
        Some(_) => false,
        None => {
            let Some(stmt) = checker.current_statement() else {
                return false;
            };
            let name = match stmt {
                Stmt::With(with) => with.items.iter().find_map(|item| {
                    (item.context_expr.range() == holder)
                        .then_some(item.optional_vars.as_deref())
                        .flatten()
                }),
                Stmt::Assign(assign)
                    if assign.targets.len() == 1 && assign.value.range() == holder =>
                {
                    Some(&assign.targets[0])
                }
                Stmt::AnnAssign(assign)
                    if assign.value.as_ref().is_some_and(|v| v.range() == holder) =>
                {
                    Some(&*assign.target)
                }
                _ => None,
            };
            let Some(Expr::Name(name)) = name else {
                return false;
            };
            named_object_is_discarded(checker, name.id.as_str())
        }
    }
}

fn named_object_is_discarded(checker: &Checker, name: &str) -> bool {
    // Every binding in this scope must be a constructor call (or a `None` placeholder); a
    // `global`/`nonlocal` name outlives the call.
    let Some(bindings) = checker.semantic.local_bindings(name) else {
        return false;
    };
    let all_local = bindings.iter().all(|b| match &b.kind {
        BindingKind::WithItem { value, .. } => matches!(value, Expr::Call(_) | Expr::Await(_)),
        BindingKind::Assignment {
            value: Some(value), ..
        } => {
            matches!(value, Expr::Call(_) | Expr::Await(_) | Expr::NoneLiteral(_))
        }
        _ => false,
    });
    if !all_local {
        return false;
    }
    let body: &[Stmt] = match checker.semantic.current_function() {
        Some(function) => &function.def.body,
        None if checker.semantic.at_module_level() => checker.module_body(),
        None => return false,
    };
    let mut uses = Uses {
        name,
        stack: Vec::new(),
        neutral: Vec::new(),
        used: false,
        escapes: false,
    };
    uses.visit_body(body);
    uses.used && !uses.escapes
}

/// How a name is used in a function body.
struct Uses<'n, 'a> {
    name: &'n str,
    stack: Vec<&'a Expr>,
    /// Expressions whose value is only tested or entered (`if x:`, `async with x:`).
    neutral: Vec<TextRange>,
    /// A method is called on it (`client.get(...)`, `client.db.users.find_one(...)`).
    used: bool,
    /// Returned, yielded, stored, passed on, captured by a nested scope...
    escapes: bool,
}

impl<'a> Uses<'_, 'a> {
    fn on_load(&mut self, name: &ast::ExprName) {
        if self.neutral.contains(&name.range) {
            return;
        }
        // The stack ends with the name itself.
        let n = self.stack.len();
        let parent = n.checked_sub(2).map(|i| self.stack[i]);
        match parent {
            // `cache[client]`: the client is the key.
            Some(Expr::Subscript(sub)) if sub.value.range() != name.range => self.escapes = true,
            Some(Expr::Attribute(_) | Expr::Subscript(_)) => {
                // Walk up the attribute/subscript chain (`client.db.users.find_one`,
                // `client["db"]["users"].find_one`); a call at its top is a use.
                let mut child = self.stack[n - 1];
                let mut method = None;
                for i in (0..n - 1).rev() {
                    match self.stack[i] {
                        Expr::Attribute(attr) if attr.value.range() == child.range() => {
                            method = Some(attr.attr.as_str());
                            child = self.stack[i];
                        }
                        Expr::Subscript(sub) if sub.value.range() == child.range() => {
                            method = None;
                            child = self.stack[i];
                        }
                        Expr::Call(call) if call.func.range() == child.range() => {
                            if method.is_none_or(|m| !LIFECYCLE_METHODS.contains(&m)) {
                                self.used = true;
                            }
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some(Expr::Compare(_) | Expr::BoolOp(_)) => {}
            Some(Expr::UnaryOp(op)) if op.op == ast::UnaryOp::Not => {}
            _ => self.escapes = true,
        }
    }
}

impl<'a> Visitor<'a> for Uses<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.escapes {
            return;
        }
        match stmt {
            // A nested scope capturing the object may keep it alive.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                let mut inner = NameFinder {
                    name: self.name,
                    found: false,
                };
                inner.visit_stmt(stmt);
                if inner.found {
                    self.escapes = true;
                }
                return;
            }
            Stmt::If(s) => {
                self.neutral.push(s.test.range());
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.neutral.push(test.range());
                    }
                }
            }
            Stmt::While(s) => self.neutral.push(s.test.range()),
            Stmt::Assert(s) => self.neutral.push(s.test.range()),
            Stmt::With(s) => self
                .neutral
                .extend(s.items.iter().map(|i| i.context_expr.range())),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.escapes {
            return;
        }
        if let Expr::Lambda(_) = expr {
            let mut inner = NameFinder {
                name: self.name,
                found: false,
            };
            inner.visit_expr(expr);
            self.escapes |= inner.found;
            return;
        }
        if let Expr::If(e) = expr {
            self.neutral.push(e.test.range());
        }
        self.stack.push(expr);
        if let Expr::Name(name) = expr
            && name.id.as_str() == self.name
            && name.ctx.is_load()
        {
            self.on_load(name);
        }
        visitor::walk_expr(self, expr);
        self.stack.pop();
    }
}

struct NameFinder<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for NameFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && name.id.as_str() == self.name
        {
            self.found = true;
        }
        visitor::walk_expr(self, expr);
    }
}

// ---------------------------------------------------------------------------------------
// Functions that legitimately build clients.

/// Names of start-up code (after stripping leading underscores and an `async_` prefix).
fn is_startup_name(name: &str) -> bool {
    let lower = name.trim_start_matches('_').to_ascii_lowercase();
    let lower = lower.strip_prefix("async_").unwrap_or(&lower);
    matches!(lower, "main" | "run")
        || ["start", "setup", "init", "connect", "open", "create"]
            .iter()
            .any(|p| lower.starts_with(p))
        || lower.contains("startup")
        || lower.contains("lifespan")
}

/// `test_*.py`, `*_test.py`, `conftest.py`: tests and their helpers build their own clients.
fn is_test_module(checker: &Checker) -> bool {
    let file = checker.file();
    let Some(stem) = file.path().file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest"
}

/// Decorators (last name segment) of start-up hooks and fixtures.
const STARTUP_DECORATORS: &[&str] = &[
    "lifespan",
    "on_startup",
    "startup",
    "before_serving",
    "while_serving",
    "before_server_start",
    "after_server_start",
    "main_process_start",
    "fixture",
];

fn is_exempt(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    class: Option<&ast::StmtClassDef>,
) -> bool {
    let name = def.name.as_str();
    if matches!(name, "__aenter__" | "__enter__" | "__init__" | "__post_init__" | "asyncSetUp" | "asyncSetUpClass")
        || is_startup_name(name)
        // Tests build their own clients.
        || name.starts_with("test")
        || is_test_module(checker)
    {
        return true;
    }
    for decorator in &def.decorator_list {
        let (callee, args) = match &decorator.expression {
            Expr::Call(call) => (&*call.func, Some(&call.arguments)),
            other => (other, None),
        };
        let last = match callee {
            Expr::Name(n) => n.id.as_str(),
            Expr::Attribute(a) => a.attr.as_str(),
            _ => continue,
        };
        if STARTUP_DECORATORS.contains(&last) {
            return true;
        }
        // `@app.on_event("startup")`, `@app.listener("before_server_start")`.
        if matches!(last, "on_event" | "listener" | "on") {
            let first = args.and_then(|a| a.args.first());
            if let Some(Expr::StringLiteral(s)) = first
                && s.value.to_str().contains("start")
            {
                return true;
            }
        }
    }
    if is_client_factory(checker, def, class) {
        return true;
    }
    registered_as_startup_hook(checker.module_body(), name)
}

/// `client-factories` entries: the function's name, `Class.method`, or the full path.
fn is_client_factory(
    checker: &Checker,
    def: &ast::StmtFunctionDef,
    class: Option<&ast::StmtClassDef>,
) -> bool {
    let factories = &checker.settings.client_factories;
    if factories.is_empty() {
        return false;
    }
    let qualname = match class {
        Some(class) => format!("{}.{}", class.name, def.name),
        None => def.name.to_string(),
    };
    let full = checker
        .semantic
        .module_path()
        .map(|m| format!("{}.{qualname}", m.join(".")));
    factories
        .iter()
        .any(|f| f == def.name.as_str() || *f == qualname || full.as_deref() == Some(f.as_str()))
}

/// `FastAPI(lifespan=f)`, `Starlette(on_startup=[f])`, `app.on_startup.append(f)`,
/// `app.cleanup_ctx.append(f)`, `app.add_event_handler("startup", f)`,
/// `app.router.lifespan_context = f` anywhere in the module.
fn registered_as_startup_hook(module: &[Stmt], name: &str) -> bool {
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl Finder<'_> {
        fn is_name(&self, expr: &Expr) -> bool {
            match expr {
                Expr::Name(n) => n.id.as_str() == self.name,
                Expr::Attribute(a) => a.attr.as_str() == self.name,
                Expr::List(l) => l.elts.iter().any(|e| self.is_name(e)),
                Expr::Tuple(t) => t.elts.iter().any(|e| self.is_name(e)),
                _ => false,
            }
        }
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::Assign(assign) = stmt
                && assign.targets.iter().any(
                    |t| matches!(t, Expr::Attribute(a) if a.attr.as_str() == "lifespan_context"),
                )
                && self.is_name(&assign.value)
            {
                self.found = true;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                for keyword in &call.arguments.keywords {
                    if keyword
                        .arg
                        .as_ref()
                        .is_some_and(|a| matches!(a.as_str(), "lifespan" | "on_startup"))
                        && self.is_name(&keyword.value)
                    {
                        self.found = true;
                    }
                }
                if let Expr::Attribute(attr) = &*call.func {
                    let hook_list = matches!(&*attr.value, Expr::Attribute(list) if matches!(list.attr.as_str(), "on_startup" | "cleanup_ctx"));
                    if hook_list
                        && matches!(attr.attr.as_str(), "append" | "extend" | "insert")
                        && call.arguments.args.iter().any(|a| self.is_name(a))
                    {
                        self.found = true;
                    }
                    if attr.attr.as_str() == "add_event_handler"
                        && matches!(call.arguments.args.first(), Some(Expr::StringLiteral(s)) if s.value.to_str() == "startup")
                        && call.arguments.args.get(1).is_some_and(|a| self.is_name(a))
                    {
                        self.found = true;
                    }
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_body(module);
    finder.found
}

// ---------------------------------------------------------------------------------------
// `if __name__ == "__main__":`

/// The body of a module-level `if __name__ == "__main__":` block.
pub(crate) fn main_guard_body(stmt: &Stmt) -> Option<&[Stmt]> {
    let Stmt::If(if_stmt) = stmt else { return None };
    let Expr::Compare(compare) = &*if_stmt.test else {
        return None;
    };
    if compare.ops.len() != 1 || compare.ops[0] != ast::CmpOp::Eq {
        return None;
    }
    let (left, right) = (&*compare.left, &compare.comparators[0]);
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    ((is_name(left) && is_main(right)) || (is_main(left) && is_name(right)))
        .then_some(if_stmt.body.as_slice())
}

struct References {
    outside_main: bool,
    under_main: bool,
}

/// Where a module-level function is referenced by name in its own module (its own body
/// excluded).
fn references(module: &[Stmt], def: &ast::StmtFunctionDef) -> References {
    let mut references = References {
        outside_main: false,
        under_main: false,
    };
    for stmt in module {
        if matches!(stmt, Stmt::FunctionDef(d) if std::ptr::eq(d, def)) {
            continue;
        }
        let mut finder = NameFinder {
            name: def.name.as_str(),
            found: false,
        };
        match main_guard_body(stmt) {
            Some(body) => {
                finder.visit_body(body);
                references.under_main |= finder.found;
                if let Stmt::If(if_stmt) = stmt {
                    let mut other = NameFinder {
                        name: def.name.as_str(),
                        found: false,
                    };
                    for clause in &if_stmt.elif_else_clauses {
                        other.visit_body(&clause.body);
                    }
                    references.outside_main |= other.found;
                }
            }
            None => {
                finder.visit_stmt(stmt);
                references.outside_main |= finder.found;
            }
        }
    }
    references
}

/// Phase 1 (project mode): remember calls, and functions passed as arguments, under a
/// module-level `__main__` guard.
pub(crate) fn record_main_guard_call(checker: &mut Checker, site: &CallSite) {
    let Some(outermost) = checker.statement_ancestors().last() else {
        return;
    };
    let Some(body) = main_guard_body(outermost) else {
        return;
    };
    let range = site.call.range();
    if !body.iter().any(|s| s.range().contains_range(range)) {
        return;
    }
    let mut targets: Vec<Target> = checker.call_target(site).into_iter().collect();
    for arg in &site.call.arguments.args {
        if matches!(arg, Expr::Name(_) | Expr::Attribute(_))
            && let Some(t) = checker.semantic.resolve_target(arg)
        {
            targets.push(t);
        }
    }
    if let Some(builder) = &mut checker.summary {
        builder.summary.main_guard_calls.extend(targets);
    }
}
