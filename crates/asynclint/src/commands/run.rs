//! `asynclint run -- COMMAND`: start the command with the Python monitor injected through
//! `sitecustomize`, collect its events over a Unix socket while it runs, and report when it
//! exits. The command keeps the terminal: its standard streams are inherited, untouched.
//!
//! The report goes to standard error (standard output belongs to the command) or to
//! `-o FILE`; the exit status is the command's unless `--fail-on findings` says otherwise.

// Elsewhere only `run` itself is compiled in, to say the command is unsupported.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use asynclint_diagnostics::{Diagnostic, OutputFormat, RenderOptions, RuleMeta, render};
use asynclint_linter::Rule;
use asynclint_runtime::{Report, html};

use crate::args::{ColorChoice, RunArgs, RunFailOn};

pub fn run(args: &RunArgs) -> Result<ExitCode> {
    #[cfg(target_os = "linux")]
    {
        linux::run(args)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = args;
        anyhow::bail!(
            "`asynclint run` is supported on Linux only (it relies on Unix sockets and Linux \
             signal and process semantics); `asynclint check` works everywhere"
        )
    }
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Exited(i32),
    Signalled(i32),
}

impl Outcome {
    /// The shell's convention: the exit code, or 128 + the signal number.
    fn code(self) -> u8 {
        match self {
            Outcome::Exited(code) => (code & 0xff) as u8,
            Outcome::Signalled(signal) => (128 + signal).clamp(0, 255) as u8,
        }
    }

    /// `exited with status 3`, `was killed by signal 2`.
    fn describe(self) -> String {
        match self {
            Outcome::Exited(code) => format!("exited with status {code}"),
            Outcome::Signalled(signal) => format!("was killed by signal {signal}"),
        }
    }
}

/// The command as typed, for messages.
fn command_line(args: &RunArgs) -> String {
    args.command
        .iter()
        .map(|part| {
            let part = part.to_string_lossy();
            if part.is_empty() || part.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", part.replace('\'', "'\\''"))
            } else {
                part.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints the report and the HTML page; returns the exit code.
fn finish(args: &RunArgs, report: &Report, outcome: Outcome, processes: usize) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let format = OutputFormat::from(args.output_format);
    let to_file = args.output_file.is_some();
    let mut out = Vec::new();
    write_report(args, report, outcome, format, &cwd, to_file, &mut out)
        .context("cannot render the report")?;
    match &args.output_file {
        Some(path) => write_file(&cwd.join(path), &out)?,
        None => {
            let mut stderr = io::stderr().lock();
            let _ = stderr.write_all(&out).and_then(|()| stderr.flush());
        }
    }
    if let Some(path) = &args.html {
        let page = html::render(
            report,
            &html::Options {
                command: command_line(args),
                outcome: outcome.describe(),
                cwd: Some(cwd.clone()),
                threshold_ms: args.block_threshold as f64,
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
        );
        write_file(&cwd.join(path), page.as_bytes())?;
    }
    if processes == 0 && !args.quiet {
        let _ = writeln!(
            io::stderr(),
            "warning: no Python process reported to asynclint: the command started no CPython \
             3.9+ that imported asyncio (or ran it with `-S`, `-I` or `-E`, which skip \
             `sitecustomize`/`PYTHONPATH`)"
        );
    }
    let failed = args.fail_on == Some(RunFailOn::Findings) && !report.diagnostics.is_empty();
    Ok(match outcome.code() {
        0 if failed => ExitCode::from(1),
        code => ExitCode::from(code),
    })
}

fn write_report(
    args: &RunArgs,
    report: &Report,
    outcome: Outcome,
    format: OutputFormat,
    cwd: &Path,
    to_file: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = matches!(format, OutputFormat::Full | OutputFormat::Concise);
    let color = text && use_color(args.color, to_file);
    if text && !args.quiet {
        writeln!(
            out,
            "asynclint run: `{}` {}",
            command_line(args),
            outcome.describe()
        )?;
    }
    let options = RenderOptions {
        color,
        cwd: Some(cwd.to_path_buf()),
        ..RenderOptions::default()
    };
    render(format, &report.diagnostics, &all_meta(), &options, out)?;
    if text && !args.quiet {
        if format == OutputFormat::Full && !report.diagnostics.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "Run time: {}.", report.summary.line())?;
        if report.summary.blocks_without_stack > 0 {
            writeln!(
                out,
                "{} blocks had no captured stack (C code held the GIL for the whole block).",
                report.summary.blocks_without_stack
            )?;
        }
        summary_line(&report.diagnostics, out)?;
    }
    Ok(())
}

fn summary_line(diagnostics: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    match diagnostics.len() {
        0 => writeln!(out, "All checks passed!"),
        1 => writeln!(out, "Found 1 error."),
        n => writeln!(out, "Found {n} errors."),
    }
}

/// Every code a run can report: the static rules (SARIF's `ruleIndex` stays the same as in
/// `check` output) and the run-time-only ones.
fn all_meta() -> Vec<RuleMeta> {
    let mut metas = Rule::all_meta();
    metas.extend_from_slice(asynclint_runtime::codes::ALL);
    metas
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the directory {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn use_color(choice: ColorChoice, to_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !to_file
                && io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// A directory for the bootstrap and the socket. Unix socket paths are limited to 107 bytes,
/// so a long `$TMPDIR` falls back to `/tmp`.
fn scratch_dir() -> Result<tempfile::TempDir> {
    let builder = || {
        let mut builder = tempfile::Builder::new();
        builder.prefix("asynclint-run-");
        builder
    };
    let temp = std::env::temp_dir();
    let dir = if temp.as_os_str().len() <= 60 {
        builder().tempdir_in(&temp)
    } else {
        builder().tempdir_in("/tmp")
    };
    dir.context("cannot create a temporary directory")
}

#[cfg(target_os = "linux")]
mod linux {
    //! Process, socket and signal handling.

    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, ErrorKind};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, ExitCode};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, mpsc};
    use std::thread;
    use std::time::{Duration, Instant};

    use anyhow::{Context, Result};
    use asynclint_runtime::{Aggregator, Options, bootstrap};

    use super::{Outcome, finish};
    use crate::args::RunArgs;

    /// How long to wait, once the command has exited, for processes it left behind to close
    /// their connections.
    const DRAIN: Duration = Duration::from_secs(2);

    enum Message {
        Open(usize),
        Line(usize, String),
        /// Everything that matters has been sent: report.
        Finish,
    }

    pub fn run(args: &RunArgs) -> Result<ExitCode> {
        let scratch = super::scratch_dir()?;
        bootstrap::write(scratch.path()).context("cannot write the Python bootstrap")?;
        let socket = scratch.path().join("events.sock");
        let listener = UnixListener::bind(&socket)
            .with_context(|| format!("cannot listen on {}", socket.display()))?;

        let (sender, receiver) = mpsc::channel::<Message>();
        let open = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (sender, open, stop) = (sender.clone(), open.clone(), stop.clone());
            thread::spawn(move || accept(&listener, &sender, &open, &stop))
        };
        let aggregator = thread::spawn(move || aggregate(&receiver));

        let config = bootstrap::Config {
            protocol: bootstrap::PROTOCOL,
            socket,
            interval_ms: args.interval as f64,
            threshold_ms: args.block_threshold as f64,
            origin_depth: args.origin_depth,
        };
        let python_path = bootstrap::python_path(scratch.path(), std::env::var_os("PYTHONPATH"))
            .context("cannot build PYTHONPATH")?;
        let mut command = Command::new(&args.command[0]);
        command
            .args(&args.command[1..])
            .env("PYTHONPATH", python_path)
            .env(bootstrap::CONFIG_ENV, config.to_env());

        let handlers = signals::install();
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => {
                signals::restore(handlers);
                let program = args.command[0].to_string_lossy();
                eprintln!("error: cannot run `{program}`: {err}");
                // The shell's codes for "not found" and "not executable".
                return Ok(ExitCode::from(match err.kind() {
                    ErrorKind::NotFound => 127,
                    ErrorKind::PermissionDenied => 126,
                    _ => 2,
                }));
            }
        };
        let pid = i32::try_from(child.id()).unwrap_or(0);
        signals::forward_to(pid);
        signals::wait_exited(pid);
        // From here on nothing is forwarded: the pid may be reused once the child is reaped.
        signals::forward_to(0);
        let status = child.wait().context("cannot wait for the command")?;
        signals::restore(handlers);
        let outcome = match (status.code(), status.signal()) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(signal)) => Outcome::Signalled(signal),
            (None, None) => Outcome::Exited(1),
        };

        stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor from `poll` (the connection itself says nothing and closes).
        drop(UnixStream::connect(&config.socket));
        let _ = acceptor.join();
        let deadline = Instant::now() + DRAIN;
        while open.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        // Readers send their last lines before they count themselves closed, so these are
        // queued ahead of `Finish`. A daemon the command left behind may keep its connection
        // open: its later lines are not waited for.
        let _ = sender.send(Message::Finish);
        let aggregator = aggregator
            .join()
            .map_err(|_| anyhow::anyhow!("the event collector panicked"))?;
        let processes = aggregator.process_count();
        let report = aggregator.finish(&Options {
            block_threshold_ms: args.block_threshold as f64,
            queue_threshold: args.queue_threshold,
        });
        drop(scratch);
        finish(args, &report, outcome, processes)
    }

    fn accept(
        listener: &UnixListener,
        sender: &mpsc::Sender<Message>,
        open: &Arc<AtomicUsize>,
        stop: &AtomicBool,
    ) {
        let _ = listener.set_nonblocking(true);
        let mut next = 0;
        loop {
            // After the command exits, one more pass takes the connections still queued.
            let last = stop.load(Ordering::SeqCst);
            loop {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let id = next;
                        next += 1;
                        open.fetch_add(1, Ordering::SeqCst);
                        let _ = sender.send(Message::Open(id));
                        let (sender, open) = (sender.clone(), open.clone());
                        thread::spawn(move || read(stream, id, &sender, &open));
                    }
                    Err(err) if err.kind() == ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            if last {
                return;
            }
            wait_readable(listener.as_raw_fd(), 50);
        }
    }

    fn wait_readable(fd: i32, timeout_ms: i32) {
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        unsafe {
            libc::poll(&raw mut poll, 1, timeout_ms);
        }
    }

    fn read(stream: UnixStream, id: usize, sender: &mpsc::Sender<Message>, open: &AtomicUsize) {
        let _ = stream.set_nonblocking(false);
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if sender.send(Message::Line(id, text)).is_err() {
                        break;
                    }
                }
            }
        }
        open.fetch_sub(1, Ordering::SeqCst);
    }

    /// Feeds the aggregator as events arrive (so only the latest snapshot of each site is
    /// kept, however long the command runs).
    fn aggregate(receiver: &mpsc::Receiver<Message>) -> Aggregator {
        let mut aggregator = Aggregator::new();
        let mut processes = HashMap::new();
        while let Ok(message) = receiver.recv() {
            match message {
                Message::Open(id) => {
                    processes.insert(id, aggregator.add_process());
                }
                Message::Line(id, line) => {
                    if let Some(&process) = processes.get(&id) {
                        aggregator.feed_line(process, &line);
                    }
                }
                Message::Finish => break,
            }
        }
        aggregator
    }

    mod signals {
        //! While the command runs, asynclint survives the signals that would end it and passes
        //! them on. A signal the terminal sent (Ctrl-C, Ctrl-\, hang-up) reached the whole
        //! foreground process group, the command included, so it is not sent twice.

        use std::sync::atomic::{AtomicI32, Ordering};

        static CHILD: AtomicI32 = AtomicI32::new(0);
        /// A signal that arrived before the child's pid was known.
        static EARLY: AtomicI32 = AtomicI32::new(0);

        const FORWARDED: [libc::c_int; 6] = [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
        ];

        pub struct Saved(Vec<(libc::c_int, libc::sigaction)>);

        extern "C" fn on_signal(
            signal: libc::c_int,
            info: *mut libc::siginfo_t,
            _context: *mut libc::c_void,
        ) {
            // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO handler.
            let from_terminal = !info.is_null() && unsafe { (*info).si_code } == libc::SI_KERNEL;
            if from_terminal {
                return;
            }
            let pid = CHILD.load(Ordering::SeqCst);
            if pid > 0 {
                // SAFETY: kill is async-signal-safe.
                unsafe {
                    libc::kill(pid, signal);
                }
            } else {
                EARLY.store(signal, Ordering::SeqCst);
            }
        }

        pub fn install() -> Saved {
            let mut saved = Vec::new();
            for signal in FORWARDED {
                // SAFETY: plain sigaction calls with zero-initialised, then filled, structs.
                unsafe {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = on_signal as *const () as usize;
                    action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                    libc::sigemptyset(&raw mut action.sa_mask);
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(signal, &raw const action, &raw mut old) == 0 {
                        saved.push((signal, old));
                    }
                }
            }
            Saved(saved)
        }

        pub fn restore(saved: Saved) {
            for (signal, old) in saved.0 {
                // SAFETY: restores the action sigaction returned.
                unsafe {
                    libc::sigaction(signal, &raw const old, std::ptr::null_mut());
                }
            }
        }

        /// Forward to this pid from now on (0: to nobody).
        pub fn forward_to(pid: i32) {
            CHILD.store(pid, Ordering::SeqCst);
            if pid > 0 {
                let early = EARLY.swap(0, Ordering::SeqCst);
                if early != 0 {
                    // SAFETY: sends a signal to our own child.
                    unsafe {
                        libc::kill(pid, early);
                    }
                }
            }
        }

        /// Waits until the child has exited without reaping it, so its pid cannot be reused
        /// while signals may still be forwarded to it.
        pub fn wait_exited(pid: i32) {
            let Ok(id) = libc::id_t::try_from(pid) else {
                return;
            };
            loop {
                // SAFETY: waitid writes into the zeroed siginfo_t.
                let result = unsafe {
                    let mut info: libc::siginfo_t = std::mem::zeroed();
                    libc::waitid(
                        libc::P_PID,
                        id,
                        &raw mut info,
                        libc::WEXITED | libc::WNOWAIT,
                    )
                };
                if result == 0
                    || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR)
                {
                    return;
                }
            }
        }
    }
}
