//! ## What it does
//! Reports CPU-heavy library calls made directly in an `async def`: password hashing and key
//! derivation (`hashlib.pbkdf2_hmac`, `hashlib.scrypt`, `bcrypt.hashpw`/`checkpw`/`kdf`,
//! `argon2.PasswordHasher().hash`/`verify`, passlib hashers and `CryptContext`, the
//! `cryptography` PBKDF2/Scrypt KDFs) and one-shot compression (`zlib`, `gzip`, `bz2`, `lzma`
//! `compress`/`decompress`).
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. Password hashes are *designed* to
//! be slow (tens to hundreds of milliseconds per call, by their work factor), and compressing
//! or decompressing a payload takes time proportional to its size. While such a call runs,
//! no other task makes progress: a login endpoint under load serialises every request of the
//! whole server behind the hash. These functions release the GIL while they work, so moving
//! them to a worker thread (`asyncio.to_thread`) or a process pool
//! (`loop.run_in_executor(process_pool, ...)`) lets the loop keep serving other tasks.
//!
//! ## Example
//! ```python
//! import bcrypt
//!
//! async def login(db, name, password):
//!     user = await db.fetch_user(name)
//!     return bcrypt.checkpw(password.encode(), user.password_hash)
//! ```
//!
//! Use instead:
//! ```python
//! import asyncio
//! import bcrypt
//!
//! async def login(db, name, password):
//!     user = await db.fetch_user(name)
//!     return await asyncio.to_thread(bcrypt.checkpw, password.encode(), user.password_hash)
//! ```
//!
//! Not reported: fast hashes (`hashlib.sha256(...)`, `zlib.crc32`), building incremental
//! (de)compressors (`zlib.compressobj()`), `bcrypt.gensalt()`, functions passed to
//! `asyncio.to_thread`/`loop.run_in_executor` rather than called, calls in a nested `def` or
//! `lambda`, methods named `hash`/`verify` on objects of unknown kind, and compressing a
//! payload statically known to be at most 4 KiB (`gzip.compress(b"first")`,
//! `zlib.compress(b"x" * 1024)`, or a local assigned once to such a constant; aiohttp uses the
//! same cut-off to decide when compression is worth an executor). Decompression is always
//! reported: a tiny input can expand to megabytes.
//!
//! ## Options
//! - `allowed-blocking-calls`: qualified names or method paths never reported, e.g.
//!   `["zlib.decompress", "passlib.context.CryptContext().verify"]` when the inputs are known
//!   to be tiny.
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [`loop.run_in_executor`](https://docs.python.org/3/library/asyncio-eventloop.html#asyncio.loop.run_in_executor)
//! - [`asyncio.to_thread`](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
//! - [`hashlib.pbkdf2_hmac`](https://docs.python.org/3/library/hashlib.html#hashlib.pbkdf2_hmac)
//! - [argon2-cffi `PasswordHasher`](https://argon2-cffi.readthedocs.io/en/stable/api.html)

use ruff_python_ast::{self as ast, Expr};

use super::helpers::{BlockingEntry, lookup, report_blocking};
use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::BindingKind;

const OFFLOAD: &str = "`await asyncio.to_thread(...)` (it releases the GIL) or `await loop.run_in_executor(process_pool, ...)` for CPU-bound work";

const PASSWORD_HASHING_WHAT: &str = "is deliberately slow password hashing (CPU-bound)";

const fn entry(pattern: &'static str) -> BlockingEntry {
    BlockingEntry {
        pattern,
        alternative: OFFLOAD,
    }
}

const KEY_DERIVATION: &[BlockingEntry] = &[
    entry("hashlib.pbkdf2_hmac"),
    entry("hashlib.scrypt"),
    entry("bcrypt.kdf"),
    entry("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC().derive"),
    entry("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC().verify"),
    entry("cryptography.hazmat.primitives.kdf.scrypt.Scrypt().derive"),
    entry("cryptography.hazmat.primitives.kdf.scrypt.Scrypt().verify"),
];

const PASSWORD_HASHING: &[BlockingEntry] = &[
    entry("bcrypt.hashpw"),
    entry("bcrypt.checkpw"),
    entry("argon2.PasswordHasher().hash"),
    entry("argon2.PasswordHasher().verify"),
    entry("argon2.low_level.hash_secret"),
    entry("argon2.low_level.hash_secret_raw"),
    entry("argon2.low_level.verify_secret"),
    entry("passlib.context.CryptContext().hash"),
    entry("passlib.context.CryptContext().verify"),
    entry("passlib.context.CryptContext().verify_and_update"),
    entry("passlib.context.CryptContext().encrypt"),
    entry("passlib.context.CryptContext().dummy_verify"),
    entry("passlib.context.CryptContext().genhash"),
];

const COMPRESSION: &[BlockingEntry] = &[
    entry("zlib.compress"),
    entry("zlib.decompress"),
    entry("gzip.compress"),
    entry("gzip.decompress"),
    entry("bz2.compress"),
    entry("bz2.decompress"),
    entry("lzma.compress"),
    entry("lzma.decompress"),
];

/// passlib schemes whose cost is a deliberate work factor (the `hex_*`, `ldap_md5`, `mysql*`,
/// ... digests are plain fast hashes and stay out).
const PASSLIB_SLOW_SCHEMES: &[&str] = &[
    "argon2",
    "bcrypt",
    "bcrypt_sha256",
    "scrypt",
    "pbkdf2_sha1",
    "pbkdf2_sha256",
    "pbkdf2_sha512",
    "sha256_crypt",
    "sha512_crypt",
    "phpass",
    "scram",
    "fshp",
    "grub_pbkdf2_sha512",
    "cta_pbkdf2_sha1",
    "dlitz_pbkdf2_sha1",
    "atlassian_pbkdf2_sha1",
    "django_pbkdf2_sha1",
    "django_pbkdf2_sha256",
    "django_bcrypt",
    "django_bcrypt_sha256",
    "django_argon2",
    "ldap_pbkdf2_sha1",
    "ldap_pbkdf2_sha256",
    "ldap_pbkdf2_sha512",
    "ldap_bcrypt",
    "ldap_sha256_crypt",
    "ldap_sha512_crypt",
];
const PASSLIB_HASHER_METHODS: &[&str] = &["hash", "verify", "encrypt", "genhash"];
/// Preconfigured `CryptContext` objects of `passlib.apps`/`passlib.hosts` with slow defaults.
const PASSLIB_CONTEXTS: &[&str] = &[
    "passlib.apps.custom_app_context",
    "passlib.apps.django_context",
    "passlib.apps.phpass_context",
    "passlib.hosts.linux_context",
    "passlib.hosts.host_context",
];
const PASSLIB_CONTEXT_METHODS: &[&str] = &[
    "hash",
    "verify",
    "verify_and_update",
    "encrypt",
    "dummy_verify",
];

pub(crate) fn cpu_bound_call(checker: &mut Checker, site: &CallSite) {
    if let Some((entry, matched)) = lookup(PASSWORD_HASHING, site) {
        report_blocking(
            checker,
            Rule::CpuBoundCall,
            site,
            &matched,
            PASSWORD_HASHING_WHAT,
            entry.alternative,
        );
        return;
    }
    if let Some((entry, matched)) = lookup(KEY_DERIVATION, site) {
        report_blocking(
            checker,
            Rule::CpuBoundCall,
            site,
            &matched,
            "is deliberately slow key derivation (CPU-bound)",
            entry.alternative,
        );
        return;
    }
    if let Some((entry, matched)) = lookup(COMPRESSION, site) {
        if matched.ends_with(".compress") && is_small_constant_payload(checker, site) {
            return;
        }
        report_blocking(
            checker,
            Rule::CpuBoundCall,
            site,
            &matched,
            "is CPU-bound (its cost grows with the payload)",
            entry.alternative,
        );
        return;
    }
    if let Some(matched) = passlib_call(site) {
        report_blocking(
            checker,
            Rule::CpuBoundCall,
            site,
            &matched,
            PASSWORD_HASHING_WHAT,
            OFFLOAD,
        );
    }
}

/// Payloads up to this size are compressed in microseconds; aiohttp uses the same cut-off
/// (`MAX_SYNC_CHUNK_SIZE`) to decide when compression is worth moving to an executor.
const SMALL_PAYLOAD_BYTES: u64 = 4096;

/// `zlib.compress(b"first")`, `gzip.compress(b"x" * 64)`, or a local bound once to such a
/// constant: the size is known statically and tiny, so the call cannot stall the loop.
/// Decompression is not exempted: a tiny input can expand to megabytes.
fn is_small_constant_payload(checker: &Checker, site: &CallSite) -> bool {
    let data = site
        .call
        .arguments
        .args
        .first()
        .or_else(|| site.keyword("data").map(|k| &k.value));
    data.and_then(|d| constant_bytes_len(checker, d, 0))
        .is_some_and(|len| len <= SMALL_PAYLOAD_BYTES)
}

/// The length of a bytes value built only from literals: `b"..."`, `"...".encode()`,
/// `b"x" * 1024`, `a + b`, or a name assigned exactly once in the current function.
fn constant_bytes_len(checker: &Checker, expr: &Expr, depth: u8) -> Option<u64> {
    if depth > 4 {
        return None;
    }
    match expr {
        Expr::BytesLiteral(b) => u64::try_from(b.value.len()).ok(),
        Expr::Call(call) if call.arguments.keywords.is_empty() => {
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            let Expr::StringLiteral(s) = &*attr.value else {
                return None;
            };
            (attr.attr.as_str() == "encode" && call.arguments.args.len() <= 1)
                .then(|| u64::try_from(s.value.to_str().len()).ok())
                .flatten()
        }
        Expr::BinOp(binop) => match binop.op {
            ast::Operator::Mult => {
                let (bytes, count) = match constant_bytes_len(checker, &binop.left, depth + 1) {
                    Some(len) => (len, constant_int(checker, &binop.right, depth + 1)?),
                    None => (
                        constant_bytes_len(checker, &binop.right, depth + 1)?,
                        constant_int(checker, &binop.left, depth + 1)?,
                    ),
                };
                bytes.checked_mul(count)
            }
            ast::Operator::Add => constant_bytes_len(checker, &binop.left, depth + 1)?
                .checked_add(constant_bytes_len(checker, &binop.right, depth + 1)?),
            _ => None,
        },
        Expr::Name(name) => constant_bytes_len(checker, local_value(checker, name)?, depth + 1),
        _ => None,
    }
}

fn constant_int(checker: &Checker, expr: &Expr, depth: u8) -> Option<u64> {
    if depth > 8 {
        return None;
    }
    match expr {
        Expr::NumberLiteral(n) => match &n.value {
            ast::Number::Int(i) => i.as_u64(),
            _ => None,
        },
        Expr::BinOp(binop) => {
            let left = constant_int(checker, &binop.left, depth + 1)?;
            let right = constant_int(checker, &binop.right, depth + 1)?;
            match binop.op {
                ast::Operator::Mult => left.checked_mul(right),
                ast::Operator::Add => left.checked_add(right),
                ast::Operator::Pow => u32::try_from(right).ok().and_then(|r| left.checked_pow(r)),
                _ => None,
            }
        }
        Expr::Name(name) => constant_int(checker, local_value(checker, name)?, depth + 1),
        _ => None,
    }
}

/// The value of a plain `name = value` that is the only binding of `name` in the current
/// function (a parameter, loop variable or second assignment makes the value unknown).
fn local_value<'a>(checker: &Checker<'a>, name: &ast::ExprName) -> Option<&'a Expr> {
    checker.semantic.current_function()?;
    match checker.semantic.local_bindings(name.id.as_str())? {
        [binding] => match &binding.kind {
            BindingKind::Assignment {
                value: Some(value), ..
            } => Some(value),
            _ => None,
        },
        _ => None,
    }
}

/// `passlib.hash.<scheme>.hash(...)`, `passlib.hash.<scheme>.using(...).hash(...)` and the
/// preconfigured contexts (`passlib.apps.custom_app_context.verify(...)`).
fn passlib_call(site: &CallSite) -> Option<String> {
    if let Some(qualified) = site.qualified {
        if let Some(rest) = qualified.strip_prefix("passlib.hash.") {
            let (scheme, method) = rest.split_once('.')?;
            return (PASSLIB_SLOW_SCHEMES.contains(&scheme)
                && PASSLIB_HASHER_METHODS.contains(&method))
            .then(|| qualified.to_string());
        }
        let (context, method) = qualified.rsplit_once('.')?;
        return (PASSLIB_CONTEXTS.contains(&context) && PASSLIB_CONTEXT_METHODS.contains(&method))
            .then(|| qualified.to_string());
    }
    // `bcrypt.using(rounds=13)` returns a configured hasher class.
    let path = site.method_path()?;
    let rest = path.strip_prefix("passlib.hash.")?;
    let (scheme, call) = rest.split_once('.')?;
    let method = call.strip_prefix("using().")?;
    (PASSLIB_SLOW_SCHEMES.contains(&scheme) && PASSLIB_HASHER_METHODS.contains(&method))
        .then(|| path.to_string())
}
