//! Fix tests: for every fixable rule, its fixture is fixed (safe and unsafe fixes) until nothing
//! changes; the fixed source is snapshotted, must parse, a further pass must change nothing, and
//! every fix's applicability must match the rule's declaration.

use std::path::{Path, PathBuf};

use asynclint_diagnostics::Applicability;
use asynclint_linter::fix::{FixMode, apply_fixes, parses};
use asynclint_linter::{FixAvailability, LinterSettings, Rule, TargetVersion, lint_str};

fn fixture(rule: Rule) -> PathBuf {
    let (family, _) = rule.source_path();
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("resources/test/fixtures")
        .join(family)
        .join(format!("{}.py", rule.code()))
}

fn settings_for(rule: Rule, source: &str) -> LinterSettings {
    let mut settings = LinterSettings::for_rules([rule]);
    if let Some(v) = source
        .lines()
        .take(5)
        .find_map(|l| l.trim().strip_prefix("# target-version:"))
        .and_then(|v| TargetVersion::parse(v.trim()))
    {
        settings.target_version = v;
    }
    settings
}

/// Fix `source` until nothing changes; returns the result and the number of fixes applied.
fn fix_until_stable(path: &Path, source: &str, settings: &LinterSettings) -> (String, usize) {
    let mut text = source.to_string();
    let mut applied = 0;
    for _ in 0..10 {
        let diagnostics = lint_str(path, &text, settings);
        let pass = apply_fixes(&text, &diagnostics, FixMode::Unsafe);
        let count = pass.count();
        let Some(next) = pass.source else { break };
        applied += count;
        assert!(
            parses(&next, false),
            "{}: fixed source does not parse:\n{next}",
            path.display()
        );
        text = next;
    }
    (text, applied)
}

#[test]
fn fixable_rules() {
    let mut problems = Vec::new();
    for rule in Rule::ALL
        .iter()
        .copied()
        .filter(|r| r.is_fixable() && !r.is_project_only())
    {
        let path = fixture(rule);
        let Ok(source) = std::fs::read_to_string(&path) else {
            problems.push(format!("{}: no fixture", rule.code()));
            continue;
        };
        let settings = settings_for(rule, &source);
        let diagnostics = lint_str(&path, &source, &settings);
        let fixes: Vec<_> = diagnostics.iter().filter_map(|d| d.fix.as_ref()).collect();
        if fixes.is_empty() {
            problems.push(format!("{}: the fixture produces no fix", rule.code()));
            continue;
        }
        for fix in &fixes {
            let ok = match rule.fix_availability() {
                FixAvailability::Safe => fix.applicability == Applicability::Safe,
                FixAvailability::Unsafe => fix.applicability == Applicability::Unsafe,
                FixAvailability::Sometimes => true,
                FixAvailability::None => false,
            };
            if !ok {
                problems.push(format!(
                    "{}: fix `{}` is {:?}, the rule declares {:?}",
                    rule.code(),
                    fix.message,
                    fix.applicability,
                    rule.fix_availability()
                ));
            }
        }
        let (fixed, applied) = fix_until_stable(&path, &source, &settings);
        assert!(applied > 0, "{}: nothing applied", rule.code());
        // A further pass changes nothing.
        let again = lint_str(&path, &fixed, &settings);
        if apply_fixes(&fixed, &again, FixMode::Unsafe)
            .source
            .is_some()
        {
            problems.push(format!(
                "{}: a second pass still changes the file",
                rule.code()
            ));
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{}.fixed", rule.code()), fixed);
        });
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `import asyncio` is added once, after the module's imports, when it is missing; an alias is
/// respected; a local `asyncio` that is something else prevents the fix.
#[test]
fn sleep_fix_adds_the_import_once() {
    let settings = LinterSettings::for_rules([Rule::BlockingSleep]);
    let path = Path::new("m.py");
    let source = "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport time\n\n\nasync def a():\n    time.sleep(1)\n    time.sleep(2)\n";
    let (fixed, applied) = fix_until_stable(path, source, &settings);
    assert_eq!(
        applied, 2,
        "two sleeps (the import comes with the first)\n{fixed}"
    );
    assert_eq!(
        fixed,
        "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport time\nimport asyncio\n\n\nasync def a():\n    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n"
    );

    let aliased = "import asyncio as aio\nimport time\n\nasync def a():\n    time.sleep(1)\n";
    let (fixed, _) = fix_until_stable(path, aliased, &settings);
    assert!(
        fixed.contains("await aio.sleep(1)") && !fixed.contains("import asyncio\n"),
        "{fixed}"
    );

    let taken = "import time\n\nasync def a(asyncio):\n    time.sleep(1)\n";
    let diagnostics = lint_str(path, taken, &settings);
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0].fix.is_none(),
        "no fix when `asyncio` means something else"
    );

    let crlf = "import time\r\n\r\nasync def a():\r\n    time.sleep(1)\r\n";
    let (fixed, _) = fix_until_stable(path, crlf, &settings);
    assert_eq!(
        fixed,
        "import time\r\nimport asyncio\r\n\r\nasync def a():\r\n    await asyncio.sleep(1)\r\n"
    );
}
