//! From events to a report: per-process state while the program runs, then findings (mapped
//! to rule codes, one per site) and a summary (loops, tasks, queues, timelines).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use asynclint_diagnostics::{Diagnostic, TextRange};
use asynclint_linter::Rule;
use rustc_hash::FxHashMap;

use crate::codes;
use crate::event::{
    Block, Event, ExceptionNotRetrieved, Frame, Hello, LoopInfo, LoopStats, PendingAtShutdown,
    QueueSite, Sample, TaskDestroyed, TaskSite, Unawaited,
};
use crate::sources::{BlockingCall, Sources};

/// Thresholds that turn measurements into findings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Blocks shorter than this are not reported (the monitor already filters with the same
    /// value; this only matters for streams recorded with a lower one).
    pub block_threshold_ms: f64,
    /// An unbounded queue whose depth reached this many items is reported (AIO513).
    pub queue_threshold: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            block_threshold_ms: 100.0,
            queue_threshold: 1000,
        }
    }
}

/// Collects the events of every process of one run. Feed it, then [`Aggregator::finish`].
#[derive(Debug, Default)]
pub struct Aggregator {
    processes: Vec<Process>,
}

#[derive(Debug, Default)]
struct Process {
    hello: Option<Hello>,
    loops: BTreeMap<u64, LoopState>,
    task_sites: BTreeMap<u64, TaskSite>,
    queue_sites: BTreeMap<u64, QueueSite>,
    blocks: Vec<Block>,
    not_retrieved: Vec<ExceptionNotRetrieved>,
    destroyed: Vec<TaskDestroyed>,
    pending: Vec<PendingAtShutdown>,
    unawaited: Vec<Unawaited>,
    exited: bool,
    malformed: u64,
}

#[derive(Debug, Default)]
struct LoopState {
    info: Option<LoopInfo>,
    stats: Option<LoopStats>,
    samples: Vec<Sample>,
}

impl Aggregator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new connection (one Python process); returns its handle for [`Aggregator::feed`].
    pub fn add_process(&mut self) -> usize {
        self.processes.push(Process::default());
        self.processes.len() - 1
    }

    /// One line of a process's stream. Lines that are not events are counted and skipped.
    pub fn feed_line(&mut self, process: usize, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        match Event::parse(line) {
            Some(event) => self.feed(process, event),
            None => {
                if let Some(state) = self.processes.get_mut(process) {
                    state.malformed += 1;
                }
            }
        }
    }

    pub fn feed(&mut self, process: usize, event: Event) {
        let Some(state) = self.processes.get_mut(process) else {
            return;
        };
        match event {
            Event::Hello(hello) => state.hello = Some(hello),
            Event::Loop(info) => {
                let id = info.id;
                state.loops.entry(id).or_default().info = Some(info);
            }
            Event::LoopStats(mut stats) => {
                let entry = state.loops.entry(stats.id).or_default();
                entry.samples.append(&mut stats.samples);
                entry.stats = Some(stats);
            }
            Event::Block(block) => state.blocks.push(block),
            Event::TaskSite(site) => {
                state.task_sites.insert(site.site, site);
            }
            Event::QueueSite(site) => {
                state.queue_sites.insert(site.site, site);
            }
            Event::ExceptionNotRetrieved(event) => state.not_retrieved.push(event),
            Event::TaskDestroyed(event) => state.destroyed.push(event),
            Event::PendingAtShutdown(event) => state.pending.push(event),
            Event::Unawaited(event) => state.unawaited.push(event),
            Event::Exit(_) => state.exited = true,
            Event::Unknown => {}
        }
    }

    /// How many processes said hello.
    pub fn process_count(&self) -> usize {
        self.processes.iter().filter(|p| p.hello.is_some()).count()
    }

    pub fn finish(self, options: &Options) -> Report {
        let mut builder = Builder {
            sources: Sources::new(),
            findings: FxHashMap::default(),
            options,
        };
        let mut summary = Summary::default();
        for process in &self.processes {
            let Some(hello) = &process.hello else {
                continue;
            };
            let cwd = PathBuf::from(&hello.cwd);
            builder.process(process, &cwd);
            summary.add_process(process, hello);
        }
        summary.sort();
        let diagnostics = builder.into_diagnostics();
        Report {
            diagnostics,
            summary,
        }
    }
}

/// What a run found and measured.
#[derive(Debug)]
pub struct Report {
    /// Sorted like `check`'s (path, range, code).
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

/// Measurements for the text summary and the HTML page.
#[derive(Debug, Default)]
pub struct Summary {
    pub processes: Vec<ProcessSummary>,
    pub loops: Vec<LoopSummary>,
    /// Merged across processes by location, most tasks first.
    pub task_sites: Vec<TaskSiteSummary>,
    /// Merged across processes by location, deepest first.
    pub queue_sites: Vec<QueueSiteSummary>,
    /// Blocks over the threshold whose stack the watchdog could not capture (the GIL was held
    /// by C code for the whole block).
    pub blocks_without_stack: u64,
    /// Earliest and latest time seen (monotonic seconds), for timelines.
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone)]
pub struct ProcessSummary {
    pub pid: u32,
    pub python: String,
    pub argv: Vec<String>,
    /// The process reached `atexit` (else it was killed or used `os._exit`).
    pub exited: bool,
}

#[derive(Debug, Clone)]
pub struct LoopSummary {
    pub pid: u32,
    pub id: u64,
    pub cls: String,
    pub thread: String,
    pub beats: u64,
    pub blocks: u64,
    pub max_lag_ms: f64,
    pub p50_lag_ms: f64,
    pub p99_lag_ms: f64,
    pub tasks: u64,
    pub peak_tasks: u64,
    /// Heartbeats: time, lag (ms), tasks alive.
    pub samples: Vec<Sample>,
    /// Blocks: end time, lag (ms), and where (`file:line`) when known.
    pub block_marks: Vec<(f64, f64, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct TaskSiteSummary {
    pub path: PathBuf,
    pub line: u32,
    pub func: String,
    pub coro: String,
    pub user: bool,
    pub created: u64,
    pub done: u64,
    pub cancelled: u64,
    pub failed: u64,
    pub total_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone)]
pub struct QueueSiteSummary {
    pub path: PathBuf,
    pub line: u32,
    pub func: String,
    pub cls: String,
    pub maxsize: i64,
    pub queues: u64,
    pub puts: u64,
    pub hwm: u64,
}

impl Summary {
    pub fn task_count(&self) -> u64 {
        self.loops.iter().map(|l| l.tasks).sum()
    }

    pub fn peak_tasks(&self) -> u64 {
        self.loops.iter().map(|l| l.peak_tasks).max().unwrap_or(0)
    }

    pub fn max_lag_ms(&self) -> f64 {
        self.loops.iter().map(|l| l.max_lag_ms).fold(0.0, f64::max)
    }

    pub fn p99_lag_ms(&self) -> f64 {
        self.loops.iter().map(|l| l.p99_lag_ms).fold(0.0, f64::max)
    }

    pub fn block_count(&self) -> u64 {
        self.loops.iter().map(|l| l.blocks).sum()
    }

    /// One line for the text report.
    pub fn line(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut line = format!(
            "{}, {}",
            plural(self.processes.len(), "Python process", "Python processes"),
            plural(self.loops.len(), "event loop", "event loops"),
        );
        if !self.loops.is_empty() {
            let _ = write!(
                line,
                "; loop lag max {} (p99 {}), {} over the threshold; {} (peak {} alive at once)",
                ms(self.max_lag_ms()),
                ms(self.p99_lag_ms()),
                plural(self.block_count() as usize, "block", "blocks"),
                plural(self.task_count() as usize, "task", "tasks"),
                self.peak_tasks(),
            );
        }
        if let Some(queue) = self.queue_sites.first() {
            let _ = write!(
                line,
                "; deepest queue {} {} ({}:{})",
                queue.hwm,
                if queue.hwm == 1 { "item" } else { "items" },
                file_name(&queue.path),
                queue.line
            );
        }
        line
    }

    fn add_process(&mut self, process: &Process, hello: &Hello) {
        self.processes.push(ProcessSummary {
            pid: hello.pid,
            python: hello.python.clone(),
            argv: hello.argv.clone(),
            exited: process.exited,
        });
        for (id, state) in &process.loops {
            let stats = state.stats.clone();
            let mut lags: Vec<f64> = state.samples.iter().map(|s| s.1).collect();
            lags.sort_by(f64::total_cmp);
            let block_marks = process
                .blocks
                .iter()
                .filter(|b| b.id == *id)
                .map(|b| {
                    let place = b
                        .frames
                        .as_deref()
                        .and_then(anchor_frame)
                        .map(|f| format!("{}:{}", file_name(Path::new(&f.file)), f.line));
                    (b.t, b.lag_ms, place)
                })
                .collect();
            self.loops.push(LoopSummary {
                pid: hello.pid,
                id: *id,
                cls: state
                    .info
                    .as_ref()
                    .map(|i| i.cls.clone())
                    .unwrap_or_default(),
                thread: state
                    .info
                    .as_ref()
                    .map(|i| i.thread.clone())
                    .unwrap_or_default(),
                beats: stats.as_ref().map_or(0, |s| s.beats),
                blocks: stats.as_ref().map_or(0, |s| s.blocks),
                max_lag_ms: stats.as_ref().map_or(0.0, |s| s.max_lag_ms),
                p50_lag_ms: percentile(&lags, 0.50),
                p99_lag_ms: percentile(&lags, 0.99),
                tasks: stats.as_ref().map_or(0, |s| s.tasks),
                peak_tasks: stats.as_ref().map_or(0, |s| s.peak_tasks),
                samples: state.samples.clone(),
                block_marks,
            });
        }
        let cwd = Path::new(&hello.cwd);
        for site in process.task_sites.values() {
            let path = absolute(cwd, &site.file);
            match self
                .task_sites
                .iter_mut()
                .find(|s| s.path == path && s.line == site.line && s.func == site.func)
            {
                Some(merged) => {
                    merged.created += site.created;
                    merged.done += site.done;
                    merged.cancelled += site.cancelled;
                    merged.failed += site.failed;
                    merged.total_ms += site.total_ms;
                    merged.max_ms = merged.max_ms.max(site.max_ms);
                }
                None => self.task_sites.push(TaskSiteSummary {
                    path,
                    line: site.line,
                    func: site.func.clone(),
                    coro: site.coro.clone(),
                    user: site.kind == Frame::USER,
                    created: site.created,
                    done: site.done,
                    cancelled: site.cancelled,
                    failed: site.failed,
                    total_ms: site.total_ms,
                    max_ms: site.max_ms,
                }),
            }
        }
        for site in process.queue_sites.values() {
            let path = absolute(cwd, &site.file);
            match self
                .queue_sites
                .iter_mut()
                .find(|s| s.path == path && s.line == site.line)
            {
                Some(merged) => {
                    merged.queues += site.queues;
                    merged.puts += site.puts;
                    merged.hwm = merged.hwm.max(site.hwm);
                }
                None => self.queue_sites.push(QueueSiteSummary {
                    path,
                    line: site.line,
                    func: site.func.clone(),
                    cls: site.cls.clone(),
                    maxsize: site.maxsize,
                    queues: site.queues,
                    puts: site.puts,
                    hwm: site.hwm,
                }),
            }
        }
        self.blocks_without_stack += process
            .blocks
            .iter()
            .filter(|b| b.frames.as_ref().is_none_or(Vec::is_empty))
            .count() as u64;
        let times = process
            .loops
            .values()
            .flat_map(|l| l.samples.iter().map(|s| s.0))
            .chain(process.blocks.iter().map(|b| b.t))
            .chain(std::iter::once(hello.t));
        for t in times {
            if self.start == 0.0 || t < self.start {
                self.start = t;
            }
            self.end = self.end.max(t);
        }
    }

    fn sort(&mut self) {
        self.task_sites.sort_by(|a, b| {
            b.created
                .cmp(&a.created)
                .then_with(|| a.path.cmp(&b.path))
                .then(a.line.cmp(&b.line))
        });
        self.queue_sites.sort_by(|a, b| {
            b.hwm
                .cmp(&a.hwm)
                .then_with(|| a.path.cmp(&b.path))
                .then(a.line.cmp(&b.line))
        });
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Milliseconds for people: `4.7 ms`, `254 ms`, `1.25 s`.
pub fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} s", value / 1000.0)
    } else if value >= 10.0 {
        format!("{value:.0} ms")
    } else {
        format!("{value:.1} ms")
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn absolute(cwd: &Path, file: &str) -> PathBuf {
    let path = Path::new(file);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// The frame a finding about a stack sits on: the innermost frame of the program's own code,
/// else the innermost library frame (never asyncio's own).
pub fn anchor_frame(frames: &[Frame]) -> Option<&Frame> {
    anchor_index(frames).map(|i| &frames[i])
}

fn anchor_index(frames: &[Frame]) -> Option<usize> {
    frames
        .iter()
        .position(Frame::is_user)
        .or_else(|| frames.iter().position(|f| f.kind == Frame::LIBRARY))
}

/// Where one finding sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    code: &'static str,
    path: PathBuf,
    range: (u32, u32),
}

#[derive(Debug)]
struct Finding {
    name: &'static str,
    line: u32,
    range: TextRange,
    kind: FindingKind,
    count: u64,
}

#[derive(Debug)]
enum FindingKind {
    Block {
        /// The catalogued call, when there is one.
        call: Option<BlockingCall>,
        /// Where the catalogued call was, when it is not the anchor (inside a library).
        deeper: Option<String>,
        /// The anchor's source text, for messages.
        snippet: Option<String>,
        /// The function of the anchor frame.
        function: String,
        in_sync_function: bool,
        worst_ms: f64,
        total_ms: f64,
        chain: String,
    },
    Unawaited {
        coro: String,
        /// Placed by the coroutine's recorded origin (else by the frame that dropped it).
        from_origin: bool,
    },
    /// `at_creation`: the finding sits on the line that created the task (else where it
    /// raised or was suspended: its creation site was not recorded).
    NotRetrieved {
        coro: String,
        exception: String,
        raised_at: Option<String>,
        at_creation: bool,
    },
    Destroyed {
        coro: String,
        suspended_at: Option<String>,
        at_creation: bool,
    },
    Pending {
        coro: String,
        via: String,
        suspended_at: Option<String>,
        at_creation: bool,
    },
    QueueBacklog {
        cls: String,
        hwm: u64,
        puts: u64,
    },
}

impl FindingKind {
    /// Folds another occurrence at the same site into this one.
    fn merge(&mut self, other: FindingKind) {
        match (self, other) {
            (
                FindingKind::Block {
                    worst_ms,
                    total_ms,
                    chain,
                    ..
                },
                FindingKind::Block {
                    worst_ms: new_worst,
                    chain: new_chain,
                    ..
                },
            ) => {
                *total_ms += new_worst;
                if new_worst > *worst_ms {
                    *worst_ms = new_worst;
                    *chain = new_chain;
                }
            }
            (
                FindingKind::QueueBacklog { hwm, puts, .. },
                FindingKind::QueueBacklog {
                    hwm: new_hwm,
                    puts: new_puts,
                    ..
                },
            ) => {
                *hwm = (*hwm).max(new_hwm);
                *puts += new_puts;
            }
            _ => {}
        }
    }
}

struct Builder<'o> {
    sources: Sources,
    findings: FxHashMap<Key, Finding>,
    options: &'o Options,
}

impl Builder<'_> {
    fn process(&mut self, process: &Process, cwd: &Path) {
        for block in &process.blocks {
            self.block(block, cwd);
        }
        let site = |id: Option<u64>| id.and_then(|id| process.task_sites.get(&id));
        for event in &process.unawaited {
            self.unawaited(event, cwd);
        }
        for event in &process.not_retrieved {
            let exception = match (&event.exc_type, event.exc_msg.is_empty()) {
                (Some(ty), false) => format!("{ty}: {}", event.exc_msg),
                (Some(ty), true) => ty.clone(),
                (None, _) => "an exception".to_string(),
            };
            let raised_at = anchor_frame(&event.raised).map(|f| place(f, cwd));
            let coro = event
                .coro
                .clone()
                .or_else(|| site(event.site).map(|s| s.coro.clone()))
                .unwrap_or_default();
            self.at_task_site(
                site(event.site),
                &event.raised,
                cwd,
                rule_meta(Rule::BackgroundTaskExceptionLost),
                |at_creation| FindingKind::NotRetrieved {
                    coro,
                    exception,
                    raised_at,
                    at_creation,
                },
            );
        }
        for event in &process.destroyed {
            let suspended_at = anchor_frame(&event.r#where).map(|f| place(f, cwd));
            let coro = event.coro.clone();
            if event.loop_closed {
                self.at_task_site(
                    site(event.site),
                    &event.r#where,
                    cwd,
                    PENDING_AT_SHUTDOWN,
                    |at_creation| FindingKind::Pending {
                        coro,
                        via: "loop.close".to_string(),
                        suspended_at,
                        at_creation,
                    },
                );
            } else {
                self.at_task_site(
                    site(event.site),
                    &event.r#where,
                    cwd,
                    rule_meta(Rule::DanglingTask),
                    |at_creation| FindingKind::Destroyed {
                        coro,
                        suspended_at,
                        at_creation,
                    },
                );
            }
        }
        for event in &process.pending {
            let suspended_at = anchor_frame(&event.r#where).map(|f| place(f, cwd));
            self.at_task_site(
                site(event.site),
                &event.r#where,
                cwd,
                PENDING_AT_SHUTDOWN,
                |at_creation| FindingKind::Pending {
                    coro: event.coro.clone(),
                    via: event.via.clone(),
                    suspended_at,
                    at_creation,
                },
            );
        }
        for queue in process.queue_sites.values() {
            if queue.maxsize > 0 || queue.hwm < self.options.queue_threshold {
                continue;
            }
            let path = absolute(cwd, &queue.file);
            let range = self.sources.range_of(&path, queue.line, queue.pos);
            self.add(
                Rule::UnboundedQueue.code(),
                Rule::UnboundedQueue.name(),
                path,
                queue.line,
                range,
                FindingKind::QueueBacklog {
                    cls: queue.cls.clone(),
                    hwm: queue.hwm,
                    puts: queue.puts,
                },
            );
        }
    }

    fn block(&mut self, block: &Block, cwd: &Path) {
        if block.lag_ms < self.options.block_threshold_ms {
            return;
        }
        let Some(frames) = block.frames.as_deref() else {
            return;
        };
        let Some(anchor) = anchor_index(frames) else {
            return;
        };
        let frame = &frames[anchor];
        let path = absolute(cwd, &frame.file);
        let range = self.sources.range_of(&path, frame.line, frame.pos);
        // The anchor's own call first (`requests.get(...)` in the program), then what runs
        // inside it, innermost first (`time.sleep` in a library the program called).
        let mut call = None;
        let mut deeper = None;
        for index in std::iter::once(anchor).chain(0..anchor) {
            let candidate = &frames[index];
            let candidate_path = absolute(cwd, &candidate.file);
            if let Some(source) = self.sources.get(&candidate_path)
                && let Some(found) = source.blocking_call_at(candidate.line, candidate.pos)
            {
                if index != anchor {
                    deeper = Some(place(candidate, cwd));
                }
                call = Some(found);
                break;
            }
        }
        let (snippet, in_sync_function) = match self.sources.get(&path) {
            Some(source) => (
                source.snippet(range).map(str::to_string),
                source.in_sync_function(range.start()),
            ),
            None => (None, false),
        };
        // The chain from the outermost frame of the program's code down to the anchor (a
        // framework's or uvloop's frames further out are left off).
        let mut outward: Vec<&Frame> = frames[anchor..]
            .iter()
            .filter(|f| f.kind != Frame::INTERNAL)
            .take(6)
            .collect();
        while outward.len() > 1 && outward.last().is_some_and(|f| !f.is_user()) {
            outward.pop();
        }
        let chain = outward
            .iter()
            .rev()
            .map(|f| format!("{}() [{}]", short_func(&f.func), place(f, cwd)))
            .collect::<Vec<_>>()
            .join(" -> ");
        let (code, name, range) = match &call {
            Some(call) => (call.code, call.name, range),
            // Not one call's fault: the sample caught some instruction of the work, so the
            // finding covers the line (and names the function).
            None => (
                codes::LOOP_BLOCKED.code,
                codes::LOOP_BLOCKED.name,
                self.sources.range_of(&path, frame.line, None),
            ),
        };
        let kind = FindingKind::Block {
            call,
            deeper,
            snippet,
            function: short_func(&frame.func).to_string(),
            in_sync_function,
            worst_ms: block.lag_ms,
            total_ms: block.lag_ms,
            chain,
        };
        self.add(code, name, path, frame.line, range, kind);
    }

    fn unawaited(&mut self, event: &Unawaited, cwd: &Path) {
        let short = event.coro.rsplit('.').next().unwrap_or(&event.coro);
        let (path, line, range) = match anchor_frame(&event.frames) {
            Some(frame) => {
                let path = absolute(cwd, &frame.file);
                let range = match self.sources.get(&path) {
                    Some(source) => source.call_on_line(frame.line, Some(short)),
                    None => self.sources.range_of(&path, frame.line, None),
                };
                (path, frame.line, range)
            }
            None => {
                let (Some(file), Some(line)) = (&event.def_file, event.def_line) else {
                    return;
                };
                let path = absolute(cwd, file);
                let range = self.sources.range_of(&path, line, None);
                (path, line, range)
            }
        };
        self.add(
            Rule::UnawaitedCoroutine.code(),
            Rule::UnawaitedCoroutine.name(),
            path,
            line,
            range,
            FindingKind::Unawaited {
                coro: event.coro.clone(),
                from_origin: event.from_origin,
            },
        );
    }

    /// A finding about one task: on the line that created it, else (its site is unknown:
    /// created before the monitor, or sampled out) on `fallback`'s innermost frame of the
    /// program (where it raised or was suspended). `kind` learns which.
    fn at_task_site(
        &mut self,
        site: Option<&TaskSite>,
        fallback: &[Frame],
        cwd: &Path,
        meta: (&'static str, &'static str),
        kind: impl FnOnce(bool) -> FindingKind,
    ) {
        let (path, line, range, at_creation) = match site {
            Some(site) if site.kind != Frame::INTERNAL => {
                let path = absolute(cwd, &site.file);
                let range = match (site.pos, self.sources.get(&path)) {
                    // A site from a coroutine origin has a line only: the call of the
                    // coroutine function on it.
                    (None, Some(source)) => {
                        source.call_on_line(site.line, Some(short_func(&site.coro)))
                    }
                    _ => self.sources.range_of(&path, site.line, site.pos),
                };
                (path, site.line, range, true)
            }
            _ => {
                let Some(frame) = anchor_frame(fallback) else {
                    return;
                };
                let path = absolute(cwd, &frame.file);
                let range = self.sources.range_of(&path, frame.line, frame.pos);
                (path, frame.line, range, false)
            }
        };
        self.add(meta.0, meta.1, path, line, range, kind(at_creation));
    }

    fn add(
        &mut self,
        code: &'static str,
        name: &'static str,
        path: PathBuf,
        line: u32,
        range: TextRange,
        kind: FindingKind,
    ) {
        let key = Key {
            code,
            path,
            range: (range.start().into(), range.end().into()),
        };
        match self.findings.get_mut(&key) {
            Some(finding) => {
                finding.count += 1;
                finding.kind.merge(kind);
            }
            None => {
                self.findings.insert(
                    key,
                    Finding {
                        name,
                        line,
                        range,
                        kind,
                        count: 1,
                    },
                );
            }
        }
    }

    fn into_diagnostics(mut self) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::with_capacity(self.findings.len());
        let findings = std::mem::take(&mut self.findings);
        for (key, finding) in findings {
            if self
                .sources
                .is_suppressed(&key.path, key.code, finding.line as usize)
            {
                continue;
            }
            let file = self.sources.file_for(&key.path, finding.line);
            let (message, help) = describe(&finding);
            diagnostics.push(
                Diagnostic::new(key.code, finding.name, message, finding.range, file)
                    .with_help(help),
            );
        }
        diagnostics.sort_by(Diagnostic::sort_key_cmp);
        diagnostics
    }
}

const PENDING_AT_SHUTDOWN: (&str, &str) = (
    codes::TASK_PENDING_AT_SHUTDOWN.code,
    codes::TASK_PENDING_AT_SHUTDOWN.name,
);

fn rule_meta(rule: Rule) -> (&'static str, &'static str) {
    (rule.code(), rule.name())
}

fn place(frame: &Frame, cwd: &Path) -> String {
    let path = absolute(cwd, &frame.file);
    let shown = path
        .strip_prefix(cwd)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    format!("{shown}:{}", frame.line)
}

fn short_func(func: &str) -> &str {
    func.rsplit('.').next().unwrap_or(func)
}

fn times(count: u64) -> String {
    match count {
        1 => String::new(),
        2 => ", twice".to_string(),
        n => format!(", {n} times"),
    }
}

/// The message and help line of a finding.
fn describe(finding: &Finding) -> (String, String) {
    let count = finding.count;
    match &finding.kind {
        FindingKind::Block {
            call,
            deeper,
            snippet,
            function,
            in_sync_function,
            worst_ms,
            total_ms,
            chain,
        } => {
            let totals = if count > 1 {
                format!(" (worst of {count}, {} in all)", ms(*total_ms))
            } else {
                String::new()
            };
            let chain = if chain.is_empty() {
                String::new()
            } else {
                format!("; call chain: {chain}")
            };
            match call {
                Some(call) => {
                    let what = match (deeper, snippet) {
                        (Some(deeper), Some(snippet)) => {
                            format!("`{snippet}` reached `{}` [{deeper}], which", call.call)
                        }
                        (Some(deeper), None) => format!("`{}` [{deeper}]", call.call),
                        (None, _) => format!("`{}`", call.call),
                    };
                    let mut help = call
                        .help
                        .clone()
                        .unwrap_or_else(|| "Move the call off the event loop".to_string());
                    if *in_sync_function || deeper.is_some() {
                        help.push_str(
                            "; or run the whole sync function in a thread with `await asyncio.to_thread(...)`",
                        );
                    }
                    (
                        format!(
                            "{what} blocked the event loop for at least {} at run time{totals}: every other task stalled meanwhile{chain}",
                            ms(*worst_ms)
                        ),
                        help,
                    )
                }
                None => {
                    let what = if function.starts_with('<') {
                        "this line".to_string()
                    } else {
                        format!("this line of `{function}()`")
                    };
                    (
                        format!(
                            "The event loop was blocked for at least {} at run time{totals} while it ran {what}, which makes no catalogued blocking call (CPU-bound work, or a blocking library asynclint does not know){chain}",
                            ms(*worst_ms)
                        ),
                        "Move the work off the event loop: `await asyncio.to_thread(...)` for blocking I/O, `loop.run_in_executor(process_pool, ...)` for CPU-bound work".to_string(),
                    )
                }
            }
        }
        FindingKind::Unawaited { coro, from_origin } => (
            if *from_origin {
                format!(
                    "Coroutine `{coro}()` was created here and never awaited (seen at run time{}): its body never ran",
                    times(count)
                )
            } else {
                format!(
                    "Coroutine `{coro}()` was never awaited and was dropped here (seen at run time{}): its body never ran",
                    times(count)
                )
            },
            if *from_origin {
                "Add `await`, or schedule it with `asyncio.create_task(...)` and keep a reference to the task".to_string()
            } else {
                "Add `await` where it is created (usually this line; `--origin-depth 1` pins it down), or schedule it with `asyncio.create_task(...)` and keep a reference to the task".to_string()
            },
        ),
        FindingKind::NotRetrieved {
            coro,
            exception,
            raised_at,
            at_creation,
        } => {
            let raised = raised_at
                .as_ref()
                .filter(|_| *at_creation)
                .map_or_else(String::new, |at| format!(" [{at}]"));
            let (created, failed) = if *at_creation {
                (" created here", "failed with")
            } else {
                ("", "raised here")
            };
            (
                format!(
                    "Task `{coro}()`{created} {failed} `{exception}`{raised} and nobody retrieved the exception (seen at run time{}): it surfaced only as \"Task exception was never retrieved\" when the task was garbage-collected",
                    times(count)
                ),
                "Await the task (or gather it), or add a done callback that logs `task.exception()`; `asyncio.TaskGroup` does both".to_string(),
            )
        }
        FindingKind::Destroyed {
            coro,
            suspended_at,
            at_creation,
        } => {
            let at = match (suspended_at, at_creation) {
                (Some(at), true) => format!(" while suspended at {at}"),
                (_, false) => " while suspended here".to_string(),
                (None, true) => String::new(),
            };
            let created = if *at_creation { " created here" } else { "" };
            (
                format!(
                    "Task `{coro}()`{created} was garbage-collected{at} before it finished (seen at run time{}: \"Task was destroyed but it is pending!\"): nothing kept a reference to it",
                    times(count)
                ),
                "Keep a reference to the task until it is done (a set with `task.add_done_callback(tasks.discard)`), or use `asyncio.TaskGroup`".to_string(),
            )
        }
        FindingKind::Pending {
            coro,
            via,
            suspended_at,
            at_creation,
        } => {
            let at = match (suspended_at, at_creation) {
                (Some(at), true) => format!(" (suspended at {at})"),
                (_, false) => " (suspended here)".to_string(),
                (None, true) => String::new(),
            };
            let created = if *at_creation { " created here" } else { "" };
            let what = if via == "asyncio.run" {
                "when `asyncio.run()` (or an `asyncio.Runner`) shut down, which cancelled it"
            } else {
                "when its event loop was closed, so it never finished"
            };
            (
                format!(
                    "Task `{coro}()`{created} was still pending{at} {what} (seen at run time{})",
                    times(count)
                ),
                "Stop background tasks in an orderly shutdown path (`task.cancel()`, then `await asyncio.gather(*tasks, return_exceptions=True)`) and log what was still running".to_string(),
            )
        }
        FindingKind::QueueBacklog { cls, hwm, puts } => (
            format!(
                "Unbounded `asyncio.{cls}` created here held {hwm} items at once at run time ({puts} puts): producers never wait, so memory and latency grow with the backlog"
            ),
            "Give the queue a `maxsize` so `await queue.put(...)` applies backpressure, or add consumers".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests;
