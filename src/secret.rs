//! Random secrets and how they are kept: session tokens, setup codes and
//! invite codes are made from the system's randomness, handed out once,
//! and stored only as their SHA-256, so a copy of the database lets nobody
//! use them.

use ring::digest::{digest, SHA256};

use crate::{Error, Result};

/// `N` bytes from the operating system's random source.
pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; N];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// What the database keeps of a secret.
pub(crate) fn hash(secret: &str) -> Vec<u8> {
    digest(&SHA256, secret.as_bytes()).as_ref().to_vec()
}

/// The letters a code a person may type is written in: Crockford's
/// base 32, without the ones that look alike (I, L, O, U).
const CODE_LETTERS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code for a person to copy or type: `groups` groups of four letters
/// joined by dashes (`7KQ2-M9XD-…`), 20 random bits a group.
pub(crate) fn typed_code<const BYTES: usize>(groups: usize) -> Result<String> {
    let bytes = random::<BYTES>()?;
    let mut bits: u64 = 0;
    let mut held = 0;
    let mut letters = Vec::with_capacity(groups * 4);
    for byte in bytes {
        bits = (bits << 8) | u64::from(byte);
        held += 8;
        while held >= 5 && letters.len() < groups * 4 {
            held -= 5;
            let index = usize::try_from((bits >> held) & 31).unwrap_or(0);
            letters.push(char::from(CODE_LETTERS.get(index).copied().unwrap_or(b'0')));
        }
    }
    let code: Vec<String> = letters
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect();
    Ok(code.join("-"))
}

/// A typed code as it was handed out: letters upper-cased, the ones that
/// look alike read as the digits they stand for, spaces and dashes
/// dropped and put back where they belong. `None` if it cannot be one.
pub(crate) fn read_typed_code(typed: &str, groups: usize) -> Option<String> {
    let mut letters = Vec::with_capacity(groups * 4);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !c.is_ascii() || !CODE_LETTERS.contains(&(c as u8)) || letters.len() == groups * 4 {
            return None;
        }
        letters.push(c);
    }
    if letters.len() != groups * 4 {
        return None;
    }
    let code: Vec<String> = letters
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect();
    Some(code.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_code_reads_back_however_it_is_typed() {
        let code = typed_code::<13>(5).unwrap_or_default();
        assert_eq!(code.len(), 5 * 4 + 4);
        assert_eq!(read_typed_code(&code, 5).as_deref(), Some(code.as_str()));
        let sloppy = code.to_lowercase().replace('-', " ");
        assert_eq!(read_typed_code(&sloppy, 5).as_deref(), Some(code.as_str()));
        assert_eq!(
            read_typed_code("oooo-iiii-llll-0000-1111", 5).as_deref(),
            Some("0000-1111-1111-0000-1111")
        );
        assert_eq!(read_typed_code("UUUU-0000-0000-0000-0000", 5), None);
        assert_eq!(read_typed_code("0000-0000", 5), None);
        assert_eq!(read_typed_code(&format!("{code}-0000"), 5), None);
        assert_ne!(typed_code::<13>(5).unwrap_or_default(), code);
    }
}
