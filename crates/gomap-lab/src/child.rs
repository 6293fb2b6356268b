//! Running another program with a deadline: the Go toolchain, the programs it
//! builds, strace. Output is collected on threads so a chatty child can never
//! block on a full pipe, and a child that outlives its deadline is killed, so
//! a hung measurement costs seconds, not the report.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished child left behind.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error, decoded lossily.
    pub stderr: String,
}

/// Runs `cmd` to completion with no input, or kills it after `limit`.
/// The error is one line naming the program and what went wrong.
pub fn run(cmd: &mut Command, limit: Duration) -> Result<Finished, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                // A read error only truncates what is kept; the status still tells.
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= limit => {
                // Kill only this child, by its handle; ignore a race with its own exit.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not finish within {} s",
                    limit.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

/// The first line of `text` that is not blank, for one-line error messages.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// A private directory under the system's temporary directory, removed with
/// everything in it when dropped.
#[derive(Debug)]
pub struct Scratch {
    path: std::path::PathBuf,
}

impl Scratch {
    /// Makes a fresh directory named `gomap-{what}-{pid}-{n}`.
    pub fn new(what: &str) -> Result<Scratch, String> {
        use std::sync::atomic::{AtomicU32, Ordering};
        // Tells apart the scratch directories of one process; nothing pairs with it.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("gomap-{what}-{}-{n}", std::process::id()));
        // A leftover from a crashed run of a process with the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("cannot make scratch directory {}: {e}", path.display()))?;
        Ok(Scratch { path })
    }

    /// The directory.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
