//! The local source of an S3 object: a file, uploaded as it is, or a
//! directory, packed into a gzipped tar that is the same bytes for the same
//! content (entries sorted by path, fixed mtime, uid/gid 0, modes 0644 or
//! 0755, no owner names, gzip header without a time or file name).
//!
//! Relative paths are resolved against the provider's working directory.
//! The Pulumi engine starts every plugin in the program's directory, the
//! one it runs the program in (`pkg/engine/project.go`, `getPwdMain`: the
//! project root, or the directory of the project's `main` when it names
//! one; the plugin context's `Pwd` becomes the plugin process's `cmd.Dir`
//! in `pkg/resource/plugin/plugin.go`, `ExecPlugin`), so a path relative to
//! the program means the same file here.

use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// The modification time of every packed entry (2000-01-01T00:00:00Z):
/// fixed, so that the same content packs to the same bytes, and not zero,
/// which some tools mishandle.
const PACKED_MTIME: u64 = 946_684_800;

/// How deep a packed directory may nest (symbolic links are followed, so a
/// link to an ancestor would otherwise never end).
const MAX_DEPTH: usize = 64;

/// Why a source cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Nothing at the path.
    #[error("no file or directory at {path}")]
    Missing { path: String },
    /// Something there, but it cannot be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    /// A socket, a device, a FIFO: nothing to upload.
    #[error("{path} is neither a regular file nor a directory")]
    NotFileOrDirectory { path: String },
    /// A directory nested deeper than [`MAX_DEPTH`], likely a link loop.
    #[error("{path} nests more than {MAX_DEPTH} directories deep (a symbolic link loop?)")]
    TooDeep { path: String },
    /// The content is not what was checked at preview.
    #[error(
        "{path} changed since it was checked (sha256 {expected} then, {actual} now); run the update again"
    )]
    Changed {
        path: String,
        expected: String,
        actual: String,
    },
}

impl SourceError {
    fn io(path: &Path, error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::NotFound {
            SourceError::Missing { path: shown(path) }
        } else {
            SourceError::Unreadable {
                path: shown(path),
                reason: error.to_string(),
            }
        }
    }
}

impl From<SourceError> for framework::ProviderError {
    fn from(error: SourceError) -> Self {
        framework::ProviderError::failed(error.to_string())
    }
}

/// What a source is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A regular file, uploaded as it is.
    File,
    /// A directory, packed into a gzipped tar.
    Directory,
}

/// The bytes a source uploads, summed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest256 {
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    /// Their number.
    pub size: u64,
}

/// A local file or directory to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path as resolved (absolute when the working directory is known).
    pub path: PathBuf,
    /// File or directory.
    pub kind: SourceKind,
}

/// The bytes of a source, ready to upload from disk.
#[derive(Debug)]
pub struct Prepared {
    /// Where the bytes are: the file itself, or the packed archive.
    pub path: PathBuf,
    /// Their digest.
    pub digest: Digest256,
    /// The packed archive, removed when this is dropped.
    _packed: Option<tempfile::TempPath>,
}

/// `source` resolved against the working directory (see the module docs).
pub fn resolve(source: &str) -> PathBuf {
    let path = Path::new(source);
    if path.is_absolute() {
        return path.to_owned();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_owned())
}

/// The path for messages.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

impl Source {
    /// Opens `source` (see [`resolve`]): it must be a readable file or
    /// directory.
    pub fn open(source: &str) -> Result<Self, SourceError> {
        let path = resolve(source);
        let metadata = fs::metadata(&path).map_err(|e| SourceError::io(&path, e))?;
        let kind = if metadata.is_dir() {
            fs::read_dir(&path).map_err(|e| SourceError::io(&path, e))?;
            SourceKind::Directory
        } else if metadata.is_file() {
            File::open(&path).map_err(|e| SourceError::io(&path, e))?;
            SourceKind::File
        } else {
            return Err(SourceError::NotFileOrDirectory { path: shown(&path) });
        };
        Ok(Source { path, kind })
    }

    /// The digest of the bytes an upload would send, computed without
    /// keeping them: a file is read in chunks, a directory packed into the
    /// hash.
    pub fn digest(&self) -> Result<Digest256, SourceError> {
        let mut sink = HashingWriter::new(io::sink());
        match self.kind {
            SourceKind::File => {
                let mut file = File::open(&self.path).map_err(|e| self.error(e))?;
                io::copy(&mut file, &mut sink).map_err(|e| self.error(e))?;
            }
            SourceKind::Directory => pack(&self.path, &mut sink)?,
        }
        Ok(sink.finish().1)
    }

    /// As [`Source::digest`], remembered for as long as no file under the
    /// source changes size or modification time: Check hashes the source
    /// to validate it and again to fill in `sourceHash`, and a large
    /// artifact should be read once. (An upload still re-reads it and
    /// compares: see [`Source::prepare`].)
    pub fn digest_remembered(&self) -> Result<Digest256, SourceError> {
        static REMEMBERED: Mutex<Vec<(PathBuf, Vec<Stamp>, Digest256)>> = Mutex::new(Vec::new());
        let stamps = self.stamps()?;
        let found = REMEMBERED.lock().ok().and_then(|memo| {
            memo.iter()
                .find(|(path, known, _)| *path == self.path && *known == stamps)
                .map(|(_, _, digest)| digest.clone())
        });
        if let Some(digest) = found {
            return Ok(digest);
        }
        let digest = self.digest()?;
        if let Ok(mut memo) = REMEMBERED.lock() {
            memo.retain(|(path, _, _)| *path != self.path);
            // A handful of artifacts per program; keep the memo small.
            if memo.len() >= 64 {
                memo.remove(0);
            }
            memo.push((self.path.clone(), stamps, digest.clone()));
        }
        Ok(digest)
    }

    /// Size and modification time of every file under the source.
    fn stamps(&self) -> Result<Vec<Stamp>, SourceError> {
        let mut stamps = Vec::new();
        let mut pending = vec![(self.path.clone(), 0)];
        while let Some((path, depth)) = pending.pop() {
            if depth > MAX_DEPTH {
                return Err(SourceError::TooDeep { path: shown(&path) });
            }
            let metadata = fs::metadata(&path).map_err(|e| SourceError::io(&path, e))?;
            if metadata.is_dir() {
                for entry in fs::read_dir(&path).map_err(|e| SourceError::io(&path, e))? {
                    let entry = entry.map_err(|e| SourceError::io(&path, e))?;
                    pending.push((entry.path(), depth + 1));
                }
            }
            stamps.push(Stamp {
                modified: metadata.modified().ok(),
                size: metadata.len(),
                path,
            });
        }
        stamps.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(stamps)
    }

    /// The bytes to upload, on disk: the file itself, or the directory
    /// packed into a temporary file. When `expected` is given, the content
    /// must still have that SHA-256.
    pub fn prepare(&self, expected: Option<&str>) -> Result<Prepared, SourceError> {
        let prepared = match self.kind {
            SourceKind::File => Prepared {
                path: self.path.clone(),
                digest: self.digest()?,
                _packed: None,
            },
            SourceKind::Directory => {
                let temp = tempfile::Builder::new()
                    .prefix("sagemaker-deployment-")
                    .suffix(".tar.gz")
                    .tempfile()
                    .map_err(|e| self.error(e))?;
                let (file, temp) = temp.into_parts();
                let mut writer = HashingWriter::new(io::BufWriter::new(file));
                pack(&self.path, &mut writer)?;
                let (buffered, digest) = writer.finish();
                buffered
                    .into_inner()
                    .map_err(|e| self.error(e.into_error()))?
                    .sync_all()
                    .map_err(|e| self.error(e))?;
                Prepared {
                    path: temp.to_path_buf(),
                    digest,
                    _packed: Some(temp),
                }
            }
        };
        match expected {
            Some(expected) if expected != prepared.digest.sha256 => Err(SourceError::Changed {
                path: shown(&self.path),
                expected: expected.to_owned(),
                actual: prepared.digest.sha256,
            }),
            _ => Ok(prepared),
        }
    }

    /// The content type an upload gets unless one is given.
    pub fn default_content_type(&self) -> &'static str {
        match self.kind {
            SourceKind::File => "application/octet-stream",
            SourceKind::Directory => "application/gzip",
        }
    }

    fn error(&self, error: io::Error) -> SourceError {
        SourceError::io(&self.path, error)
    }
}

/// What tells that a file changed without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> (W, Digest256) {
        let digest = Digest256 {
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
        };
        (self.inner, digest)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Packs the directory `root` into `out` as a gzipped tar (see the module
/// docs for what makes it deterministic).
fn pack(root: &Path, out: &mut impl Write) -> Result<(), SourceError> {
    let at_root = |e: io::Error| SourceError::io(root, e);
    // A fixed level and no time or name in the header: the same bytes in,
    // the same bytes out.
    let gzip = GzEncoder::new(out, Compression::new(6));
    let mut tar = tar::Builder::new(gzip);
    append_children(&mut tar, root, "", 0)?;
    let gzip = tar.into_inner().map_err(at_root)?;
    gzip.finish().map_err(at_root)?.flush().map_err(at_root)
}

/// Appends the entries under `dir` (whose archive path is `prefix`), in
/// byte order of their names, directories before what they hold.
fn append_children<W: Write>(
    tar: &mut tar::Builder<W>,
    dir: &Path,
    prefix: &str,
    depth: usize,
) -> Result<(), SourceError> {
    if depth > MAX_DEPTH {
        return Err(SourceError::TooDeep { path: shown(dir) });
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| SourceError::io(dir, e))? {
        let entry = entry.map_err(|e| SourceError::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(SourceError::Unreadable {
                path: shown(&entry.path()),
                reason: "the name is not valid UTF-8".to_owned(),
            });
        };
        names.push(name.to_owned());
    }
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let archived = format!("{prefix}{name}");
        // Symbolic links are followed: what they point at is packed.
        let metadata = fs::metadata(&path).map_err(|e| SourceError::io(&path, e))?;
        if metadata.is_dir() {
            let mut header = header(tar::EntryType::Directory, 0, 0o755);
            tar.append_data(&mut header, format!("{archived}/"), io::empty())
                .map_err(|e| SourceError::io(&path, e))?;
            append_children(tar, &path, &format!("{archived}/"), depth + 1)?;
        } else if metadata.is_file() {
            let size = metadata.len();
            let mut header = header(tar::EntryType::Regular, size, file_mode(&metadata));
            let file = File::open(&path).map_err(|e| SourceError::io(&path, e))?;
            let mut exact = ExactReader {
                inner: file.take(size),
                left: size,
            };
            tar.append_data(&mut header, &archived, &mut exact)
                .map_err(|e| SourceError::io(&path, e))?;
        } else {
            return Err(SourceError::NotFileOrDirectory { path: shown(&path) });
        }
    }
    Ok(())
}

/// A header with nothing from the machine in it but the size and the
/// executable bit.
fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_size(size);
    header.set_mode(mode);
    header.set_mtime(PACKED_MTIME);
    header.set_uid(0);
    header.set_gid(0);
    header
}

#[cfg(unix)]
fn file_mode(metadata: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    if metadata.permissions().mode() & 0o100 != 0 {
        0o755
    } else {
        0o644
    }
}

#[cfg(not(unix))]
fn file_mode(_metadata: &Metadata) -> u32 {
    0o644
}

/// Reads exactly the size a tar header announced: a file that shrank
/// while being packed is an error, not a corrupt archive.
struct ExactReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was being packed",
            ));
        }
        self.left -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, content).unwrap();
        }
        dir
    }

    fn entries(archive: &Path) -> Vec<(String, u32, u64)> {
        let gzip = flate2::read::GzDecoder::new(File::open(archive).unwrap());
        let mut tar = tar::Archive::new(gzip);
        tar.entries()
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                let header = entry.header();
                (
                    entry.path().unwrap().display().to_string(),
                    header.mode().unwrap(),
                    header.mtime().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_same_content_packs_to_the_same_bytes_whenever_and_wherever_it_was_written() {
        let files = [
            ("code/inference.py", "def model_fn(d): ...\n"),
            ("model.pth", "weights"),
            ("code/requirements.txt", ""),
        ];
        let one = tree(&files);
        let mut reversed = files;
        reversed.reverse();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let other = tree(&reversed);
        let a = Source::open(one.path().to_str().unwrap()).unwrap();
        let b = Source::open(other.path().to_str().unwrap()).unwrap();
        assert_eq!(a.kind, SourceKind::Directory);
        assert_eq!(a.digest().unwrap(), b.digest().unwrap());
        let prepared = a.prepare(None).unwrap();
        assert_eq!(prepared.digest, a.digest().unwrap());
        assert_eq!(
            fs::metadata(&prepared.path).unwrap().len(),
            prepared.digest.size
        );
        assert_eq!(
            entries(&prepared.path),
            [
                ("code/".to_owned(), 0o755, PACKED_MTIME),
                ("code/inference.py".to_owned(), 0o644, PACKED_MTIME),
                ("code/requirements.txt".to_owned(), 0o644, PACKED_MTIME),
                ("model.pth".to_owned(), 0o644, PACKED_MTIME),
            ]
        );
        // The packed archive goes when it is no longer needed.
        let packed = prepared.path.clone();
        drop(prepared);
        assert!(!packed.exists());
    }

    #[test]
    fn changed_content_changes_the_digest() {
        let dir = tree(&[("model.pth", "weights v1")]);
        let source = Source::open(dir.path().to_str().unwrap()).unwrap();
        let before = source.digest().unwrap();
        fs::write(dir.path().join("model.pth"), "weights v2").unwrap();
        assert_ne!(source.digest().unwrap(), before);
        let error = source.prepare(Some(&before.sha256)).unwrap_err();
        assert!(matches!(error, SourceError::Changed { .. }), "{error}");
    }

    #[test]
    fn a_file_is_uploaded_as_it_is() {
        let dir = tree(&[("model.tar.gz", "already packed")]);
        let path = dir.path().join("model.tar.gz");
        let source = Source::open(path.to_str().unwrap()).unwrap();
        assert_eq!(source.kind, SourceKind::File);
        let prepared = source.prepare(None).unwrap();
        assert_eq!(prepared.path, path);
        assert_eq!(
            prepared.digest.sha256,
            hex::encode(Sha256::digest(b"already packed"))
        );
        assert_eq!(prepared.digest.size, 14);
    }

    #[test]
    fn a_missing_path_is_named() {
        let error = Source::open("/no/such/model").unwrap_err();
        assert_eq!(error.to_string(), "no file or directory at /no/such/model");
    }

    #[test]
    fn relative_paths_are_resolved_against_the_working_directory() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(resolve("../model"), cwd.join("../model"));
        assert_eq!(resolve("/abs/model"), PathBuf::from("/abs/model"));
    }
}
