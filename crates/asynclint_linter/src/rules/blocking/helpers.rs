//! Shared by the AIO1xx rules: catalog lookup and the common message shape.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::{BindingKind, Lookup};

/// One catalogued blocking callee.
#[derive(Debug, Clone, Copy)]
pub struct BlockingEntry {
    /// Qualified name (`time.sleep`) or method path on an object kind
    /// (`requests.Session().get`). A trailing `*` matches any suffix (`os.spawn*`).
    pub pattern: &'static str,
    /// What to use instead, shown in the help line.
    pub alternative: &'static str,
}

impl BlockingEntry {
    pub fn matches(&self, name: &str) -> bool {
        match self.pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && !name[prefix.len()..].contains('.'),
            None => self.pattern == name,
        }
    }
}

/// Find the catalog entry matching a call: by its qualified callee first, then by its
/// receiver's kind and method name.
pub fn lookup(
    catalog: &'static [BlockingEntry],
    site: &CallSite,
) -> Option<(&'static BlockingEntry, String)> {
    let index = CatalogIndex::of(catalog);
    if let Some(q) = site.qualified
        && let Some(entry) = index.find(catalog, q)
    {
        return Some((entry, q.to_string()));
    }
    let path = site.method_path()?;
    let entry = index.find(catalog, path)?;
    Some((entry, path.to_string()))
}

/// A catalog indexed for lookups on every call in async code: exact patterns in a hash map,
/// the few `prefix.*` patterns in a list. Finds the same entry as a scan in catalog order.
struct CatalogIndex {
    exact: rustc_hash::FxHashMap<&'static str, usize>,
    wildcards: Vec<usize>,
}

impl CatalogIndex {
    /// The index of `catalog`, built once per thread (catalogs are a handful of statics).
    fn of(catalog: &'static [BlockingEntry]) -> &'static CatalogIndex {
        thread_local! {
            static INDEXES: std::cell::RefCell<rustc_hash::FxHashMap<(usize, usize), &'static CatalogIndex>> =
                std::cell::RefCell::default();
        }
        let key = (catalog.as_ptr() as usize, catalog.len());
        INDEXES.with(|indexes| {
            *indexes.borrow_mut().entry(key).or_insert_with(|| {
                let mut exact = rustc_hash::FxHashMap::default();
                let mut wildcards = Vec::new();
                for (i, entry) in catalog.iter().enumerate() {
                    if entry.pattern.ends_with('*') {
                        wildcards.push(i);
                    } else {
                        exact.entry(entry.pattern).or_insert(i);
                    }
                }
                Box::leak(Box::new(CatalogIndex { exact, wildcards }))
            })
        })
    }

    fn find(
        &self,
        catalog: &'static [BlockingEntry],
        name: &str,
    ) -> Option<&'static BlockingEntry> {
        let exact = self.exact.get(name).copied();
        let wildcard = self
            .wildcards
            .iter()
            .copied()
            .take_while(|&i| exact.is_none_or(|e| i < e))
            .find(|&i| catalog[i].matches(name));
        wildcard.or(exact).map(|i| &catalog[i])
    }
}

/// How a callee is shown in messages: `time.sleep()`, `open()`, `requests.Session().get()`
/// becomes `Session.get()` on the receiver's source text.
pub fn display_name(checker: &Checker, site: &CallSite, matched: &str) -> String {
    if let Some(stripped) = matched.strip_prefix("builtins.") {
        return format!("{stripped}()");
    }
    if site.qualified.is_some() {
        return format!("{matched}()");
    }
    // Method on an object: show the source of the callee, e.g. `session.get()`.
    let func = checker.source_of(site.call.func.range());
    if func.len() <= 60 && !func.contains('\n') {
        format!("{func}()")
    } else {
        format!("{matched}()")
    }
}

/// Report a blocking call with the shared message shape.
pub fn report_blocking(
    checker: &mut Checker,
    rule: Rule,
    site: &CallSite,
    matched: &str,
    what: &str,
    alternative: &str,
) {
    if runs_in_worker_thread(checker) {
        return;
    }
    let name = display_name(checker, site, matched);
    checker.report(
        rule,
        format!("`{name}` {what} in async context: it blocks the event loop, so every other task stalls until it returns"),
        format!("Use {alternative}"),
        site.call.range(),
        None,
    );
}

/// Evidence that the receiver of `obj.method(...)` is really an asyncio object, whatever its
/// recorded kind says: the call is awaited (`await session.execute(...)`), or the receiver's
/// root name is bound by `async with` (a sync client has no `__aenter__`). Typical cause:
/// `sessionmaker(engine, class_=AsyncSession)`, whose instances look like sync sessions.
pub fn receiver_is_async(checker: &Checker, site: &CallSite) -> bool {
    if matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return true;
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return false;
    };
    let mut root = &*attr.value;
    loop {
        root = match root {
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(inner) => &inner.value,
                _ => return false,
            },
            Expr::Name(name) => {
                return matches!(
                    checker.semantic.lookup(name.id.as_str()),
                    Lookup::Found(bindings)
                        if bindings.iter().any(|b| matches!(b.kind, BindingKind::WithItem { is_async: true, .. }))
                );
            }
            _ => return false,
        };
    }
}

/// Is the current `async def` run by a Textual *thread* worker: decorated with
/// `@work(thread=True)`, or passed as `self.run_worker(self.method, thread=True)` in its class?
/// Textual runs such a coroutine on a private event loop in a worker thread, so a blocking call
/// in it stalls that thread only, never the application's loop.
pub fn runs_in_worker_thread(checker: &Checker) -> bool {
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    if !function.def.is_async {
        return false;
    }
    let is_thread_work = |expr: &Expr| {
        matches!(expr, Expr::Call(call)
        if has_thread_true(call)
            && checker.semantic.resolve_qualified_name(&call.func).is_some_and(|q| {
                matches!(q.as_str(), "textual.work" | "textual._work_decorator.work")
            }))
    };
    if function
        .def
        .decorator_list
        .iter()
        .any(|d| is_thread_work(&d.expression))
    {
        return true;
    }
    let Some(class) = function.class else {
        return false;
    };
    let mut finder = RunWorkerFinder {
        method: function.def.name.as_str(),
        found: false,
    };
    finder.visit_body(&class.body);
    finder.found
}

fn has_thread_true(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "thread")
            && matches!(&k.value, Expr::BooleanLiteral(b) if b.value)
    })
}

/// Finds `<app>.run_worker(self.<method>, ..., thread=True)` in a class body.
struct RunWorkerFinder<'m> {
    method: &'m str,
    found: bool,
}

impl<'a> Visitor<'a> for RunWorkerFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if let Expr::Call(call) = expr
            && matches!(&*call.func, Expr::Attribute(attr) if attr.attr.as_str() == "run_worker")
            && has_thread_true(call)
            && matches!(call.arguments.args.first(), Some(Expr::Attribute(arg))
                if arg.attr.as_str() == self.method && matches!(&*arg.value, Expr::Name(_)))
        {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}
