// An integration test: the crate is a binary, so this checks the source's contract from outside.
#[test]
fn greeting_is_plain_text() {
    let src = include_str!("../src/main.rs");
    assert!(src.contains("hello from rust"));
}
