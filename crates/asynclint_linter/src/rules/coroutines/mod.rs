pub mod unawaited_coroutine;
