pub mod async_syntax_outside_async_function;
pub mod syntax_error;
