//! Writing: bytes to disk atomically (a uniquely named temporary file, then
//! a rename), and the one function that names an asset's files.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A file-name-safe slug: letters and digits of any script kept (lower-cased),
/// everything else folded to single dashes, at most 60 characters, never empty,
/// never a name Windows reserves.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
        if out.chars().count() >= 60 {
            break;
        }
    }
    if out.is_empty() {
        return "untitled".into();
    }
    let upper = out.to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push_str("-org");
    }
    out
}

/// When a written file is flushed to the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Before it is renamed into place (the default): once there, it
    /// survives a power cut.
    #[default]
    EachFile,
    /// Later, by the caller, with [`sync_folder`] once many files are
    /// written: a batch does, before its manifest records them, so that no
    /// render waits for the disk. A reader still never sees half a file.
    /// Where [`sync_folder`] cannot flush a whole filesystem at once (other
    /// systems than Linux), this is `EachFile`.
    Later,
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder,
/// then a rename, so no reader ever sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`], flushed to the disk when `durability` says.
pub fn write_atomic_as(path: &Path, bytes: &[u8], durability: Durability) -> Result<(), Error> {
    write_file(path, durability, |w| w.write_all(bytes))
}

/// Flushes to the disk every file written on the filesystem that holds
/// `dir` (files written with [`Durability::Later`]). Linux only: elsewhere
/// those files were flushed one by one and this does nothing.
///
/// Debug builds only: with `POSTKIT_FAILPOINT_SYNC` set it fails, so tests
/// can show what a batch does then.
pub fn sync_folder(dir: &Path) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: dir.to_path_buf(),
        what: "output",
        source: e,
    };
    #[cfg(debug_assertions)]
    if std::env::var_os("POSTKIT_FAILPOINT_SYNC").is_some() {
        return Err(io(std::io::Error::other(
            "injected failure (POSTKIT_FAILPOINT_SYNC)",
        )));
    }
    #[cfg(target_os = "linux")]
    {
        let folder = std::fs::File::open(dir).map_err(io)?;
        rustix::fs::syncfs(&folder).map_err(|e| io(e.into()))?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = io;
    Ok(())
}

/// Like [`write_atomic`], for content written piece by piece (a large
/// report is streamed, never held whole in memory).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_file(path, Durability::EachFile, write)
}

fn write_file(
    path: &Path,
    durability: Durability,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        what: "output",
        source: e,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // A name no other writer (thread or process) uses: `.NAME.XXXXXX.tmp`.
    // Dropped on any failure, the temporary file is removed.
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Readable as any file the user creates (the umask applies), not 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    let result = (|| {
        let mut f = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut f)?;
        f.flush()?;
        drop(f);
        if durability == Durability::EachFile || cfg!(not(target_os = "linux")) {
            tmp.as_file().sync_all()?;
        }
        Ok(())
    })();
    result.map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Files kept in memory instead of written to the disk: a server's batch,
/// answered as one zip, writes nothing on the server. By path, in path order.
#[derive(Debug, Default)]
pub struct InMemory(std::sync::Mutex<std::collections::BTreeMap<PathBuf, Vec<u8>>>);

impl InMemory {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<PathBuf, Vec<u8>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The files, by path, in path order.
    pub fn into_files(self) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes held in all.
    pub fn bytes(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}

/// Where files are written: to the disk (atomically, flushed when
/// `Durability` says), or into memory.
#[derive(Clone, Copy, Debug)]
pub enum Sink<'a> {
    /// Files on the disk.
    Disk(Durability),
    /// Files in memory, by path.
    Memory(&'a InMemory),
}

impl Sink<'_> {
    /// Writes `bytes` to `path`.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        self.write_with(path, |w| w.write_all(bytes))
    }

    /// Writes what `write` writes to `path`.
    pub fn write_with(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        match self {
            Sink::Disk(durability) => write_file(path, *durability, write),
            Sink::Memory(m) => {
                let mut bytes = Vec::new();
                write(&mut bytes).map_err(|source| Error::Io {
                    path: path.to_path_buf(),
                    what: "output",
                    source,
                })?;
                m.lock().insert(path.to_path_buf(), bytes);
                Ok(())
            }
        }
    }

    /// Whether a file is at `path`.
    pub fn exists(&self, path: &Path) -> bool {
        match self {
            Sink::Disk(_) => path.is_file(),
            Sink::Memory(m) => m.lock().contains_key(path),
        }
    }
}

/// Removes the temporary files a writer killed part-way (SIGKILL, a lost
/// machine) left beside the asset at `path`: `.NAME.XXXXXX.tmp` for the
/// asset, its sidecars and its SVG (never a file under its final name).
/// Only for assets no other process is writing.
pub fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    let prefix = format!(".{}.", stem.to_string_lossy());
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Where an asset goes: `<out>/<org-slug>/<template>-<platform>[-<suffix>]`.
#[derive(Clone, Copy, Debug)]
pub struct Destination<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// Organisation (its slug names the folder).
    pub org: &'a str,
    /// Distinguishes several stories of one organisation.
    pub suffix: Option<&'a str>,
}

impl Destination<'_> {
    /// The path of the asset of `template` on `platform`, as `format`.
    pub fn path(&self, template: &str, platform: &str, format: crate::output::Format) -> PathBuf {
        asset_path(
            self.out,
            self.org,
            template,
            platform,
            self.suffix,
            format.ext(),
        )
    }
}

/// `card.png` → `card.png.alt.txt`.
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// `<out>/<org-slug>/<template>-<platform>[-<suffix>].<ext>`: the one
/// place an asset's file name is made.
pub fn asset_path(
    out: &Path,
    org: &str,
    template: &str,
    platform: &str,
    suffix: Option<&str>,
    ext: &str,
) -> PathBuf {
    let tail = suffix.map(|s| format!("-{}", slug(s))).unwrap_or_default();
    out.join(slug(org))
        .join(format!("{}-{}{tail}.{ext}", slug(template), slug(platform)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slug("Plymouth Welcome Hub"), "plymouth-welcome-hub");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("CON"), "con-org");
        assert_eq!(slug("A\0B"), "a-b");
        assert_eq!(slug("مركز الترحيب"), "مركز-الترحيب");
        assert_eq!(slug("///"), "untitled");
    }
}
