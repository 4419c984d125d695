//! A real SMTP server on loopback for the tests: it accepts every message and keeps it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn subject(&self) -> String {
        use mailparse::MailHeaderMap;
        mailparse::parse_mail(&self.raw)
            .map(|m| m.headers.get_first_value("Subject").unwrap_or_default())
            .unwrap_or_default()
    }

    /// The decoded text of every part, concatenated.
    pub fn text(&self) -> String {
        fn walk(part: &mailparse::ParsedMail<'_>, out: &mut String) {
            if part.subparts.is_empty() {
                out.push_str(&part.get_body().unwrap_or_default());
                out.push('\n');
            }
            for p in &part.subparts {
                walk(p, out);
            }
        }
        let mut out = String::new();
        if let Ok(m) = mailparse::parse_mail(&self.raw) {
            walk(&m, &mut out);
        }
        out
    }

    /// The first link to `path_prefix` in the message, as a path (`/password-reset/…`).
    pub fn link_path(&self, path_prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(path_prefix)?;
        let end =
            text[start..].find(|c: char| c.is_whitespace() || c == '"' || c == '<').map_or(text.len(), |e| start + e);
        Some(text[start..end].to_string())
    }
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let (store, is_down) = (Arc::clone(&inbox), Arc::clone(&down));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (store, is_down) = (Arc::clone(&store), Arc::clone(&is_down));
                tokio::spawn(async move {
                    let _ = session(socket, store, &is_down).await;
                });
            }
        });
        SmtpServer { port, inbox, down }
    }

    /// An outage: while down, every connection is turned away as a busy server would.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits up to `secs` for a message to `to` whose subject contains `subject`.
    pub async fn wait_for_subject(&self, to: &str, subject: &str, secs: u64) -> Received {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(m) = self
                .received()
                .into_iter()
                .find(|m| m.to.iter().any(|t| t.contains(to)) && m.subject().contains(subject))
            {
                return m;
            }
            assert!(Instant::now() < deadline, "no mail to {to} about {subject:?} within {secs}s");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits up to `secs` for a message to `to`.
    pub async fn wait_for(&self, to: &str, secs: u64) -> Received {
        self.wait_for_nth(to, 1, secs).await
    }

    /// Waits up to `secs` for the `nth` message (1 the first) to `to`.
    pub async fn wait_for_nth(&self, to: &str, nth: usize, secs: u64) -> Received {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(m) = self.received().into_iter().filter(|m| m.to.iter().any(|t| t.contains(to))).nth(nth - 1) {
                return m;
            }
            assert!(Instant::now() < deadline, "no mail number {nth} to {to} within {secs}s");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    down: &AtomicBool,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    if down.load(Ordering::SeqCst) {
        write.write_all(b"421 4.3.2 test-smtp is not available\r\n").await?;
        return Ok(());
    }
    let mut lines = BufReader::new(read);
    write.write_all(b"220 test-smtp ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write.write_all(b"250-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 test-smtp\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().to_string();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut raw = Vec::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line);
                raw.extend_from_slice(l.as_bytes());
            }
            inbox.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), raw });
            write.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            // RSET, NOOP and anything else.
            write.write_all(b"250 OK\r\n").await?;
        }
    }
}
