//! Where streams come from: files (plain or gzip, told apart by their first bytes) or
//! bytes already read, such as standard input. A replay reads its input twice (once to
//! collect the recorded hashes, once to replay), so an [`Input`] can be opened again.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

use crate::protocol::{parse_hashkey, parse_line, HashkeyRecord, Record};

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why a stream could not be read. Both kinds mean "bad input" (exit status 2).
#[derive(Debug)]
pub enum InputError {
    /// A line is not a valid record, or the records do not form a valid stream.
    Malformed {
        /// The stream's name (a path or `<stdin>`).
        name: String,
        /// The 1-based line number within the (decompressed) stream.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The stream could not be opened or read.
    Io {
        /// The stream's name.
        name: String,
        /// The underlying error.
        error: io::Error,
    },
    /// The command line asks for something that cannot be done.
    Usage(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Malformed {
                name,
                line,
                message,
            } => write!(f, "{name}: line {line}: {message}"),
            InputError::Io { name, error } => write!(f, "{name}: {error}"),
            InputError::Usage(message) => f.write_str(message),
        }
    }
}

/// The I/O error is part of the message already, so it is not also given as
/// a source (an error chain would print it twice).
impl std::error::Error for InputError {}

/// A stream that can be read from the start as often as needed.
#[derive(Debug, Clone)]
pub struct Input {
    name: String,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Bytes(Arc<[u8]>),
}

impl Input {
    /// A file, plain or gzip-compressed.
    pub fn file(path: impl AsRef<Path>) -> Input {
        let path = path.as_ref();
        Input {
            name: path.display().to_string(),
            source: Source::File(path.to_owned()),
        }
    }

    /// Bytes in memory (plain or gzip-compressed), named `name` in messages.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Input {
        Input {
            name: name.into(),
            source: Source::Bytes(bytes.into()),
        }
    }

    /// All of standard input, read now.
    pub fn stdin() -> Result<Input, InputError> {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|error| InputError::Io {
                name: "<stdin>".to_owned(),
                error,
            })?;
        Ok(Input::bytes("<stdin>", bytes))
    }

    /// The name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stream from its start, decompressed, as bytes.
    pub fn reader(&self) -> Result<Box<dyn BufRead>, InputError> {
        let io_error = |error| InputError::Io {
            name: self.name.clone(),
            error,
        };
        let raw: Box<dyn BufRead> = match &self.source {
            Source::File(path) => Box::new(BufReader::new(File::open(path).map_err(io_error)?)),
            Source::Bytes(bytes) => Box::new(io::Cursor::new(Arc::clone(bytes))),
        };
        decompressed(raw).map_err(io_error)
    }

    /// The first line that is not blank (empty for an empty stream), which
    /// tells a Swiss stream from a classic one.
    pub fn first_line(&self) -> Result<String, InputError> {
        let mut reader = self.reader()?;
        let mut line = Vec::new();
        loop {
            line.clear();
            // One line is enough to tell; a longer one is cut short.
            let n = reader
                .by_ref()
                .take(1 << 20)
                .read_until(b'\n', &mut line)
                .map_err(|error| InputError::Io {
                    name: self.name.clone(),
                    error,
                })?;
            let text = String::from_utf8_lossy(&line);
            if n == 0 || !text.trim().is_empty() {
                return Ok(text.into_owned());
            }
        }
    }

    /// Opens the stream from its start.
    pub fn records(&self) -> Result<Records, InputError> {
        Ok(Records {
            name: self.name.clone(),
            reader: self.reader()?,
            line: 0,
            bytes: Vec::new(),
            started: false,
            hashkey: None,
        })
    }
}

/// Wraps `raw` in a gzip decoder when it starts with the gzip magic.
fn decompressed(mut raw: Box<dyn BufRead>) -> io::Result<Box<dyn BufRead>> {
    let head = raw.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(raw))))
    } else {
        Ok(raw)
    }
}

/// The records of one stream, each with its 1-based line number; blank lines are
/// skipped. After the first error the iterator ends.
pub struct Records {
    name: String,
    reader: Box<dyn BufRead>,
    line: usize,
    bytes: Vec<u8>,
    /// Whether a record has been read (a hashkey record may only come first).
    started: bool,
    hashkey: Option<HashkeyRecord>,
}

impl Records {
    /// The stream's hashkey record, once the records after it are being read.
    pub fn hashkey(&self) -> Option<&HashkeyRecord> {
        self.hashkey.as_ref()
    }

    /// The stream's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// An error about `line` of this stream.
    pub fn malformed(&self, line: usize, message: impl Into<String>) -> InputError {
        InputError::Malformed {
            name: self.name.clone(),
            line,
            message: message.into(),
        }
    }
}

impl Iterator for Records {
    type Item = Result<(usize, Record), InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.bytes.clear();
            self.line += 1;
            match self.reader.read_until(b'\n', &mut self.bytes) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    self.reader = Box::new(io::empty());
                    return Some(Err(InputError::Io {
                        name: self.name.clone(),
                        error,
                    }));
                }
            }
            let Ok(text) = std::str::from_utf8(&self.bytes) else {
                self.reader = Box::new(io::empty());
                return Some(Err(self.malformed(self.line, "not valid UTF-8")));
            };
            if !self.started && !text.trim().is_empty() {
                self.started = true;
                match parse_hashkey(text) {
                    Ok(None) => {}
                    Ok(Some(record)) => {
                        self.hashkey = Some(record);
                        continue;
                    }
                    Err(message) => {
                        self.reader = Box::new(io::empty());
                        return Some(Err(self.malformed(self.line, message)));
                    }
                }
            }
            match parse_line(text) {
                Ok(None) => continue,
                Ok(Some(record)) => return Some(Ok((self.line, record))),
                Err(message) => {
                    self.reader = Box::new(io::empty());
                    return Some(Err(self.malformed(self.line, message)));
                }
            }
        }
    }
}
