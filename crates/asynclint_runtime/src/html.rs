//! `--html FILE`: one self-contained page with a timeline per event loop (loop lag, tasks alive,
//! blocks), the findings, and the task and queue tables. Inline SVG and styles only: no script,
//! no network asset (a Content-Security-Policy forbids both).

use std::fmt::Write as _;
use std::path::Path;

use asynclint_diagnostics::Diagnostic;
use asynclint_diagnostics::html::escape as esc;

use crate::event::Sample;
use crate::report::{LoopSummary, Report, ms};

/// At most this many points per line; longer runs keep the maximum of each time bucket, so a
/// spike never disappears.
const MAX_POINTS: usize = 1200;
const TASK_SITES_SHOWN: usize = 50;
/// Event loops charted at most (the ones with the most blocks, then heartbeats).
const LOOPS_CHARTED: usize = 12;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 60.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 34.0;

/// What the page says about the run besides the report.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The command as typed.
    pub command: String,
    /// How the command ended: `exited with status 0`, `was killed by signal 9`.
    pub outcome: String,
    /// Paths under this directory are shown relative to it.
    pub cwd: Option<std::path::PathBuf>,
    pub threshold_ms: f64,
    pub version: String,
}

pub fn render(report: &Report, options: &Options) -> String {
    let summary = &report.summary;
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="asynclint {version}">
<title>asynclint run: {command}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>asynclint run <code>{command}</code></h1>
<p class="summary">The command {outcome}; {duration} observed. {line}.</p>
"#,
        version = esc(&options.version),
        command = esc(&options.command),
        outcome = esc(&options.outcome),
        duration = esc(&seconds(summary.end - summary.start)),
        line = esc(&summary.line()),
    );
    tiles(report, &mut s);
    s.push_str("</header>\n<main>\n");

    s.push_str("<section>\n<h2>Event loops</h2>\n");
    if summary.loops.is_empty() {
        s.push_str("<p class=\"empty\">No event loop ran.</p>\n");
    }
    // A test suite can run a loop per test: the busiest ones get a chart.
    let mut loops: Vec<&LoopSummary> = summary.loops.iter().collect();
    if loops.len() > LOOPS_CHARTED {
        loops.sort_by(|a, b| b.blocks.cmp(&a.blocks).then(b.beats.cmp(&a.beats)));
        loops.truncate(LOOPS_CHARTED);
    }
    for event_loop in &loops {
        timeline(event_loop, summary.start, summary.end, options, &mut s);
    }
    if summary.loops.len() > LOOPS_CHARTED {
        let _ = writeln!(
            s,
            "<p class=\"empty\">{} more event loops, with fewer blocks and heartbeats, are not charted.</p>",
            summary.loops.len() - LOOPS_CHARTED
        );
    }
    s.push_str("</section>\n");

    findings(&report.diagnostics, options, &mut s);
    task_sites(report, options, &mut s);
    queue_sites(report, options, &mut s);
    processes(report, &mut s);
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

fn tiles(report: &Report, s: &mut String) {
    let summary = &report.summary;
    let deepest = summary.queue_sites.first().map_or(0, |q| q.hwm);
    let tiles = [
        (report.diagnostics.len().to_string(), "findings"),
        (ms(summary.max_lag_ms()), "max loop lag"),
        (ms(summary.p99_lag_ms()), "p99 loop lag"),
        (summary.block_count().to_string(), "blocks"),
        (summary.task_count().to_string(), "tasks"),
        (summary.peak_tasks().to_string(), "peak tasks alive"),
        (deepest.to_string(), "deepest queue"),
    ];
    s.push_str("<ul class=\"tiles\">\n");
    for (value, label) in tiles {
        let _ = writeln!(
            s,
            "<li><span class=\"value\">{}</span><span class=\"label\">{}</span></li>",
            esc(&value),
            esc(label)
        );
    }
    s.push_str("</ul>\n");
}

fn timeline(event_loop: &LoopSummary, start: f64, end: f64, options: &Options, s: &mut String) {
    let _ = writeln!(
        s,
        "<figure>\n<figcaption>Process {pid}, loop {id} <code>{cls}</code>{thread}: {beats} heartbeats, lag max {max} (p50 {p50}, p99 {p99}), {blocks} over {threshold}, {tasks} tasks (peak {peak} alive)</figcaption>",
        pid = event_loop.pid,
        id = event_loop.id,
        cls = esc(&event_loop.cls),
        thread = if event_loop.thread.is_empty() {
            String::new()
        } else {
            format!(" on thread {}", esc(&event_loop.thread))
        },
        beats = event_loop.beats,
        max = ms(event_loop.max_lag_ms),
        p50 = ms(event_loop.p50_lag_ms),
        p99 = ms(event_loop.p99_lag_ms),
        blocks = event_loop.blocks,
        threshold = ms(options.threshold_ms),
        tasks = event_loop.tasks,
        peak = event_loop.peak_tasks,
    );
    let span = (end - start).max(0.001);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let points = downsample(&event_loop.samples, start, span);
    let max_lag = points
        .iter()
        .map(|p| p.1)
        .chain(event_loop.block_marks.iter().map(|b| b.1))
        .fold(options.threshold_ms * 1.25, f64::max)
        .max(1.0);
    let max_tasks = points.iter().map(|p| p.2).max().unwrap_or(0).max(1) as f64;
    let x = |t: f64| LEFT + ((t - start) / span).clamp(0.0, 1.0) * plot_w;
    let y_lag = |lag: f64| TOP + plot_h - (lag / max_lag).clamp(0.0, 1.0) * plot_h;
    let y_tasks = |n: f64| TOP + plot_h - (n / max_tasks).clamp(0.0, 1.0) * plot_h;

    let _ = writeln!(
        s,
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="loop lag and pending tasks over time" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Grid and axes.
    for i in 0..=4 {
        let fraction = f64::from(i) / 4.0;
        let y = TOP + plot_h - fraction * plot_h;
        let _ = writeln!(
            s,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}"/><text class="axis lag" x="{lx:.1}" y="{ty:.1}" text-anchor="end">{lag}</text><text class="axis tasks" x="{rx:.1}" y="{ty:.1}">{tasks}</text>"#,
            x2 = WIDTH - RIGHT,
            lx = LEFT - 6.0,
            rx = WIDTH - RIGHT + 6.0,
            ty = y + 4.0,
            lag = esc(&ms(max_lag * fraction)),
            tasks = (max_tasks * fraction).round(),
        );
        let t = start + span * fraction;
        let _ = writeln!(
            s,
            r#"<text class="axis" x="{tx:.1}" y="{by:.1}" text-anchor="middle">{label}</text>"#,
            tx = x(t),
            by = HEIGHT - BOTTOM + 16.0,
            label = esc(&seconds(t - start)),
        );
    }
    let _ = writeln!(
        s,
        r#"<text class="axis lag" x="{LEFT}" y="{y:.1}" >lag</text><text class="axis tasks" x="{rx:.1}" y="{y:.1}" text-anchor="end">tasks</text>"#,
        y = HEIGHT - 4.0,
        rx = WIDTH - RIGHT,
    );
    // Blocks: from when the loop stopped answering to when it answered again.
    for (t, lag, place) in &event_loop.block_marks {
        let x1 = x(t - lag / 1000.0);
        let x2 = x(*t).max(x1 + 1.5);
        let title = match place {
            Some(place) => format!("blocked {} at {place}", ms(*lag)),
            None => format!("blocked {}", ms(*lag)),
        };
        let _ = writeln!(
            s,
            r#"<rect class="block" x="{x1:.1}" y="{TOP}" width="{w:.1}" height="{plot_h:.1}"><title>{title}</title></rect>"#,
            w = x2 - x1,
            title = esc(&title),
        );
    }
    let threshold_y = y_lag(options.threshold_ms);
    let _ = writeln!(
        s,
        r#"<line class="threshold" x1="{LEFT}" y1="{threshold_y:.1}" x2="{x2:.1}" y2="{threshold_y:.1}"><title>block threshold {t}</title></line>"#,
        x2 = WIDTH - RIGHT,
        t = esc(&ms(options.threshold_ms)),
    );
    if !points.is_empty() {
        let mut tasks = String::new();
        let mut previous: Option<f64> = None;
        for point in &points {
            let px = x(point.0);
            let py = y_tasks(point.2 as f64);
            if let Some(prev) = previous {
                let _ = write!(tasks, "{px:.1},{prev:.1} ");
            }
            let _ = write!(tasks, "{px:.1},{py:.1} ");
            previous = Some(py);
        }
        let _ = writeln!(
            s,
            r#"<polyline class="tasks" points="{}"/>"#,
            tasks.trim_end()
        );
        let lag: Vec<String> = points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.0), y_lag(p.1)))
            .collect();
        let _ = writeln!(s, r#"<polyline class="lag" points="{}"/>"#, lag.join(" "));
    }
    s.push_str("</svg>\n");
    s.push_str(
        "<p class=\"legend\"><span class=\"key lag\"></span>loop lag (left axis) <span class=\"key tasks\"></span>pending tasks (right axis) <span class=\"key block\"></span>blocked <span class=\"key threshold\"></span>block threshold</p>\n</figure>\n",
    );
}

/// At most [`MAX_POINTS`] samples: the maximum lag and task count of each time bucket.
fn downsample(samples: &[Sample], start: f64, span: f64) -> Vec<Sample> {
    if samples.len() <= MAX_POINTS {
        return samples.to_vec();
    }
    let mut buckets: Vec<Option<Sample>> = vec![None; MAX_POINTS];
    for sample in samples {
        let index = (((sample.0 - start) / span) * MAX_POINTS as f64) as usize;
        let bucket = &mut buckets[index.min(MAX_POINTS - 1)];
        *bucket = Some(match *bucket {
            None => *sample,
            Some(b) => (b.0, b.1.max(sample.1), b.2.max(sample.2)),
        });
    }
    buckets.into_iter().flatten().collect()
}

fn findings(diagnostics: &[Diagnostic], options: &Options, s: &mut String) {
    let _ = writeln!(
        s,
        "<section>\n<h2>Findings <span class=\"count\">{}</span></h2>",
        diagnostics.len()
    );
    if diagnostics.is_empty() {
        s.push_str("<p class=\"empty\">Nothing to report.</p>\n</section>\n");
        return;
    }
    s.push_str(
        "<table>\n<thead><tr><th>code</th><th>where</th><th>what</th></tr></thead>\n<tbody>\n",
    );
    for diagnostic in diagnostics {
        let location = diagnostic.start_location();
        let _ = writeln!(
            s,
            "<tr><td><code>{code}</code><br><span class=\"name\">{name}</span></td><td><code>{path}:{row}:{column}</code></td><td>{message}{help}</td></tr>",
            code = esc(diagnostic.code),
            name = esc(diagnostic.name),
            path = esc(&display(diagnostic.file.path(), options)),
            row = location.row,
            column = location.column,
            message = esc(&diagnostic.message),
            help = diagnostic
                .help
                .as_ref()
                .map_or_else(String::new, |h| format!(
                    "<br><span class=\"help\">{}</span>",
                    esc(h)
                )),
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

fn task_sites(report: &Report, options: &Options, s: &mut String) {
    let sites = &report.summary.task_sites;
    let _ = writeln!(
        s,
        "<section>\n<h2>Tasks by creation site <span class=\"count\">{}</span></h2>",
        sites.len()
    );
    if sites.is_empty() {
        s.push_str("<p class=\"empty\">No task was created.</p>\n</section>\n");
        return;
    }
    s.push_str("<table>\n<thead><tr><th>created at</th><th>coroutine</th><th class=\"n\">tasks</th><th class=\"n\">done</th><th class=\"n\">cancelled</th><th class=\"n\">failed</th><th class=\"n\">mean</th><th class=\"n\">max</th></tr></thead>\n<tbody>\n");
    for site in sites.iter().take(TASK_SITES_SHOWN) {
        let finished = site.done + site.cancelled + site.failed;
        let mean = if finished == 0 {
            "-".to_string()
        } else {
            ms(site.total_ms / finished as f64)
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{path}:{line}</code> <span class=\"name\">{func}</span></td><td><code>{coro}</code></td><td class=\"n\">{created}</td><td class=\"n\">{done}</td><td class=\"n\">{cancelled}</td><td class=\"n{failed_class}\">{failed}</td><td class=\"n\">{mean}</td><td class=\"n\">{max}</td></tr>",
            path = esc(&display(&site.path, options)),
            line = site.line,
            func = esc(&site.func),
            coro = esc(&site.coro),
            created = site.created,
            done = site.done,
            cancelled = site.cancelled,
            failed = site.failed,
            failed_class = if site.failed > 0 { " bad" } else { "" },
            mean = esc(&mean),
            max = esc(&ms(site.max_ms)),
        );
    }
    if sites.len() > TASK_SITES_SHOWN {
        let _ = writeln!(
            s,
            "<tr><td colspan=\"8\">and {} more sites</td></tr>",
            sites.len() - TASK_SITES_SHOWN
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

fn queue_sites(report: &Report, options: &Options, s: &mut String) {
    let sites = &report.summary.queue_sites;
    let _ = writeln!(
        s,
        "<section>\n<h2>Queues by creation site <span class=\"count\">{}</span></h2>",
        sites.len()
    );
    if sites.is_empty() {
        s.push_str(
            "<p class=\"empty\">No <code>asyncio.Queue</code> was created.</p>\n</section>\n",
        );
        return;
    }
    s.push_str("<table>\n<thead><tr><th>created at</th><th>class</th><th class=\"n\">maxsize</th><th class=\"n\">queues</th><th class=\"n\">puts</th><th class=\"n\">deepest</th></tr></thead>\n<tbody>\n");
    for site in sites {
        let maxsize = if site.maxsize <= 0 {
            "unbounded".to_string()
        } else {
            site.maxsize.to_string()
        };
        let _ = writeln!(
            s,
            "<tr><td><code>{path}:{line}</code> <span class=\"name\">{func}</span></td><td><code>{cls}</code></td><td class=\"n\">{maxsize}</td><td class=\"n\">{queues}</td><td class=\"n\">{puts}</td><td class=\"n\">{hwm}</td></tr>",
            path = esc(&display(&site.path, options)),
            line = site.line,
            func = esc(&site.func),
            cls = esc(&site.cls),
            maxsize = esc(&maxsize),
            queues = site.queues,
            puts = site.puts,
            hwm = site.hwm,
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

fn processes(report: &Report, s: &mut String) {
    let list = &report.summary.processes;
    let _ = writeln!(
        s,
        "<section>\n<h2>Python processes <span class=\"count\">{}</span></h2>",
        list.len()
    );
    if list.is_empty() {
        s.push_str("<p class=\"empty\">No CPython 3.9+ process reported (was <code>site</code> disabled with <code>-S</code>/<code>-I</code>, or was asyncio never imported?).</p>\n</section>\n");
        return;
    }
    s.push_str("<ul>\n");
    for process in list {
        let _ = writeln!(
            s,
            "<li>pid {pid}, Python {python}: <code>{argv}</code>{exit}</li>",
            pid = process.pid,
            python = esc(&process.python),
            argv = esc(&process.argv.join(" ")),
            exit = if process.exited {
                ""
            } else {
                " (did not reach normal interpreter exit: events after the last flush are lost)"
            },
        );
    }
    s.push_str("</ul>\n</section>\n");
}

fn display(path: &Path, options: &Options) -> String {
    let shown = options
        .cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

fn seconds(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.0} s")
    } else {
        format!("{value:.2} s")
    }
}

const CSS: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --lag: #2563eb; --tasks: #16a34a; --bad: #d1242f; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117;
  --panel: #151b23; --line: #3d444d; --lag: #60a5fa; --tasks: #4ade80; --bad: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; } h1 code { font-size: 18px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.summary { color: var(--muted); margin: 0 0 12px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 0 0 8px; }
.tiles li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.tiles .value { display: block; font-size: 20px; font-weight: 600; }
.tiles .label { color: var(--muted); font-size: 12px; }
figure { margin: 0 0 20px; } figcaption { color: var(--muted); margin-bottom: 4px; }
svg { width: 100%; height: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .axis.lag { fill: var(--lag); } svg .axis.tasks { fill: var(--tasks); }
svg .lag { fill: none; stroke: var(--lag); stroke-width: 1.5; }
svg .tasks { fill: none; stroke: var(--tasks); stroke-width: 1.2; opacity: .85; }
svg .block { fill: var(--bad); opacity: .22; }
svg .threshold { stroke: var(--bad); stroke-dasharray: 5 4; opacity: .7; }
.legend { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
.key { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin: 0 4px 0 12px; }
.key.lag { background: var(--lag); } .key.tasks { background: var(--tasks); }
.key.block { background: var(--bad); opacity: .35; height: 10px; } .key.threshold { border-top: 2px dashed var(--bad); height: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: var(--bad); font-weight: 600; }
.name, .help { color: var(--muted); font-size: 12px; }
.count { color: var(--muted); font-weight: normal; }
.empty { color: var(--muted); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_spikes() {
        let mut samples: Vec<Sample> = (0..10_000).map(|i| (f64::from(i) * 0.05, 0.1, 1)).collect();
        samples[5_000].1 = 900.0;
        let points = downsample(&samples, 0.0, 500.0);
        assert!(points.len() <= MAX_POINTS);
        assert!(points.iter().any(|p| p.1 == 900.0));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
