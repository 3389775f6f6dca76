//! Codes that only `asynclint run` reports. Every other run-time finding carries the code of
//! the static rule it confirms (see `docs/runtime.md`); these two have no static counterpart.
//! They are not registry rules: `check` never reports them and `--select` does not know them.

use asynclint_diagnostics::RuleMeta;

/// The event loop was blocked and the blocking line is no catalogued call (CPU-bound Python,
/// an uncatalogued library).
pub const LOOP_BLOCKED: RuleMeta = RuleMeta {
    code: "AIO950",
    name: "loop-blocked",
    summary: "The event loop was blocked at run time by code that is not a catalogued blocking call.",
    docs: LOOP_BLOCKED_DOCS,
    default_enabled: true,
    fixable: false,
};

/// A task was still pending when its event loop shut down.
pub const TASK_PENDING_AT_SHUTDOWN: RuleMeta = RuleMeta {
    code: "AIO951",
    name: "task-pending-at-shutdown",
    summary: "A task was still pending when its event loop shut down.",
    docs: TASK_PENDING_AT_SHUTDOWN_DOCS,
    default_enabled: true,
    fixable: false,
};

/// Every run-time-only code, in code order.
pub const ALL: &[RuleMeta] = &[LOOP_BLOCKED, TASK_PENDING_AT_SHUTDOWN];

const LOOP_BLOCKED_DOCS: &str = "## What it does
Reports, from `asynclint run`, a line that kept the event loop busy for longer than the block
threshold (`--block-threshold`, 100 ms by default) when that line is no catalogued blocking
call (those are reported with their AIO1xx code). The watchdog captured the loop thread's stack
while the loop was blocked; the finding sits on the innermost line of the program's own code
and names the chain of calls that led there.

## Why is this bad?
While one callback runs, no other task runs: timers fire late, sockets fill up, health checks
and heartbeats time out. Pure-Python number crunching, a large `json.dumps`, a regex on a huge
string or a synchronous library call the catalog does not know all block the same way.

## Example
```python
async def report(rows):
    summary = build_summary(rows)   # 400 ms of pure-Python work on every request
    return web.json_response(summary)
```

Use instead:
```python
async def report(rows):
    loop = asyncio.get_running_loop()
    summary = await loop.run_in_executor(process_pool, build_summary, rows)
    return web.json_response(summary)
```

## References
- [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
";

const TASK_PENDING_AT_SHUTDOWN_DOCS: &str = "## What it does
Reports, from `asynclint run`, a task that was still pending when its event loop shut down:
`asyncio.run()` was about to cancel it, or `loop.close()` abandoned it. The finding sits on the
line that created the task and says where the task was suspended.

## Why is this bad?
A task cancelled by `asyncio.run()` at exit gets no orderly shutdown: a half-written batch, an
unflushed buffer or an unacknowledged message is lost, and nothing is logged. A task abandoned
by `loop.close()` never runs again (\"Task was destroyed but it is pending!\").

## Example
```python
async def main():
    asyncio.create_task(flush_metrics_forever())
    await serve()
```

Use instead:
```python
async def main():
    flusher = asyncio.create_task(flush_metrics_forever())
    try:
        await serve()
    finally:
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)
```

## References
- [`asyncio.run`](https://docs.python.org/3/library/asyncio-runner.html#asyncio.run)
";

#[cfg(test)]
mod tests {
    use super::ALL;

    /// `docs/runtime.md` carries each code's documentation, headings one level down (as
    /// `docs/rules.md` does for the registry rules).
    #[test]
    fn docs_runtime_md_has_every_code() {
        let docs = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/runtime.md"
        ))
        .unwrap();
        for meta in ALL {
            let heading = format!("## {} ({})\n", meta.name, meta.code);
            assert!(docs.contains(&heading), "docs/runtime.md lacks `{heading}`");
            let demoted = meta.docs.replace("## ", "### ");
            assert!(
                docs.contains(&demoted),
                "docs/runtime.md differs from the documentation of {}",
                meta.code
            );
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(meta.docs.contains(section), "{} lacks {section}", meta.code);
            }
            assert!(meta.docs.contains("Use instead:"));
        }
    }
}
