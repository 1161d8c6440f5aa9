//! hello-rust: a tiny HTTP service on the standard library alone. Every request gets the same
//! greeting, so the original and the migrated image can be compared by their answers.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// The body every request gets.
pub const GREETING: &str = "hello from rust\n";

/// The HTTP/1.1 response to any request: 200, the greeting, and the connection closed.
fn response() -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        GREETING.len(),
        GREETING
    )
}

fn handle(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    let mut seen = Vec::new();
    // read the request head (up to the blank line), then answer
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        if seen.windows(4).any(|w| w == b"\r\n\r\n") || seen.len() > 64 * 1024 {
            break;
        }
    }
    let _ = stream.write_all(response().as_bytes());
}

fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_string());
    let listener = TcpListener::bind(format!("0.0.0.0:{}", port)).expect("bind");
    println!("hello-rust listening on :{}", port);
    for stream in listener.incoming().flatten() {
        thread::spawn(move || handle(stream));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_has_the_greeting() {
        let r = response();
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.ends_with(GREETING));
        assert!(r.contains(&format!("Content-Length: {}\r\n", GREETING.len())));
    }
}
