pub mod get_event_loop;
