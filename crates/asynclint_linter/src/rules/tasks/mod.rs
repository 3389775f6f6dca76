pub mod dangling_task;
pub mod background_task_exception_lost;
pub mod except_around_taskgroup;
pub mod gather_exceptions_unchecked;
pub mod gather_non_awaitable_argument;
pub mod task_collection_never_discarded;
pub(crate) mod task_tracking;
pub mod wait_on_bare_coroutines;
