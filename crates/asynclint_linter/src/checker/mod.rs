//! The checker: one traversal of a file's AST that maintains the semantic model and hands each
//! node to the rules interested in its kind (`analyze/*.rs`).

mod analyze;
pub mod summary;

use std::sync::Arc;

use asynclint_diagnostics::{Diagnostic, Fix, SourceFile};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::registry::Rule;
use crate::semantic::SemanticModel;
use crate::settings::LinterSettings;

/// A call being analysed, with its callee resolved once for every rule.
pub struct CallSite<'a, 'c> {
    pub call: &'a ast::ExprCall,
    /// The qualified name of the callee (`time.sleep`, `builtins.open`), when resolvable.
    pub qualified: Option<&'c str>,
    /// For `obj.method(...)`: the kind of `obj` when known (`requests.Session()`).
    pub receiver_kind: Option<&'c str>,
    /// `receiver_kind.method`, built on first use and shared by every rule.
    method_path: std::cell::OnceCell<Option<String>>,
    /// The project target of the callee, resolved when a rule first asks (see
    /// [`Checker::call_target`]).
    target: std::cell::OnceCell<Option<crate::project::Target>>,
}

impl<'a, 'c> CallSite<'a, 'c> {
    pub fn new(
        call: &'a ast::ExprCall,
        qualified: Option<&'c str>,
        receiver_kind: Option<&'c str>,
    ) -> Self {
        Self {
            call,
            qualified,
            receiver_kind,
            method_path: std::cell::OnceCell::new(),
            target: std::cell::OnceCell::new(),
        }
    }

    /// The call as an expression (for comparisons with statement values).
    pub fn call_expr(&self) -> ruff_text_size::TextRange {
        self.call.range()
    }

    /// The method name for `obj.method(...)` calls.
    pub fn method_name(&self) -> Option<&str> {
        match &*self.call.func {
            Expr::Attribute(attr) => Some(attr.attr.as_str()),
            _ => None,
        }
    }

    /// `receiver_kind` + `.method`, e.g. `requests.Session().get`.
    pub fn method_path(&self) -> Option<&str> {
        self.method_path
            .get_or_init(|| {
                Some(crate::semantic::concat(&[
                    self.receiver_kind?,
                    ".",
                    self.method_name()?,
                ]))
            })
            .as_deref()
    }

    pub fn keyword(&self, name: &str) -> Option<&ast::Keyword> {
        self.call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
    }
}

pub struct Checker<'a> {
    pub semantic: SemanticModel<'a>,
    pub settings: &'a LinterSettings,
    pub source: &'a str,
    file: Arc<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    /// Statements enclosing the current node, innermost last.
    stmt_stack: Vec<&'a Stmt>,
    /// The module's top-level statements (for rules that look at the whole file).
    module: &'a [Stmt],
    /// Expressions enclosing the current node, innermost last.
    expr_stack: Vec<&'a Expr>,
    /// Present when the cross-module phase is on.
    pub(crate) summary: Option<summary::SummaryBuilder>,
    /// Present when the checklist's pattern counts are collected.
    pub(crate) facts: Option<Box<crate::facts::FactsBuilder>>,
    /// While set, blocking rules record facts for the project index instead of reporting.
    pub(crate) recording_blocking: bool,
    /// The file is a test module or `conftest.py` (asked by several rules per call).
    pub(crate) test_module: bool,
    /// Module-wide answers the test rules ask once per test function: worked out on first
    /// use (asking each time made a test module with thousands of tests quadratic).
    pub(crate) module_pytestmark: std::cell::OnceCell<crate::rules::testing::helpers::Marks>,
    pub(crate) other_async_plugin: std::cell::OnceCell<bool>,
    /// AIO111: per block (by its first statement's start), where its first `if <loop
    /// running>: return` ends.
    pub(crate) loop_guards: std::cell::RefCell<
        rustc_hash::FxHashMap<ruff_text_size::TextSize, Option<ruff_text_size::TextSize>>,
    >,
}

impl<'a> Checker<'a> {
    pub fn new(
        module: &'a [Stmt],
        source: &'a str,
        file: Arc<SourceFile>,
        settings: &'a LinterSettings,
        module_path: Option<Vec<String>>,
        is_package: bool,
    ) -> Self {
        let mut semantic = SemanticModel::new(module, module_path, is_package);
        semantic.set_project_modules(settings.project_modules.clone());
        let test_module = crate::rules::testing::helpers::is_test_module_path(file.path());
        Self {
            semantic,
            settings,
            source,
            file,
            diagnostics: Vec::new(),
            stmt_stack: Vec::new(),
            module,
            expr_stack: Vec::new(),
            summary: None,
            facts: None,
            recording_blocking: false,
            test_module,
            module_pytestmark: std::cell::OnceCell::new(),
            other_async_plugin: std::cell::OnceCell::new(),
            loop_guards: std::cell::RefCell::default(),
        }
    }

    pub(crate) fn with_summary(mut self, builder: summary::SummaryBuilder) -> Self {
        self.summary = Some(builder);
        self
    }

    /// The project definition a call may reach (`app.db.fetch`, `app.db.Repo.save`), when
    /// the cross-module phase is on. Resolved on the first rule's question and shared: most
    /// calls are never asked about (their rules stop at cheaper tests first), and resolving
    /// and interning every call's target was a large part of the project phase's cost.
    pub(crate) fn call_target(&self, site: &CallSite) -> Option<crate::project::Target> {
        self.summary.as_ref()?;
        *site.target.get_or_init(|| {
            self.semantic
                .resolve_call_target(&site.call.func, Some((site.qualified, site.receiver_kind)))
        })
    }

    pub(crate) fn with_facts(mut self, builder: crate::facts::FactsBuilder) -> Self {
        self.facts = Some(Box::new(builder));
        self
    }

    pub(crate) fn finish_facts(&mut self) -> Option<crate::facts::FileFacts> {
        Some(self.facts.take()?.finish(self.source))
    }

    pub(crate) fn finish_summary(
        &mut self,
        module: &'a [Stmt],
    ) -> Option<crate::project::ModuleSummary> {
        let builder = self.summary.take()?;
        Some(builder.finish(&self.semantic, module))
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.settings.rules.contains(rule)
    }

    pub fn any_enabled(&self, rules: &[Rule]) -> bool {
        rules.iter().any(|r| self.enabled(*r))
    }

    /// Record a finding. `help` says what to write instead.
    pub fn report(
        &mut self,
        rule: Rule,
        message: impl Into<String>,
        help: impl Into<String>,
        range: TextRange,
        fix: Option<Fix>,
    ) {
        if self.recording_blocking {
            self.record_blocking_fact(rule, range);
            return;
        }
        if !self.enabled(rule) {
            return;
        }
        let help = help.into();
        let mut diagnostic =
            Diagnostic::new(rule.code(), rule.name(), message, range, self.file.clone())
                .with_fix(fix);
        if !help.is_empty() {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    pub fn source_of(&self, range: TextRange) -> &'a str {
        &self.source[range]
    }

    /// The module's top-level statements.
    pub fn module_body(&self) -> &'a [Stmt] {
        self.module
    }

    /// The innermost statement enclosing the current node.
    pub fn current_statement(&self) -> Option<&'a Stmt> {
        self.stmt_stack.last().copied()
    }

    pub fn statement_ancestors(&self) -> impl Iterator<Item = &'a Stmt> + '_ {
        self.stmt_stack.iter().rev().copied()
    }

    /// The expression directly containing the current expression (not the current one).
    pub fn parent_expression(&self) -> Option<&'a Expr> {
        let n = self.expr_stack.len();
        if n >= 2 {
            Some(self.expr_stack[n - 2])
        } else {
            None
        }
    }

    pub fn expression_ancestors(&self) -> impl Iterator<Item = &'a Expr> + '_ {
        // Skip the current expression itself.
        let n = self.expr_stack.len().saturating_sub(1);
        self.expr_stack[..n].iter().rev().copied()
    }

    /// Is the node at `range` the whole value of the current expression statement?
    pub fn is_expression_statement(&self, range: TextRange) -> bool {
        matches!(self.current_statement(), Some(Stmt::Expr(s)) if s.value.range() == range)
    }

    pub fn file(&self) -> Arc<SourceFile> {
        self.file.clone()
    }

    /// Push a fully built diagnostic (for rules sharing code with phase 2), respecting the
    /// enabled set.
    pub fn push_diagnostic(&mut self, diagnostic: Diagnostic) {
        if let Some(rule) = Rule::from_code(diagnostic.code)
            && self.enabled(rule)
        {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Is `range` the whole value of the current expression statement?
    pub fn is_expression_statement_range(&self, range: TextRange) -> bool {
        matches!(self.current_statement(), Some(Stmt::Expr(s)) if s.value.range() == range)
    }

    fn record_blocking_fact(&mut self, rule: Rule, range: TextRange) {
        let Some(builder) = &mut self.summary else {
            return;
        };
        let offset = range.start().to_u32();
        // Show the callee as written: `open()`, `time.sleep()`.
        let func = match self.expr_stack.last() {
            Some(Expr::Call(call)) => &self.source[call.func.range()],
            _ => &self.source[range],
        };
        let display = if func.len() <= 60 && !func.contains('\n') {
            crate::semantic::concat(&[func, "()"])
        } else {
            "call".to_string()
        };
        if let Some(function) = builder.current() {
            function.blocking.push(crate::project::BlockingFact {
                rule,
                display,
                offset,
            });
        }
    }

    /// The summary name of a `def` about to be entered: `f` at module level, `Class.f` in a
    /// module-level class, `None` when nested.
    fn summary_qualname(&self, def: &ast::StmtFunctionDef) -> Option<String> {
        if self.semantic.at_module_level() {
            return Some(def.name.to_string());
        }
        if self.stmt_stack.len() >= 2 {
            // The class statement must itself be at module level: the stack is
            // [class, def] exactly.
            if let (2, Some(Stmt::ClassDef(class))) =
                (self.stmt_stack.len(), self.stmt_stack.first())
            {
                return Some(crate::semantic::concat(&[
                    class.name.as_str(),
                    ".",
                    def.name.as_str(),
                ]));
            }
        }
        None
    }

    fn visit_function_def(&mut self, def: &'a ast::StmtFunctionDef) {
        // Decorators, defaults and annotations are evaluated in the enclosing scope.
        for decorator in &def.decorator_list {
            self.visit_decorator(decorator);
        }
        let params = &def.parameters;
        for p in params
            .posonlyargs
            .iter()
            .chain(&params.args)
            .chain(&params.kwonlyargs)
        {
            if let Some(default) = &p.default {
                self.visit_expr(default);
            }
            if let Some(annotation) = &p.parameter.annotation {
                self.visit_annotation(annotation);
            }
        }
        for p in [&params.vararg, &params.kwarg].into_iter().flatten() {
            if let Some(annotation) = &p.annotation {
                self.visit_annotation(annotation);
            }
        }
        if let Some(returns) = &def.returns {
            self.visit_annotation(returns);
        }
        if self.summary.is_some() {
            let qualname = self.summary_qualname(def);
            if let Some(builder) = &mut self.summary {
                builder.push_function(&self.semantic, def, qualname);
            }
        }
        self.semantic.push_function(def);
        analyze::function_body(self, def);
        self.visit_body(&def.body);
        self.semantic.pop_scope();
        if let Some(builder) = &mut self.summary {
            builder.pop();
        }
    }

    fn visit_class_def(&mut self, class: &'a ast::StmtClassDef) {
        for decorator in &class.decorator_list {
            self.visit_decorator(decorator);
        }
        if let Some(arguments) = &class.arguments {
            self.visit_arguments(arguments);
        }
        if let Some(builder) = &mut self.summary {
            if self.semantic.at_module_level() {
                builder.add_class(&self.semantic, class);
            }
            builder.push_none();
        }
        self.semantic.push_class(class);
        self.visit_body(&class.body);
        self.semantic.pop_scope();
        if let Some(builder) = &mut self.summary {
            builder.pop();
        }
    }

    fn visit_comprehension_expr(
        &mut self,
        generators: &'a [ast::Comprehension],
        elts: &[&'a Expr],
        is_generator: bool,
    ) {
        // The first iterable is evaluated in the enclosing scope.
        if let Some(first) = generators.first() {
            self.visit_expr(&first.iter);
        }
        self.semantic.push_comprehension(generators, is_generator);
        for (i, generator) in generators.iter().enumerate() {
            if i > 0 {
                self.visit_expr(&generator.iter);
            }
            self.visit_expr(&generator.target);
            for cond in &generator.ifs {
                self.visit_expr(cond);
            }
        }
        for elt in elts {
            self.visit_expr(elt);
        }
        self.semantic.pop_scope();
    }
}

impl<'a> Visitor<'a> for Checker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.stmt_stack.push(stmt);
        analyze::statement(self, stmt);
        match stmt {
            Stmt::FunctionDef(def) => self.visit_function_def(def),
            Stmt::ClassDef(class) => self.visit_class_def(class),
            _ => visitor::walk_stmt(self, stmt),
        }
        self.stmt_stack.pop();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.expr_stack.push(expr);
        analyze::expression(self, expr);
        match expr {
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for p in parameters
                        .posonlyargs
                        .iter()
                        .chain(&parameters.args)
                        .chain(&parameters.kwonlyargs)
                    {
                        if let Some(default) = &p.default {
                            self.visit_expr(default);
                        }
                    }
                }
                self.semantic.push_lambda(lambda);
                if let Some(builder) = &mut self.summary {
                    builder.push_none();
                }
                self.visit_expr(&lambda.body);
                if let Some(builder) = &mut self.summary {
                    builder.pop();
                }
                self.semantic.pop_scope();
            }
            Expr::ListComp(comp) => {
                self.visit_comprehension_expr(&comp.generators, &[&comp.elt], false)
            }
            Expr::SetComp(comp) => {
                self.visit_comprehension_expr(&comp.generators, &[&comp.elt], false)
            }
            Expr::Generator(comp) => {
                self.visit_comprehension_expr(&comp.generators, &[&comp.elt], true)
            }
            Expr::DictComp(comp) => {
                let mut elts: Vec<&'a Expr> = Vec::with_capacity(2);
                if let Some(key) = &comp.key {
                    elts.push(key);
                }
                elts.push(&comp.value);
                self.visit_comprehension_expr(&comp.generators, &elts, false);
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.expr_stack.pop();
    }
}
