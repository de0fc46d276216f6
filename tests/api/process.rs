//! The real binary as a child process, for tests that need a whole server
//! lifecycle: its own log, signals, restarts.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts `autotechjobs serve` on a free port; stdout and stderr go to `log`.
    pub fn start(database_url: &str, log_level: &str, log: &Path) -> ServerProcess {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_autotechjobs"))
            .env("ATJ_LOG", log_level)
            .env("ATJ_BIND", "127.0.0.1:0")
            .env("ATJ_DATABASE_URL", database_url)
            .env("ATJ_SESSION_SECRET", "ab".repeat(64))
            .env("ATJ_DEMO_DATA", "true")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(log.try_clone().unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Owned before waiting, so a server that never comes up is killed too.
        let mut process = ServerProcess {
            child,
            address: String::new(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut log = log;
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
                if !sent && let Some(i) = line.find("address=http://") {
                    let address = line[i + 8..].split_whitespace().next().unwrap_or("");
                    let _ = tx.send(
                        address
                            .trim_end_matches(|c: char| !c.is_ascii_digit())
                            .to_owned(),
                    );
                    sent = true;
                }
            }
        });
        process.address = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server starts");
        process
    }

    /// SIGTERM, then waits (up to 15 s) for a clean exit.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..150 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.kill();
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server dies with the test, even when an assertion fails first.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
