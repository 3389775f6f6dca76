//! What phase 1 records about a module for the cross-module phase: a compact summary (no AST)
//! and *deferred checks*, call sites whose verdict depends on other modules. Phase 2
//! (`asynclint_project`) builds a `ProjectIndex` from every summary and settles the deferred
//! checks through the [`ProjectFacts`] trait, so each project-wide rule keeps both halves of its
//! logic in its own file.

use std::path::PathBuf;

use ruff_text_size::TextRange;
/// Summaries keep one per function: a `ThinVec` is one pointer, and no allocation when empty
/// (most functions record no call edge, blocking call or awaited target).
pub use thin_vec::ThinVec;

use crate::registry::Rule;

/// Where a call or reference points, as far as phase 1 can tell: an absolute dotted path
/// (`app.db.fetch`, `app.db.Repo.save`: the index walks the class part through base classes),
/// or a `super().method()` call inside a class (`method` is looked up in its bases only).
///
/// A 4-byte handle into the process-wide interner: the summaries of a large project mention
/// the same few tens of thousands of paths hundreds of thousands of times, and phase 2 keeps
/// its per-target answers in arrays indexed by [`Target::index`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target(u32);

/// What a [`Target`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Path(&'static str),
    /// `super().method()` inside class `class_path`.
    Super {
        class_path: &'static str,
        method: &'static str,
    },
}

/// Starts the interned text of a `super()` target (`\0class_path\0method`) and separates its
/// parts: no dotted path contains it.
const SUPER_MARK: &str = "\0";

/// Set in the handle of a `super()` target: telling the two kinds apart reads no text (phase 2
/// sorts every target of the project into paths and `super()` calls).
const SUPER_BIT: u32 = 1 << 31;

impl Target {
    /// The target for a dotted path.
    pub fn path(path: impl AsRef<str>) -> Self {
        interner::intern(path.as_ref())
    }

    /// The target for the dotted path `parts` concatenated (assembled in a reused buffer:
    /// no allocation when the path was interned before).
    pub fn path_of_parts(parts: &[&str]) -> Self {
        interner::intern_parts(parts)
    }

    /// The target of `super().method()` inside class `class_path`.
    pub fn super_(class_path: &str, method: &str) -> Self {
        let Target(id) = interner::intern_parts(&[SUPER_MARK, class_path, SUPER_MARK, method]);
        Target(id | SUPER_BIT)
    }

    /// Is this the target of a `super().method()` call (not a dotted path)?
    pub fn is_super(self) -> bool {
        self.0 & SUPER_BIT != 0
    }

    pub fn kind(self) -> TargetKind {
        let text = interner::text(self.0 & !SUPER_BIT);
        if !self.is_super() {
            return TargetKind::Path(text);
        }
        let (class_path, method) = text
            .strip_prefix(SUPER_MARK)
            .and_then(|rest| rest.split_once(SUPER_MARK))
            .unwrap_or_default();
        TargetKind::Super { class_path, method }
    }

    /// The dotted path, unless this is a `super()` target.
    pub fn as_path(self) -> Option<&'static str> {
        (!self.is_super()).then(|| interner::text(self.0))
    }

    /// A dense number: every target interned so far is below [`Target::count`].
    pub fn index(self) -> usize {
        (self.0 & !SUPER_BIT) as usize
    }

    /// How many targets have been interned (in this process).
    pub fn count() -> usize {
        interner::count()
    }

    /// Make room for about `additional` more distinct targets.
    pub fn reserve(additional: usize) {
        interner::reserve(additional);
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind() {
            TargetKind::Path(path) => write!(f, "Path({path:?})"),
            TargetKind::Super { class_path, method } => {
                write!(f, "Super({class_path:?}, {method:?})")
            }
        }
    }
}

/// The process-wide interner behind [`Target`]. Texts are copied into large leaked chunks (no
/// allocation or header per text) and live as long as the process, as the answers phase 2
/// gives about them; the text of a handle is found in a lock-free append-only table, and a
/// text's handle in one of a few sharded maps.
mod interner {
    use std::sync::{Mutex, OnceLock, PoisonError};

    use rustc_hash::FxHashMap;

    const SHARDS: usize = 16;
    /// Bytes per chunk of text; longer texts get a chunk of their own.
    const CHUNK: usize = 64 * 1024;

    static TEXTS: boxcar::Vec<&'static str> = boxcar::Vec::new();

    #[derive(Default)]
    struct Shard {
        ids: FxHashMap<&'static str, u32>,
        /// The unused end of the current chunk.
        free: &'static mut [u8],
    }

    impl Shard {
        fn store(&mut self, text: &str) -> &'static str {
            if text.len() > self.free.len() {
                if text.len() > CHUNK / 8 {
                    return Box::leak(text.into());
                }
                self.free = Box::leak(vec![0u8; CHUNK].into_boxed_slice());
            }
            let (piece, rest) = std::mem::take(&mut self.free).split_at_mut(text.len());
            self.free = rest;
            piece.copy_from_slice(text.as_bytes());
            let piece: &'static [u8] = piece;
            std::str::from_utf8(piece).unwrap_or_default()
        }
    }

    /// A shard on cache lines of its own: neighbouring locks taken by different threads would
    /// otherwise share a line, and every lock and unlock would pull it from the other core
    /// (in profiles, a quarter of the interner's time was the unlock).
    #[repr(align(128))]
    #[derive(Default)]
    struct PaddedShard(Mutex<Shard>);

    fn shards() -> &'static [PaddedShard] {
        static SHARDED: OnceLock<Vec<PaddedShard>> = OnceLock::new();
        SHARDED.get_or_init(|| (0..SHARDS).map(|_| PaddedShard::default()).collect())
    }

    /// Slots of the per-thread cache in front of the shards.
    const RECENT: usize = 4096;

    /// A slot of the per-thread cache: the text is kept next to its id, so a hit reads no
    /// shared table at all.
    #[derive(Clone, Copy)]
    struct Recent {
        text: &'static str,
        id: u32,
    }

    thread_local! {
        /// Recently interned texts of this thread, by hash. Most lookups repeat a path the
        /// same file used a moment ago, and the shards' locks and tables are shared with the
        /// other threads (in profiles, the lookups waited on both).
        static RECENT_IDS: std::cell::RefCell<Vec<Recent>> =
            std::cell::RefCell::new(vec![Recent { text: "", id: u32::MAX }; RECENT]);
    }

    pub(super) fn intern(text: &str) -> super::Target {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one(text);
        let slot = (hash as usize) % RECENT;
        let recent = RECENT_IDS.with(|recent| recent.borrow()[slot]);
        if recent.id != u32::MAX && recent.text == text {
            return super::Target(recent.id);
        }
        let (id, stored) = intern_shared(text, hash);
        RECENT_IDS.with(|recent| recent.borrow_mut()[slot] = Recent { text: stored, id });
        super::Target(id)
    }

    /// [`intern`] for the concatenation of `parts`, assembled in a reused per-thread buffer.
    pub(super) fn intern_parts(parts: &[&str]) -> super::Target {
        thread_local! {
            static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            buffer.clear();
            for part in parts {
                buffer.push_str(part);
            }
            intern(&buffer)
        })
    }

    /// The id of `text` and the interned copy of it.
    fn intern_shared(text: &str, hash: u64) -> (u32, &'static str) {
        let mut shard = shards()[(hash as usize) % SHARDS]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((&stored, &id)) = shard.ids.get_key_value(text) {
            return (id, stored);
        }
        let stored = shard.store(text);
        let id = u32::try_from(TEXTS.push(stored))
            .ok()
            .filter(|id| id & super::SUPER_BIT == 0)
            .expect("fewer than 2^31 interned paths");
        shard.ids.insert(stored, id);
        (id, stored)
    }

    pub(super) fn text(id: u32) -> &'static str {
        TEXTS.get(id as usize).copied().unwrap_or_default()
    }

    pub(super) fn count() -> usize {
        TEXTS.count()
    }

    pub(super) fn reserve(additional: usize) {
        for shard in shards() {
            shard
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .ids
                .reserve(additional / SHARDS + 1);
        }
    }
}

/// A direct, catalogued blocking call inside a sync function (AIO100-AIO109).
#[derive(Debug, Clone)]
pub struct BlockingFact {
    pub rule: Rule,
    /// How the call is shown in a chain: `open()`, `time.sleep()`.
    pub display: String,
    /// Where the call starts. Summaries keep offsets: phase 2 finds the line
    /// ([`ProjectFacts::line`]) only for the few a message shows.
    pub offset: u32,
}

/// A call from a summarised function to something that may be a project function.
#[derive(Debug, Clone)]
pub struct CallEdge {
    pub target: Target,
    /// The call's result is iterated on the spot (`for x in f()`, `list(f())`): when `f` is a
    /// generator function, only then does its body run here (AIO111).
    pub iterated: bool,
}

#[derive(Debug, Clone)]
pub struct FunctionSummary {
    pub is_async: bool,
    /// Contains `yield` (an async def with `yield` is an async generator).
    pub is_generator: bool,
    /// Decorated with something that may change how it runs (not `staticmethod`,
    /// `classmethod`, `functools.cache`...): AIO111 does not follow it.
    pub opaque_decorator: bool,
    /// Has a `return <expr>` (for AIO204).
    pub returns_value: bool,
    /// Decorated with `@property`, `@cached_property` or `@x.setter`/`getter`/`deleter`:
    /// `obj.name()` calls the attribute's value, not this function (AIO201-AIO204).
    pub is_property: bool,
    /// The body is only a docstring, `pass`, `...` and/or `raise ...`: an interface stub whose
    /// real implementation may live elsewhere (AIO204).
    pub trivial_body: bool,
    /// Where the `def`'s name starts (see [`BlockingFact::offset`]).
    pub offset: u32,
    /// Sync functions only: calls that may lead to other project functions.
    pub calls: ThinVec<CallEdge>,
    /// Sync functions only: catalogued blocking calls made directly in the body.
    pub blocking: ThinVec<BlockingFact>,
    /// Decorated with `@contextlib.contextmanager` / `@contextlib.asynccontextmanager` (and no
    /// other decorator that could change what it returns): AIO600/AIO601.
    pub context_manager: Option<ContextManagerDecorator>,
    /// A `yield` inside `with`/`async with` or inside a `try` that has a `finally` (not in the
    /// `finally` itself): an async generator holding a resource across `yield` (AIO606).
    pub holds_resource: bool,
    /// Async functions only: the body acquires a semaphore/limiter directly (`async with` on a
    /// `Semaphore`/`BoundedSemaphore`/`CapacityLimiter`/`*Limiter` or a name like one, or
    /// `await x.acquire()`) (AIO512).
    pub uses_limiter: bool,
    /// Async functions only: targets of awaited calls and `async with` calls, so a limiter
    /// acquired one call away is found (AIO512).
    pub awaited_calls: ThinVec<Target>,
    /// Async functions only: the first construct that keeps the body running until the
    /// process is killed (`while True` without `break`, `serve_forever()`...) (AIO902).
    pub runs_forever: Option<Box<RunsForever>>,
}

/// AIO902: what keeps an async function running forever, and where.
#[derive(Debug, Clone, Copy)]
pub struct RunsForever {
    /// Where the construct starts (see [`BlockingFact::offset`]).
    pub offset: u32,
    /// For messages: "a `while True:` loop", "`serve_forever()`".
    pub what: &'static str,
}

/// How AIO207 saw a call used: iterated by `for`, by `async for`, or awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterationUse {
    SyncFor,
    AsyncFor,
    Await,
}

/// Which `contextlib` decorator turns a generator function into a context manager factory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextManagerDecorator {
    /// `@contextmanager`: supports `with` only.
    Sync,
    /// `@asynccontextmanager`: supports `async with` only.
    Async,
}

#[derive(Debug, Clone, Default)]
pub struct ClassSummary {
    /// Base classes as paths (resolved through imports where possible).
    pub bases: Vec<Target>,
    /// Every name bound directly in the class body (methods, assignments such as
    /// `__enter__ = _enter`, names bound in `if`/`try` blocks).
    pub members: Members,
    /// A base that is not a plain (possibly subscripted) name or attribute chain (`*bases`,
    /// `make_base()`), or a class decorator that may add methods: what the class provides
    /// beyond `members` and `bases` is unknown.
    pub opaque: bool,
}

/// A set of names stored as one string (`name\nname\n...`): a class summary lives until
/// phase 2 for every class of the project and is only asked "is this a member?".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members(Box<str>);

impl Members {
    pub fn contains(&self, name: &str) -> bool {
        !name.is_empty() && self.0.split('\n').any(|m| m == name)
    }

    pub fn len(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            self.0.split('\n').count()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.0.len()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Members {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let mut names: Vec<S> = names.into_iter().collect();
        names.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        names.dedup_by(|a, b| a.as_ref() == b.as_ref());
        Members(
            names
                .iter()
                .map(AsRef::as_ref)
                .filter(|n| !n.is_empty())
                .collect::<Vec<&str>>()
                .join("\n")
                .into_boxed_str(),
        )
    }
}

/// A module-level definition.
#[derive(Debug, Clone)]
pub enum Definition {
    Function(FunctionSummary),
    Class(Box<ClassSummary>),
}

/// Names sorted in one string, found by binary search: summaries keep a hundred thousand or
/// more definitions and imports until phase 2, and a string for each was an allocation (and a
/// header) apiece.
#[derive(Debug, Clone, Default)]
struct SortedNames {
    text: Box<str>,
    /// Where each name ends in `text`.
    ends: Box<[u32]>,
}

impl SortedNames {
    fn from_sorted<'n>(names: impl Iterator<Item = &'n str> + Clone) -> Self {
        debug_assert!(names.clone().is_sorted());
        let mut text = String::with_capacity(names.clone().map(str::len).sum());
        let ends = names
            .map(|name| {
                text.push_str(name);
                u32::try_from(text.len()).unwrap_or(u32::MAX)
            })
            .collect();
        Self {
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..self.ends[i] as usize).unwrap_or("")
    }

    /// The number of `name`.
    fn find(&self, name: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = (low + high) / 2;
            match self.get(mid).cmp(name) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn heap_size(&self) -> usize {
        self.text.len() + self.ends.len() * std::mem::size_of::<u32>()
    }
}

/// A module's definitions, sorted by name (about ten per module), looked up by binary search.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    names: SortedNames,
    defs: Box<[Definition]>,
}

impl Definitions {
    /// From `(name, definition)` pairs sorted by name.
    pub fn from_sorted(pairs: Vec<(String, Definition)>) -> Self {
        let names = SortedNames::from_sorted(pairs.iter().map(|(name, _)| name.as_str()));
        Self {
            names,
            defs: pairs.into_iter().map(|(_, def)| def).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// The name of definition `i` (`fetch`, `Repo.save`).
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i)
    }

    /// Definition `i`.
    pub fn definition(&self, i: usize) -> &Definition {
        &self.defs[i]
    }

    pub fn get(&self, i: usize) -> (&str, &Definition) {
        (self.name(i), &self.defs[i])
    }

    /// The number of the definition named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.find(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Definition)> {
        (0..self.defs.len()).map(|i| self.get(i))
    }

    /// Bytes held on the heap (not counting what the definitions hold).
    pub fn heap_size(&self) -> usize {
        self.names.heap_size() + self.defs.len() * std::mem::size_of::<Definition>()
    }
}

/// A module's imports of project paths, `name -> target`, sorted by name, the names packed in
/// one string (an allocation per imported name was a good part of finishing a summary).
#[derive(Debug, Clone, Default)]
pub struct Imports {
    names: SortedNames,
    targets: Box<[Target]>,
    /// The entries bound under another name than the target's last segment (`from .cli import
    /// main as run`, `import a.b as m`), in order: every other entry's target ends in its name.
    renamed: Box<[u32]>,
}

impl Imports {
    /// From `(name, target, renamed)` sorted by name; `renamed`: the name is not the last
    /// segment of the target's path (the caller has the text at hand).
    pub fn from_sorted(entries: &[(&str, Target, bool)]) -> Self {
        Self {
            names: SortedNames::from_sorted(entries.iter().map(|(name, _, _)| *name)),
            targets: entries.iter().map(|(_, target, _)| *target).collect(),
            renamed: (0..entries.len())
                .filter(|&i| entries[i].2)
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
        }
    }

    /// The targets of the entries whose target ends in one of `names`: the only imports that
    /// can lead to a definition of one of those names (its own name, or one it is re-exported
    /// under). Reads the text of renamed entries only.
    pub fn ending_in<'s>(&'s self, names: &'s [&str]) -> impl Iterator<Item = Target> + 's {
        let mut renamed = self.renamed.iter().peekable();
        (0..self.targets.len()).filter_map(move |i| {
            let target = self.targets[i];
            let is_renamed = renamed.next_if(|&&r| r as usize == i).is_some();
            let last = if is_renamed {
                target.as_path().map_or("", crate::semantic::last_segment)
            } else {
                self.name(i)
            };
            // A few names, compared directly: cheaper than hashing every import's name.
            names.contains(&last).then_some(target)
        })
    }

    /// `(name, target's last segment)` of the renamed entries.
    pub fn renamings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.renamed.iter().map(|&i| {
            let i = i as usize;
            (
                self.name(i),
                self.targets[i]
                    .as_path()
                    .map_or("", crate::semantic::last_segment),
            )
        })
    }

    fn name(&self, i: usize) -> &str {
        self.names.get(i)
    }

    /// The target imported as `name`.
    pub fn get(&self, name: &str) -> Option<Target> {
        self.names.find(name).map(|i| self.targets[i])
    }

    /// The targets, in name order.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.names.heap_size()
            + self.renamed.len() * std::mem::size_of::<u32>()
            + self.targets.len() * std::mem::size_of::<Target>()
    }
}

/// What phase 1 knows about one module.
#[derive(Debug, Clone, Default)]
pub struct ModuleSummary {
    pub path: PathBuf,
    /// Dotted module name (`app.db`) when the file is inside a project root.
    pub module: Option<String>,
    pub is_package: bool,
    /// Module-level functions and classes by name, and methods as `Class.method`. Names
    /// bound more than once are left out (ambiguous).
    pub definitions: Definitions,
    /// Module-level names bound by imports: `name -> absolute target path` (re-exports).
    pub imports: Imports,
    /// Modules imported with `from x import *`.
    pub star_imports: Vec<String>,
    /// `__all__` when it is a literal list/tuple of strings.
    pub all: Option<Vec<String>>,
    pub deferred: Vec<DeferredCheck>,
    /// Calls (and functions passed as arguments) lexically under a module-level
    /// `if __name__ == "__main__":` block (AIO607/AIO608 exempt script-only functions).
    pub main_guard_calls: Vec<Target>,
    /// The module installs a signal handler (`loop.add_signal_handler`, `signal.signal`,
    /// `signal.set_wakeup_fd`...) (AIO902).
    pub signal_handling: bool,
}

/// A check that needs the project index.
#[derive(Debug, Clone)]
pub struct DeferredCheck {
    pub rule: Rule,
    pub range: TextRange,
    pub target: Target,
    pub kind: DeferredKind,
}

#[derive(Debug, Clone)]
pub enum DeferredKind {
    /// AIO111: an async function (`caller`: its name) calls this (maybe sync) project
    /// function through `callee` (the call's function expression).
    TransitiveBlocking {
        caller: TextRange,
        callee: TextRange,
        /// The call's result is iterated on the spot (a generator function's body runs).
        iterated: bool,
    },
    /// AIO200: a call used as a statement; `in_async` decides whether the fix applies.
    UnawaitedCall { callee: TextRange, in_async: bool },
    /// AIO703: a sync mock patched over the target.
    SyncMock(Box<texts::SyncMock>),
    /// AIO600/AIO601: a `with`/`async with` item whose context manager is (an instance of, or
    /// the result of calling) the target: a project class or decorated function.
    ContextManagerUse(Box<texts::ContextManagerUse>),
    /// AIO607/AIO608: a client/connection made per call inside the target function; reported
    /// unless every call site of the function is under `if __name__ == "__main__":`.
    PerRequest(Box<texts::PerRequest>),
    /// AIO201: `name = <call>` in a function that never reads `name` afterwards. `call` is the
    /// call as written (shortened), `callee` its callee (`db.fetch`).
    CoroutineAssigned(Box<texts::CoroutineAssigned>),
    /// AIO202: a call tested for truth; `lead` is the rendered test (`` `if ready():` is always true``).
    CoroutineInBooleanContext(Box<texts::CoroutineInBooleanContext>),
    /// AIO203: `return <call>` in an `async def` (`caller` is its name).
    ReturnedCoroutine(Box<texts::ReturnedCoroutine>),
    /// AIO204: `await <call>` (`callee`: the call's function expression).
    AwaitedCall { callee: TextRange },
    /// AIO207: a call iterated (`for`/`async for`) or awaited.
    AsyncIteration {
        callee: TextRange,
        usage: IterationUse,
    },
    /// AIO606: `async for` directly over the call, with an early exit (`exit`, e.g.
    /// `` `break` on line 12``).
    GeneratorNotClosed(Box<texts::GeneratorNotClosed>),
    /// AIO611: the target is handed to `runner` (`asyncio.to_thread()`...) as `display`.
    ToThreadCoroutine(Box<texts::ToThreadCoroutine>),
    /// AIO512: the target is spawned once per item of `iterable` by `spawn` in `spawner`.
    UnboundedFanOut(Box<texts::UnboundedFanOut>),
    /// AIO902: `asyncio.run(<target>())`; `callee` is the call's function expression.
    ServiceEntryPoint { callee: TextRange },
}

/// Source snippets are recorded as ranges in phase 1 and rendered in phase 2, when the file
/// is read again to report: summaries stay small (hundreds of thousands of deferred checks on
/// a large project).
pub mod snippet {
    use ruff_text_size::TextRange;

    fn slice(source: &str, range: TextRange) -> &str {
        source
            .get(usize::from(range.start())..usize::from(range.end()))
            .unwrap_or("")
    }

    /// A callee as written with `()` appended (`db.fetch()`), or `...fetch()` when long.
    pub fn callee_call(source: &str, range: TextRange) -> String {
        format!("{}()", callee(source, range))
    }

    /// A callee as written (`db.fetch`), or `...fetch` when long or multi-line.
    pub fn callee(source: &str, range: TextRange) -> String {
        let text = slice(source, range);
        if text.len() <= 50 && !text.contains('\n') {
            return text.to_string();
        }
        let last = text.rsplit('.').next().unwrap_or("").trim();
        if !last.is_empty()
            && last.len() <= 40
            && last.chars().all(|c| c == '_' || c.is_alphanumeric())
        {
            format!("...{last}")
        } else {
            "callee".to_string()
        }
    }

    /// The text of `range` when it is short and on one line.
    pub fn short(source: &str, range: TextRange, max: usize) -> Option<String> {
        let text = slice(source, range);
        (text.len() <= max && !text.contains('\n')).then(|| text.to_string())
    }
}

/// A resolved project function.
#[derive(Debug, Clone)]
pub struct FunctionRef<'i> {
    /// The defining module's dotted name (`app.db`; empty outside every root).
    pub module: &'i str,
    /// The index's number for the defining module, its definitions, and this one's number
    /// among them (the index finds the function again from the two numbers).
    pub module_index: u32,
    pub definitions: &'i Definitions,
    pub def: u32,
    pub module_path: &'i std::path::Path,
    pub summary: &'i FunctionSummary,
}

impl<'i> FunctionRef<'i> {
    /// Canonical path (`app.db.Repo.save`).
    pub fn path(&self) -> String {
        crate::semantic::concat(&[self.module, ".", self.qualname()])
    }

    /// The qualified name inside the module (`fetch`, `Repo.save`).
    pub fn qualname(&self) -> &'i str {
        self.definitions.name(self.def as usize)
    }
}

/// One hop of a blocking chain.
#[derive(Debug, Clone)]
pub struct ChainHop {
    /// `load_config()` or, for the last hop, the blocking call `open()`.
    pub display: String,
    pub path: PathBuf,
    pub line: u32,
}

/// What the project index answers; implemented by `asynclint_project::ProjectIndex`.
pub trait ProjectFacts: Sync {
    /// Resolve a target to a project function, following re-exports and base classes.
    fn resolve_function(&self, target: &Target) -> Option<FunctionRef<'_>>;
    /// For a sync project function: the shortest chain of calls that ends in a catalogued
    /// blocking call (function hops, then the blocking call), if there is one.
    fn blocking_chain(&self, function: &FunctionRef<'_>) -> Option<(Vec<ChainHop>, Rule)>;
    /// Display a path relative to the working directory.
    fn display_path(&self, path: &std::path::Path) -> String;
    /// The 1-based line of `offset` in the module numbered `module_index` (0 when its text
    /// cannot be read any more).
    fn line(&self, module_index: u32, offset: u32) -> u32;
    /// `path:line` of `offset` in the module that defines `function`, for messages.
    fn location(&self, function: &FunctionRef<'_>, offset: u32) -> String {
        format!(
            "{}:{}",
            self.display_path(function.module_path),
            self.line(function.module_index, offset)
        )
    }
    /// Does the project class `class` provide `method`, itself or through its bases?
    /// `Some(false)` only when the class and every base are known (project classes, or roots
    /// such as `object`, `abc.ABC`, `typing.Generic`/`Protocol`); `None` when the target is not
    /// a project class, or a base (third-party, dynamic) or class decorator could provide it.
    fn class_has_method(&self, class: &Target, method: &str) -> Option<bool> {
        let _ = (class, method);
        None
    }
    /// Is the project function `function` called under a module-level
    /// `if __name__ == "__main__":` block somewhere, with no known call site or import
    /// elsewhere (sync call edges, module-level imports of other modules)?
    fn only_called_under_main_guard(&self, function: &Target) -> bool {
        let _ = function;
        false
    }
    /// Does any module of the project install a signal handler (AIO902)? Without an index
    /// the answer is unknown: assume yes.
    fn project_handles_signals(&self) -> bool {
        true
    }
}

/// The text payloads of the rarer deferred checks, boxed so every [`DeferredCheck`] stays
/// small (hundreds of thousands of them live until phase 2 on a large project).
pub mod texts {
    use ruff_text_size::TextRange;

    #[derive(Debug, Clone)]
    pub struct ReturnedCoroutine {
        pub call: TextRange,
        pub callee: TextRange,
        pub caller: TextRange,
    }

    #[derive(Debug, Clone)]
    pub struct PerRequest {
        pub message: String,
        pub help: String,
    }

    #[derive(Debug, Clone)]
    pub struct SyncMock {
        pub mock: String,
        pub target_text: String,
    }

    #[derive(Debug, Clone)]
    pub struct ContextManagerUse {
        pub display: String,
        pub is_async_with: bool,
    }

    #[derive(Debug, Clone)]
    pub struct CoroutineAssigned {
        pub call: String,
        pub callee: String,
        pub name: String,
    }

    #[derive(Debug, Clone)]
    pub struct CoroutineInBooleanContext {
        pub call: String,
        pub callee: String,
        pub lead: String,
    }

    #[derive(Debug, Clone)]
    pub struct GeneratorNotClosed {
        pub display: String,
        pub exit: String,
    }

    #[derive(Debug, Clone)]
    pub struct ToThreadCoroutine {
        pub runner: String,
        pub display: String,
    }

    #[derive(Debug, Clone)]
    pub struct UnboundedFanOut {
        pub spawn: String,
        pub callee: String,
        pub spawner: String,
        pub iterable: String,
    }
}

#[cfg(test)]
mod tests {
    use super::{Imports, Target, TargetKind};

    /// Imports are found by name (binary search over the packed names), first, last and
    /// middle, and only those.
    #[test]
    fn imports_by_name() {
        let pairs = [
            ("a", Target::path("x.a"), false),
            ("fetch", Target::path("app.db.fetch"), false),
            ("zeta", Target::path("q.zeta"), false),
        ];
        let imports = Imports::from_sorted(&pairs);
        for (name, target, _) in pairs {
            assert_eq!(imports.get(name), Some(target), "{name}");
        }
        for missing in ["", "b", "fetc", "fetchx", "zz"] {
            assert_eq!(imports.get(missing), None, "{missing}");
        }
        assert_eq!(imports.targets(), pairs.map(|(_, t, _)| t));
        assert_eq!(Imports::default().get("a"), None);
    }

    /// `ending_in` keeps the imports whose target ends in one of the names: by the bound name
    /// for plain imports, by the target's text for renamed ones (`from .cli import main as
    /// run`), which `renamings` lists.
    #[test]
    fn imports_ending_in_names() {
        let pairs = [
            ("cv", Target::path("app.helpers.config_validation"), true),
            ("fetch", Target::path("app.db.fetch"), false),
            ("main", Target::path("app.cli.main"), false),
            ("run", Target::path("app.cli.main"), true),
            ("start", Target::path("app.server.run"), true),
        ];
        let imports = Imports::from_sorted(&pairs);
        let ending = |names: &[&str]| imports.ending_in(names).collect::<Vec<Target>>();
        assert_eq!(
            ending(&["main"]),
            [Target::path("app.cli.main"), Target::path("app.cli.main")]
        );
        assert_eq!(ending(&["run"]), [Target::path("app.server.run")]);
        assert_eq!(ending(&["fetch", "config_validation"]).len(), 2);
        assert!(ending(&["cv", "start", "app"]).is_empty());
        assert_eq!(
            imports.renamings().collect::<Vec<_>>(),
            [
                ("cv", "config_validation"),
                ("run", "main"),
                ("start", "run")
            ]
        );
    }

    #[test]
    fn interned_targets() {
        let fetch = Target::path("app.db.fetch");
        assert_eq!(fetch, Target::path(String::from("app.db.fetch")));
        assert_ne!(fetch, Target::path("app.db.fetch_all"));
        assert_eq!(fetch.kind(), TargetKind::Path("app.db.fetch"));
        assert_eq!(fetch.as_path(), Some("app.db.fetch"));
        assert!(fetch.index() < Target::count());

        let sup = Target::super_("app.db.Repo", "save");
        assert_eq!(
            sup.kind(),
            TargetKind::Super {
                class_path: "app.db.Repo",
                method: "save"
            }
        );
        assert_eq!(sup.as_path(), None);
        assert_ne!(sup, Target::path("app.db.Repo.save"));
        assert_eq!(format!("{sup:?}"), r#"Super("app.db.Repo", "save")"#);

        // Texts longer than a chunk's share, empty and non-ASCII ones.
        let long = "m.".repeat(20_000) + "f";
        assert_eq!(Target::path(&long).as_path(), Some(long.as_str()));
        assert_eq!(Target::path("").as_path(), Some(""));
        assert_eq!(
            Target::path("pkg.données.é").as_path(),
            Some("pkg.données.é")
        );
    }

    /// Packed definitions: names and their order survive, lookups find exactly the names.
    #[test]
    fn packed_definitions() {
        use super::{ClassSummary, Definition, Definitions};
        let class = || Definition::Class(Box::default());
        let names = ["K", "K.m", "K2", "Ka", "f"];
        let packed =
            Definitions::from_sorted(names.iter().map(|n| (n.to_string(), class())).collect());
        assert_eq!(packed.len(), names.len());
        assert_eq!(packed.iter().map(|(n, _)| n).collect::<Vec<_>>(), names);
        for (i, name) in names.iter().enumerate() {
            assert_eq!(packed.find(name), Some(i));
        }
        for missing in ["", "K.", "K.mm", "Kb", "e", "g"] {
            assert_eq!(packed.find(missing), None, "{missing}");
        }
        let empty = Definitions::from_sorted(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(empty.find("f"), None);
        let _: &ClassSummary = match packed.get(0).1 {
            Definition::Class(c) => c,
            Definition::Function(_) => unreachable!("built from classes"),
        };
    }

    /// Threads interning the same texts at once get the same handles.
    #[test]
    fn interning_from_several_threads() {
        let texts: Vec<String> = (0..2_000)
            .map(|i| format!("threads.m{}.f{i}", i % 7))
            .collect();
        let runs: Vec<Vec<Target>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| texts.iter().map(Target::path).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("no panic"))
                .collect()
        });
        for run in &runs[1..] {
            assert_eq!(run, &runs[0]);
        }
        for (target, text) in runs[0].iter().zip(&texts) {
            assert_eq!(target.as_path(), Some(text.as_str()));
        }
        let mut distinct = runs[0].clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), texts.len());
    }
}
