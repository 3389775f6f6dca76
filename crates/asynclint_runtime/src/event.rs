//! The events the Python monitor sends: one JSON object per line, tagged by `type`.
//!
//! Times (`t`) are `time.monotonic()` seconds, one clock for every process on the machine, so
//! timelines of several processes line up. Unknown event types and fields are ignored, so an
//! older asynclint can read a newer monitor's stream.

use serde::{Deserialize, Serialize};

/// Where a Python frame was: file, line, function and, on Python 3.11+, the exact source
/// range of the instruction (`pos` = line, end line, start column, end column; columns are
/// UTF-8 byte offsets, as CPython reports them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    pub file: String,
    pub line: u32,
    #[serde(default)]
    pub func: String,
    /// 0 asyncio or the monitor itself, 1 standard library or installed package, 2 the
    /// program's own code.
    #[serde(default)]
    pub kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<[u32; 4]>,
}

impl Frame {
    pub const INTERNAL: u8 = 0;
    pub const LIBRARY: u8 = 1;
    pub const USER: u8 = 2;

    pub fn is_user(&self) -> bool {
        self.kind == Self::USER
    }
}

/// One line of the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Hello(Hello),
    Loop(LoopInfo),
    LoopStats(LoopStats),
    Block(Block),
    TaskSite(TaskSite),
    QueueSite(QueueSite),
    ExceptionNotRetrieved(ExceptionNotRetrieved),
    TaskDestroyed(TaskDestroyed),
    PendingAtShutdown(PendingAtShutdown),
    Unawaited(Unawaited),
    Exit(Exit),
    #[serde(other)]
    Unknown,
}

impl Event {
    /// Parses one line; `None` for a line that is not a well-formed event.
    pub fn parse(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }
}

/// The first event of every connection: one Python process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub pid: u32,
    #[serde(default)]
    pub ppid: u32,
    pub python: String,
    #[serde(default)]
    pub executable: String,
    #[serde(default)]
    pub argv: Vec<String>,
    /// Relative frame paths are relative to this directory.
    pub cwd: String,
    #[serde(default)]
    pub interval_ms: f64,
    #[serde(default)]
    pub threshold_ms: f64,
    pub t: f64,
}

/// An event loop was created (or first seen running).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopInfo {
    #[serde(rename = "loop")]
    pub id: u64,
    /// `module.Class` of the loop.
    pub cls: String,
    /// The name of the thread that first ran it.
    #[serde(default)]
    pub thread: String,
    pub t: f64,
}

/// One heartbeat sample: time, lag in milliseconds, tasks alive on the loop.
pub type Sample = (f64, f64, u64);

/// Counters of one loop (cumulative) and the heartbeat samples since the previous snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopStats {
    #[serde(rename = "loop")]
    pub id: u64,
    pub beats: u64,
    pub blocks: u64,
    pub max_lag_ms: f64,
    /// Tasks created on this loop so far.
    pub tasks: u64,
    pub peak_tasks: u64,
    pub active_tasks: u64,
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// The loop ran a heartbeat `lag_ms` late, more than the block threshold. `frames` is the
/// loop thread's stack captured while it was blocked, innermost first, cut at the loop's own
/// frames (`None` when the watchdog could not run in time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    #[serde(rename = "loop")]
    pub id: u64,
    /// When the block ended.
    pub t: f64,
    pub lag_ms: f64,
    pub frames: Option<Vec<Frame>>,
    /// The stack was captured after the lag passed the threshold (else at half of it).
    #[serde(default)]
    pub late: bool,
}

/// Cumulative counters of the tasks created at one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSite {
    pub site: u64,
    pub file: String,
    pub line: u32,
    #[serde(default)]
    pub func: String,
    #[serde(default)]
    pub kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<[u32; 4]>,
    /// The coroutine of the first task created here.
    #[serde(default)]
    pub coro: String,
    pub created: u64,
    pub done: u64,
    pub cancelled: u64,
    pub failed: u64,
    pub total_ms: f64,
    pub max_ms: f64,
}

/// Cumulative counters of the `asyncio.Queue`s created at one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueSite {
    pub site: u64,
    pub file: String,
    pub line: u32,
    #[serde(default)]
    pub func: String,
    #[serde(default)]
    pub kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<[u32; 4]>,
    /// `Queue`, `PriorityQueue`, `LifoQueue` or a subclass.
    pub cls: String,
    /// 0 = unbounded.
    pub maxsize: i64,
    pub queues: u64,
    pub puts: u64,
    /// The most items any queue of this site held at once.
    pub hwm: u64,
}

/// "Task exception was never retrieved": a failed task was garbage-collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExceptionNotRetrieved {
    pub site: Option<u64>,
    pub coro: Option<String>,
    pub exc_type: Option<String>,
    #[serde(default)]
    pub exc_module: Option<String>,
    #[serde(default)]
    pub exc_msg: String,
    /// The traceback, innermost first.
    #[serde(default)]
    pub raised: Vec<Frame>,
    pub t: f64,
}

/// "Task was destroyed but it is pending!".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDestroyed {
    pub site: Option<u64>,
    pub coro: String,
    /// Where the task was suspended, innermost first.
    #[serde(default)]
    pub r#where: Vec<Frame>,
    /// The loop was already closed: the task was abandoned at shutdown rather than dropped
    /// while the program ran.
    #[serde(default)]
    pub loop_closed: bool,
    pub t: f64,
}

/// A task still pending when its loop shut down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingAtShutdown {
    /// `asyncio.run` (it cancels them) or `loop.close`.
    pub via: String,
    pub site: Option<u64>,
    pub coro: String,
    #[serde(default)]
    pub r#where: Vec<Frame>,
    pub t: f64,
}

/// "coroutine ... was never awaited". `frames` is the creation stack (`cr_origin`, innermost
/// first) when `from_origin`, else the stack that dropped the coroutine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unawaited {
    pub coro: String,
    #[serde(default)]
    pub frames: Vec<Frame>,
    #[serde(default)]
    pub from_origin: bool,
    #[serde(default)]
    pub def_file: Option<String>,
    #[serde(default)]
    pub def_line: Option<u32>,
    pub t: f64,
}

/// The process reached `atexit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exit {
    pub t: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_monitor_lines() {
        let block = r#"{"type":"block","loop":1,"t":5.5,"lag_ms":250.3,"frames":[{"file":"/a.py","line":3,"func":"load","kind":2,"pos":[3,3,4,19]}],"late":true}"#;
        let Some(Event::Block(block)) = Event::parse(block) else {
            panic!("not a block");
        };
        assert_eq!(block.frames.unwrap()[0].pos, Some([3, 3, 4, 19]));
        assert_eq!(
            Event::parse(r#"{"type":"from_the_future","x":1}"#),
            Some(Event::Unknown)
        );
        assert_eq!(Event::parse("not json"), None);
        let stats = r#"{"type":"loop_stats","loop":1,"beats":2,"blocks":0,"max_lag_ms":0.3,"tasks":1,"peak_tasks":1,"active_tasks":1,"samples":[[1.5,0.2,1]]}"#;
        let Some(Event::LoopStats(stats)) = Event::parse(stats) else {
            panic!("not stats");
        };
        assert_eq!(stats.samples, vec![(1.5, 0.2, 1)]);
    }
}
