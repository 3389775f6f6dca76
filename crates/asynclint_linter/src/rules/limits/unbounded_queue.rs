//! ## What it does
//! Reports asyncio queues created without a bound: `asyncio.Queue()`, `asyncio.Queue(0)`,
//! `asyncio.Queue(maxsize=0)` (a negative `maxsize` too), and the same for
//! `asyncio.PriorityQueue` and `asyncio.LifoQueue`.
//!
//! ## Why is this bad?
//! `put()` on an unbounded queue never waits, so a producer never feels backpressure. When
//! the consumers are slower than the producers (a slow database, a stalled upstream, a burst
//! of events), the queue grows without limit: memory climbs until the process is killed, and
//! every item waits longer and longer before it is handled, long after it stopped being
//! useful. With `maxsize=N`, `await queue.put(item)` suspends the producer until a consumer
//! catches up, which propagates the slowdown to where it can be handled (a socket read that
//! pauses, a client that gets a 503).
//!
//! ## Example
//! ```python
//! queue = asyncio.Queue()
//! ```
//!
//! Use instead:
//! ```python
//! queue = asyncio.Queue(maxsize=1000)
//! ```
//!
//! Not reported: a `maxsize` that is not a literal (a setting computed elsewhere), `**kwargs`,
//! and queues of other libraries. This rule is off by default: many queues are fed by a
//! bounded number of producers (one item per request, per worker), where an explicit bound
//! adds nothing.
//!
//! ## References
//! - [`asyncio.Queue`](https://docs.python.org/3/library/asyncio-queue.html#asyncio.Queue)

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::checker::{CallSite, Checker};
use crate::registry::Rule;

const QUEUES: &[&str] = &[
    "asyncio.Queue",
    "asyncio.PriorityQueue",
    "asyncio.LifoQueue",
    "asyncio.queues.Queue",
    "asyncio.queues.PriorityQueue",
    "asyncio.queues.LifoQueue",
];

pub(crate) fn unbounded_queue(checker: &mut Checker, site: &CallSite) {
    let Some(qualified) = site.qualified else {
        return;
    };
    if !QUEUES.contains(&qualified) {
        return;
    }
    let arguments = &site.call.arguments;
    if arguments.keywords.iter().any(|k| k.arg.is_none())
        || arguments.args.iter().any(Expr::is_starred_expr)
    {
        return;
    }
    let maxsize = arguments
        .args
        .first()
        .or_else(|| site.keyword("maxsize").map(|k| &k.value));
    let unbounded = match maxsize {
        None => true,
        Some(value) => is_zero_or_negative(value),
    };
    if !unbounded {
        return;
    }
    let class = qualified.rsplit('.').next().unwrap_or(qualified);
    let shown = checker.source_of(site.call.range());
    let shown = if shown.len() <= 40 && !shown.contains('\n') {
        shown.to_string()
    } else {
        format!("asyncio.{class}(...)")
    };
    checker.report(
        Rule::UnboundedQueue,
        format!(
            "`{shown}` has no size limit: `put()` never waits, so producers feel no backpressure and the queue can grow until memory runs out"
        ),
        format!("Pass `maxsize=` (e.g. `asyncio.{class}(maxsize=1000)`) so producers wait when consumers fall behind"),
        site.call.range(),
        None,
    );
}

/// `0`, `-1`: literals that mean "infinite" for `maxsize`.
fn is_zero_or_negative(value: &Expr) -> bool {
    match value {
        Expr::NumberLiteral(number) => {
            matches!(&number.value, ast::Number::Int(int) if int.as_u64() == Some(0))
        }
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::USub => {
            matches!(&*unary.operand, Expr::NumberLiteral(n) if matches!(n.value, ast::Number::Int(_)))
        }
        _ => false,
    }
}
