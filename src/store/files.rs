//! The data folder and database files are the owner's alone: the folder
//! 0700 and the files 0600 on Unix, and looser permissions left by an
//! earlier Parley (or a person) are tightened at start-up. Tightening only
//! ever removes permissions; it never makes anything writable.

use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if missing, the last of them private,
/// and takes group and other permissions off it if it exists.
pub(crate) fn prepare_folder(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    tighten(dir);
    Ok(())
}

/// Creates an empty `file`, readable and writable by its owner only, if
/// it does not exist: SQLite then opens it as a new database, and gives
/// its journal files the same permissions.
pub(crate) fn create_private_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes group and other permissions off `path`, if it exists and has
/// any. A failure (someone else owns it) is logged, not fatal: the file
/// works as it is.
pub(crate) fn tighten(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 == 0 {
            return;
        }
        let private = std::fs::Permissions::from_mode(mode & !0o077);
        if let Err(e) = std::fs::set_permissions(path, private) {
            log::warn!(
                "could not make {} private to its owner: {e}",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
