use ruff_python_ast::{self as ast, Stmt};

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules;

pub(crate) fn statement<'a>(checker: &mut Checker<'a>, stmt: &'a Stmt) {
    if checker.facts.is_some() {
        crate::facts::statement(checker, stmt);
    }
    if let Stmt::For(for_stmt) = stmt {
        for_statement(checker, for_stmt);
    }
    if let Stmt::With(with) = stmt {
        with_statement(checker, with);
    }
    if matches!(stmt, Stmt::For(_) | Stmt::While(_)) {
        loop_statement(checker, stmt);
    }
    if let Stmt::Try(try_stmt) = stmt {
        try_error_handling(checker, try_stmt);
    }
    if let Stmt::While(while_stmt) = stmt
        && checker.summary.is_some()
        && checker.enabled(Rule::ServiceWithoutSignalHandling)
    {
        rules::shutdown::service_without_signal_handling::record_while(checker, while_stmt);
    }
    if let Stmt::Try(try_stmt) = stmt
        && checker.enabled(Rule::ExceptAroundTaskgroup)
    {
        rules::tasks::except_around_taskgroup::except_around_taskgroup(checker, try_stmt);
    }
    if matches!(stmt, Stmt::Expr(_) | Stmt::Assign(_))
        && checker.enabled(Rule::TaskCollectionNeverDiscarded)
    {
        rules::tasks::task_collection_never_discarded::task_collection_never_discarded(
            checker, stmt,
        );
    }
    if let Stmt::FunctionDef(def) = stmt {
        context_manager_definition(checker, def);
        pytest_definition(checker, def);
        coroutine_definition(checker, def);
    }
    if let Stmt::Assign(assign) = stmt
        && checker.enabled(Rule::LegacyFutureMock)
    {
        rules::testing::legacy_future_mock::return_value_assignment(checker, assign);
    }
    if let Stmt::ClassDef(class) = stmt
        && checker.enabled(Rule::AsyncContextManagerProtocol)
    {
        rules::resources::async_context_manager_protocol::async_context_manager_protocol(
            checker, class,
        );
    }
    match stmt {
        Stmt::Return(ret) => {
            let has_value = ret
                .value
                .as_deref()
                .is_some_and(|v| !matches!(v, ruff_python_ast::Expr::NoneLiteral(_)));
            if has_value
                && let Some(builder) = &mut checker.summary
                && let Some(function) = builder.current()
            {
                function.returns_value = true;
            }
        }
        Stmt::For(for_stmt)
            if for_stmt.is_async && checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) =>
        {
            rules::syntax::async_syntax_outside_async_function::async_for(checker, for_stmt);
        }
        Stmt::With(with) if with.is_async => {
            if checker.enabled(Rule::AsyncSyntaxOutsideAsyncFunction) {
                rules::syntax::async_syntax_outside_async_function::async_with(checker, with);
            }
            rules::function_facts::record_async_with(checker, with);
        }
        _ => {}
    }
}

/// `for` and `async for` statements (AIO207, AIO606).
fn for_statement<'a>(checker: &mut Checker<'a>, for_stmt: &'a ast::StmtFor) {
    if checker.enabled(Rule::AsyncIterationMismatch) {
        rules::coroutines::async_iteration_mismatch::async_iteration_mismatch(checker, for_stmt);
    }
    if for_stmt.is_async && checker.enabled(Rule::AsyncGeneratorNotClosed) {
        rules::resources::async_generator_not_closed::async_generator_not_closed(checker, for_stmt);
    }
    if !for_stmt.is_async && checker.enabled(Rule::SequentialAwaitInLoop) {
        rules::tasks::sequential_await_in_loop::sequential_await_in_loop(checker, for_stmt);
    }
}

/// `def` statements, seen from the enclosing scope (AIO603, AIO604, AIO605).
fn context_manager_definition<'a>(checker: &mut Checker<'a>, def: &'a ast::StmtFunctionDef) {
    use rules::resources::{
        cleanup_not_in_finally, context_manager_decorator_mismatch, exit_swallows_exceptions,
    };
    if checker.enabled(Rule::ContextManagerDecoratorMismatch) {
        context_manager_decorator_mismatch::context_manager_decorator_mismatch(checker, def);
    }
    if checker.enabled(Rule::CleanupNotInFinally) {
        cleanup_not_in_finally::cleanup_not_in_finally(checker, def);
    }
    if checker.enabled(Rule::ExitSwallowsExceptions) {
        exit_swallows_exceptions::exit_swallows_exceptions(checker, def);
    }
}

/// `def` statements, seen from the enclosing scope: tests and fixtures (AIO700-AIO702).
fn pytest_definition<'a>(checker: &mut Checker<'a>, def: &'a ast::StmtFunctionDef) {
    use rules::testing::*;
    if checker.enabled(Rule::AsyncTestNotCollected) {
        async_test_not_collected::async_test_not_collected(checker, def);
    }
    if checker.enabled(Rule::AsyncFixtureSyncDecorator) {
        async_fixture_sync_decorator::async_fixture_sync_decorator(checker, def);
    }
    if checker.enabled(Rule::DeprecatedPytestAsyncioApi) {
        deprecated_pytest_asyncio_api::deprecated_pytest_asyncio_api(checker, def);
    }
}

/// `def` statements, seen from the scope that evaluates their decorators and annotations
/// (AIO205, AIO206, AIO208, AIO209, AIO803).
fn coroutine_definition<'a>(checker: &mut Checker<'a>, def: &'a ast::StmtFunctionDef) {
    use rules::coroutines::{
        async_def_awaitable_return_annotation, async_function_without_await, async_property,
        lru_cache_on_async_function,
    };
    if checker.enabled(Rule::AsyncDefAwaitableReturnAnnotation) {
        async_def_awaitable_return_annotation::async_def_awaitable_return_annotation(checker, def);
    }
    if checker.enabled(Rule::AsyncFunctionWithoutAwait) {
        async_function_without_await::async_function_without_await(checker, def);
    }
    if checker.enabled(Rule::LruCacheOnAsyncFunction) {
        lru_cache_on_async_function::lru_cache_on_async_function(checker, def);
    }
    if checker.enabled(Rule::AsyncProperty) {
        async_property::async_property(checker, def);
    }
    if checker.enabled(Rule::RemovedCoroutineDecorator) {
        rules::modernize::removed_coroutine_decorator::removed_coroutine_decorator(checker, def);
    }
}

/// `for` and `while` loops (AIO514, AIO515).
fn loop_statement<'a>(checker: &mut Checker<'a>, stmt: &'a Stmt) {
    if checker.enabled(Rule::RetryWithoutBackoff) {
        rules::limits::retry_without_backoff::retry_without_backoff(checker, stmt);
    }
    if let Stmt::While(while_stmt) = stmt
        && checker.enabled(Rule::BusyWaitLoop)
    {
        rules::limits::busy_wait_loop::busy_wait_loop(checker, while_stmt);
    }
}

/// `with` and `async with` statements (AIO600, AIO601).
fn with_statement<'a>(checker: &mut Checker<'a>, with: &'a ast::StmtWith) {
    if checker.enabled(Rule::TimeoutWithoutAwait) {
        rules::timeouts::timeout_without_await::timeout_without_await(checker, with);
    }
    if checker.enabled(Rule::UselessSemaphore) {
        rules::limits::useless_semaphore::useless_semaphore_in_with(checker, with);
    }
    use rules::resources::{async_with_sync_context_manager, sync_with_async_context_manager};
    for item in &with.items {
        if with.is_async {
            if checker.enabled(Rule::AsyncWithSyncContextManager) {
                async_with_sync_context_manager::async_with_sync_context_manager(checker, item);
            }
        } else if checker.enabled(Rule::SyncWithAsyncContextManager) {
            sync_with_async_context_manager::sync_with_async_context_manager(checker, item);
        }
    }
    if !with.is_async && checker.enabled(Rule::SyncLockAcrossAwait) {
        rules::resources::sync_lock_across_await::sync_lock_across_await(checker, with);
    }
}

/// `try` statements: what the handlers catch and do (AIO400-AIO402, AIO504).
fn try_error_handling<'a>(checker: &mut Checker<'a>, try_stmt: &'a ast::StmtTry) {
    use rules::errors::{cancelled_error_swallowed, exception_silenced_in_async, jump_in_finally};
    if checker.enabled(Rule::CancelledErrorSwallowed) {
        cancelled_error_swallowed::cancelled_error_swallowed(checker, try_stmt);
    }
    if checker.enabled(Rule::JumpInFinally) {
        jump_in_finally::jump_in_finally(checker, try_stmt);
    }
    if checker.enabled(Rule::ExceptionSilencedInAsync) {
        exception_silenced_in_async::exception_silenced_in_async(checker, try_stmt);
    }
    if checker.enabled(Rule::TimeoutErrorNotCaught) {
        rules::timeouts::timeout_error_not_caught::timeout_error_not_caught(checker, try_stmt);
    }
}

/// Called once when a function body is entered (the function's own scope is active).
pub(crate) fn function_body<'a>(checker: &mut Checker<'a>, def: &'a ast::StmtFunctionDef) {
    if checker.enabled(Rule::UselessSemaphore) {
        rules::limits::useless_semaphore::useless_semaphore(checker, def);
    }
}
