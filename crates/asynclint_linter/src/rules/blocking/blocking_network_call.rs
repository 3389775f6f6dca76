//! ## What it does
//! Reports synchronous network I/O made directly in an `async def`:
//! - `socket` module functions that connect or resolve names: `socket.create_connection`,
//!   `socket.getaddrinfo`, `gethostbyname`, `gethostbyname_ex`, `gethostbyaddr`, `getnameinfo`,
//!   `getfqdn`;
//! - `connect`, `connect_ex`, `accept`, `recv*`, `send*` on a blocking socket
//!   (`socket.socket(...)`, `socket.create_connection(...)`);
//! - `smtplib.SMTP`/`SMTP_SSL`/`LMTP` built with a host (the constructor connects) and their
//!   protocol methods (`ehlo`, `starttls`, `login`, `sendmail`, `send_message`, `quit`, ...);
//! - `ftplib.FTP`/`FTP_TLS` built with a host and their commands (`login`, `cwd`, `nlst`,
//!   `retrbinary`, `storbinary`, ...);
//! - `telnetlib.Telnet` built with a host and its `open`/`read_until`/`read_all`/`write`/...;
//! - `imaplib.IMAP4`/`IMAP4_SSL` (the constructor always connects) and `poplib.POP3`/`POP3_SSL`
//!   built with a host, and their commands;
//! - any method called on an `xmlrpc.client.ServerProxy` (each one is a remote call).
//!
//! Methods are only reported when the receiver is known to be one of these objects: built in
//! the same function or module, assigned in `__init__`, annotated (`sock: socket.socket`), or
//! chained (`socket.create_connection(addr).sendall(data)`).
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. A blocking socket operation holds
//! that thread until the network answers: a DNS lookup, a TCP handshake, a `recv` waiting for
//! the peer, or a `sendall` waiting for the peer to drain its window. That is milliseconds on a
//! good day and the full timeout (or forever, for sockets without one) on a bad one. Meanwhile
//! no other task runs. asyncio's own networking (`asyncio.open_connection`,
//! `loop.getaddrinfo`, `loop.sock_*` on non-blocking sockets) and the asyncio protocol clients
//! (`aiosmtplib`, `aioftp`, ...) wait for the socket through the event loop instead.
//!
//! ## Example
//! ```python
//! import socket
//!
//! async def probe(host, port):
//!     with socket.create_connection((host, port), timeout=5) as sock:
//!         sock.sendall(b"PING\r\n")
//!         return sock.recv(1024)
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//!
//! async def probe(host, port):
//!     reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 5)
//!     try:
//!         writer.write(b"PING\r\n")
//!         await writer.drain()
//!         return await reader.read(1024)
//!     finally:
//!         writer.close()
//!         await writer.wait_closed()
//! ```
//!
//! Not reported: building a socket (`socket.socket(...)`), `smtplib.SMTP()`/`ftplib.FTP()`/
//! `telnetlib.Telnet()` without a host (they do not connect), `close()`, sockets on which the
//! function (or, for `self.sock`, the class) calls `setblocking(False)` or `settimeout(0)`,
//! socket calls in the body of a `try` that handles `BlockingIOError` (only a non-blocking
//! socket raises it: `try: sock.recv(n)` / `except BlockingIOError: await wait_readable(sock)`),
//! awaited `loop.sock_connect`/`loop.sock_recv`/`asyncio.open_connection`, `aiosmtplib`, calls
//! in a nested `def` or `lambda`, functions passed to `asyncio.to_thread`/`run_in_executor`, and
//! `connect`/`send`/`recv` methods of objects whose kind is unknown (including sockets returned by
//! `accept()`, which returns a tuple), and awaited method calls or receivers bound by
//! `async with` (evidence of an asyncio client).
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name
//!   (`socket.getaddrinfo`) or method path (`smtplib.SMTP().sendmail`).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [asyncio Streams](https://docs.python.org/3/library/asyncio-stream.html)
//! - [`loop.getaddrinfo`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.getaddrinfo)
//! - [Working with socket objects (`loop.sock_*`)](https://docs.python.org/3/library/asyncio-eventloop.html#working-with-socket-objects-directly)
//! - [aiosmtplib](https://aiosmtplib.readthedocs.io/)

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

use super::helpers::{receiver_is_async, report_blocking};

const SOCKET_ALTERNATIVE: &str = "`await asyncio.open_connection(...)` (streams) or `loop.sock_*` on a non-blocking socket, or `await asyncio.to_thread(...)`";
const RESOLVER_ALTERNATIVE: &str = "`await asyncio.get_running_loop().getaddrinfo(...)` (or `getnameinfo`), which resolves in the loop's executor";
const SMTP_ALTERNATIVE: &str = "`aiosmtplib` (`await smtp.send_message(...)`), or run the whole SMTP exchange with `await asyncio.to_thread(...)`";
const FTP_ALTERNATIVE: &str =
    "`aioftp`, or run the whole FTP session in a function with `await asyncio.to_thread(...)`";
const TELNET_ALTERNATIVE: &str =
    "`telnetlib3` or `asyncio.open_connection(...)` streams, or `await asyncio.to_thread(...)`";
const IMAP_ALTERNATIVE: &str = "an asyncio client (`aioimaplib`), or run the whole session in a function with `await asyncio.to_thread(...)`";
const POP_ALTERNATIVE: &str =
    "run the whole POP3 session in a function with `await asyncio.to_thread(...)`";

/// `socket` functions that connect or wait for a name server.
const SOCKET_FUNCTIONS: &[(&str, &str)] = &[
    ("socket.create_connection", SOCKET_ALTERNATIVE),
    ("socket.getaddrinfo", RESOLVER_ALTERNATIVE),
    ("socket.gethostbyname", RESOLVER_ALTERNATIVE),
    ("socket.gethostbyname_ex", RESOLVER_ALTERNATIVE),
    ("socket.gethostbyaddr", RESOLVER_ALTERNATIVE),
    ("socket.getnameinfo", RESOLVER_ALTERNATIVE),
    ("socket.getfqdn", RESOLVER_ALTERNATIVE),
];

/// Protocol clients whose constructor connects when given a host (first positional argument
/// or `host=`), and `true` when it connects even without one (`imaplib.IMAP4()` opens
/// `localhost`).
const CONNECTING_CONSTRUCTORS: &[(&str, bool, &str)] = &[
    ("smtplib.SMTP", false, SMTP_ALTERNATIVE),
    ("smtplib.SMTP_SSL", false, SMTP_ALTERNATIVE),
    ("smtplib.LMTP", false, SMTP_ALTERNATIVE),
    ("ftplib.FTP", false, FTP_ALTERNATIVE),
    ("ftplib.FTP_TLS", false, FTP_ALTERNATIVE),
    ("telnetlib.Telnet", false, TELNET_ALTERNATIVE),
    ("poplib.POP3", false, POP_ALTERNATIVE),
    ("poplib.POP3_SSL", false, POP_ALTERNATIVE),
    ("imaplib.IMAP4", true, IMAP_ALTERNATIVE),
    ("imaplib.IMAP4_SSL", true, IMAP_ALTERNATIVE),
];

const SOCKETS: &[&str] = &[
    "socket.socket()",
    "socket.create_connection()",
    "socket.SocketType()",
];
const SOCKET_METHODS: &[&str] = &[
    "connect",
    "connect_ex",
    "accept",
    "recv",
    "recv_into",
    "recvfrom",
    "recvfrom_into",
    "recvmsg",
    "recvmsg_into",
    "send",
    "sendall",
    "sendto",
    "sendmsg",
    "sendfile",
];

const SMTP_CLIENTS: &[&str] = &["smtplib.SMTP()", "smtplib.SMTP_SSL()", "smtplib.LMTP()"];
const SMTP_METHODS: &[&str] = &[
    "connect",
    "helo",
    "ehlo",
    "ehlo_or_helo_if_needed",
    "starttls",
    "login",
    "auth",
    "sendmail",
    "send_message",
    "quit",
    "noop",
    "rset",
    "verify",
    "vrfy",
    "expn",
    "mail",
    "rcpt",
    "data",
    "docmd",
    "getreply",
];

const FTP_CLIENTS: &[&str] = &["ftplib.FTP()", "ftplib.FTP_TLS()"];
const FTP_METHODS: &[&str] = &[
    "connect",
    "login",
    "cwd",
    "pwd",
    "nlst",
    "dir",
    "mlsd",
    "retrbinary",
    "retrlines",
    "storbinary",
    "storlines",
    "delete",
    "rename",
    "mkd",
    "rmd",
    "size",
    "sendcmd",
    "voidcmd",
    "quit",
    "abort",
    "transfercmd",
    "ntransfercmd",
    "acct",
    "auth",
    "prot_p",
    "prot_c",
    "ccc",
];

const TELNET_CLIENTS: &[&str] = &["telnetlib.Telnet()"];
/// `read_eager`/`read_very_eager`/`read_lazy` only return what is already buffered.
const TELNET_METHODS: &[&str] = &[
    "open",
    "read_until",
    "read_all",
    "read_some",
    "write",
    "expect",
    "interact",
];

const IMAP_CLIENTS: &[&str] = &["imaplib.IMAP4()", "imaplib.IMAP4_SSL()"];
const IMAP_METHODS: &[&str] = &[
    "login",
    "authenticate",
    "select",
    "examine",
    "search",
    "fetch",
    "store",
    "copy",
    "append",
    "expunge",
    "list",
    "lsub",
    "status",
    "noop",
    "logout",
    "uid",
    "create",
    "delete",
    "rename",
    "starttls",
    "idle",
];

const POP_CLIENTS: &[&str] = &["poplib.POP3()", "poplib.POP3_SSL()"];
const POP_METHODS: &[&str] = &[
    "user", "pass_", "apop", "rpop", "stat", "list", "retr", "dele", "noop", "rset", "quit", "top",
    "uidl", "stls", "capa",
];

/// (receiver kinds, methods, alternative)
const CLIENT_METHODS: &[(&[&str], &[&str], &str)] = &[
    (SOCKETS, SOCKET_METHODS, SOCKET_ALTERNATIVE),
    (SMTP_CLIENTS, SMTP_METHODS, SMTP_ALTERNATIVE),
    (FTP_CLIENTS, FTP_METHODS, FTP_ALTERNATIVE),
    (TELNET_CLIENTS, TELNET_METHODS, TELNET_ALTERNATIVE),
    (IMAP_CLIENTS, IMAP_METHODS, IMAP_ALTERNATIVE),
    (POP_CLIENTS, POP_METHODS, POP_ALTERNATIVE),
];

/// Every attribute call on these is a remote procedure call.
const XMLRPC_PROXIES: &[&str] = &["xmlrpc.client.ServerProxy()", "xmlrpc.client.Server()"];

pub(crate) fn blocking_network_call(checker: &mut Checker, site: &CallSite) {
    if let Some(qualified) = site.qualified {
        if let Some((_, alternative)) = SOCKET_FUNCTIONS.iter().find(|(name, _)| *name == qualified)
        {
            report(checker, site, qualified, alternative);
            return;
        }
        if let Some((_, always, alternative)) = CONNECTING_CONSTRUCTORS
            .iter()
            .find(|(name, _, _)| *name == qualified)
            && (*always || has_host_argument(site))
        {
            report(checker, site, qualified, alternative);
        }
        return;
    }
    let (Some(kind), Some(method)) = (site.receiver_kind, site.method_name()) else {
        return;
    };
    if receiver_is_async(checker, site) {
        return;
    }
    if XMLRPC_PROXIES.contains(&kind) {
        // Dunder methods and the proxy's own `__call__` helpers are local.
        if !method.starts_with('_') {
            let func = checker.source_of(site.call.func.range());
            let func = if func.len() <= 50 && !func.contains('\n') {
                func
            } else {
                "proxy.method"
            };
            let alternative = format!(
                "`await asyncio.to_thread({func}, ...)`, or an asyncio XML-RPC client (`aiohttp-xmlrpc`)"
            );
            report(checker, site, &format!("{kind}.{method}"), &alternative);
        }
        return;
    }
    let Some((kinds, _, alternative)) = CLIENT_METHODS
        .iter()
        .find(|(kinds, methods, _)| kinds.contains(&kind) && methods.contains(&method))
    else {
        return;
    };
    if std::ptr::eq(*kinds, SOCKETS)
        && (is_made_non_blocking(checker, site) || is_guarded_by_blocking_io_error(checker, site))
    {
        return;
    }
    report(checker, site, &format!("{kind}.{method}"), alternative);
}

fn report(checker: &mut Checker, site: &CallSite, matched: &str, alternative: &str) {
    report_blocking(
        checker,
        Rule::BlockingNetworkCall,
        site,
        matched,
        "does blocking network I/O",
        alternative,
    );
}

/// `SMTP("mail.example.com")`, `FTP(host=h)`: a host that is not the empty-string default.
fn has_host_argument(site: &CallSite) -> bool {
    let host = site
        .call
        .arguments
        .args
        .first()
        .filter(|a| !a.is_starred_expr())
        .or_else(|| site.keyword("host").map(|k| &k.value));
    match host {
        None => false,
        Some(Expr::StringLiteral(s)) => !s.value.to_str().is_empty(),
        Some(Expr::NoneLiteral(_)) => false,
        Some(_) => true,
    }
}

/// Does the enclosing function (or, for `self.sock`, any method of the class) call
/// `<receiver>.setblocking(False)` or `<receiver>.settimeout(0)`? Such a socket is meant for
/// `loop.sock_*`, and its methods return immediately.
fn is_made_non_blocking(checker: &Checker, site: &CallSite) -> bool {
    let Expr::Attribute(attr) = &*site.call.func else {
        return false;
    };
    let receiver = checker.source_of(attr.value.range());
    let Some(function) = checker.semantic.current_function() else {
        return false;
    };
    let mut finder = NonBlockingFinder {
        source: checker.source,
        receiver,
        found: false,
    };
    let is_attribute = matches!(&*attr.value, Expr::Attribute(_));
    match function.class {
        Some(class) if is_attribute => finder.visit_body(&class.body),
        _ => finder.visit_body(&function.def.body),
    }
    finder.found
}

/// Is the call in the body of a `try` that handles `BlockingIOError`? Only a non-blocking
/// socket raises it (`EAGAIN`): the code is the `sock.recv()` / `except BlockingIOError: await
/// wait_readable(sock)` idiom, and the call returns immediately.
fn is_guarded_by_blocking_io_error(checker: &Checker, site: &CallSite) -> bool {
    let call = site.call.range();
    for stmt in checker.statement_ancestors() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(try_stmt) => {
                let in_body = try_stmt.body.iter().any(|s| s.range().contains_range(call));
                if in_body
                    && try_stmt.handlers.iter().any(|handler| {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        handler
                            .type_
                            .as_deref()
                            .is_some_and(|t| catches_blocking_io_error(checker, t))
                    })
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn catches_blocking_io_error(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|e| catches_blocking_io_error(checker, e)),
        Expr::Name(name) => {
            name.id.as_str() == "BlockingIOError"
                && matches!(
                    checker.semantic.lookup("BlockingIOError"),
                    crate::semantic::Lookup::NotFound
                )
        }
        _ => false,
    }
}

struct NonBlockingFinder<'s> {
    source: &'s str,
    receiver: &'s str,
    found: bool,
}

impl<'a> Visitor<'a> for NonBlockingFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !self.found {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr
            && is_non_blocking_call(self.source, self.receiver, call)
        {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

fn is_non_blocking_call(source: &str, receiver: &str, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attr) = &*call.func else {
        return false;
    };
    if &source[attr.value.range()] != receiver {
        return false;
    }
    let [arg] = &*call.arguments.args else {
        return false;
    };
    let is_zero = |e: &Expr| match e {
        Expr::BooleanLiteral(b) => !b.value,
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64() == Some(0),
            ast::Number::Float(f) => *f == 0.0,
            ast::Number::Complex { .. } => false,
        },
        _ => false,
    };
    match attr.attr.as_str() {
        "setblocking" | "settimeout" => is_zero(arg),
        _ => false,
    }
}
