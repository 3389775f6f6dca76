//! ## What it does
//! Reports synchronous database calls made directly in an `async def`:
//! - connecting with a synchronous driver: `sqlite3.connect`, `psycopg2.connect`,
//!   `psycopg.connect` / `psycopg.Connection.connect`, `pymysql.connect`, `MySQLdb.connect`,
//!   `mysql.connector.connect` (and `psycopg2.extras.execute_values`/`execute_batch`);
//! - statements and transactions on their connections and cursors (`execute`, `executemany`,
//!   `executescript`, `callproc`, `copy_*`, `commit`, `rollback`, and for `sqlite3` also
//!   `fetchone`/`fetchmany`/`fetchall`, `backup`, `iterdump`);
//! - `pymongo` operations on a `MongoClient`, on databases from `get_database()` and on
//!   collections from `get_collection()` (`find_one`, `insert_one`, `update_many`,
//!   `aggregate`, `count_documents`, `list_collection_names`, ...);
//! - commands of a sync `redis.Redis`/`StrictRedis`/`RedisCluster` client (also from
//!   `from_url`), and `execute()` of its pipelines;
//! - SQLAlchemy sync I/O on objects created in the function: `engine.connect()`/`begin()` on
//!   an engine from `create_engine`, `execute`/`scalar(s)`/`commit`/`rollback` on its
//!   connections, `execute`/`scalar(s)`/`get`/`flush`/`refresh`/`commit`/`rollback` on a
//!   `Session` (`Session(engine)`, `sessionmaker(...)()`, `sqlmodel.Session`), and the methods
//!   that run a legacy query (`session.query(User).filter(...).all()`/`first()`/`one()`/...).
//!
//! Methods are only reported when the receiver is known to be one of these objects: built in
//! the same function or module (`conn = sqlite3.connect(path)`, `with conn.cursor() as cur`),
//! assigned in `__init__` (`self.db = sqlite3.connect(path)`), annotated
//! (`conn: sqlite3.Connection`), or chained (`sqlite3.connect(path).execute(...)`). SQLAlchemy
//! objects must moreover be created in the function itself (a local `session`, `conn` or
//! `engine`, or a chained constructor). Building a client (`redis.Redis()`,
//! `pymongo.MongoClient()`, `create_engine()`) does no I/O and is not reported.
//!
//! ## Why is this bad?
//! An event loop runs one callback at a time on one thread. A synchronous database driver
//! holds that thread for the whole round trip: connecting (TCP, TLS, authentication), sending
//! the statement, the server executing it, waiting on locks, and reading the result. A query
//! that takes 50 ms stalls every other task for 50 ms; a lock wait or a slow disk can stall
//! them for seconds. Asyncio drivers (`asyncpg`, `psycopg.AsyncConnection`, `aiosqlite`,
//! `aiomysql`, `redis.asyncio`, `motor`/`pymongo.AsyncMongoClient`, SQLAlchemy's
//! `AsyncSession`) await the socket instead, so other tasks run while the database works.
//!
//! ## Example
//! ```python
//! import sqlite3
//!
//! async def get_user(db_path, user_id):
//!     with sqlite3.connect(db_path) as conn:
//!         cur = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,))
//!         return cur.fetchone()
//! ```
//!
//! Use instead:
//! ```python
//! import aiosqlite
//!
//! async def get_user(db_path, user_id):
//!     async with aiosqlite.connect(db_path) as conn:
//!         cur = await conn.execute("SELECT name FROM users WHERE id = ?", (user_id,))
//!         return await cur.fetchone()
//! ```
//!
//! When the sync driver must stay, run the whole unit of work in a thread:
//! `await asyncio.to_thread(fetch_user_sync, db_path, user_id)`.
//!
//! Not reported: `cursor()` and `close()` (no round trip); `fetch*` on client-side cursors
//! of `psycopg2`/`psycopg`/`pymysql`/`MySQLdb` (the rows are already in memory after
//! `execute`); `sqlite3` in-memory databases (`sqlite3.connect(":memory:")`); awaited
//! asyncio drivers (`aiosqlite`, `asyncpg`, `motor`, `redis.asyncio`, `AsyncSession`,
//! `create_async_engine`); redis pipeline commands other than `execute` (they are buffered);
//! `collection.find()` (the cursor is lazy); SQLAlchemy sessions received as parameters or
//! stored on `self`; `execute`/`get`/`set` on objects whose kind is unknown; awaited method
//! calls and receivers bound by `async with` (evidence of an asyncio object, e.g. from
//! `sessionmaker(engine, class_=AsyncSession)`); calls in a nested `def` or `lambda`, and
//! functions passed to `asyncio.to_thread`/`run_in_executor`.
//!
//! ## Options
//! - `allowed-blocking-calls`: callees never reported, by qualified name (`sqlite3.connect`)
//!   or method path (`redis.Redis().get`, `sqlite3.connect().execute`).
//!
//! ## References
//! - [asyncio: Running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
//! - [aiosqlite](https://aiosqlite.omnilib.dev/)
//! - [psycopg 3: Asynchronous operations](https://www.psycopg.org/psycopg3/docs/advanced/async.html)
//! - [asyncpg](https://magicstack.github.io/asyncpg/current/)
//! - [redis-py: asyncio examples](https://redis.readthedocs.io/en/stable/examples/asyncio_examples.html)
//! - [SQLAlchemy: Asynchronous I/O (asyncio)](https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html)
//! - [PyMongo: Async driver](https://pymongo.readthedocs.io/en/stable/async-tutorial.html)

use ruff_python_ast::Expr;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;
use crate::semantic::BindingKind;

use super::helpers::{receiver_is_async, report_blocking};

const SQLITE_ALTERNATIVE: &str = "`aiosqlite` (`async with aiosqlite.connect(...)`, `await conn.execute(...)`), or run the unit of work with `await asyncio.to_thread(...)`";
const POSTGRES_ALTERNATIVE: &str = "an asyncio driver (`asyncpg`, or `await psycopg.AsyncConnection.connect(...)`), or run the unit of work with `await asyncio.to_thread(...)`";
const MYSQL_ALTERNATIVE: &str = "an asyncio driver (`aiomysql`, `asyncmy`), or run the unit of work with `await asyncio.to_thread(...)`";
const MONGO_ALTERNATIVE: &str = "an asyncio client (`pymongo.AsyncMongoClient` or `motor`) and `await collection.find_one(...)`, or `await asyncio.to_thread(...)`";
const REDIS_ALTERNATIVE: &str = "`redis.asyncio.Redis` (same commands, awaited: `await r.get(...)`), or `await asyncio.to_thread(...)`";
const SQLALCHEMY_ALTERNATIVE: &str = "SQLAlchemy's asyncio extension (`create_async_engine`, `AsyncSession`, `await session.execute(...)`), or run the unit of work with `await asyncio.to_thread(...)`";

/// Functions that open a connection or run statements.
const FUNCTIONS: &[(&str, &str)] = &[
    ("sqlite3.connect", SQLITE_ALTERNATIVE),
    ("sqlite3.dbapi2.connect", SQLITE_ALTERNATIVE),
    ("psycopg2.connect", POSTGRES_ALTERNATIVE),
    ("psycopg2.extras.execute_values", POSTGRES_ALTERNATIVE),
    ("psycopg2.extras.execute_batch", POSTGRES_ALTERNATIVE),
    ("psycopg.connect", POSTGRES_ALTERNATIVE),
    ("psycopg.Connection.connect", POSTGRES_ALTERNATIVE),
    ("pymysql.connect", MYSQL_ALTERNATIVE),
    ("pymysql.Connect", MYSQL_ALTERNATIVE),
    ("MySQLdb.connect", MYSQL_ALTERNATIVE),
    ("MySQLdb.Connect", MYSQL_ALTERNATIVE),
    ("mysql.connector.connect", MYSQL_ALTERNATIVE),
];

/// A DB-API driver: which kinds are connections and cursors, and which of their methods do
/// a round trip.
struct DbApi {
    connections: &'static [&'static str],
    cursors: &'static [&'static str],
    /// Methods (on a connection or a cursor) that return a cursor: `conn.execute(...)` in
    /// `sqlite3` and `psycopg`.
    cursor_returning: &'static [&'static str],
    connection_methods: &'static [&'static str],
    cursor_methods: &'static [&'static str],
    alternative: &'static str,
}

const DBAPI_DRIVERS: &[DbApi] = &[
    DbApi {
        connections: &[
            "sqlite3.connect()",
            "sqlite3.dbapi2.connect()",
            "sqlite3.Connection()",
        ],
        cursors: &["sqlite3.Cursor()"],
        cursor_returning: &["execute", "executemany", "executescript"],
        connection_methods: &[
            "execute",
            "executemany",
            "executescript",
            "commit",
            "rollback",
            "backup",
            "iterdump",
        ],
        // SQLite steps the statement (reading pages from disk) as rows are fetched.
        cursor_methods: &[
            "execute",
            "executemany",
            "executescript",
            "fetchone",
            "fetchmany",
            "fetchall",
        ],
        alternative: SQLITE_ALTERNATIVE,
    },
    DbApi {
        connections: &["psycopg2.connect()", "psycopg2.extensions.connection()"],
        cursors: &["psycopg2.extensions.cursor()"],
        cursor_returning: &[],
        connection_methods: &["commit", "rollback", "reset"],
        cursor_methods: &[
            "execute",
            "executemany",
            "callproc",
            "copy_from",
            "copy_to",
            "copy_expert",
        ],
        alternative: POSTGRES_ALTERNATIVE,
    },
    DbApi {
        connections: &[
            "psycopg.connect()",
            "psycopg.Connection.connect()",
            "psycopg.Connection()",
        ],
        cursors: &["psycopg.Cursor()"],
        cursor_returning: &["execute"],
        connection_methods: &["execute", "commit", "rollback"],
        cursor_methods: &["execute", "executemany", "copy"],
        alternative: POSTGRES_ALTERNATIVE,
    },
    DbApi {
        connections: &[
            "pymysql.connect()",
            "pymysql.Connect()",
            "pymysql.connections.Connection()",
            "MySQLdb.connect()",
            "MySQLdb.Connect()",
            "MySQLdb.connections.Connection()",
            "mysql.connector.connect()",
        ],
        cursors: &["pymysql.cursors.Cursor()", "pymysql.cursors.DictCursor()"],
        cursor_returning: &[],
        connection_methods: &["commit", "rollback", "ping", "select_db", "begin"],
        cursor_methods: &["execute", "executemany", "callproc"],
        alternative: MYSQL_ALTERNATIVE,
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum DbRole {
    Connection,
    Cursor,
}

fn dbapi_role(driver: &DbApi, kind: &str, depth: u8) -> Option<DbRole> {
    if driver.connections.contains(&kind) {
        return Some(DbRole::Connection);
    }
    if driver.cursors.contains(&kind) {
        return Some(DbRole::Cursor);
    }
    if depth > 6 {
        return None;
    }
    let (base, method) = kind.strip_suffix("()")?.rsplit_once('.')?;
    let base_role = dbapi_role(driver, base, depth + 1)?;
    if (method == "cursor" && base_role == DbRole::Connection)
        || driver.cursor_returning.contains(&method)
    {
        Some(DbRole::Cursor)
    } else {
        None
    }
}

const MONGO_CLIENTS: &[&str] = &[
    "pymongo.MongoClient()",
    "pymongo.mongo_client.MongoClient()",
];
const MONGO_DATABASES: &[&str] = &["pymongo.database.Database()"];
const MONGO_COLLECTIONS: &[&str] = &["pymongo.collection.Collection()"];
const MONGO_CLIENT_METHODS: &[&str] = &[
    "list_database_names",
    "list_databases",
    "server_info",
    "drop_database",
];
const MONGO_DATABASE_METHODS: &[&str] = &[
    "list_collection_names",
    "list_collections",
    "command",
    "create_collection",
    "drop_collection",
    "validate_collection",
];
/// `find()` is left out: it returns a lazy cursor.
const MONGO_COLLECTION_METHODS: &[&str] = &[
    "find_one",
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "count_documents",
    "estimated_document_count",
    "aggregate",
    "distinct",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "bulk_write",
    "create_index",
    "create_indexes",
    "drop_index",
    "drop_indexes",
    "drop",
    "index_information",
    "list_indexes",
    "rename",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum MongoRole {
    Client,
    Database,
    Collection,
}

fn mongo_role(kind: &str) -> Option<MongoRole> {
    if MONGO_CLIENTS.contains(&kind) {
        return Some(MongoRole::Client);
    }
    if MONGO_DATABASES.contains(&kind) {
        return Some(MongoRole::Database);
    }
    if MONGO_COLLECTIONS.contains(&kind) {
        return Some(MongoRole::Collection);
    }
    let (base, method) = kind.strip_suffix("()")?.rsplit_once('.')?;
    match (mongo_role(base)?, method) {
        (MongoRole::Client, "get_database" | "get_default_database") => Some(MongoRole::Database),
        (MongoRole::Database, "get_collection" | "create_collection") => {
            Some(MongoRole::Collection)
        }
        (MongoRole::Collection, "with_options") => Some(MongoRole::Collection),
        _ => None,
    }
}

const REDIS_CLIENTS: &[&str] = &[
    "redis.Redis()",
    "redis.StrictRedis()",
    "redis.client.Redis()",
    "redis.client.StrictRedis()",
    "redis.Redis.from_url()",
    "redis.StrictRedis.from_url()",
    "redis.client.Redis.from_url()",
    "redis.from_url()",
    "redis.RedisCluster()",
    "redis.cluster.RedisCluster()",
    "redis.RedisCluster.from_url()",
];
/// Commands that make a round trip on a sync client. (`scan_iter`/`hscan_iter` are lazy
/// generators; `pipeline()`, `pubsub()` and `lock()` build objects without I/O.)
const REDIS_COMMANDS: &[&str] = &[
    "get",
    "set",
    "setex",
    "setnx",
    "psetex",
    "getset",
    "getdel",
    "getex",
    "mget",
    "mset",
    "msetnx",
    "delete",
    "unlink",
    "exists",
    "expire",
    "expireat",
    "pexpire",
    "pexpireat",
    "persist",
    "ttl",
    "pttl",
    "incr",
    "incrby",
    "incrbyfloat",
    "decr",
    "decrby",
    "append",
    "strlen",
    "getrange",
    "setrange",
    "hget",
    "hset",
    "hsetnx",
    "hmget",
    "hmset",
    "hgetall",
    "hdel",
    "hexists",
    "hincrby",
    "hincrbyfloat",
    "hkeys",
    "hvals",
    "hlen",
    "lpush",
    "rpush",
    "lpop",
    "rpop",
    "blpop",
    "brpop",
    "brpoplpush",
    "lmove",
    "blmove",
    "lrange",
    "llen",
    "lrem",
    "lset",
    "ltrim",
    "lindex",
    "sadd",
    "srem",
    "smembers",
    "sismember",
    "smismember",
    "scard",
    "spop",
    "srandmember",
    "zadd",
    "zrem",
    "zrange",
    "zrangebyscore",
    "zrevrange",
    "zrevrangebyscore",
    "zscore",
    "zincrby",
    "zcard",
    "zcount",
    "zrank",
    "zrevrank",
    "zremrangebyscore",
    "zremrangebyrank",
    "zpopmin",
    "zpopmax",
    "publish",
    "keys",
    "scan",
    "hscan",
    "sscan",
    "zscan",
    "ping",
    "echo",
    "flushdb",
    "flushall",
    "dbsize",
    "info",
    "type",
    "rename",
    "renamenx",
    "eval",
    "evalsha",
    "xadd",
    "xread",
    "xreadgroup",
    "xrange",
    "xrevrange",
    "xlen",
    "xack",
    "xdel",
    "xtrim",
    "pfadd",
    "pfcount",
    "setbit",
    "getbit",
    "bitcount",
    "execute_command",
];

fn is_redis_client(kind: &str) -> bool {
    REDIS_CLIENTS.contains(&kind)
}

fn is_redis_pipeline(kind: &str) -> bool {
    kind.strip_suffix(".pipeline()")
        .is_some_and(is_redis_client)
}

const SQLALCHEMY_ENGINES: &[&str] = &[
    "sqlalchemy.create_engine()",
    "sqlalchemy.engine.create_engine()",
    "sqlalchemy.engine_from_config()",
    "sqlmodel.create_engine()",
];
const SQLALCHEMY_ENGINE_METHODS: &[&str] = &["connect", "begin", "execute", "raw_connection"];
const SQLALCHEMY_CONNECTION_METHODS: &[&str] = &[
    "execute",
    "exec_driver_sql",
    "scalar",
    "scalars",
    "commit",
    "rollback",
];
const SQLALCHEMY_SESSIONS: &[&str] = &[
    "sqlalchemy.orm.Session()",
    "sqlalchemy.orm.session.Session()",
    "sqlalchemy.orm.sessionmaker()()",
    "sqlalchemy.orm.session.sessionmaker()()",
    "sqlalchemy.orm.sessionmaker().begin()",
    "sqlalchemy.orm.session.sessionmaker().begin()",
    "sqlalchemy.orm.scoped_session()()",
    "sqlmodel.Session()",
];
const SQLALCHEMY_SESSION_METHODS: &[&str] = &[
    "execute", "scalar", "scalars", "get", "get_one", "flush", "refresh", "commit", "rollback",
    "exec",
];
/// `session.query(...)` builds a query; these refine it without I/O...
const SQLALCHEMY_QUERY_BUILDERS: &[&str] = &[
    "filter",
    "filter_by",
    "where",
    "order_by",
    "group_by",
    "having",
    "limit",
    "offset",
    "join",
    "outerjoin",
    "options",
    "distinct",
    "select_from",
    "with_entities",
    "execution_options",
    "populate_existing",
    "yield_per",
];
/// ...and these run it.
const SQLALCHEMY_QUERY_METHODS: &[&str] = &[
    "all",
    "first",
    "one",
    "one_or_none",
    "scalar",
    "count",
    "delete",
    "update",
    "get",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum SqlAlchemyRole {
    Engine,
    Connection,
    Session,
    Query,
}

fn sqlalchemy_role(kind: &str) -> Option<SqlAlchemyRole> {
    if SQLALCHEMY_ENGINES.contains(&kind) {
        return Some(SqlAlchemyRole::Engine);
    }
    if SQLALCHEMY_SESSIONS.contains(&kind) {
        return Some(SqlAlchemyRole::Session);
    }
    let (base, method) = kind.strip_suffix("()")?.rsplit_once('.')?;
    match (sqlalchemy_role(base)?, method) {
        (SqlAlchemyRole::Engine, "connect" | "begin") => Some(SqlAlchemyRole::Connection),
        (SqlAlchemyRole::Session, "query") => Some(SqlAlchemyRole::Query),
        (SqlAlchemyRole::Query, m) if SQLALCHEMY_QUERY_BUILDERS.contains(&m) => {
            Some(SqlAlchemyRole::Query)
        }
        _ => None,
    }
}

pub(crate) fn blocking_database_call(checker: &mut Checker, site: &CallSite) {
    if let Some(qualified) = site.qualified {
        let Some((_, alternative)) = FUNCTIONS.iter().find(|(name, _)| *name == qualified) else {
            return;
        };
        if qualified.starts_with("sqlite3.") && is_memory_database(site.call) {
            return;
        }
        report(checker, site, qualified, alternative);
        return;
    }
    let (Some(kind), Some(method)) = (site.receiver_kind, site.method_name()) else {
        return;
    };
    let Some(alternative) = method_alternative(kind, method) else {
        return;
    };
    if receiver_is_async(checker, site) {
        return;
    }
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    if alternative == SQLITE_ALTERNATIVE && receiver_is_memory_database(checker, &attr.value, 0) {
        return;
    }
    if alternative == SQLALCHEMY_ALTERNATIVE && !created_in_function(checker, &attr.value) {
        return;
    }
    report(checker, site, &format!("{kind}.{method}"), alternative);
}

/// The alternative to suggest when `kind.method(...)` is a catalogued database round trip.
fn method_alternative(kind: &str, method: &str) -> Option<&'static str> {
    for driver in DBAPI_DRIVERS {
        let methods = match dbapi_role(driver, kind, 0) {
            Some(DbRole::Connection) => driver.connection_methods,
            Some(DbRole::Cursor) => driver.cursor_methods,
            None => continue,
        };
        return methods.contains(&method).then_some(driver.alternative);
    }
    if let Some(role) = mongo_role(kind) {
        let methods = match role {
            MongoRole::Client => MONGO_CLIENT_METHODS,
            MongoRole::Database => MONGO_DATABASE_METHODS,
            MongoRole::Collection => MONGO_COLLECTION_METHODS,
        };
        return methods.contains(&method).then_some(MONGO_ALTERNATIVE);
    }
    if is_redis_client(kind) {
        return REDIS_COMMANDS
            .contains(&method)
            .then_some(REDIS_ALTERNATIVE);
    }
    if is_redis_pipeline(kind) {
        return (method == "execute").then_some(REDIS_ALTERNATIVE);
    }
    let methods = match sqlalchemy_role(kind)? {
        SqlAlchemyRole::Engine => SQLALCHEMY_ENGINE_METHODS,
        SqlAlchemyRole::Connection => SQLALCHEMY_CONNECTION_METHODS,
        SqlAlchemyRole::Session => SQLALCHEMY_SESSION_METHODS,
        SqlAlchemyRole::Query => SQLALCHEMY_QUERY_METHODS,
    };
    methods.contains(&method).then_some(SQLALCHEMY_ALTERNATIVE)
}

fn report(checker: &mut Checker, site: &CallSite, matched: &str, alternative: &str) {
    report_blocking(
        checker,
        Rule::BlockingDatabaseCall,
        site,
        matched,
        "does blocking database I/O",
        alternative,
    );
}

/// `sqlite3.connect(":memory:")` (or `""`, a private temporary database, or a
/// `file::memory:` URI) never touches the disk.
fn is_memory_database(call: &ruff_python_ast::ExprCall) -> bool {
    let database = call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "database"))
            .map(|k| &k.value)
    });
    let Some(Expr::StringLiteral(s)) = database else {
        return false;
    };
    let value = s.value.to_str();
    value.is_empty() || value == ":memory:" || value.starts_with("file::memory:")
}

/// Does the receiver come from `sqlite3.connect(":memory:")`, through names and chained
/// calls (`conn.cursor()`, `conn.execute(...)`)?
fn receiver_is_memory_database(checker: &Checker, expr: &Expr, depth: u8) -> bool {
    if depth > 6 {
        return false;
    }
    match expr {
        Expr::Call(call) => {
            if let Some(q) = checker.semantic.resolve_qualified_name(&call.func) {
                return q.starts_with("sqlite3.") && is_memory_database(call);
            }
            match &*call.func {
                Expr::Attribute(attr) => {
                    receiver_is_memory_database(checker, &attr.value, depth + 1)
                }
                _ => false,
            }
        }
        Expr::Name(name) => match checker
            .semantic
            .unique_binding(name.id.as_str())
            .map(|b| &b.kind)
        {
            Some(BindingKind::Assignment {
                value: Some(value), ..
            }) => receiver_is_memory_database(checker, value, depth + 1),
            Some(BindingKind::WithItem { value, .. }) => {
                receiver_is_memory_database(checker, value, depth + 1)
            }
            _ => false,
        },
        _ => false,
    }
}

/// Is the root of the receiver chain an object created in the current function: a local
/// assigned or bound by `with` here, or a constructor call in the chain itself?
fn created_in_function(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr)
                if checker
                    .semantic
                    .resolve_qualified_name(&call.func)
                    .is_none() =>
            {
                created_in_function(checker, &attr.value)
            }
            _ => true,
        },
        Expr::Name(name) => checker
            .semantic
            .local_bindings(name.id.as_str())
            .is_some_and(|bindings| {
                !bindings.is_empty()
                    && bindings.iter().all(|b| {
                        matches!(
                            b.kind,
                            BindingKind::Assignment { value: Some(_), .. }
                                | BindingKind::WithItem { .. }
                        )
                    })
            }),
        _ => false,
    }
}
