// The migrate golden reads only that this file exists; the service itself is examples/migrate/rust-service.
fn main() {}
