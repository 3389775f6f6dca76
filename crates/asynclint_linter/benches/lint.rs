//! The per-file hot path: parse + semantic model + every rule (+ the project summary), on a few
//! representative files of the bundled example service and the rule fixtures. Regressions show
//! up as changes in these numbers; nothing here asserts a time.
//!
//! `cargo bench -p asynclint_linter`

use std::path::{Path, PathBuf};

use asynclint_linter::{LinterSettings, ModuleInfo, RuleSet, lint_source};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn files() -> Vec<(String, PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for rel in [
        "examples/orders/worker.py",
        "examples/orders/api.py",
        "examples/orders/repository.py",
        "crates/asynclint_linter/resources/test/fixtures/blocking/AIO103.py",
        "crates/asynclint_linter/resources/test/fixtures/tasks/AIO300.py",
    ] {
        let path = root.join(rel);
        if let Ok(text) = std::fs::read_to_string(&path) {
            out.push((
                rel.rsplit('/').next().unwrap_or(rel).to_string(),
                path,
                text,
            ));
        }
    }
    // A larger synthetic module: the example modules repeated under distinct names.
    let big: String = out
        .iter()
        .take(3)
        .flat_map(|(_, _, t)| std::iter::repeat_n(t.as_str(), 20))
        .collect::<Vec<_>>()
        .join("\n");
    out.push((
        "synthetic_large.py".to_string(),
        root.join("synthetic_large.py"),
        big,
    ));
    // A large test module in pytest-asyncio's strict mode: module-wide questions asked once
    // per async test used to make this quadratic in the number of tests.
    let mut tests = String::from("import pytest\n\n");
    for i in 0..2000 {
        tests.push_str(&format!(
            "async def test_case_{i}(client):\n    response = await client.get(\"/items/{i}\")\n    assert response.status == 200\n\n"
        ));
    }
    out.push((
        "test_synthetic_strict.py".to_string(),
        root.join("tests/test_synthetic_strict.py"),
        tests,
    ));
    out
}

fn bench_lint(c: &mut Criterion) {
    let mut all = LinterSettings::default();
    all.rules = RuleSet::all();
    let module = ModuleInfo {
        path: Some(vec!["orders".into(), "bench".into()]),
        is_package: false,
        collect_summary: true,
        collect_facts: false,
    };
    let mut group = c.benchmark_group("lint_source");
    for (name, path, text) in files() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("all_rules_with_summary", &name),
            &text,
            |b, text| {
                b.iter(|| lint_source(&path, text, &all, &module));
            },
        );
        group.bench_with_input(BenchmarkId::new("parse_only", &name), &text, |b, text| {
            b.iter(|| {
                ruff_python_parser::parse_unchecked_source(
                    text,
                    ruff_python_ast::PySourceType::Python,
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lint);
criterion_main!(benches);
