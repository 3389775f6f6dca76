pub mod async_fixture_sync_decorator;
pub mod async_test_not_collected;
pub mod asyncmock_assert_called;
pub mod deprecated_pytest_asyncio_api;
pub(crate) mod helpers;
pub mod legacy_future_mock;
pub mod long_sleep_in_test;
pub mod sync_mock_for_async_function;
