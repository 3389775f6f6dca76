//! ## What it does
//! Reports `await asyncio.wait(tasks, ...)` where `tasks` is a local collection that can be
//! empty at that point, with no emptiness check before the call. A collection "can be empty"
//! when the function builds it that way:
//! - from a comprehension over another collection (`[asyncio.create_task(c.close()) for c in
//!   conns]`), or with `list(...)`/`set(...)`/`tuple(...)` of one;
//! - as an empty `[]`/`set()` that is only filled inside a loop or a condition;
//! - from a previous `done, pending = await asyncio.wait(...)` (`pending` is empty once every
//!   task has finished).
//!
//! An emptiness check is an enclosing `if`/`while`/conditional expression whose test mentions
//! the collection (or what it is built from: the source of the comprehension, the iterable of
//! the loop that fills it, the conditions under which it is filled), an earlier `if` on one of
//! those that leaves the function or loop (`return`, `raise`, `continue`, `break`), an
//! `assert` on one, or an unconditional `.add(...)`/`.append(...)` before the call.
//!
//! ## Why is this bad?
//! `asyncio.wait` refuses an empty collection: it raises
//! `ValueError: Set of Tasks/Futures is empty.` instead of returning two empty sets. Code such
//! as "start one task per connection, then wait for them" works in every test with data and
//! crashes in production the first time there is nothing to do (no connections at shutdown,
//! an empty batch, the last pending task finished in the previous round).
//!
//! ## Example
//! ```python
//! async def close_all(connections):
//!     tasks = [asyncio.create_task(conn.close()) for conn in connections]
//!     await asyncio.wait(tasks, timeout=5)
//! ```
//!
//! Use instead:
//! ```python
//! async def close_all(connections):
//!     tasks = [asyncio.create_task(conn.close()) for conn in connections]
//!     if tasks:
//!         await asyncio.wait(tasks, timeout=5)
//! ```
//!
//! Not reported: inline expressions (`asyncio.wait([t1, t2])`); non-empty literals (`{t1, t2}`);
//! comprehensions over a non-empty literal or `range(<positive constant>)` (also through local
//! names: `n = limit + 1` with `limit = 2`); parameters,
//! attributes and anything else whose contents the function does not build (the caller may
//! guarantee them); collections whose bindings the rule cannot all see.
//!
//! ## References
//! - [`asyncio.wait`: "Raises ValueError if aws is empty"](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::{BindingKind, ScopeKind};

/// How one binding of the collection was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// A comprehension, `list(x)`, literal of only starred elements: empty when the source is.
    Derived,
    /// `[]`, `set()`, `list()`: filled later (or not).
    StartsEmpty,
    /// `done, pending = await asyncio.wait(...)`.
    WaitResult,
    /// Certainly non-empty (a literal with an element, a comprehension over one).
    NonEmpty,
}

pub(crate) fn wait_on_possibly_empty_set(checker: &mut Checker, site: &CallSite) {
    if !matches!(site.qualified, Some("asyncio.wait" | "asyncio.tasks.wait")) {
        return;
    }
    if !checker.semantic.in_async_context() {
        return;
    }
    let call = site.call;
    let collection = match call.arguments.args.first() {
        Some(arg) => arg,
        None => match site.keyword("fs") {
            Some(keyword) => &keyword.value,
            None => return,
        },
    };
    let Expr::Name(name) = collection else {
        return;
    };
    if !matches!(
        checker.semantic.current_scope_kind(),
        ScopeKind::Function { .. }
    ) {
        return;
    }
    let Some(function) = checker.semantic.current_function() else {
        return;
    };
    let body = &function.def.body;
    let Some(bindings) = checker.semantic.local_bindings(name.id.as_str()) else {
        return;
    };
    let statements = BindingStatements::collect(body, name.id.as_str());
    let mut origins = Vec::new();
    let mut guard_keys: Vec<String> = vec![name.id.to_string()];
    for binding in bindings {
        let origin = match &binding.kind {
            BindingKind::Assignment {
                value: Some(value), ..
            } => classify(checker, value, &mut guard_keys),
            BindingKind::Assignment { value: None, .. } => statements
                .unpacked_from_wait(checker, binding.range)
                .then_some(Origin::WaitResult),
            _ => None,
        };
        let Some(origin) = origin else {
            // A binding the rule cannot see through: the caller or something else decides.
            return;
        };
        origins.push((binding.range, origin));
    }
    // The bindings that may reach the call: the last one before it, and any inside a loop that
    // also contains the call (a later iteration sees them).
    let reaching: Vec<Origin> = reaching_origins(checker, &origins, call.range());
    if reaching.is_empty() || reaching.contains(&Origin::NonEmpty) {
        return;
    }
    if reaching.contains(&Origin::StartsEmpty) {
        guard_keys.extend(filling_loop_sources(checker, body, name.id.as_str()));
        guard_keys.extend(filling_conditions(checker, body, name.id.as_str()));
    }
    if guarded(checker, body, call.range(), &guard_keys)
        || filled_unconditionally(checker, body, name.id.as_str(), call.range(), &origins)
    {
        return;
    }
    let why = if reaching.contains(&Origin::StartsEmpty) {
        "starts empty and is only filled in a loop or under a condition"
    } else if reaching.contains(&Origin::Derived) {
        "is built from another collection, which may be empty"
    } else {
        "comes from an earlier `asyncio.wait()` and is empty once every task has finished"
    };
    let range = match checker.parent_expression() {
        Some(Expr::Await(await_expr)) if await_expr.value.range() == call.range() => {
            await_expr.range()
        }
        _ => call.range(),
    };
    let shown = name.id.as_str();
    checker.report(
        Rule::WaitOnPossiblyEmptySet,
        format!(
            "`asyncio.wait({shown})` raises `ValueError` when `{shown}` is empty, and `{shown}` {why}; nothing checks it before this call"
        ),
        format!("Only wait when there is something to wait for: `if {shown}: await asyncio.wait({shown}, ...)`"),
        range,
        None,
    );
}

/// What kind of collection `value` builds; `None` when unknown (a call, a parameter...).
fn classify(checker: &Checker, value: &Expr, keys: &mut Vec<String>) -> Option<Origin> {
    match value {
        Expr::List(ast::ExprList { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. })
        | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            if elts.is_empty() {
                return Some(Origin::StartsEmpty);
            }
            if elts.iter().any(|e| !matches!(e, Expr::Starred(_))) {
                return Some(Origin::NonEmpty);
            }
            for e in elts {
                if let Expr::Starred(starred) = e {
                    add_keys(checker, &starred.value, keys);
                }
            }
            Some(Origin::Derived)
        }
        Expr::ListComp(ast::ExprListComp { generators, .. })
        | Expr::SetComp(ast::ExprSetComp { generators, .. })
        | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
            let first = generators.first()?;
            if generators.len() == 1
                && first.ifs.is_empty()
                && non_empty_iterable(checker, &first.iter)
            {
                return Some(Origin::NonEmpty);
            }
            add_keys(checker, &first.iter, keys);
            Some(Origin::Derived)
        }
        Expr::Call(call) => {
            let q = checker.semantic.resolve_qualified_name(&call.func)?;
            if !matches!(
                q.as_str(),
                "builtins.list" | "builtins.set" | "builtins.tuple" | "builtins.frozenset"
            ) || !call.arguments.keywords.is_empty()
            {
                return None;
            }
            match call.arguments.args.as_ref() {
                [] => Some(Origin::StartsEmpty),
                [source] => {
                    if non_empty_iterable(checker, source) {
                        return Some(Origin::NonEmpty);
                    }
                    add_keys(checker, source, keys);
                    Some(Origin::Derived)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A literal with a non-starred element, or `range(N)` with a positive constant `N`.
fn non_empty_iterable(checker: &Checker, iter: &Expr) -> bool {
    match iter {
        Expr::List(ast::ExprList { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. })
        | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            elts.iter().any(|e| !matches!(e, Expr::Starred(_)))
        }
        Expr::Call(call) => {
            checker
                .semantic
                .resolve_qualified_name(&call.func)
                .is_some_and(|q| q == "builtins.range")
                && matches!(call.arguments.args.as_ref(), [stop]
                    if constant_int(checker, stop, 0).is_some_and(|v| v > 0))
        }
        _ => false,
    }
}

/// The value of an integer expression made of literals, `+`/`-`/`*` and names bound once to
/// such expressions (`start = limit + 1` with `limit = 2`).
fn constant_int(checker: &Checker, expr: &Expr, depth: u8) -> Option<i64> {
    if depth > 4 {
        return None;
    }
    match expr {
        Expr::NumberLiteral(n) => n.value.as_int().and_then(ast::Int::as_i64),
        Expr::BinOp(binop) => {
            let left = constant_int(checker, &binop.left, depth + 1)?;
            let right = constant_int(checker, &binop.right, depth + 1)?;
            match binop.op {
                ast::Operator::Add => left.checked_add(right),
                ast::Operator::Sub => left.checked_sub(right),
                ast::Operator::Mult => left.checked_mul(right),
                _ => None,
            }
        }
        Expr::Name(name) => {
            let binding = checker.semantic.unique_binding(name.id.as_str())?;
            match &binding.kind {
                BindingKind::Assignment {
                    value: Some(value), ..
                } => constant_int(checker, value, depth + 1),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The names and attribute chains an emptiness check of `source` could mention
/// (`connections`, `self.connections`); `self`/`cls` alone say nothing.
fn add_keys(checker: &Checker, source: &Expr, keys: &mut Vec<String>) {
    struct Keys<'c, 'k> {
        source: &'c str,
        keys: &'k mut Vec<String>,
    }
    impl<'a> Visitor<'a> for Keys<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(name) if name.ctx.is_load() => {
                    if !matches!(name.id.as_str(), "self" | "cls") {
                        self.keys.push(name.id.to_string());
                    }
                }
                Expr::Attribute(attr) => {
                    if let Some(text) = self.source.get(attr.range().to_std_range()) {
                        self.keys.push(text.to_string());
                    }
                    visitor::walk_expr(self, expr);
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut visitor = Keys {
        source: checker.source,
        keys,
    };
    visitor.visit_expr(source);
}

/// The origins of the bindings that can reach the call.
fn reaching_origins(
    checker: &Checker,
    origins: &[(TextRange, Origin)],
    call: TextRange,
) -> Vec<Origin> {
    let loops: Vec<TextRange> = checker
        .statement_ancestors()
        .take_while(|s| !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        .filter(|s| matches!(s, Stmt::For(_) | Stmt::While(_)))
        .map(Ranged::range)
        .collect();
    // A binding in the call's own statement (`done, pending = await asyncio.wait(pending)`)
    // happens after the call.
    let statement = checker.current_statement().map_or(call, Ranged::range);
    let mut reaching = Vec::new();
    let last_before = origins
        .iter()
        .filter(|(range, _)| range.start() < statement.start())
        .max_by_key(|(range, _)| range.start());
    if let Some((_, origin)) = last_before {
        reaching.push(*origin);
    }
    for (range, origin) in origins {
        if loops.iter().any(|l| l.contains_range(*range)) && !reaching.contains(origin) {
            reaching.push(*origin);
        }
    }
    reaching
}

/// The sources of the `for` loops that fill the collection (`for c in conns: tasks.append(...)`):
/// checking those for emptiness is as good as checking the collection.
fn filling_loop_sources(checker: &Checker, body: &[Stmt], name: &str) -> Vec<String> {
    struct Loops<'n, 'c> {
        checker: &'c Checker<'c>,
        name: &'n str,
        keys: Vec<String>,
    }
    impl<'a> Visitor<'a> for Loops<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::For(for_stmt) if adds_to(&for_stmt.body, self.name) => {
                    add_keys(self.checker, &for_stmt.iter, &mut self.keys);
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut loops = Loops {
        checker,
        name,
        keys: Vec::new(),
    };
    loops.visit_body(body);
    loops.keys
}

/// The names tested by the `if`s that guard the filling of the collection
/// (`if to_update: tasks.append(...)`): an earlier check that they are all empty is as good
/// as checking the collection.
fn filling_conditions(checker: &Checker, body: &[Stmt], name: &str) -> Vec<String> {
    struct Conditions<'n, 'c> {
        checker: &'c Checker<'c>,
        name: &'n str,
        keys: Vec<String>,
    }
    impl<'a> Visitor<'a> for Conditions<'_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::If(if_stmt)
                    if adds_to(&if_stmt.body, self.name)
                        || if_stmt
                            .elif_else_clauses
                            .iter()
                            .any(|c| adds_to(&c.body, self.name)) =>
                {
                    add_keys(self.checker, &if_stmt.test, &mut self.keys);
                    for clause in &if_stmt.elif_else_clauses {
                        if let Some(test) = &clause.test {
                            add_keys(self.checker, test, &mut self.keys);
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut conditions = Conditions {
        checker,
        name,
        keys: Vec::new(),
    };
    conditions.visit_body(body);
    conditions.keys
}

/// Does `body` (at any depth, not in nested scopes) call `name.add/append/...`?
fn adds_to(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    crate::rules::tasks::helpers::for_each_local_expr(body, |expr| {
        if is_add_call(expr, name) {
            found = true;
        }
    });
    found
}

fn is_add_call(expr: &Expr, name: &str) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == name)
        && matches!(
            attr.attr.as_str(),
            "add" | "append" | "insert" | "extend" | "update"
        )
}

/// Is the call under an emptiness check of one of `keys`?
fn guarded(checker: &Checker, body: &[Stmt], call: TextRange, keys: &[String]) -> bool {
    let mentions = |expr: &Expr| mentions_key(checker, expr, keys);
    // Enclosing conditions: `if tasks:`, `while pending:`, `x if tasks else y`, `tasks and ...`.
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            Stmt::If(if_stmt)
                if mentions(&if_stmt.test)
                    || if_stmt
                        .elif_else_clauses
                        .iter()
                        .filter_map(|c| c.test.as_ref())
                        .any(mentions) =>
            {
                return true;
            }
            Stmt::While(while_stmt) if mentions(&while_stmt.test) => return true,
            _ => {}
        }
    }
    for expr in checker.expression_ancestors() {
        match expr {
            Expr::If(if_exp)
                if !if_exp.test.range().contains_range(call) && mentions(&if_exp.test) =>
            {
                return true;
            }
            Expr::BoolOp(bool_op)
                if bool_op
                    .values
                    .iter()
                    .take_while(|v| !v.range().contains_range(call))
                    .any(mentions) =>
            {
                return true;
            }
            _ => {}
        }
    }
    // Earlier early exits and assertions: `if not tasks: return`, `assert tasks`.
    let mut early = EarlyExit {
        checker,
        keys,
        before: call.start(),
        found: false,
    };
    early.visit_body(body);
    early.found
}

fn mentions_key(checker: &Checker, expr: &Expr, keys: &[String]) -> bool {
    struct Mentions<'c, 'k> {
        checker: &'c Checker<'c>,
        keys: &'k [String],
        found: bool,
    }
    impl<'a> Visitor<'a> for Mentions<'_, '_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Name(name) if self.keys.iter().any(|k| k == name.id.as_str()) => {
                    self.found = true;
                }
                Expr::Attribute(attr)
                    if self
                        .keys
                        .iter()
                        .any(|k| self.checker.source_of(attr.range()) == k.as_str()) =>
                {
                    self.found = true;
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut visitor = Mentions {
        checker,
        keys,
        found: false,
    };
    visitor.visit_expr(expr);
    visitor.found
}

struct EarlyExit<'c, 'k> {
    checker: &'c Checker<'c>,
    keys: &'k [String],
    before: TextSize,
    found: bool,
}

impl<'a> Visitor<'a> for EarlyExit<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found || stmt.range().start() >= self.before {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assert(assert) if mentions_key(self.checker, &assert.test, self.keys) => {
                self.found = true;
                return;
            }
            Stmt::If(if_stmt)
                if mentions_key(self.checker, &if_stmt.test, self.keys) && exits(&if_stmt.body) =>
            {
                self.found = true;
                return;
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}

/// Does the block leave (the function, the loop iteration) on some path?
fn exits(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_) => true,
        Stmt::If(if_stmt) => {
            exits(&if_stmt.body) || if_stmt.elif_else_clauses.iter().any(|c| exits(&c.body))
        }
        Stmt::With(with) => exits(&with.body),
        Stmt::Try(try_stmt) => exits(&try_stmt.body) || exits(&try_stmt.finalbody),
        _ => false,
    })
}

/// An unconditional `name.add(...)`/`name.append(...)` after the last binding and before the
/// call, in a block that always runs before the call.
fn filled_unconditionally(
    checker: &Checker,
    body: &[Stmt],
    name: &str,
    call: TextRange,
    origins: &[(TextRange, Origin)],
) -> bool {
    let last_binding = origins
        .iter()
        .filter(|(range, _)| range.start() < call.start())
        .map(|(range, _)| range.start())
        .max();
    // The chain of blocks from the function body down to the call's statement.
    let mut ancestors: Vec<&Stmt> = checker
        .statement_ancestors()
        .take_while(|s| !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        .collect();
    ancestors.reverse();
    let mut blocks: Vec<&[Stmt]> = vec![body];
    for pair in ancestors.windows(2) {
        if let Some(block) = child_block(pair[0], pair[1].range()) {
            blocks.push(block);
        }
    }
    blocks.iter().any(|block| {
        block.iter().any(|stmt| {
            stmt.range().end() <= call.start()
                && last_binding.is_none_or(|b| stmt.range().start() > b)
                && matches!(stmt, Stmt::Expr(e) if is_add_call(&e.value, name) && adds_one(&e.value))
        })
    })
}

/// `x.add(t)`, `x.append(t)`, `x.insert(i, t)`: one element, always.
fn adds_one(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if matches!(&*call.func, Expr::Attribute(a) if matches!(a.attr.as_str(), "add" | "append" | "insert")))
}

/// The block of `parent` that contains `child`.
fn child_block(parent: &Stmt, child: TextRange) -> Option<&[Stmt]> {
    let contains = |block: &[Stmt]| block.iter().any(|s| s.range().contains_range(child));
    let candidates: Vec<&[Stmt]> = match parent {
        Stmt::If(s) => std::iter::once(s.body.as_slice())
            .chain(s.elif_else_clauses.iter().map(|c| c.body.as_slice()))
            .collect(),
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => {
            let mut blocks: Vec<&[Stmt]> = vec![&s.body, &s.orelse, &s.finalbody];
            for handler in &s.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = handler;
                blocks.push(&h.body);
            }
            blocks
        }
        Stmt::Match(s) => s.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    };
    candidates.into_iter().find(|b| contains(b))
}

/// The assignment statements of the function that unpack into `name`.
struct BindingStatements<'a> {
    name: &'a str,
    unpacks: Vec<(TextRange, &'a Expr)>,
}

impl<'a> BindingStatements<'a> {
    fn collect(body: &'a [Stmt], name: &'a str) -> Self {
        let mut statements = Self {
            name,
            unpacks: Vec::new(),
        };
        statements.visit_body(body);
        statements
    }

    /// Is the binding at `range` an element of `... = await asyncio.wait(...)`?
    fn unpacked_from_wait(&self, checker: &Checker, range: TextRange) -> bool {
        self.unpacks.iter().any(|(target, value)| {
            target.contains_range(range)
                && matches!(value, Expr::Await(a) if matches!(&*a.value, Expr::Call(c)
                    if checker.semantic.resolve_qualified_name(&c.func)
                        .is_some_and(|q| matches!(q.as_str(), "asyncio.wait" | "asyncio.tasks.wait"))))
        })
    }
}

impl<'a> Visitor<'a> for BindingStatements<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Tuple(tuple) = target
                        && tuple
                            .elts
                            .iter()
                            .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == self.name))
                    {
                        self.unpacks.push((target.range(), &assign.value));
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }
}
