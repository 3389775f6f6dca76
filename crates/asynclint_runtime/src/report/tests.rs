use std::path::Path;

use super::*;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self { dir }
    }

    fn cwd(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, lines: &[String]) -> Report {
        let mut aggregator = Aggregator::new();
        let process = aggregator.add_process();
        aggregator.feed_line(
            process,
            &format!(
                r#"{{"type":"hello","protocol":1,"pid":7,"python":"3.11.7","cwd":{},"t":1.0}}"#,
                serde_json::to_string(&self.cwd().to_string_lossy()).unwrap()
            ),
        );
        for line in lines {
            aggregator.feed_line(process, line);
        }
        aggregator.finish(&Options::default())
    }
}

fn codes_and_lines(report: &Report) -> Vec<(&'static str, usize)> {
    report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.start_location().row))
        .collect()
}

const WORKER: &str = "import time\n\n\ndef load():\n    time.sleep(0.3)\n\n\ndef crunch():\n    return sum(i * i for i in range(10))\n\n\nasync def handle():\n    load()\n    crunch()\n";

#[test]
fn blocks_map_to_the_catalogued_code_or_aio950() {
    let fixture = Fixture::new(&[("worker.py", WORKER)]);
    let block = |line: u32, pos: &str, lag: f64| {
        format!(
            r#"{{"type":"block","loop":1,"t":2.0,"lag_ms":{lag},"frames":[{{"file":"worker.py","line":{line},"func":"f","kind":2{pos}}},{{"file":"worker.py","line":13,"func":"handle","kind":2}},{{"file":"/usr/lib/python3.11/asyncio/events.py","line":80,"func":"_run","kind":0}}]}}"#
        )
    };
    let report = fixture.run(&[
        block(5, r#","pos":[5,5,4,19]"#, 250.0),
        block(5, r#","pos":[5,5,4,19]"#, 300.0),
        block(9, "", 150.0),
        block(9, "", 50.0),
    ]);
    assert_eq!(codes_and_lines(&report), [("AIO100", 5), ("AIO950", 9)]);
    let sleep = &report.diagnostics[0];
    assert!(
        sleep
            .message
            .starts_with("`time.sleep()` blocked the event loop for at least 300 ms"),
        "{}",
        sleep.message
    );
    assert!(
        sleep.message.contains("worst of 2, 550 ms in all"),
        "{}",
        sleep.message
    );
    assert!(
        sleep
            .message
            .contains("handle() [worker.py:13] -> f() [worker.py:5]"),
        "{}",
        sleep.message
    );
    assert!(sleep.help.as_deref().unwrap().contains("asyncio.to_thread"));
    assert_eq!(sleep.start_location().column, 5);
    let crunch = &report.diagnostics[1];
    assert!(crunch.message.contains("150 ms"), "{}", crunch.message);
    assert!(
        crunch.message.contains("while it ran this line of `f()`"),
        "{}",
        crunch.message
    );
    assert_eq!(
        &crunch.file.text()[crunch.range],
        "return sum(i * i for i in range(10))"
    );
}

#[test]
fn a_blocking_call_inside_a_library_is_reported_at_the_programs_call() {
    let fixture = Fixture::new(&[
        (
            "app.py",
            "import lib\n\n\nasync def main():\n    lib.fetch()\n",
        ),
        (
            "site-packages/lib.py",
            "import time\n\n\ndef fetch():\n    time.sleep(1)\n",
        ),
    ]);
    let report = fixture.run(&[r#"{"type":"block","loop":1,"t":2.0,"lag_ms":900,"frames":[{"file":"site-packages/lib.py","line":5,"func":"fetch","kind":1,"pos":[5,5,4,17]},{"file":"app.py","line":5,"func":"main","kind":2,"pos":[5,5,4,15]}]}"#.to_string()]);
    assert_eq!(codes_and_lines(&report), [("AIO100", 5)]);
    let diagnostic = &report.diagnostics[0];
    assert!(diagnostic.file.path().ends_with("app.py"));
    assert!(
        diagnostic.message.starts_with(
            "`lib.fetch()` reached `time.sleep()` [site-packages/lib.py:5], which blocked"
        ),
        "{}",
        diagnostic.message
    );
}

#[test]
fn task_events_sit_on_the_creation_site() {
    let fixture = Fixture::new(&[(
        "app.py",
        "import asyncio\n\n\nasync def main():\n    asyncio.create_task(boom())\n    asyncio.create_task(forever())\n    asyncio.create_task(lost())\n    notify()\n",
    )]);
    let site = |id: u32, line: u32| {
        format!(
            r#"{{"type":"task_site","site":{id},"file":"app.py","line":{line},"func":"main","kind":2,"pos":[{line},{line},4,31],"coro":"c","created":1,"done":0,"cancelled":0,"failed":0,"total_ms":0,"max_ms":0}}"#
        )
    };
    let report = fixture.run(&[
        site(1, 5),
        site(2, 6),
        site(3, 7),
        r#"{"type":"exception_not_retrieved","site":1,"coro":"boom","exc_type":"ValueError","exc_msg":"bad","raised":[{"file":"app.py","line":5,"func":"boom","kind":2}],"t":3}"#.to_string(),
        r#"{"type":"exception_not_retrieved","site":1,"coro":"boom","exc_type":"ValueError","exc_msg":"bad","raised":[],"t":3}"#.to_string(),
        r#"{"type":"pending_at_shutdown","via":"asyncio.run","site":2,"coro":"forever","where":[{"file":"app.py","line":6,"func":"forever","kind":2}],"t":3}"#.to_string(),
        r#"{"type":"task_destroyed","site":3,"coro":"lost","where":[],"loop_closed":false,"t":3}"#.to_string(),
        r#"{"type":"unawaited","coro":"notify","frames":[{"file":"app.py","line":8,"func":"main","kind":2}],"from_origin":true,"t":3}"#.to_string(),
    ]);
    assert_eq!(
        codes_and_lines(&report),
        [("AIO302", 5), ("AIO951", 6), ("AIO300", 7), ("AIO200", 8)]
    );
    assert!(report.diagnostics[0].message.contains("`ValueError: bad`"));
    assert!(report.diagnostics[0].message.contains("twice"));
    let unawaited = &report.diagnostics[3];
    assert_eq!(&unawaited.file.text()[unawaited.range], "notify()");
}

#[test]
fn only_unbounded_queues_over_the_threshold_are_findings() {
    let fixture = Fixture::new(&[(
        "app.py",
        "import asyncio\nq = asyncio.Queue()\nb = asyncio.Queue(5)\nsmall = asyncio.Queue()\n",
    )]);
    let queue = |id: u32, line: u32, maxsize: u32, hwm: u32| {
        format!(
            r#"{{"type":"queue_site","site":{id},"file":"app.py","line":{line},"func":"<module>","kind":2,"cls":"Queue","maxsize":{maxsize},"queues":1,"puts":{hwm},"hwm":{hwm}}}"#
        )
    };
    let report = fixture.run(&[
        queue(1, 2, 0, 5000),
        queue(2, 3, 5, 5000),
        queue(3, 4, 0, 10),
    ]);
    assert_eq!(codes_and_lines(&report), [("AIO513", 2)]);
    assert_eq!(report.summary.queue_sites[0].hwm, 5000);
    assert!(
        report
            .summary
            .line()
            .contains("deepest queue 5000 items (app.py:2)")
    );
}

#[test]
fn noqa_silences_run_time_findings_too() {
    let fixture = Fixture::new(&[(
        "app.py",
        "async def main():\n    notify()  # noqa: AIO200\n",
    )]);
    let report = fixture.run(&[r#"{"type":"unawaited","coro":"notify","frames":[{"file":"app.py","line":2,"func":"main","kind":2}],"from_origin":true,"t":3}"#.to_string()]);
    assert!(report.diagnostics.is_empty());
}

#[test]
fn summary_counts_loops_and_lag() {
    let fixture = Fixture::new(&[]);
    let report = fixture.run(&[
        r#"{"type":"loop","loop":1,"cls":"asyncio.unix_events._UnixSelectorEventLoop","thread":"MainThread","t":1.0}"#.to_string(),
        r#"{"type":"loop_stats","loop":1,"beats":3,"blocks":0,"max_lag_ms":4.0,"tasks":10,"peak_tasks":4,"active_tasks":0,"samples":[[1.0,0.5,1],[1.05,4.0,4]]}"#.to_string(),
        r#"{"type":"loop_stats","loop":1,"beats":4,"blocks":0,"max_lag_ms":4.0,"tasks":12,"peak_tasks":4,"active_tasks":0,"samples":[[1.1,1.0,0]]}"#.to_string(),
        "garbage".to_string(),
    ]);
    let summary = &report.summary;
    assert_eq!(summary.loops.len(), 1);
    assert_eq!(summary.loops[0].samples.len(), 3);
    assert_eq!(summary.task_count(), 12);
    assert_eq!(summary.peak_tasks(), 4);
    assert_eq!(summary.max_lag_ms(), 4.0);
    assert!(report.diagnostics.is_empty());
    let html = crate::html::render(&report, &crate::html::Options::default());
    assert!(html.contains("<svg") && html.contains("class=\"lag\""));
    assert!(!html.contains("<script") && !html.contains("src="));
}

#[test]
fn a_task_without_a_recorded_site_is_reported_where_it_raised() {
    let fixture = Fixture::new(&[(
        "app.py",
        "import asyncio\n\n\nasync def boom():\n    raise ValueError('bad')\n",
    )]);
    let report = fixture.run(&[r#"{"type":"exception_not_retrieved","site":null,"coro":"boom","exc_type":"ValueError","exc_msg":"bad","raised":[{"file":"app.py","line":5,"func":"boom","kind":2}],"t":3}"#.to_string()]);
    assert_eq!(codes_and_lines(&report), [("AIO302", 5)]);
    let message = &report.diagnostics[0].message;
    assert!(
        message.starts_with("Task `boom()` raised here `ValueError: bad` and nobody"),
        "{message}"
    );
}
