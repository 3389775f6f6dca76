//! Deciding each item's status from the findings of its rules and the project facts.
//!
//! No rule is re-implemented here: a `fail` always comes from a rule's findings, except for
//! the environment items, which compare the code's imports with the declared dependencies.

use std::collections::BTreeMap;

use asynclint_linter::Rule;
use asynclint_linter::facts::Fact;

use crate::deps::Dependencies;
use crate::facts::{ProjectFacts, Scope};
use crate::items::{Custom, Eval, ItemDef};
use crate::report::{Count, Evidence, Finding, Item, Location, PytestInfo, Status};

pub(crate) struct Ctx<'a> {
    pub facts: &'a ProjectFacts,
    pub deps: &'a Dependencies,
    /// Findings by rule code, sorted by location.
    pub findings: &'a BTreeMap<String, Vec<Finding>>,
    pub pytest: &'a PytestInfo,
    pub type_checkers: &'a [Location],
}

/// What an evaluator decides; the item is assembled around it.
struct Outcome {
    status: Status,
    note: String,
    counts: Vec<Count>,
}

pub(crate) fn evaluate(ctx: &Ctx, def: &ItemDef, earlier: &[Item]) -> Item {
    let available: Vec<&'static str> = def
        .rules
        .iter()
        .copied()
        .filter(|code| Rule::from_code(code).is_some())
        .collect();
    let unavailable: Vec<&'static str> = def
        .rules
        .iter()
        .copied()
        .filter(|code| Rule::from_code(code).is_none())
        .collect();
    let mut findings: Vec<Finding> = available
        .iter()
        .flat_map(|code| ctx.findings.get(*code).into_iter().flatten())
        .filter(|f| def.only.is_none_or(|text| f.message.contains(text)))
        .cloned()
        .collect();
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.code).cmp(&(&b.path, b.line, b.column, &b.code))
    });
    findings.dedup();

    let mut links = Vec::new();
    let outcome = match def.eval {
        Eval::Rules {
            scope,
            na,
            evidence,
        } => rules_outcome(
            ctx,
            &findings,
            &available,
            &unavailable,
            scope,
            na,
            evidence,
        ),
        Eval::Manual {
            scope,
            na,
            evidence,
            hint,
        } => manual_outcome(ctx, scope, na, evidence, hint),
        Eval::Custom(custom) => custom_outcome(ctx, custom, &findings, &available),
        Eval::Links(to) => {
            links = to.to_vec();
            links_outcome(to, earlier)
        }
    };
    if outcome.status != Status::Fail {
        findings.clear();
    }
    Item {
        id: def.id,
        section: def.section,
        title: def.title,
        status: outcome.status,
        rules: def.rules.to_vec(),
        unavailable_rules: unavailable,
        links,
        evidence: Evidence {
            note: outcome.note,
            counts: outcome.counts,
        },
        finding_count: findings.len(),
        findings,
    }
}

// ---------------------------------------------------------------------------------------------
// Generic evaluators

fn fact_count(ctx: &Ctx, fact: Fact, scope: Scope) -> Count {
    let total = ctx.facts.get(fact);
    Count {
        key: fact.key().to_string(),
        label: fact.label().to_string(),
        count: total.count(scope),
        examples: total.examples(scope, fact.keeps_all_examples()),
    }
}

/// Counts of `scope` that occur, then `evidence` (also when zero: "0 `except*` handlers" is
/// evidence too).
fn counts_of(ctx: &Ctx, scope: &[Fact], evidence: &[Fact]) -> Vec<Count> {
    let mut counts: Vec<Count> = scope
        .iter()
        .map(|f| fact_count(ctx, *f, Scope::All))
        .filter(|c| c.count > 0)
        .collect();
    for fact in evidence {
        if !scope.contains(fact) {
            counts.push(fact_count(ctx, *fact, Scope::All));
        }
    }
    counts
}

fn fail_note(findings: &[Finding]) -> String {
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        *by_code.entry(finding.code.as_str()).or_default() += 1;
    }
    let codes: Vec<String> = by_code
        .iter()
        .map(|(code, n)| format!("{code} ×{n}"))
        .collect();
    format!(
        "{} finding{} ({})",
        findings.len(),
        plural(findings.len()),
        codes.join(", ")
    )
}

fn rules_outcome(
    ctx: &Ctx,
    findings: &[Finding],
    available: &[&str],
    unavailable: &[&str],
    scope: &[Fact],
    na: &str,
    evidence: &[Fact],
) -> Outcome {
    let counts = counts_of(ctx, scope, evidence);
    if !findings.is_empty() {
        return Outcome {
            status: Status::Fail,
            note: fail_note(findings),
            counts,
        };
    }
    if ctx.facts.sum(scope, Scope::All) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: capitalise(na),
            counts: Vec::new(),
        };
    }
    if available.is_empty() {
        return Outcome {
            status: Status::Manual,
            note: format!(
                "Not checked automatically: {} {} not implemented in this version of asynclint; \
                 review the places below",
                unavailable.join(", "),
                if unavailable.len() == 1 { "is" } else { "are" }
            ),
            counts,
        };
    }
    let mut note = format!("No findings of {}", available.join(", "));
    if !unavailable.is_empty() {
        note.push_str(&format!(" (not checked yet: {})", unavailable.join(", ")));
    }
    Outcome {
        status: Status::Pass,
        note,
        counts,
    }
}

fn manual_outcome(ctx: &Ctx, scope: &[Fact], na: &str, evidence: &[Fact], hint: &str) -> Outcome {
    if !scope.is_empty() && ctx.facts.sum(scope, Scope::All) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: capitalise(na),
            counts: Vec::new(),
        };
    }
    Outcome {
        status: Status::Manual,
        note: capitalise(hint),
        counts: counts_of(ctx, scope, evidence),
    }
}

fn links_outcome(to: &[&str], earlier: &[Item]) -> Outcome {
    let linked: Vec<&Item> = to
        .iter()
        .filter_map(|id| earlier.iter().find(|item| item.id == *id))
        .collect();
    let any = |status: Status| linked.iter().any(|item| item.status == status);
    let status = if any(Status::Fail) {
        Status::Fail
    } else if any(Status::Manual) {
        Status::Manual
    } else if any(Status::Pass) {
        Status::Pass
    } else {
        Status::NotApplicable
    };
    let parts: Vec<String> = linked
        .iter()
        .map(|item| format!("{} {}", item.id, item.status.name()))
        .collect();
    Outcome {
        status,
        note: format!("Decided by {}", parts.join(", ")),
        counts: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Project-fact evaluators

const SYNC_HTTP_MODULES: &[&str] = &["requests", "urllib3", "http.client", "urllib.request"];
const ASYNC_HTTP_MODULES: &[&str] = &["httpx", "aiohttp"];
const ASYNC_HTTP_PACKAGES: &[&str] = &["httpx", "aiohttp"];
const SYNC_DB_MODULES: &[&str] = &[
    "sqlite3",
    "psycopg2",
    "pymysql",
    "pymongo",
    "mysql.connector",
];
const ASYNC_DB_MODULES: &[&str] = &[
    "asyncpg",
    "aiosqlite",
    "motor",
    "aiomysql",
    "aiopg",
    "asyncmy",
    "psycopg",
    "psycopg_pool",
    "redis",
    "aioredis",
    "databases",
    "sqlalchemy.ext.asyncio",
    "tortoise",
];
const ASYNC_DB_PACKAGES: &[&str] = &[
    "asyncpg",
    "aiosqlite",
    "motor",
    "aiomysql",
    "aiopg",
    "asyncmy",
    "psycopg",
    "psycopg-pool",
    "redis",
    "aioredis",
    "databases",
    "tortoise-orm",
    "beanie",
    "odmantic",
    "piccolo",
];
const TEST_PLUGINS: &[&str] = &["pytest-asyncio", "pytest-aiohttp", "anyio", "pytest-anyio"];
const TYPE_CHECKERS: &[&str] = &["mypy", "pyright", "basedpyright", "pyre-check"];
const PROFILERS: &[&str] = &[
    "yappi",
    "pyinstrument",
    "py-spy",
    "scalene",
    "memray",
    "viztracer",
    "austin-dist",
    "aiomonitor",
];
const PROFILER_MODULES: &[&str] = &["yappi", "pyinstrument", "scalene", "cProfile"];
const MONITORING: &[&str] = &[
    "aiomonitor",
    "aiodebug",
    "prometheus-client",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-instrumentation-asyncio",
    "sentry-sdk",
    "ddtrace",
    "statsd",
    "datadog",
];
const MONITORING_MODULES: &[&str] = &[
    "aiomonitor",
    "aiodebug",
    "prometheus_client",
    "opentelemetry",
    "sentry_sdk",
    "ddtrace",
    "statsd",
];
const RETRY_PACKAGES: &[&str] = &[
    "tenacity",
    "backoff",
    "stamina",
    "aioretry",
    "async-retrying",
    "aiohttp-retry",
];
const RETRY_MODULES: &[&str] = &["tenacity", "backoff", "stamina"];
const BREAKER_PACKAGES: &[&str] = &[
    "aiobreaker",
    "pybreaker",
    "circuitbreaker",
    "purgatory",
    "aiocircuitbreaker",
];
const BREAKER_MODULES: &[&str] = &["aiobreaker", "pybreaker", "circuitbreaker", "purgatory"];

fn custom_outcome(ctx: &Ctx, custom: Custom, findings: &[Finding], available: &[&str]) -> Outcome {
    if !findings.is_empty() {
        let counts = match custom {
            Custom::HttpClient => dependency_counts(ctx, ASYNC_HTTP_PACKAGES),
            Custom::DbDriver => dependency_counts(ctx, ASYNC_DB_PACKAGES),
            _ => Vec::new(),
        };
        return Outcome {
            status: Status::Fail,
            note: fail_note(findings),
            counts,
        };
    }
    match custom {
        Custom::HttpClient => driver_outcome(
            ctx,
            "HTTP",
            SYNC_HTTP_MODULES,
            ASYNC_HTTP_MODULES,
            ASYNC_HTTP_PACKAGES,
            &[Fact::HttpClient],
        ),
        Custom::DbDriver => driver_outcome(
            ctx,
            "database",
            SYNC_DB_MODULES,
            ASYNC_DB_MODULES,
            ASYNC_DB_PACKAGES,
            &[Fact::DbPool],
        ),
        Custom::TestPlugin => test_plugin(ctx),
        Custom::Ide => ide(ctx),
        Custom::LoopScope => loop_scope(ctx),
        Custom::TestTimeouts => test_timeouts(ctx),
        Custom::TestCancellation => test_cancellation(ctx),
        Custom::PatchLocation => patch_location(ctx),
        Custom::Profile => with_libraries(
            ctx,
            PROFILERS,
            PROFILER_MODULES,
            &[],
            "Profile under load with an async-aware profiler (yappi with coroutine support, \
             pyinstrument's async mode)",
        ),
        Custom::LoopLag => with_libraries(
            ctx,
            MONITORING,
            MONITORING_MODULES,
            &[Fact::LoopDebug],
            "Check that event-loop lag is measured in production (`slow_callback_duration`, \
             debug mode in staging, a monitoring library)",
        ),
        Custom::BlockingAlert => with_libraries(
            ctx,
            MONITORING,
            MONITORING_MODULES,
            &[Fact::LoopDebug],
            "Check that slow callbacks (blocked loop) raise an alert, not only a log line",
        ),
        Custom::Retry => retry(ctx, available),
        Custom::Breaker => breaker(ctx),
    }
}

fn import_count(ctx: &Ctx, module: &str, scope: Scope) -> Option<Count> {
    let total = ctx.facts.import(module)?;
    let count = total.count(scope);
    (count > 0).then(|| Count {
        key: format!("import:{module}"),
        label: format!("imports of `{module}`"),
        count,
        examples: total.examples(scope, false),
    })
}

fn dependency_counts(ctx: &Ctx, packages: &[&str]) -> Vec<Count> {
    ctx.deps
        .find(packages)
        .into_iter()
        .map(|dep| Count {
            key: format!("dependency:{}", dep.name),
            label: format!("`{}` declared in {}", dep.requirement, dep.group),
            count: 1,
            examples: vec![dep.source.clone()],
        })
        .collect()
}

fn names(deps: &[Count]) -> String {
    deps.iter()
        .map(|c| c.key.trim_start_matches("dependency:").to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn no_declarations_note() -> &'static str {
    "no dependency declarations found (pyproject.toml, requirements*.txt, setup.cfg)"
}

/// env.http-client and env.db-driver.
fn driver_outcome(
    ctx: &Ctx,
    what: &str,
    sync_modules: &[&str],
    async_modules: &[&str],
    packages: &[&str],
    constructions: &[Fact],
) -> Outcome {
    let sync_imports: Vec<Count> = sync_modules
        .iter()
        .filter_map(|m| import_count(ctx, m, Scope::Code))
        .collect();
    let async_imports: Vec<Count> = async_modules
        .iter()
        .filter_map(|m| import_count(ctx, m, Scope::Code))
        .collect();
    let built = ctx.facts.sum(constructions, Scope::Code);
    if sync_imports.is_empty() && async_imports.is_empty() && built == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: format!("The code imports no {what} client library"),
            counts: Vec::new(),
        };
    }
    let declared = dependency_counts(ctx, packages);
    let mut counts = declared.clone();
    counts.extend(async_imports.iter().cloned());
    counts.extend(sync_imports.iter().cloned());
    let imported = |list: &[Count]| {
        list.iter()
            .map(|c| format!("`{}`", c.key.trim_start_matches("import:")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !declared.is_empty() {
        return Outcome {
            status: Status::Pass,
            note: format!(
                "Async {what} client declared: {}; no blocking {what} calls found in async code",
                names(&declared)
            ),
            counts,
        };
    }
    if !ctx.deps.declared() {
        return Outcome {
            status: Status::Manual,
            note: capitalise(&format!(
                "{}; the code imports {}",
                no_declarations_note(),
                imported(&[async_imports.clone(), sync_imports.clone()].concat())
            )),
            counts,
        };
    }
    if !async_imports.is_empty() {
        return Outcome {
            status: Status::Fail,
            note: format!(
                "The code imports {} but no async {what} client is among the declared dependencies",
                imported(&async_imports)
            ),
            counts,
        };
    }
    Outcome {
        status: Status::Manual,
        note: format!(
            "No async {what} client declared; {} is imported, but no finding shows it used from \
             async code: check whether async code needs it",
            imported(&sync_imports)
        ),
        counts,
    }
}

fn async_test_counts(ctx: &Ctx) -> Vec<Count> {
    [Fact::AsyncTest, Fact::AsyncFixture]
        .iter()
        .map(|f| fact_count(ctx, *f, Scope::All))
        .filter(|c| c.count > 0)
        .collect()
}

fn test_plugin(ctx: &Ctx) -> Outcome {
    let tests = async_test_counts(ctx);
    if tests.is_empty() {
        return Outcome {
            status: Status::NotApplicable,
            note: "No async tests or fixtures".to_string(),
            counts: Vec::new(),
        };
    }
    let plugins = dependency_counts(ctx, TEST_PLUGINS);
    let mut counts = plugins.clone();
    counts.extend(tests);
    if !plugins.is_empty() {
        return Outcome {
            status: Status::Pass,
            note: format!("Test plugin declared: {}", names(&plugins)),
            counts,
        };
    }
    if !ctx.deps.declared() {
        return Outcome {
            status: Status::Manual,
            note: capitalise(&format!(
                "{}; check how the async tests are run",
                no_declarations_note()
            )),
            counts,
        };
    }
    Outcome {
        status: Status::Fail,
        note: "The project has async tests but declares neither pytest-asyncio nor anyio"
            .to_string(),
        counts,
    }
}

fn ide(ctx: &Ctx) -> Outcome {
    let mut counts: Vec<Count> = ctx
        .type_checkers
        .iter()
        .map(|location| Count {
            key: "config:type-checker".to_string(),
            label: match &location.detail {
                Some(detail) => format!("`{detail}`"),
                None => format!("`{}`", location.path.rsplit('/').next().unwrap_or("")),
            },
            count: 1,
            examples: vec![location.clone()],
        })
        .collect();
    counts.extend(dependency_counts(ctx, TYPE_CHECKERS));
    let note = if counts.is_empty() {
        "No type-checker configuration found: configure mypy or pyright (and the editor) so \
         unawaited coroutines are flagged while typing"
    } else {
        "Check that the editor runs the configured type checker, which flags unawaited \
         coroutines while typing"
    };
    Outcome {
        status: Status::Manual,
        note: note.to_string(),
        counts,
    }
}

fn pytest_count(ctx: &Ctx, key: &str, label: String) -> Count {
    Count {
        key: key.to_string(),
        label,
        count: 1,
        examples: ctx
            .pytest
            .config
            .iter()
            .map(|path| Location {
                path: path.clone(),
                line: 0,
                detail: None,
            })
            .collect(),
    }
}

fn loop_scope(ctx: &Ctx) -> Outcome {
    let mut counts = async_test_counts(ctx);
    if counts.is_empty() {
        return Outcome {
            status: Status::NotApplicable,
            note: "No async tests or fixtures".to_string(),
            counts: Vec::new(),
        };
    }
    counts.insert(
        0,
        pytest_count(
            ctx,
            "config:asyncio_mode",
            format!("`asyncio_mode = {}`", ctx.pytest.asyncio_mode),
        ),
    );
    match &ctx.pytest.asyncio_default_fixture_loop_scope {
        Some(scope) => {
            counts.insert(
                0,
                pytest_count(
                    ctx,
                    "config:asyncio_default_fixture_loop_scope",
                    format!("`asyncio_default_fixture_loop_scope = {scope}`"),
                ),
            );
            Outcome {
                status: Status::Pass,
                note: format!("`asyncio_default_fixture_loop_scope = {scope}` is configured"),
                counts,
            }
        }
        None => Outcome {
            status: Status::Manual,
            note: "`asyncio_default_fixture_loop_scope` is not set: pytest-asyncio warns and \
                   fixtures run in their own scope's loop; set it explicitly"
                .to_string(),
            counts,
        },
    }
}

fn test_timeouts(ctx: &Ctx) -> Outcome {
    const TIMEOUTS: &[Fact] = &[Fact::Timeout, Fact::TimeoutAt, Fact::WaitFor];
    if ctx.facts.sum(TIMEOUTS, Scope::Code) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: "No timeouts in the code".to_string(),
            counts: Vec::new(),
        };
    }
    let mut counts: Vec<Count> = TIMEOUTS
        .iter()
        .map(|f| fact_count(ctx, *f, Scope::Code))
        .filter(|c| c.count > 0)
        .collect();
    let tests = fact_count(ctx, Fact::RaisesTimeout, Scope::Tests);
    let tested = tests.count > 0;
    counts.push(tests);
    if tested {
        return Outcome {
            status: Status::Pass,
            note: "Tests assert that timeouts fire".to_string(),
            counts,
        };
    }
    let note = if ctx.facts.test_files == 0 {
        "The code uses timeouts but the analysed files contain no tests"
    } else {
        "The code uses timeouts but no test asserts one fires (`pytest.raises(TimeoutError)`): \
         check for tests with short timeouts"
    };
    Outcome {
        status: Status::Manual,
        note: note.to_string(),
        counts,
    }
}

fn test_cancellation(ctx: &Ctx) -> Outcome {
    if ctx
        .facts
        .sum(&[Fact::CreateTask, Fact::TaskGroup], Scope::Code)
        == 0
    {
        return Outcome {
            status: Status::NotApplicable,
            note: "The code creates no tasks".to_string(),
            counts: Vec::new(),
        };
    }
    let raises = fact_count(ctx, Fact::RaisesCancelled, Scope::Tests);
    let cancels = fact_count(ctx, Fact::TaskCancel, Scope::Tests);
    let tested = raises.count > 0;
    let counts = vec![raises, cancels];
    if tested {
        return Outcome {
            status: Status::Pass,
            note: "Tests assert that cancellation propagates (`pytest.raises(CancelledError)`)"
                .to_string(),
            counts,
        };
    }
    Outcome {
        status: Status::Manual,
        note: "No test asserts `CancelledError`: check that cancellation and the cleanup it \
               triggers are tested"
            .to_string(),
        counts,
    }
}

fn patch_location(ctx: &Ctx) -> Outcome {
    let targets = ctx.facts.get(Fact::PatchTarget);
    if targets.count(Scope::All) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: "No `patch(\"...\")` targets".to_string(),
            counts: Vec::new(),
        };
    }
    let mut outside = Vec::new();
    let mut unresolved = Vec::new();
    for example in targets.examples(Scope::All, true) {
        let Some(target) = example.detail.as_deref() else {
            continue;
        };
        let top = target.split('.').next().unwrap_or(target);
        if !ctx.facts.modules.contains(top) {
            outside.push(example);
            continue;
        }
        // Some proper prefix must be a module of the project (the rest is an attribute path).
        let parts: Vec<&str> = target.split('.').collect();
        let resolves = (1..parts.len()).any(|n| ctx.facts.modules.contains(&parts[..n].join(".")));
        if !resolves {
            unresolved.push(example);
        }
    }
    let total = fact_count(ctx, Fact::PatchTarget, Scope::All);
    let note = if outside.is_empty() && unresolved.is_empty() {
        format!(
            "All {} patch targets name project modules: check each patches the name where it \
             is looked up, not where it is defined",
            total.count
        )
    } else {
        "Patch targets outside the project or not resolving to a project module patch \
         nothing the code under test looks up: check them"
            .to_string()
    };
    let mut counts = Vec::new();
    if !outside.is_empty() {
        counts.push(Count {
            key: "patch_targets_outside_project".to_string(),
            label: "patch targets outside the project's modules".to_string(),
            count: outside.len() as u64,
            examples: outside,
        });
    }
    if !unresolved.is_empty() {
        counts.push(Count {
            key: "patch_targets_unresolved".to_string(),
            label: "patch targets in a project package but no known module".to_string(),
            count: unresolved.len() as u64,
            examples: unresolved,
        });
    }
    counts.push(total);
    Outcome {
        status: Status::Manual,
        note,
        counts,
    }
}

fn with_libraries(
    ctx: &Ctx,
    packages: &[&str],
    modules: &[&str],
    facts: &[Fact],
    hint: &str,
) -> Outcome {
    if ctx.facts.count(Fact::AsyncDef, Scope::All) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: "No `async def` in the project".to_string(),
            counts: Vec::new(),
        };
    }
    let mut counts = dependency_counts(ctx, packages);
    counts.extend(
        modules
            .iter()
            .filter_map(|m| import_count(ctx, m, Scope::All)),
    );
    counts.extend(
        facts
            .iter()
            .map(|f| fact_count(ctx, *f, Scope::All))
            .filter(|c| c.count > 0),
    );
    Outcome {
        status: Status::Manual,
        note: hint.to_string(),
        counts,
    }
}

fn external_calls(ctx: &Ctx) -> u64 {
    let modules = SYNC_HTTP_MODULES
        .iter()
        .chain(ASYNC_HTTP_MODULES)
        .chain(SYNC_DB_MODULES)
        .chain(ASYNC_DB_MODULES);
    modules
        .filter_map(|m| ctx.facts.import(m))
        .map(|t| t.count(Scope::Code))
        .sum::<u64>()
        + ctx
            .facts
            .sum(&[Fact::HttpClient, Fact::DbPool], Scope::Code)
}

fn retry(ctx: &Ctx, available: &[&str]) -> Outcome {
    if external_calls(ctx) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: "The code imports no HTTP or database client".to_string(),
            counts: Vec::new(),
        };
    }
    let mut counts = dependency_counts(ctx, RETRY_PACKAGES);
    counts.extend(
        RETRY_MODULES
            .iter()
            .filter_map(|m| import_count(ctx, m, Scope::All)),
    );
    let retries = ctx
        .facts
        .sum(&[Fact::RetryDecorator, Fact::RetrySleep], Scope::Code);
    counts.extend(
        [Fact::RetryDecorator, Fact::RetrySleep]
            .iter()
            .map(|f| fact_count(ctx, *f, Scope::Code))
            .filter(|c| c.count > 0),
    );
    if retries > 0 && !available.is_empty() {
        return Outcome {
            status: Status::Pass,
            note: format!("Retries found; no findings of {}", available.join(", ")),
            counts,
        };
    }
    let note = if retries > 0 {
        "Retries found (AIO514 is not implemented in this version of asynclint): check they \
         back off exponentially, with jitter and a cap"
    } else {
        "No retry helper or retry loop found: check whether calls to external services need \
         retries with exponential backoff"
    };
    Outcome {
        status: Status::Manual,
        note: note.to_string(),
        counts,
    }
}

fn breaker(ctx: &Ctx) -> Outcome {
    if external_calls(ctx) == 0 {
        return Outcome {
            status: Status::NotApplicable,
            note: "The code imports no HTTP or database client".to_string(),
            counts: Vec::new(),
        };
    }
    let mut counts = dependency_counts(ctx, BREAKER_PACKAGES);
    counts.extend(
        BREAKER_MODULES
            .iter()
            .filter_map(|m| import_count(ctx, m, Scope::All)),
    );
    let breakers = fact_count(ctx, Fact::CircuitBreaker, Scope::Code);
    let found = breakers.count > 0 || !counts.is_empty();
    counts.push(breakers);
    let note = if found {
        "Check that every external service that can fail slowly sits behind a breaker"
    } else {
        "No circuit breaker found: check whether failing external services need one"
    };
    Outcome {
        status: Status::Manual,
        note: note.to_string(),
        counts,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
