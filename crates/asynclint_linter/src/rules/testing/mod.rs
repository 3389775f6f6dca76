pub mod sync_mock_for_async_function;
